/**
 * The Arrow benchmark cases shared by `arrow.bench.ts` (vitest bench) and `arrow-report.ts`
 * (interleaved medians, bounds and the crossover chart for docs/performance.md). Every side of a
 * case computes the same outputs; `check` fingerprints a result so the report can verify that
 * before timing anything.
 *
 * Run with the `dagflow:source` condition (`tsx --conditions=dagflow:source`, or vitest), so
 * `dagflow`, `dagflow/arrow` and the lazy import inside `createRunner` all load `src/`.
 */
import * as t from 'io-ts'
import { createRunner, LocalExecutor, node, pipeline, type Column } from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'

/** One way of computing a case's outputs. */
export interface Side {
  readonly id: string
  readonly label: string
  /** the name used in bound sentences (default: the label without its parenthesised detail) */
  readonly brief?: string
  readonly run: () => Promise<unknown> | unknown
}

/**
 * A bound of the issue: `side` divided by `over` (a side, or the faster of several, per round)
 * must be at most `max`. A "B at least k× faster than A" bound is `A / B ≥ k`, written here as
 * `B / A ≤ 1 / k` and shown as `A / B ≥ k`.
 */
export interface Bound {
  readonly side: string
  readonly over: ReadonlyArray<string>
  readonly max: number
  /** show the ratio inverted: `over / side ≥ 1 / max` (a speed-up) */
  readonly speedup?: boolean
}

export interface Case {
  readonly id: string
  readonly title: string
  /** items per run */
  readonly n: number
  readonly sides: ReadonlyArray<Side>
  readonly bounds: ReadonlyArray<Bound>
  /** a cheap fingerprint of a result (a map result or a loop's outputs record) */
  readonly check: (r: unknown) => string
  /** interleaved rounds per process (fewer for cases whose slow side takes seconds) */
  readonly rounds?: number
  /** a point of a sweep: its ratio is reported, not held to a bound */
  readonly sweep?: boolean
  /** wall time for a case whose cost is waiting (the report's clock otherwise: CPU time) */
  readonly clock?: 'wall'
}

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

/**
 * Awaits a map and reads every output, so an executor side pays for whatever its result costs to
 * use, as the loops do (today every output is built eagerly, so this costs nothing).
 */
const used = async (r: Promise<{ readonly outputs: object }>): Promise<unknown> => {
  const result = await r
  const outputs = result.outputs as Record<string, unknown>
  for (const k of Object.keys(outputs)) void (outputs[k] as { length?: number } | undefined)?.length
  return result
}
const outputsOf = <O>(r: unknown): O => ((r as { outputs?: O }).outputs ?? r) as O
const fmt = (n: number): string => n.toLocaleString('en-US')

// --- case 1: a 3-node numeric chain with batch forms and t.number codecs ---------------------

/** `x + 1` over a column, into a Float64Array (what a hand-written typed-array loop does). */
function plusOne(x: Column<number>): Float64Array {
  const n = x.length
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = (x[i] as number) + 1
  return out
}

function timesTwo(a: Column<number>): Float64Array {
  const n = a.length
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = (a[i] as number) * 2
  return out
}

function minusThree(b: Column<number>): Float64Array {
  const n = b.length
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = (b[i] as number) - 3
  return out
}

/** a(mapAxis 'x') → b(mapAxis 'a') → c(mapAxis 'b'), each with `t.number` inputs and returns */
const numA = node(
  {
    output: 'a',
    mapAxis: 'x',
    inputs: { x: t.number },
    returns: t.number,
    batch: ({ x }) => plusOne(x),
  },
  ({ x }) => x + 1,
)
const numB = node(
  {
    output: 'b',
    mapAxis: 'a',
    inputs: { a: t.number },
    returns: t.number,
    batch: ({ a }) => timesTwo(a),
  },
  ({ a }) => a * 2,
)
const numC = node(
  {
    output: 'c',
    mapAxis: 'b',
    inputs: { b: t.number },
    returns: t.number,
    batch: ({ b }) => minusThree(b),
  },
  ({ b }) => b - 3,
)
export const numericChain = pipeline(numA, numB, numC)

/** The same chain without codecs: the per-item path of LocalExecutor is its fastest here. */
const bareA = node(
  { output: 'a', mapAxis: 'x', batch: ({ x }) => plusOne(x) },
  ({ x }: { x: number }) => x + 1,
)
const bareB = node(
  { output: 'b', mapAxis: 'a', batch: ({ a }) => timesTwo(a) },
  ({ a }: { a: number }) => a * 2,
)
const bareC = node(
  { output: 'c', mapAxis: 'b', batch: ({ b }) => minusThree(b) },
  ({ b }: { b: number }) => b - 3,
)
export const bareChain = pipeline(bareA, bareB, bareC)

