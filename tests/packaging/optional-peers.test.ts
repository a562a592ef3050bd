/**
 * The optional peers, against the packed tarball: `dagflow/arrow` needs `apache-arrow` and
 * `dagflow/testing` needs `fast-check`. Two consumer projects (./consumer.ts), each used from
 * ESM and CommonJS:
 *
 * - one with neither peer, as a user who never asked for Arrow has it: `dagflow` works, `auto`
 *   falls back to local with one warning, `mode: 'arrow'` fails with `ArrowUnavailableError`
 *   saying how to install it, and the sub-entries fail naming the missing peer;
 * - one with both: the sub-entries work, and every error they throw is `instanceof` the
 *   `DagflowError` of the same module system (one copy of the core per module system), also
 *   when `createRunner` loads `dagflow/arrow` itself.
 *
 * Both type-check against the shipped declarations. Runs after `npm run build`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  consumerCompilerOptions,
  install,
  noRequireEsm,
  pack,
  runJson,
  tsc,
  typecheck,
} from './consumer.js'
import { repo, requireBuild } from './exec.js'

const TIMEOUT = 120_000

/** A script's prelude in each module system: `dagflow` and `io-ts`, and `require` in CJS. */
const ESM =
  "import * as dagflow from 'dagflow'\nimport * as t from 'io-ts'\nconst load = undefined\n"
const CJS = "const dagflow = require('dagflow')\nconst t = require('io-ts')\nconst load = require\n"

/** Shared by every script: settle a promise or a call into `{ value }` or `{ error }`. */
const SETTLE = `
const settle = async (f) => {
  try {
    return { value: await f() }
  } catch (error) {
    return { error }
  }
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 20))
const missingModule = (e, name) =>
  e !== undefined &&
  (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') &&
  String(e.message).includes("'" + name + "'")
const report = (main) =>
  main().then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(e)
      process.exitCode = 1
    },
  )
`

// -------------------------------------------------------------------------------------
// without the optional peers
// -------------------------------------------------------------------------------------

const WITHOUT = `
const { createRunner, node, pipeline, DagflowError, ArrowUnavailableError, isDagflowError } =
  dagflow
const warnings = []
process.on('warning', (w) => warnings.push({ name: w.name, code: w.code, message: w.message }))

const double = node(
  { output: 'y', mapAxis: 'x', batch: ({ x }) => Array.from(x, (v) => v * 2) },
  ({ x }) => x * 2,
)
const p = pipeline(double)

const unavailable = (e) => ({
  name: e.name,
  code: e.code,
  isClass: e instanceof ArrowUnavailableError,
  isBase: e instanceof DagflowError,
  guard: isDagflowError(e),
  saysInstall: e.message.includes('npm install apache-arrow'),
  cause: missingModule(e.cause, 'apache-arrow'),
  // which build of dagflow/arrow failed to load it (resolved through the package's exports)
  entry: (String(e.cause?.message).match(/dagflow.dist.(arrow[.]c?js)/) ?? [])[1],
})

report(async () => {
  // auto: concurrent and sequential maps over enough items with a batch form: all local
  const auto = createRunner({ mode: 'auto', threshold: 1 })
  const first = await Promise.all([auto.map(p, { x: [1, 2, 3] }), auto.map(p, { x: [4] })])
  const last = await auto.map(p, { x: [5, 6] })
  await tick()
  const autoWarnings = warnings.slice()

  // arrow: map, run and mapTE fail with ArrowUnavailableError, and warn nothing
  const arrow = createRunner({ mode: 'arrow' })
  const mapped = await settle(() => arrow.map(p, { x: [1] }))
  const ran = await settle(() => arrow.run(p, { x: 1 }))
  const left = await arrow.mapTE(p, { x: [1] })()
  const imported = await settle(() => import('dagflow/arrow'))
  const testing = await settle(() => import('dagflow/testing'))
  const required = load === undefined ? undefined : await settle(() => load('dagflow/arrow'))
  await tick()
  return {
    auto: {
      executors: [...first, last].map((r) => r.executor),
      outputs: last.outputs,
      warnings: autoWarnings.map((w) => ({
        name: w.name,
        code: w.code,
        saysInstall: w.message.includes('npm install apache-arrow'),
      })),
    },
    arrow: {
      map: mapped.error === undefined ? 'resolved' : unavailable(mapped.error),
      run: ran.error === undefined ? 'resolved' : unavailable(ran.error),
      mapTE: left._tag === 'Left' ? unavailable(left.left) : 'Right',
    },
    warnings: warnings.length,
    importArrow:
      imported.error === undefined ? 'loaded' : missingModule(imported.error, 'apache-arrow'),
    importTesting:
      testing.error === undefined ? 'loaded' : missingModule(testing.error, 'fast-check'),
    requireArrow:
      required === undefined
        ? 'n/a'
        : required.error === undefined
          ? 'loaded'
          : missingModule(required.error, 'apache-arrow'),
  }
})
`

