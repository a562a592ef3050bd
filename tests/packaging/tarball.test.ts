/**
 * The published package, as a user gets it: `npm pack` the built repo, install the tarball into
 * a fresh consumer project, and use it from ESM, CommonJS and TypeScript. Runs after
 * `npm run build` (`npm test` builds first).
 *
 * The install is offline and needs no npm cache (./consumer.ts): the tarball, the peers (fp-ts,
 * io-ts) and the declared runtime dependencies (with theirs) are installed from local paths in
 * this repo's node_modules. Nothing else is installed, so an import of an undeclared package
 * fails here. The optional peers are tested in ./optional-peers.test.ts.
 *
 * The consumer has a poisoned `apache-arrow`: loading it sets a global flag and throws, so the
 * main entry is proven not to load it (alongside a scan of the built files).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  consumerCompilerOptions,
  install,
  noRequireEsm,
  pack,
  readJson,
  runJson as runJsonIn,
  tsc,
  typecheck,
} from './consumer.js'
import { exec, repo, requireBuild } from './exec.js'

const dist = join(repo, 'dist')
const TIMEOUT = 120_000

/** Runs a node script in the consumer and parses the JSON line it prints. */
const runJson = (file: string, flags: ReadonlyArray<string> = []): Record<string, unknown> =>
  runJsonIn(consumer, file, flags)

/** Bare package names imported or required by a built file. */
function bareImports(code: string): ReadonlyArray<string> {
  const specs = new Set<string>()
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm
  for (const m of code.matchAll(re)) {
    const spec = m[1] as string
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) continue
    const parts = spec.split('/')
    specs.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string))
  }
  return [...specs]
}

// the ESM and CJS scripts run the same program; only how they load dagflow differs
const PROGRAM = `
const Item = t.type({ id: t.string, x: t.number })
const a = node(
  { output: 'a', mapAxis: 'item', keyAttr: 'id', inputs: { item: Item } },
  ({ item }) => item.x + 1,
)
const b = node({ output: 'b', mapAxis: 'a' }, async ({ a }) => a * 10)
const total = node({ output: 'total' }, ({ b }) => b.reduce((s, v) => s + v, 0))
async function main() {
  const items = [{ id: 'p', x: 1 }, { id: 'q', x: 2 }, { id: 'r', x: 3 }]
  const r = await new LocalExecutor({ concurrency: 2 }).map(pipeline(a, b, total), { item: items })
  let error
  try {
    pipeline(a, node({ output: 'a' }, ({ y }) => y))
  } catch (e) {
    error = e
  }
  return {
    outputs: r.outputs,
    keys: r.keys,
    executor: r.executor,
    error: { code: error.code, output: error.output, isBase: error instanceof DagflowError },
    arrowLoaded: globalThis.__dagflowArrowLoaded === true,
  }
}
main().then(
  (r) => console.log(JSON.stringify(r)),
  (e) => {
    console.error(e)
    process.exitCode = 1
  },
)
`

const EXPECTED_PROGRAM = {
  outputs: { a: [2, 3, 4], b: [20, 30, 40], total: 90 },
  keys: ['p', 'q', 'r'],
  executor: 'local',
  error: { code: 'DUPLICATE_OUTPUT', output: 'a', isBase: true },
  arrowLoaded: false,
}

// the same consumer code, type-checked as ESM (.mts) and as CommonJS (.cts)
const TYPED = `
import { DagflowError, isDagflowError, LocalExecutor, node, pipeline } from 'dagflow'
import * as t from 'io-ts'

const a = node({ output: 'a', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1)
const b = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => '#' + String(a))
const p = pipeline(a, b)
const q = node(
  { output: 'len', mapAxis: 'item', keyAttr: 'id', inputs: { item: t.type({ id: t.string }) } },
  ({ item }) => item.id.length,
)

export async function main(): Promise<ReadonlyArray<string>> {
  const local = new LocalExecutor({ concurrency: 2 })
  const r = await local.map(p, { x: [1, 2] })
  const labels: ReadonlyArray<string> = r.outputs.b
  // @ts-expect-error b holds strings, not numbers: the package's types must reach the consumer
  const wrong: ReadonlyArray<number> = r.outputs.b
  // @ts-expect-error map() takes the map axis as an array
  await local.map(p, { x: 1 })
  const one: string = (await local.run(p, { x: 1 })).b
  const keyed = await local.map(pipeline(q), { item: [{ id: 'k' }] })
  const lens: ReadonlyArray<number> = keyed.outputs.len
  return [...labels, one, String(wrong), String(lens)]
}

export const codeOf = (e: unknown): string | undefined => (isDagflowError(e) ? e.code : undefined)
export const isBase = (e: unknown): boolean => e instanceof DagflowError
`

