// Tests must not print: a stray console call is a bug in the library or the test (zod does this).
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) => {
    throw new Error(`unexpected console.${level} in a test: ${args.map(String).join(' ')}`)
  }
}