const expectedWithout = (system: 'esm' | 'cjs'): Record<string, unknown> => {
  const unavailable = {
    name: 'ArrowUnavailableError',
    code: 'ARROW_UNAVAILABLE',
    isClass: true,
    isBase: true,
    guard: true,
    saysInstall: true,
    cause: true,
    // each module system loads its own build, which shares that system's copy of the core
    entry: system === 'esm' ? 'arrow.js' : 'arrow.cjs',
  }
  return {
    auto: {
      executors: ['local', 'local', 'local'],
      outputs: { y: [10, 12] },
      warnings: [{ name: 'Warning', code: 'DAGFLOW_ARROW_UNAVAILABLE', saysInstall: true }],
    },
    arrow: { map: unavailable, run: unavailable, mapTE: unavailable },
    warnings: 1,
    importArrow: true,
    importTesting: true,
    requireArrow: system === 'esm' ? 'n/a' : true,
  }
}

// -------------------------------------------------------------------------------------
// with the optional peers
// -------------------------------------------------------------------------------------

const WITH_ESM =
  ESM +
  "import * as arrowEntry from 'dagflow/arrow'\n" +
  "import * as testingEntry from 'dagflow/testing'\n" +
  "import fc from 'fast-check'\n"
const WITH_CJS =
  CJS +
  "const arrowEntry = require('dagflow/arrow')\n" +
  "const testingEntry = require('dagflow/testing')\n" +
  "const fc = require('fast-check')\n"