let work = ''
let consumer = ''
let tarball = ''
let packed: ReadonlyArray<string> = []
let manifest: Record<string, unknown> = {}

beforeAll(() => {
  requireBuild()
  work = mkdtempSync(join(tmpdir(), 'dagflow-pack-'))
  consumer = join(work, 'consumer')

  // pack exactly what `npm publish` would; peers and runtime dependencies from local paths
  const info = pack(work)
  tarball = info.tarball
  packed = info.files
  install(consumer, tarball)
  manifest = readJson(join(consumer, 'node_modules', 'dagflow', 'package.json'))

  // a poisoned apache-arrow: loading it, from either module system, is detected and fails
  const arrow = join(consumer, 'node_modules', 'apache-arrow')
  mkdirSync(arrow)
  const poison =
    'globalThis.__dagflowArrowLoaded = true\n' +
    "throw new Error('apache-arrow was loaded by the main dagflow entry')\n"
  writeFileSync(
    join(arrow, 'package.json'),
    JSON.stringify({
      name: 'apache-arrow',
      version: '99.0.0',
      exports: { import: './index.mjs', require: './index.cjs' },
      main: './index.cjs',
    }),
  )
  writeFileSync(join(arrow, 'index.mjs'), poison)
  writeFileSync(join(arrow, 'index.cjs'), poison)

  writeFileSync(
    join(consumer, 'esm.mjs'),
    "import { node, pipeline, LocalExecutor, DagflowError } from 'dagflow'\n" +
      "import * as t from 'io-ts'\n" +
      PROGRAM,
  )
  writeFileSync(
    join(consumer, 'cjs.cjs'),
    "const { node, pipeline, LocalExecutor, DagflowError } = require('dagflow')\n" +
      "const t = require('io-ts')\n" +
      PROGRAM,
  )
  writeFileSync(join(consumer, 'types.mts'), TYPED)
  writeFileSync(join(consumer, 'types.cts'), TYPED)
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: consumerCompilerOptions, files: ['types.mts', 'types.cts'] }),
  )
}, TIMEOUT)

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true })
})