interface ChainOut {
  readonly a: ReadonlyArray<number>
  readonly b: ReadonlyArray<number>
  readonly c: ReadonlyArray<number>
}

/**
 * A Float64Array back to a plain array, element by element (as `map` returns per-item outputs),
 * the way the executor does it: a packed array of doubles, filled first. Measured on this machine
 * it is the fastest way (up to 1.4× faster than writing into `new Array(n)`, whose large holey
 * arrays V8 keeps as dictionaries), so the loops get the best conversion too.
 */
function toPlain(f: Float64Array): Array<number> {
  const out = new Array<number>(f.length).fill(0.5)
  for (let i = 0; i < f.length; i++) out[i] = f[i] as number
  return out
}

/**
 * The hand-written floor of case 1: the input into a Float64Array, one typed-array loop per node
 * over all items (the same arithmetic as the batch forms), and each column back to a plain array.
 * It checks nothing (the executor checks every value against `t.number`).
 */
export function typedArrayLoops(xs: ReadonlyArray<number>): ChainOut
export function typedArrayLoops(xs: ReadonlyArray<number>, only: 'c'): Pick<ChainOut, 'c'>
export function typedArrayLoops(xs: ReadonlyArray<number>, only?: 'c'): Partial<ChainOut> {
  const n = xs.length
  const x = new Float64Array(n)
  for (let i = 0; i < n; i++) x[i] = xs[i] as number
  const a = new Float64Array(n)
  for (let i = 0; i < n; i++) a[i] = (x[i] as number) + 1
  const b = new Float64Array(n)
  for (let i = 0; i < n; i++) b[i] = (a[i] as number) * 2
  const c = new Float64Array(n)
  for (let i = 0; i < n; i++) c[i] = (b[i] as number) - 3
  return only === 'c' ? { c: toPlain(c) } : { a: toPlain(a), b: toPlain(b), c: toPlain(c) }
}

export const checkChain = (r: unknown): string => {
  const o = outputsOf<ChainOut>(r)
  const n = o.c.length
  if (!Array.isArray(o.a) || !Array.isArray(o.b) || !Array.isArray(o.c)) return 'not plain arrays'
  return `${n}:${o.a[n - 1]}:${o.b[n - 1]}:${o.c[0]}:${o.c[n - 1]}:${o.c[n >> 1]}`
}

const checkFinal = (r: unknown): string => {
  const o = outputsOf<Partial<ChainOut>>(r)
  const c = o.c ?? []
  const n = c.length
  if (!Array.isArray(c) || o.a !== undefined || o.b !== undefined) return 'not the final output alone'
  return `${n}:${c[0]}:${c[n - 1]}:${c[n >> 1]}`
}

/** Inputs of the numeric chain: non-integers, so values are doubles, not small integers. */
export const numericInputs = (n: number): Array<number> => range(n).map((i) => i * 0.5 + 0.25)

function numericCase(n: number): Case {
  const xs = numericInputs(n)
  const local = new LocalExecutor()
  const arrow = new ArrowBatchExecutor()
  return {
    id: `numeric-${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}`,
    title: `1. numeric chain with batch forms and t.number codecs, ${fmt(n)} items`,
    n,
    sides: [
      { id: 'loop', label: 'typed-array loops', run: () => typedArrayLoops(xs) },
      {
        id: 'arrow',
        label: 'ArrowBatchExecutor (batchSize 1024)',
        run: () => used(arrow.map(numericChain, { x: xs })),
      },
      { id: 'local', label: 'LocalExecutor', run: () => used(local.map(numericChain, { x: xs })) },
    ],
    bounds: [
      { side: 'arrow', over: ['loop'], max: 1.5 },
      { side: 'arrow', over: ['local'], max: 1 / 4, speedup: true },
    ],
    check: checkChain,
  }
}

/**
 * Case 1 when the caller asks for the final output only (`outputs: ['c']`): the loops convert
 * only `c` back to a plain array, and so does the executor. Not the issue's case (that one
 * returns every output, the default); shown because a chain's intermediates are rarely read.
 */
function numericFinalCase(n: number): Case {
  const xs = numericInputs(n)
  const local = new LocalExecutor()
  const arrow = new ArrowBatchExecutor()
  const options = { outputs: ['c'] as const }
  return {
    id: `final-${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}`,
    title:
      "1b. the same chain, `outputs: ['c']` (only the final output back to a plain array), " +
      `${fmt(n)} items`,
    n,
    sides: [
      { id: 'loop', label: 'typed-array loops', run: () => typedArrayLoops(xs, 'c') },
      {
        id: 'arrow',
        label: 'ArrowBatchExecutor (batchSize 1024)',
        run: () => used(arrow.map(numericChain, { x: xs }, options)),
      },
      { id: 'local', label: 'LocalExecutor', run: () => used(local.map(numericChain, { x: xs }, options)) },
    ],
    bounds: [
      { side: 'arrow', over: ['loop'], max: 1.5 },
      { side: 'arrow', over: ['local'], max: 1 / 4, speedup: true },
    ],
    check: checkFinal,
  }
}