const WITH = `
const { createRunner, node, pipeline, DagflowError, isDagflowError, LocalExecutor } = dagflow
const { ArrowBatchExecutor, toArrow } = arrowEntry
const { arbitrary, checkBatch, BatchCheckError, MissingArbitraryError } = testingEntry

let batchCalls = 0
const double = node(
  {
    output: 'y',
    mapAxis: 'x',
    inputs: { x: t.number },
    batch: ({ x }) => {
      batchCalls += 1
      return Float64Array.from(x, (v) => v * 2)
    },
  },
  ({ x }) => x * 2,
)
const label = node({ output: 'label', mapAxis: 'y' }, ({ y }) => 'y=' + y)
const p = pipeline(double, label)
// a batch form that returns one result for any number of items
const short = node({ output: 'z', mapAxis: 'x', batch: () => [0] }, ({ x }) => x)
// a batch form that disagrees with its fn
const triple = node(
  {
    output: 'w',
    mapAxis: 'x',
    inputs: { x: t.number },
    batch: ({ x }) => Array.from(x, (v) => v * 3),
  },
  ({ x }) => x * 2,
)
const Opaque = new t.Type('Opaque', (u) => true, (u) => t.success(u), t.identity)

const error = (e, Class) =>
  e === undefined
    ? 'no error'
    : {
        name: e.name,
        code: e.code,
        isClass: e instanceof Class,
        isBase: e instanceof DagflowError,
        guard: isDagflowError(e),
      }

report(async () => {
  const items = [1, 2, 3, 4, 5]
  const arrow = new ArrowBatchExecutor({ batchSize: 2 })
  const r = await arrow.map(p, { x: items })
  const callsForFive = batchCalls
  const table = r.toArrow()
  const local = await new LocalExecutor().map(p, { x: items })

  const wrongLength = await settle(() => arrow.map(pipeline(short), { x: [1, 2, 3] }))
  const invalid = await settle(() => arrow.map(p, { x: [1, 'two'] }))
  const zero = await settle(() => new ArrowBatchExecutor({ batchSize: 0 }))
  const left = await arrow.mapTE(pipeline(short), { x: [1, 2] })()

  const auto = await createRunner({ mode: 'auto', threshold: 1 }).map(p, { x: [1, 2] })
  const autoSmall = await createRunner({ mode: 'auto', threshold: 3 }).map(p, { x: [1, 2] })
  const arrowMode = await createRunner({ mode: 'arrow' }).map(p, { x: [1, 2] })
  const runnerNodeError = await settle(() =>
    createRunner({ mode: 'arrow' }).map(pipeline(short), { x: [1, 2] }),
  )
  const runnerAutoError = await settle(() =>
    createRunner({ mode: 'auto', threshold: 1 }).map(pipeline(short), { x: [1, 2] }),
  )
  const runnerBadBatch = await settle(() =>
    createRunner({ mode: 'arrow', batchSize: 0 }).map(p, { x: [1] }),
  )

  const numbers = fc.sample(arbitrary(t.number), { numRuns: 50, seed: 1 })
  const Row = t.type({ id: t.string, n: t.number, tags: t.array(t.string) })
  const rows = fc.sample(arbitrary(Row), { numRuns: 50, seed: 1 })
  const noStructure = await settle(() => arbitrary(t.type({ o: Opaque })))
  const agrees = await settle(() => checkBatch(double, { numRuns: 20, seed: 1 }))
  const disagrees = await settle(() => checkBatch(triple, { numRuns: 20, seed: 1 }))

  return {
    arrow: {
      executor: r.executor,
      outputs: r.outputs,
      sameAsLocal: JSON.stringify(r.outputs) === JSON.stringify(local.outputs),
      batchCalls: callsForFive,
      numRows: table.numRows,
      columns: table.schema.fields.map((f) => f.name),
      y: Array.from(table.getChild('y').toArray()),
      toArrowOfLocal: toArrow(local).numRows,
    },
    errors: {
      wrongLength: {
        ...error(wrongLength.error, dagflow.NodeError),
        node: wrongLength.error?.node,
      },
      invalid: { ...error(invalid.error, dagflow.ValidationError), index: invalid.error?.index },
      zero: error(zero.error, dagflow.GraphError),
      mapTE: left._tag === 'Left' ? error(left.left, dagflow.NodeError) : 'Right',
    },
    runner: {
      auto: auto.executor,
      autoSmall: autoSmall.executor,
      arrowMode: arrowMode.executor,
      nodeError: error(runnerNodeError.error, dagflow.NodeError),
      autoError: error(runnerAutoError.error, dagflow.NodeError),
      badBatch: error(runnerBadBatch.error, dagflow.GraphError),
    },
    testing: {
      numbers: numbers.length === 50 && numbers.every((n) => typeof n === 'number'),
      rows: rows.length === 50 && rows.every((row) => Row.is(row)),
      noStructure: {
        ...error(noStructure.error, MissingArbitraryError),
        reason: noStructure.error?.reason,
      },
      agrees: agrees.error === undefined ? 'resolved' : String(agrees.error),
      disagrees: { ...error(disagrees.error, BatchCheckError), reason: disagrees.error?.reason },
    },
  }
})
`

const isError = (name: string, code: string): Record<string, unknown> => ({
  name,
  code,
  isClass: true,
  isBase: true,
  guard: true,
})