describe('the packed tarball', () => {
  it('holds the builds, their types, the sources, the docs pages, the examples and nothing else', () => {
    const builds = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']
    for (const f of ['package.json', 'LICENSE', ...builds]) expect(packed).toContain(f)
    const top = ['package.json', 'LICENSE', 'README.md']
    const stray = packed.filter(
      (f) =>
        !/^(dist|src|examples\/data)\//.test(f) &&
        !/^docs\/[^/]+\.(md|svg)$/.test(f) &&
        !/^examples\/[^/]+\.ts$/.test(f) &&
        !top.includes(f),
    )
    expect(stray).toEqual([])
    expect(packed.filter((f) => /^(tests|node_modules|docs\/\.)/.test(f))).toEqual([])
  })

  it('ships what README and the docs pages link to', () => {
    const pages = ['README.md', ...packed.filter((f) => /^docs\/[^/]+\.md$/.test(f))]
    expect(pages.length).toBeGreaterThan(5)
    const dead: Array<string> = []
    for (const page of pages) {
      const text = readFileSync(join(repo, page), 'utf8')
      for (const m of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        const target = m[1] as string
        if (/^[a-z]+:/.test(target)) continue
        const path = join(page, '..', target).replaceAll('\\', '/')
        const shipped = packed.some((f) => f === path || f.startsWith(`${path}/`))
        if (!shipped) dead.push(`${page}: ${target}`)
      }
    }
    expect(dead).toEqual([])
  })

  it('declares every package its builds import (builtins, dependencies or peers)', () => {
    const declared = new Set([
      String(manifest['name']), // the self-reference sub-entries use to share the core
      ...Object.keys((manifest['dependencies'] ?? {}) as object),
      ...Object.keys((manifest['peerDependencies'] ?? {}) as object),
    ])
    const builds = packed.filter((f) => /^dist\/[^/]+\.c?js$/.test(f)).map((f) => f.slice(5))
    const entries = [
      ...['index', 'arrow', 'testing', 'observe', 'cache'].flatMap((e) => [`${e}.js`, `${e}.cjs`]),
      'cli.js', // the `dagflow` command: ESM only
    ]
    expect([...builds].sort()).toEqual([...entries].sort())
    for (const file of builds) {
      const code = readFileSync(join(dist, file), 'utf8')
      const undeclared = bareImports(code).filter(
        (s) => !declared.has(s) && !builtinModules.includes(s),
      )
      expect({ file, undeclared }).toEqual({ file, undeclared: [] })
    }
  })

  it('keeps fp-ts and io-ts as peers, not dependencies', () => {
    const deps = Object.keys((manifest['dependencies'] ?? {}) as object)
    expect(deps).not.toContain('fp-ts')
    expect(deps).not.toContain('io-ts')
    expect(Object.keys((manifest['peerDependencies'] ?? {}) as object)).toEqual(
      expect.arrayContaining(['fp-ts', 'io-ts']),
    )
  })
})

