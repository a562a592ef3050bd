/**
 * dagflow's process warnings (codes `DAGFLOW_*`) as the command prints them: one line each on
 * stderr, in the command's terms, instead of Node's `(node:123) [CODE] Warning: …` followed by
 * its `--trace-warnings` hint.
 *
 * @since 0.4.0
 */

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Prints dagflow's warnings to `stderr` as notices from now on; other warnings are printed as
 * Node prints them. For the command's entry only: it takes over the process's warning output.
 * Under `--no-warnings` (Node prints no warnings) it prints none either.
 *
 * @category constructors
 */
export function printNotices(stderr: NodeJS.WritableStream): void {
  const printers = process.listeners('warning')
  if (printers.length === 0) return
  for (const l of printers) process.removeListener('warning', l)
  process.on('warning', (w) => {
    const code = (w as Error & { readonly code?: unknown }).code
    if (typeof code !== 'string' || !code.startsWith('DAGFLOW_')) {
      for (const l of printers) l(w)
      return
    }
    stderr.write(`${noticeText(code, w.message)}\n`)
  })
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** The notice for a dagflow warning: its message, with library options named as flags. */
function noticeText(code: string, message: string): string {
  if (code === 'DAGFLOW_ARROW_UNAVAILABLE') {
    return (
      'dagflow: apache-arrow is not installed, so --mode auto runs locally. ' +
      'Install it with `npm install apache-arrow` for the Arrow executor, or pass --mode local.'
    )
  }
  return message.replace(/\s*\n\s*/g, ' ')
}