const EXPECTED_WITH = {
  arrow: {
    executor: 'arrow',
    outputs: { y: [2, 4, 6, 8, 10], label: ['y=2', 'y=4', 'y=6', 'y=8', 'y=10'] },
    sameAsLocal: true,
    batchCalls: 3, // five items in batches of at most two
    numRows: 5,
    columns: ['y', 'label'],
    y: [2, 4, 6, 8, 10],
    toArrowOfLocal: 5,
  },
  errors: {
    wrongLength: { ...isError('NodeError', 'NODE_FAILED'), node: 'z' },
    invalid: { ...isError('ValidationError', 'VALIDATION'), index: 1 },
    zero: isError('GraphError', 'INVALID_GRAPH'),
    mapTE: isError('NodeError', 'NODE_FAILED'),
  },
  runner: {
    auto: 'arrow',
    autoSmall: 'local',
    arrowMode: 'arrow',
    nodeError: isError('NodeError', 'NODE_FAILED'),
    autoError: isError('NodeError', 'NODE_FAILED'),
    badBatch: isError('GraphError', 'INVALID_GRAPH'),
  },
  testing: {
    numbers: true,
    rows: true,
    noStructure: {
      ...isError('MissingArbitraryError', 'MISSING_ARBITRARY'),
      reason: 'no-structure',
    },
    agrees: 'resolved',
    disagrees: { ...isError('BatchCheckError', 'BATCH_CHECK_FAILED'), reason: 'different-result' },
  },
}

// -------------------------------------------------------------------------------------
// types
// -------------------------------------------------------------------------------------

// the same consumer code, type-checked as ESM (.mts) and as CommonJS (.cts)
const TYPED = `
import { createRunner, DagflowError, node, pipeline } from 'dagflow'
import { ArrowBatchExecutor, toArrow, type ArrowMapResult } from 'dagflow/arrow'
import { arbitrary, checkBatch, inputsArbitrary, MissingArbitraryError } from 'dagflow/testing'
import type { Table } from 'apache-arrow'
import type { Arbitrary } from 'fast-check'
import * as t from 'io-ts'

const double = node(
  {
    output: 'y',
    mapAxis: 'x',
    inputs: { x: t.number },
    batch: ({ x }) => Float64Array.from(x, (v) => v * 2),
  },
  ({ x }) => x * 2,
)
const label = node({ output: 'label', mapAxis: 'y' }, ({ y }: { y: number }) => 'y=' + String(y))
const p = pipeline(double, label)

export async function main(): Promise<ReadonlyArray<unknown>> {
  const arrow = new ArrowBatchExecutor({ batchSize: 2, concurrency: 4 })
  const r = await arrow.map(p, { x: [1, 2] })
  const ys: ReadonlyArray<number> = r.outputs.y
  const labels: ReadonlyArray<string> = r.outputs.label
  // @ts-expect-error label holds strings: dagflow/arrow's types must reach the consumer
  const wrong: ReadonlyArray<number> = r.outputs.label
  // @ts-expect-error map() takes the map axis as an array
  await arrow.map(p, { x: 1 })
  const kept: ArrowMapResult<{ readonly y: ReadonlyArray<number> }> = await arrow.map(
    p,
    { x: [1] },
    { outputs: ['y'] },
  )
  const table: Table = r.toArrow()
  const again: Table = toArrow(await createRunner({ mode: 'auto' }).map(p, { x: [1] }))
  const numbers: Arbitrary<number> = arbitrary(t.number)
  // @ts-expect-error arbitrary(t.string) generates strings
  const notNumbers: Arbitrary<number> = arbitrary(t.string)
  const records = inputsArbitrary(double)
  const checked: Promise<void> = checkBatch(double, { numRuns: 1 })
  return [ys, labels, wrong, kept, table, again, numbers, notNumbers, records, checked]
}

export const isBase = (e: unknown): boolean =>
  e instanceof MissingArbitraryError && e instanceof DagflowError && e.code === 'MISSING_ARBITRARY'
`

// -------------------------------------------------------------------------------------
// setup
// -------------------------------------------------------------------------------------

let work = ''
let without = ''
let withPeers = ''

const write = (dir: string, files: Record<string, string>): void => {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
}
const tsconfig = (files: ReadonlyArray<string>): string =>
  JSON.stringify({ compilerOptions: consumerCompilerOptions, files })