/**
 * Case 1 with `onError: 'collect'` on both executors (no item fails). Collect mode forms batches
 * from the items still alive, so Arrow takes its index-list path, not the fused one. Not the
 * issue's case: shown so that a user who collects failures sees what it costs, and that auto
 * mode does not pay for choosing Arrow there.
 */
function numericCollectCase(n: number): Case {
  const xs = numericInputs(n)
  const local = new LocalExecutor()
  const arrow = new ArrowBatchExecutor()
  const options = { onError: 'collect' as const }
  return {
    id: `collect-${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}`,
    title: `1c. the same chain, \`onError: 'collect'\` (no item fails), ${fmt(n)} items`,
    n,
    sides: [
      { id: 'loop', label: 'typed-array loops', run: () => typedArrayLoops(xs) },
      {
        id: 'arrow',
        label: 'ArrowBatchExecutor (batchSize 1024)',
        run: () => used(arrow.map(numericChain, { x: xs }, options)),
      },
      { id: 'local', label: 'LocalExecutor', run: () => used(local.map(numericChain, { x: xs }, options)) },
    ],
    bounds: [],
    check: checkChain,
  }
}

// --- case 2: per-item nodes over struct items, no batch forms --------------------------------

const Point = t.type({ id: t.string, x: t.number, y: t.number, tags: t.array(t.string) })
type Point = t.TypeOf<typeof Point>
const Feature = t.type({ norm: t.number, label: t.string })
type Feature = t.TypeOf<typeof Feature>

const feature = node(
  { output: 'feature', mapAxis: 'point', keyAttr: 'id', inputs: { point: Point }, returns: Feature },
  ({ point }) => ({ norm: Math.hypot(point.x, point.y), label: `${point.id}/${point.tags.length}` }),
)
const score = node(
  { output: 'score', mapAxis: 'feature' },
  ({ feature, weight }: { feature: Feature; weight: number }) =>
    feature.norm * weight + feature.label.length,
)
const flag = node(
  { output: 'flag', mapAxis: 'score' },
  ({ score, cutoff }: { score: number; cutoff: number }) => score > cutoff,
)
export const structChain = pipeline(feature, score, flag)

export const structInputs = (n: number): Array<Point> =>
  range(n).map((i) => ({
    id: `p${i}`,
    x: (i % 97) * 0.5,
    y: (i % 89) * 0.25,
    tags: i % 3 === 0 ? [] : ['a', `t${i % 7}`],
  }))

const checkStruct = (r: unknown): string => {
  const o = outputsOf<{
    feature: ReadonlyArray<Feature>
    score: ReadonlyArray<number>
    flag: ReadonlyArray<boolean>
  }>(r)
  const n = o.flag.length
  return `${n}:${o.feature[n - 1]?.label}:${o.score[n - 1]}:${o.flag.filter(Boolean).length}`
}

function structCase(n: number): Case {
  const points = structInputs(n)
  const inputs = { point: points, weight: 1.5, cutoff: 40 }
  const local = new LocalExecutor()
  const arrow = new ArrowBatchExecutor()
  const auto = createRunner({ mode: 'auto' })
  return {
    id: `struct-${n / 1e3}k`,
    title: `2. per-item nodes over struct items (no batch forms), ${fmt(n)} items`,
    n,
    sides: [
      { id: 'local', label: 'LocalExecutor', run: () => used(local.map(structChain, inputs)) },
      { id: 'arrow', label: 'ArrowBatchExecutor', run: () => used(arrow.map(structChain, inputs)) },
      {
        id: 'auto',
        label: "createRunner({ mode: 'auto' })",
        brief: 'auto',
        run: () => used(auto.map(structChain, inputs)),
      },
    ],
    bounds: [
      { side: 'arrow', over: ['local'], max: 1.3 },
      { side: 'auto', over: ['local', 'arrow'], max: 1.15 },
    ],
    check: checkStruct,
  }
}

// --- case 3: a model-like node: a fixed latency per call, a small cost per item ---------------

/** The fixed cost of one model call (an awaited timer: a remote call, not CPU work). */
export const MODEL_LATENCY_MS = 2

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The per-item work of the model: a small deterministic "embedding" score of a text. */
export function embedScore(text: string): number {
  let h = 0
  let s = 0
  for (let r = 0; r < 4; r++) {
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x9e3779b1) >>> 0
      s += (h & 0xffff) / 0xffff
    }
  }
  return s / (4 * Math.max(1, text.length))
}