describe('the installed package', () => {
  it('works from ESM: named imports, a keyed map with a codec, an async node, errors', () => {
    expect(runJson('esm.mjs')).toEqual(EXPECTED_PROGRAM)
  }, TIMEOUT)

  it('works from CommonJS, without require(esm): p-limit is bundled into the CJS build', () => {
    expect(runJson('cjs.cjs', noRequireEsm)).toEqual(EXPECTED_PROGRAM)
    const cjs = readFileSync(join(dist, 'index.cjs'), 'utf8')
    expect(cjs).not.toMatch(/require\(["'](p-limit|yocto-queue)["']\)/)
  }, TIMEOUT)

  it('does not load apache-arrow from the main entry', () => {
    writeFileSync(
      join(consumer, 'arrow.mjs'),
      `import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const esm = await import('dagflow')
const cjs = require('dagflow')
console.log(JSON.stringify({
  esm: typeof esm.node,
  cjs: typeof cjs.node,
  loaded: globalThis.__dagflowArrowLoaded === true,
  cached: Object.keys(require.cache).filter((k) => k.includes('apache-arrow')),
}))
`,
    )
    expect(runJson('arrow.mjs')).toEqual({
      esm: 'function',
      cjs: 'function',
      loaded: false,
      cached: [],
    })
    // the core may name the package in messages, but never imports it (only dagflow/arrow does)
    for (const file of ['index.js', 'index.cjs']) {
      const arrow = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']apache-arrow["']/.test(
        readFileSync(join(dist, file), 'utf8'),
      )
      expect({ file, arrow }).toEqual({ file, arrow: false })
    }
  }, TIMEOUT)

  it('(control) the poisoned apache-arrow is detected when something does load it', () => {
    writeFileSync(join(consumer, 'poison.mjs'), "await import('apache-arrow')\n")
    const r = exec(process.execPath, ['poison.mjs'], consumer)
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain('apache-arrow was loaded')
  }, TIMEOUT)

  it('type-checks ESM and CJS consumers against the shipped .d.ts and .d.cts (NodeNext)', () => {
    const r = typecheck(consumer, 'tsconfig.json')
    expect(r.diagnostics).toBe('')
    expect(r.status).toBe(0)
    // the ESM file sees index.d.ts, the CJS file index.d.cts; never the shipped sources
    expect(r.dagflow).toEqual(['dist/index.d.cts', 'dist/index.d.ts'])
  }, TIMEOUT)

  it('(control) the type check fails when a @ts-expect-error is no longer an error', () => {
    writeFileSync(
      join(consumer, 'tsconfig.bad.json'),
      JSON.stringify({ extends: './tsconfig.json', files: ['bad.mts'] }),
    )
    writeFileSync(
      join(consumer, 'bad.mts'),
      "import { node } from 'dagflow'\n" +
        "// @ts-expect-error a well-typed node is not an error\n" +
        "export const ok = node({ output: 'y' }, ({ x }: { x: number }) => x)\n",
    )
    const r = tsc(consumer, ['-p', 'tsconfig.bad.json'])
    expect(r.status).not.toBe(0)
    expect(r.stdout).toContain('TS2578')
  }, TIMEOUT)

  it('keeps CJS errors instanceof the CJS classes, and isDagflowError works across copies', () => {
    writeFileSync(
      join(consumer, 'cross.mjs'),
      `import { createRequire } from 'node:module'
import * as esm from 'dagflow'
const cjs = createRequire(import.meta.url)('dagflow')
const duplicate = (lib) => {
  try {
    lib.pipeline(lib.node({ output: 'y' }, ({ x }) => x), lib.node({ output: 'y' }, ({ x }) => -x))
  } catch (e) {
    return e
  }
}
const fromCjs = duplicate(cjs)
const fromEsm = duplicate(esm)
const boom = cjs.node({ output: 'y', mapAxis: 'x' }, ({ x }) => {
  if (x === 2) throw new Error('boom')
  return x
})
let failed
try {
  await new cjs.LocalExecutor().map(cjs.pipeline(boom), { x: [1, 2, 3] })
} catch (e) {
  failed = e
}
const left = await new cjs.LocalExecutor().mapTE(cjs.pipeline(boom), { x: [2] })()
console.log(JSON.stringify({
  twoCopies: esm.DagflowError !== cjs.DagflowError,
  cjsError: {
    code: fromCjs.code,
    name: fromCjs.name,
    cjsBase: fromCjs instanceof cjs.DagflowError,
    cjsClass: fromCjs instanceof cjs.DuplicateOutputError,
    esmBase: fromCjs instanceof esm.DagflowError,
    esmGuard: esm.isDagflowError(fromCjs),
    cjsGuard: cjs.isDagflowError(fromCjs),
  },
  esmError: {
    code: fromEsm.code,
    esmBase: fromEsm instanceof esm.DagflowError,
    cjsBase: fromEsm instanceof cjs.DagflowError,
    cjsGuard: cjs.isDagflowError(fromEsm),
  },
  nodeError: {
    code: failed.code,
    node: failed.node,
    index: failed.index,
    key: failed.key,
    cause: failed.cause.message,
    cjsClass: failed instanceof cjs.NodeError,
    esmGuard: esm.isDagflowError(failed),
  },
  left: { tag: left._tag, code: left.left.code, esmGuard: esm.isDagflowError(left.left) },
  guards: {
    esmSeesCjsNode: esm.isNode(boom),
    cjsSeesEsmPipeline: cjs.isPipeline(esm.pipeline(esm.node({ output: 'z' }, ({ w }) => w))),
  },
  arrowLoaded: globalThis.__dagflowArrowLoaded === true,
}))
`,
    )
    expect(runJson('cross.mjs')).toEqual({
      twoCopies: true,
      cjsError: {
        code: 'DUPLICATE_OUTPUT',
        name: 'DuplicateOutputError',
        cjsBase: true,
        cjsClass: true,
        // the dual-package hazard: classes differ between the copies, which is why the guard exists
        esmBase: false,
        esmGuard: true,
        cjsGuard: true,
      },
      esmError: { code: 'DUPLICATE_OUTPUT', esmBase: true, cjsBase: false, cjsGuard: true },
      nodeError: {
        code: 'NODE_FAILED',
        node: 'y',
        index: 1,
        key: 1,
        cause: 'boom',
        cjsClass: true,
        esmGuard: true,
      },
      left: { tag: 'Left', code: 'NODE_FAILED', esmGuard: true },
      guards: { esmSeesCjsNode: true, cjsSeesEsmPipeline: true },
      arrowLoaded: false,
    })
  }, TIMEOUT)
})