beforeAll(() => {
  requireBuild()
  work = mkdtempSync(join(tmpdir(), 'dagflow-peers-'))
  without = join(work, 'without')
  withPeers = join(work, 'with')
  const { tarball } = pack(work)
  install(without, tarball)
  install(withPeers, tarball, ['apache-arrow', 'fast-check'])

  const core =
    "import { createRunner, isDagflowError, LocalExecutor } from 'dagflow'\n" +
    "import type * as everything from 'dagflow'\n" +
    'export type All = typeof everything\n' +
    "export const runner = createRunner({ mode: 'auto' })\n" +
    'export const local = new LocalExecutor()\n' +
    'export const guard = isDagflowError\n'
  write(without, {
    'esm.mjs': ESM + SETTLE + WITHOUT,
    'cjs.cjs': CJS + SETTLE + WITHOUT,
    'core.mts': core,
    'core.cts': core,
    'tsconfig.json': tsconfig(['core.mts', 'core.cts']),
  })
  write(withPeers, {
    'esm.mjs': WITH_ESM + SETTLE + WITH,
    'cjs.cjs': WITH_CJS + SETTLE + WITH,
    'types.mts': TYPED,
    'types.cts': TYPED,
    'tsconfig.json': tsconfig(['types.mts', 'types.cts']),
  })
}, TIMEOUT)

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true })
})

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

