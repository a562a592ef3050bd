import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'

// Every code example a user reads must compile and do what it says: the ```ts blocks of README
// and docs/, and the @example blocks of the TSDoc in src/. A line `expr // => value` becomes an
// assertion that `expr` deep-equals `value` (docs-ts style).
const root = fileURLToPath(new URL('../..', import.meta.url))
const out = join(root, 'tests/docs/.out')

interface Snippet {
  readonly name: string
  readonly source: string
  readonly code: string
}

const walk = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  )

/**
 * A page's ```ts blocks form one program, read top to bottom (later blocks use what earlier ones
 * defined), so they are joined into one module, imports hoisted and merged.
 */
function markdownSnippets(file: string): Array<Snippet> {
  const text = readFileSync(file, 'utf8')
  const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '')
  if (blocks.length === 0) return []
  return [
    {
      name: relative(root, file).replace(/[/.]/g, '_'),
      source: `${relative(root, file)} (${blocks.length} blocks)`,
      code: mergeImports(blocks.join('\n')),
    },
  ]
}

function mergeImports(code: string): string {
  const named = new Map<string, Set<string>>()
  const other = new Set<string>()
  const body: Array<string> = []
  const lines = code.split('\n')
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string
    if (!line.startsWith('import ')) {
      body.push(line)
      continue
    }
    while (!/from\s+'[^']+'/.test(line) && i + 1 < lines.length) line += ` ${lines[++i]}`
    const m = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/.exec(line)
    if (m === null) {
      other.add(line)
      continue
    }
    const set = named.get(m[3] as string) ?? new Set<string>()
    for (const n of (m[2] as string).split(',').map((x) => x.trim()).filter(Boolean)) {
      set.add(m[1] !== undefined && !n.startsWith('type ') ? `type ${n}` : n)
    }
    named.set(m[3] as string, set)
  }
  const imports = [...named].map(([from, ns]) => `import { ${[...ns].join(', ')} } from '${from}'`)
  return [...other, ...imports, ...body].join('\n')
}

function tsdocSnippets(file: string): Array<Snippet> {
  const text = readFileSync(file, 'utf8')
  const snippets: Array<Snippet> = []
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = (comment[1] ?? '').split('\n').map((l) => l.replace(/^\s*\* ?/, ''))
    let current: Array<string> | undefined
    const flush = () => {
      if (current !== undefined) {
        snippets.push({
          name: `${relative(root, file).replace(/[/.]/g, '_')}_${snippets.length}`,
          source: `${relative(root, file)} (@example ${snippets.length + 1})`,
          code: current.join('\n'),
        })
      }
      current = undefined
    }
    for (const line of lines) {
      if (line.startsWith('@example')) {
        flush()
        current = []
      } else if (line.startsWith('@')) {
        flush()
      } else {
        current?.push(line)
      }
    }
    flush()
  }
  return snippets
}

/** `expr // => value` becomes an assertion; imports stay at the top. */
function toModule(code: string): string {
  const body = code
    .split('\n')
    .map((line) => {
      const m = /^(\s*)(.+?)\s*\/\/ => (.+)$/.exec(line)
      return m === null ? line : `${m[1]}__expect(${m[2]}, ${m[3]})`
    })
    .join('\n')
  return `import { expect as __vitestExpect } from 'vitest'
const __expect = (actual: unknown, expected: unknown): void => {
  __vitestExpect(actual).toStrictEqual(expected)
}
${body}
export {}
`
}

const snippets: Array<Snippet> = [
  ...markdownSnippets(join(root, 'README.md')),
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .flatMap((f) => markdownSnippets(join(root, 'docs', f))),
  ...walk(join(root, 'src'))
    .filter((f) => f.endsWith('.ts'))
    .flatMap(tsdocSnippets),
]

const files = new Map<string, string>()
const diagnostics = new Map<string, string>()

beforeAll(() => {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  for (const s of snippets) {
    const f = join(out, `${s.name}.ts`)
    writeFileSync(f, toModule(s.code))
    files.set(s.name, f)
  }
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined,
  })
  const program = ts.createProgram([...files.values()], { ...config?.options, noEmit: true, noUnusedLocals: false })
  for (const [name, f] of files) {
    const ds = ts.getPreEmitDiagnostics(program, program.getSourceFile(f))
    diagnostics.set(
      name,
      ds
        .map((d) => {
          const { line } = d.file?.getLineAndCharacterOfPosition(d.start ?? 0) ?? { line: 0 }
          return `line ${line - 3}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
        })
        .join('\n'),
    )
  }
}, 120_000)

describe('documentation examples', () => {
  it('finds examples to check', () => {
    expect(snippets.length).toBeGreaterThan(10)
  })

  for (const s of snippets) {
    it(`${s.source} type-checks and runs`, async () => {
      expect(diagnostics.get(s.name), s.code).toBe('')
      await import(pathToFileURL(files.get(s.name) as string).href)
    })
  }
})