const model = node(
  {
    output: 'score',
    mapAxis: 'text',
    batch: async ({ text }) => {
      await sleep(MODEL_LATENCY_MS)
      const out = new Float64Array(text.length)
      for (let i = 0; i < text.length; i++) out[i] = embedScore(text[i] as string)
      return out
    },
  },
  async ({ text }: { text: string }) => {
    await sleep(MODEL_LATENCY_MS)
    return embedScore(text)
  },
)
export const modelPipeline = pipeline(model)

export const modelInputs = (n: number): Array<string> =>
  range(n).map((i) => `query ${i}: how do typed DAGs batch model calls? (${i % 13})`)

const checkModel = (r: unknown): string => {
  const o = outputsOf<{ score: ReadonlyArray<number> }>(r)
  const n = o.score.length
  return `${n}:${o.score[0]}:${o.score[n - 1]}`
}

function modelCase(n: number, batchSize: number): Case {
  const text = modelInputs(n)
  const perItem = new LocalExecutor({ concurrency: 1 })
  const perItem16 = new LocalExecutor({ concurrency: 16 })
  const batched = new ArrowBatchExecutor({ batchSize, concurrency: 1 })
  const auto = createRunner({ mode: 'auto', batchSize, concurrency: 1 })
  return {
    id: `model-${n / 1e3}k`,
    title: `3. model-like node (${MODEL_LATENCY_MS} ms per call), ${fmt(n)} items, batchSize ${batchSize}`,
    n,
    sides: [
      {
        id: 'local',
        label: 'per-item calls, LocalExecutor, concurrency 1',
        brief: 'per-item calls',
        run: () => used(perItem.map(modelPipeline, { text })),
      },
      {
        id: 'arrow',
        label: 'batch form, ArrowBatchExecutor, concurrency 1',
        brief: 'the batch form',
        run: () => used(batched.map(modelPipeline, { text })),
      },
      {
        id: 'auto',
        label: "createRunner({ mode: 'auto' }), concurrency 1",
        brief: 'auto',
        run: () => used(auto.map(modelPipeline, { text })),
      },
      {
        id: 'local16',
        label: 'per-item calls, LocalExecutor, concurrency 16 (no bound; for reference)',
        run: () => used(perItem16.map(modelPipeline, { text })),
      },
    ],
    bounds: [
      { side: 'arrow', over: ['local'], max: 1 / 100, speedup: true },
      { side: 'auto', over: ['local', 'arrow'], max: 1.15 },
    ],
    check: checkModel,
    rounds: 5,
    clock: 'wall',
  }
}

/** Cases 1–3 by id, in report order; each builds its inputs (some large) when called. */
export const caseFactories: ReadonlyArray<readonly [string, () => Case]> = [
  ['numeric-1M', () => numericCase(1_000_000)],
  ['final-1M', () => numericFinalCase(1_000_000)],
  ['collect-1M', () => numericCollectCase(1_000_000)],
  ['struct-100k', () => structCase(100_000)],
  ['model-2k', () => modelCase(2_000, 256)],
]

/** Cases 1–3, in report order. */
export const cases = (): ReadonlyArray<Case> => caseFactories.map(([, make]) => make())

// --- case 4: the crossover -------------------------------------------------------------------

/** Item counts of the crossover sweep (batchSize 1024, the default). */
export const SWEEP_ITEMS: ReadonlyArray<number> = [
  1, 4, 16, 32, 64, 128, 256, 1024, 4096, 16384, 65536, 262144,
]
/** Batch sizes of the batch-size sweep, at {@link SWEEP_BATCH_ITEMS} items. */
export const SWEEP_BATCH_SIZES: ReadonlyArray<number> = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536,
]
export const SWEEP_BATCH_ITEMS = 65536

export type ChainKind = 'codecs' | 'bare'

/** One point of a sweep: local and Arrow on the same inputs. */
export function sweepPoint(kind: ChainKind, n: number, batchSize: number): Case {
  const xs = numericInputs(n)
  const p = kind === 'codecs' ? numericChain : bareChain
  const local = new LocalExecutor()
  const arrow = new ArrowBatchExecutor({ batchSize })
  return {
    id: `sweep-${kind}-${n}-${batchSize}`,
    title:
      `${kind === 'codecs' ? 'numeric chain' : 'numeric chain without codecs'}, ` +
      `${fmt(n)} items, batchSize ${fmt(batchSize)}`,
    n,
    sides: [
      { id: 'local', label: 'LocalExecutor', run: () => used(local.map(p, { x: xs })) },
      { id: 'arrow', label: 'ArrowBatchExecutor', run: () => used(arrow.map(p, { x: xs })) },
    ],
    bounds: [{ side: 'arrow', over: ['local'], max: 1 }],
    check: checkChain,
    sweep: true,
  }
}