describe('a consumer without apache-arrow and fast-check', () => {
  it('(control) really lacks them: importing either fails', () => {
    writeFileSync(
      join(without, 'peers.mjs'),
      SETTLE +
        'report(async () => ({\n' +
        "  arrow: missingModule((await settle(() => import('apache-arrow'))).error,\n" +
        "    'apache-arrow'),\n" +
        "  fc: missingModule((await settle(() => import('fast-check'))).error, 'fast-check'),\n" +
        '}))\n',
    )
    expect(runJson(without, 'peers.mjs')).toEqual({ arrow: true, fc: true })
  }, TIMEOUT)

  it('ESM: auto falls back to local with one warning; arrow fails saying how to install', () => {
    expect(runJson(without, 'esm.mjs')).toEqual(expectedWithout('esm'))
  }, TIMEOUT)

  it('CJS: the same, and require("dagflow/arrow") fails naming apache-arrow', () => {
    expect(runJson(without, 'cjs.cjs', noRequireEsm)).toEqual(expectedWithout('cjs'))
  }, TIMEOUT)

  /**
   * Calls `call` (an expression over the entry's exports, awaited) in ESM and CJS consumers
   * without the peer, and checks the GraphError: its install hint, its cause, and `also` (more
   * expressions, their expected values).
   */
  const missingPeer = (
    file: string,
    imports: { readonly esm: string; readonly cjs: string },
    call: string,
    hint: string,
    peer: string,
    also: Readonly<Record<string, [string, unknown]>>,
  ) => {
    const extra = Object.entries(also).map(([k, [expr]]) => `    ${k}: ${expr},\n`).join('')
    const script = (load: string) =>
      SETTLE +
      load +
      'report(async () => {\n' +
      `  const { error } = await settle(() => ${call})\n` +
      '  return {\n' +
      '    graph: error instanceof dagflow.GraphError,\n' +
      '    base: error instanceof dagflow.DagflowError,\n' +
      `    hint: String(error?.message).includes(${JSON.stringify(hint)}),\n` +
      `    cause: missingModule(error?.cause, ${JSON.stringify(peer)}),\n` +
      extra +
      '  }\n' +
      '})\n'
    writeFileSync(join(without, `${file}.mjs`), imports.esm + script(''))
    writeFileSync(join(without, `${file}.cjs`), script(imports.cjs))
    const expected = {
      graph: true,
      base: true,
      hint: true,
      cause: true,
      ...Object.fromEntries(Object.entries(also).map(([k, [, v]]) => [k, v])),
    }
    expect(runJson(without, `${file}.mjs`)).toEqual(expected)
    expect(runJson(without, `${file}.cjs`, noRequireEsm)).toEqual(expected)
  }

  it('otel() without @opentelemetry/api: a GraphError saying how to install it, in ESM and CJS', () => {
    missingPeer(
      'otel',
      {
        esm: "import * as dagflow from 'dagflow'\nimport { otel, progress } from 'dagflow/observe'\n",
        cjs: "const dagflow = require('dagflow')\nconst { otel, progress } = require('dagflow/observe')\n",
      },
      'otel({ startSpan: () => { throw new Error("not reached") } })',
      'npm install @opentelemetry/api',
      '@opentelemetry/api',
      { progress: ['typeof progress', 'function'] },
    )
  }, TIMEOUT)

  it('sqliteCache() without better-sqlite3: a GraphError saying how to install it, in ESM and CJS', () => {
    // importing dagflow/cache loads nothing; calling sqliteCache() says what to install
    missingPeer(
      'sqlite',
      {
        esm: "import * as dagflow from 'dagflow'\nimport { sqliteCache } from 'dagflow/cache'\n",
        cjs: "const dagflow = require('dagflow')\nconst { sqliteCache } = require('dagflow/cache')\n",
      },
      "sqliteCache('cache.db')",
      'npm install better-sqlite3@12',
      'better-sqlite3',
      { memory: ['typeof dagflow.memoryCache', 'function'] },
    )
  }, TIMEOUT)

  it('type-checks a core consumer: the core declarations name no apache-arrow type', () => {
    // library files are checked too, so a reference to the missing package would be an error
    const r = typecheck(without, 'tsconfig.json')
    expect(r.diagnostics).toBe('')
    expect(r.status).toBe(0)
    expect(r.dagflow).toEqual(['dist/index.d.cts', 'dist/index.d.ts'])
    // no import, import type or reference of the package (docs may name it in prose)
    const reference =
      /(?:from\s*|import\s*\(\s*|require\s*\(\s*|<reference\s+types\s*=\s*)["']apache-arrow["']/
    for (const file of ['index.d.ts', 'index.d.cts']) {
      const named = reference.test(readFileSync(join(repo, 'dist', file), 'utf8'))
      expect({ file, named }).toEqual({ file, named: false })
    }
    // (control) the pattern finds the reference in the Arrow entry's declarations
    expect(reference.test(readFileSync(join(repo, 'dist', 'arrow.d.ts'), 'utf8'))).toBe(true)
  }, TIMEOUT)
})

describe('a consumer with apache-arrow and fast-check', () => {
  it('ESM: dagflow/arrow and dagflow/testing work; their errors are DagflowErrors', () => {
    expect(runJson(withPeers, 'esm.mjs')).toEqual(EXPECTED_WITH)
  }, TIMEOUT)

  it('CJS: the same, with the CJS DagflowError, also when createRunner loads dagflow/arrow', () => {
    expect(runJson(withPeers, 'cjs.cjs', noRequireEsm)).toEqual(EXPECTED_WITH)
  }, TIMEOUT)

  it('type-checks ESM and CJS consumers of dagflow/arrow and dagflow/testing (NodeNext)', () => {
    const r = typecheck(withPeers, 'tsconfig.json')
    expect(r.diagnostics).toBe('')
    expect(r.status).toBe(0)
    // each module system sees its own declarations of each entry, and apache-arrow's
    expect(r.files.filter((f) => f.includes('/apache-arrow/')).length).toBeGreaterThan(0)
    expect(r.dagflow).toEqual([
      'dist/arrow.d.cts',
      'dist/arrow.d.ts',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/testing.d.cts',
      'dist/testing.d.ts',
    ])
  }, TIMEOUT)

  it('(control) the type check fails when a @ts-expect-error in those entries is no error', () => {
    const bad =
      "import { ArrowBatchExecutor } from 'dagflow/arrow'\n" +
      "import { arbitrary } from 'dagflow/testing'\n" +
      "import * as t from 'io-ts'\n" +
      '// @ts-expect-error valid options are not an error\n' +
      'export const arrow = new ArrowBatchExecutor({ batchSize: 2 })\n' +
      '// @ts-expect-error a codec is not an error\n' +
      'export const numbers = arbitrary(t.number)\n'
    write(withPeers, {
      'bad.mts': bad,
      'bad.cts': bad,
      'tsconfig.bad.json': tsconfig(['bad.mts', 'bad.cts']),
    })
    const r = tsc(withPeers, ['-p', 'tsconfig.bad.json'])
    expect(r.status).not.toBe(0)
    const unused = r.stdout.split('\n').filter((l) => l.includes('error TS2578'))
    expect(unused.map((l) => l.slice(0, l.indexOf('('))).sort()).toEqual([
      'bad.cts',
      'bad.cts',
      'bad.mts',
      'bad.mts',
    ])
  }, TIMEOUT)
})
