/**
 * `LocalExecutor` evaluates a pipeline's plan in plain JavaScript, node by node over all items
 * (column at a time). A per-item node without codecs runs in a loop generated once per plan
 * node, with its parameter record built as an object literal: no graph walk, hashing or
 * string-keyed lookup per item. Async results switch the rest of that node to a pool of at
 * most `concurrency` workers, each started through the run's p-limit limiter.
 *
 * @since 0.1.0
 */
import { decodeAt } from '../codec.js'
import { AbortError, GraphError, NodeError, type DagflowError } from '../errors.js'
import {
  toTaskEither,
  type Executor,
  type MapResult,
  type RunOptions,
} from '../executor.js'
import {
  checkConcurrency,
  makeLimit,
  raceAbort,
  throwIfAborted,
  type LimitFunction,
} from '../internal/limit.js'
import type { AnyNode } from '../node.js'
import { isPipeline, type Pipeline } from '../pipeline.js'
import {
  axisItems,
  indexKeys,
  keyAt,
  loadInputs,
  planOf,
  readKeys,
  type Key,
  type Plan,
  type PlanNode,
} from '../plan.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link LocalExecutor}.
 *
 * @category executors
 * @since 0.1.0
 */
export interface LocalExecutorOptions {
  /** the most node calls in flight at once, for async nodes (default 16) */
  readonly concurrency?: number
}

/**
 * Runs pipelines item by item in plain JavaScript.
 *
 * @example
 * import { LocalExecutor, node, pipeline } from 'dagflow'
 * const double = node({ output: 'doubled', mapAxis: 'x' }, ({ x }: { x: number }) => x * 2)
 * const total = node({ output: 'total' }, ({ doubled }: { doubled: ReadonlyArray<number> }) =>
 *   doubled.reduce((a, b) => a + b, 0),
 * )
 * const p = pipeline(double, total)
 * const local = new LocalExecutor({ concurrency: 8 })
 * const r = await local.map(p, { x: [1, 2, 3] })
 * r.outputs // => { doubled: [2, 4, 6], total: 12 }
 * r.keys // => [0, 1, 2]
 * (await local.run(p, { x: 5 })).doubled // => 10
 * @category executors
 * @since 0.1.0
 */
export class LocalExecutor implements Executor {
  readonly name = 'local' as const
  readonly concurrency: number

  constructor(options: LocalExecutorOptions = {}) {
    this.concurrency = checkConcurrency('LocalExecutor', options.concurrency, 16)
    Object.freeze(this)
  }

  run: Executor['run'] = (p, inputs, options) =>
    evaluate(p, inputs, options, 'run', this.concurrency).then((r) => r.outputs) as never

  map: Executor['map'] = (p, inputs, options) =>
    evaluate(p as never, inputs, options, 'map', this.concurrency) as never

  runTE: Executor['runTE'] = (p, inputs, options) =>
    toTaskEither(() => this.run(p, inputs, options))

  mapTE: Executor['mapTE'] = (p, inputs, options) =>
    toTaskEither(() => this.map(p, inputs, options))
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

type AnyPipeline = Pipeline<AnyNode, string>

type Keys = ReadonlyArray<Key> | undefined

interface RunContext {
  readonly signal: AbortSignal | undefined
  /** `undefined` when the keys are the indices */
  readonly keys: Keys
  readonly n: number
  readonly limit: LimitFunction
}

async function evaluate(
  p: AnyPipeline,
  inputs: unknown,
  options: RunOptions | undefined,
  mode: 'run' | 'map',
  concurrency: number,
): Promise<MapResult<Record<string, unknown>>> {
  if (!isPipeline(p)) {
    throw new GraphError(`${mode}(): the first argument must be a pipeline; wrap nodes in pipeline(...).`)
  }
  const plan = planOf(p, options?.outputs)
  // a property of the pipeline, so it is reported before anything about the inputs
  if (mode === 'map' && plan.mapAxis === undefined) {
    throw new GraphError(
      'map() needs a pipeline with a map axis (a node with `mapAxis`); use run() to evaluate it once.',
      p.order,
    )
  }
  const signal = options?.signal
  throwIfAborted(signal)
  const slots = new Array<unknown>(plan.slotCount)
  loadInputs(plan, inputs as Record<string, unknown>, slots)
  let keys: Keys
  let n = 0
  if (plan.mapAxis !== undefined) {
    const axisSlot = (plan.inputs.find((i) => i.name === plan.mapAxis) as { slot: number }).slot
    if (mode === 'run') slots[axisSlot] = [slots[axisSlot]]
    const items = axisItems(plan, slots)
    keys = readKeys(plan, items)
    n = items.length
  }
  const ctx: RunContext = { signal, keys, n, limit: makeLimit(concurrency) }
  for (const pn of plan.nodes) {
    throwIfAborted(signal)
    slots[pn.slot] = pn.perItem ? await runPerItem(pn, slots, ctx) : await runOnce(pn, slots, ctx)
  }
  return mapResult(collectOutputs(plan, slots, mode), keys, n)
}

/** The result; index keys are built only if `keys` is read (they cost as much as a node). */
function mapResult(outputs: Record<string, unknown>, keys: Keys, n: number): MapResult<Record<string, unknown>> {
  if (keys !== undefined) return { outputs, keys, executor: 'local' }
  let built: ReadonlyArray<Key> | undefined
  const result = { outputs } as { outputs: Record<string, unknown>; keys: ReadonlyArray<Key>; executor: 'local' }
  Object.defineProperty(result, 'keys', {
    enumerable: true,
    configurable: true,
    get: () => (built ??= indexKeys(n)),
  })
  result.executor = 'local'
  return result
}

function collectOutputs(plan: Plan, slots: ReadonlyArray<unknown>, mode: 'run' | 'map') {
  const outputs: Record<string, unknown> = {}
  for (const o of plan.outputs) {
    const v = slots[o.slot]
    defineValue(outputs, o.name, mode === 'run' && o.perItem ? (v as ReadonlyArray<unknown>)[0] : v)
  }
  return outputs
}

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === 'object' && u !== null && typeof (u as { then?: unknown }).then === 'function'

function defineValue(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  } else o[k] = v
}

// --- calling a node -----------------------------------------------------------------

const nodeError = (pn: PlanNode, i: number | undefined, keys: Keys, e: unknown): DagflowError =>
  new NodeError(pn.node.name, i === undefined ? undefined : keyAt(keys, i), i, e)

/** Calls the node function; a throw becomes a NodeError. */
function call(pn: PlanNode, args: unknown, i: number | undefined, keys: Keys): unknown {
  try {
    return (pn.node.fn as (a: unknown) => unknown)(args)
  } catch (e) {
    throw nodeError(pn, i, keys, e)
  }
}

/** Awaits a node's promise; a rejection becomes a NodeError. */
async function settle(pn: PlanNode, r: PromiseLike<unknown>, i: number | undefined, keys: Keys): Promise<unknown> {
  try {
    return await r
  } catch (e) {
    throw nodeError(pn, i, keys, e)
  }
}

function checkResult(pn: PlanNode, value: unknown, i: number | undefined, keys: Keys): unknown {
  const codec = pn.node.returns
  if (codec === undefined) return value
  return decodeAt(codec, value, {
    node: pn.node.name,
    param: '(result)',
    key: i === undefined ? undefined : keyAt(keys, i),
    index: i,
  })
}

// --- once-only nodes ----------------------------------------------------------------

async function runOnce(pn: PlanNode, slots: ReadonlyArray<unknown>, ctx: RunContext): Promise<unknown> {
  const decoded = decodeConstants(pn, slots)
  const args: Record<string, unknown> = {}
  pn.params.forEach((prm, j) => defineValue(args, prm.name, decoded[j]))
  const r = call(pn, args, undefined, undefined)
  const value = isThenable(r)
    ? await raceAbort(ctx.limit(() => settle(pn, r, undefined, undefined)), ctx.signal)
    : r
  return checkResult(pn, value, undefined, undefined)
}

// --- per-item nodes -----------------------------------------------------------------

interface LoopState {
  pending: PromiseLike<unknown> | undefined
  error: unknown
  failed: boolean
}

/** Calls `fn` for items `start…n-1` until one returns a promise (kept in `state`) or throws. */
type Loop = (
  fn: (a: unknown) => unknown,
  out: Array<unknown>,
  n: number,
  start: number,
  state: LoopState,
) => number

/** Builds the parameter record of item `i`. */
type ArgsAt = (i: number) => Record<string, unknown>

interface Generated {
  /** given the parameter sources (per-item arrays or constants), the sync loop */
  readonly loop: (...sources: Array<unknown>) => Loop
  /** given the same sources, the record builder */
  readonly args: (...sources: Array<unknown>) => ArgsAt
}

/**
 * Code generated once per plan node (cached, so V8's feedback is shared across runs): the
 * parameter record is an object literal with the node's own keys, so building it costs what a
 * hand-written call costs.
 */
const generated = new WeakMap<PlanNode, Generated>()

function generate(pn: PlanNode): Generated {
  let g = generated.get(pn)
  if (g !== undefined) return g
  const record = `{ ${pn.params
    .map((prm, j) => {
      const key = prm.name === '__proto__' ? '["__proto__"]' : JSON.stringify(prm.name)
      return `${key}: s${j}${prm.kind === 'item' ? '[i]' : ''}`
    })
    .join(', ')} }`
  const sources = pn.params.map((_, j) => `s${j}`)
  const loop = `return function loop(fn, out, n, start, state) {
  let i = start
  try {
    for (; i < n; i++) {
      const r = fn(${record})
      if (typeof r === 'object' && r !== null && typeof r.then === 'function') {
        state.pending = r
        return i
      }
      out[i] = r
    }
  } catch (e) {
    state.error = e
    state.failed = true
    return i
  }
  return n
}`
  g = {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- specialised to the node's parameter names
    loop: new Function(...sources, loop) as Generated['loop'],
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- specialised to the node's parameter names
    args: new Function(...sources, `return (i) => (${record})`) as Generated['args'],
  }
  generated.set(pn, g)
  return g
}

async function runPerItem(pn: PlanNode, slots: ReadonlyArray<unknown>, ctx: RunContext): Promise<unknown[]> {
  const { n, keys } = ctx
  const out = new Array<unknown>(n)
  let start = 0
  let first: PromiseLike<unknown> | undefined
  let argsAt: ArgsAt
  if (!pn.checked) {
    const sources = pn.params.map((prm) => slots[prm.slot])
    const g = generate(pn)
    const state: LoopState = { pending: undefined, error: undefined, failed: false }
    start = g.loop(...sources)(pn.node.fn as (a: unknown) => unknown, out, n, 0, state)
    if (state.failed) throw nodeError(pn, start, keys, state.error)
    if (start === n) return out
    first = state.pending
    argsAt = g.args(...sources)
  } else {
    // checked nodes: decode parameters and results per item; sync until the first promise
    argsAt = checkedArgs(pn, slots, decodeConstants(pn, slots), keys)
    for (; start < n; start++) {
      const r = call(pn, argsAt(start), start, keys)
      if (isThenable(r)) {
        first = r
        break
      }
      out[start] = checkResult(pn, r, start, keys)
    }
    if (start === n) return out
  }
  await runAsyncRest(pn, argsAt, ctx, out, start, first as PromiseLike<unknown>)
  return out
}

/**
 * From item `start` on (whose call already returned `first`): at most `concurrency` workers,
 * each started through the run's limiter, take the next item until none is left. Holding one
 * promise per worker rather than per item keeps a 100,000-item async map out of the GC.
 */
async function runAsyncRest(
  pn: PlanNode,
  argsAt: ArgsAt,
  ctx: RunContext,
  out: Array<unknown>,
  start: number,
  first: PromiseLike<unknown>,
): Promise<void> {
  const { n, keys, limit, signal } = ctx
  let next = start + 1
  let stopped = false
  const work = async (): Promise<void> => {
    while (!stopped && next < n) {
      const i = next++
      if (signal?.aborted === true) throw new AbortError(signal.reason)
      const r = call(pn, argsAt(i), i, keys)
      out[i] = checkResult(pn, isThenable(r) ? await settle(pn, r, i, keys) : r, i, keys)
    }
  }
  const workers = [
    limit(async () => {
      out[start] = checkResult(pn, await settle(pn, first, start, keys), start, keys)
      await work()
    }),
  ]
  const count = Math.min(limit.concurrency, n - start)
  for (let w = 1; w < count; w++) workers.push(limit(work))
  try {
    await raceAbort(Promise.all(workers), signal, () => {
      stopped = true
    })
  } catch (e) {
    stopped = true
    throw e
  }
}

/** Constant and reduce parameters, decoded once per node per run. */
function decodeConstants(pn: PlanNode, slots: ReadonlyArray<unknown>): ReadonlyArray<unknown> {
  return pn.params.map((prm) => {
    const v = slots[prm.slot]
    if (prm.kind === 'item' || prm.codec === undefined) return v
    return decodeAt(prm.codec, v, { node: pn.node.name, param: prm.name, key: undefined, index: undefined })
  })
}

/** The record builder of a node with codecs: per-item parameters are decoded per item. */
function checkedArgs(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  decoded: ReadonlyArray<unknown>,
  keys: Keys,
): ArgsAt {
  return (i) => {
    const args: Record<string, unknown> = {}
    pn.params.forEach((prm, j) => {
      let v = decoded[j]
      if (prm.kind === 'item') {
        v = (slots[prm.slot] as ReadonlyArray<unknown>)[i]
        if (prm.codec !== undefined) {
          v = decodeAt(prm.codec, v, { node: pn.node.name, param: prm.name, key: keyAt(keys, i), index: i })
        }
      }
      defineValue(args, prm.name, v)
    })
    return args
  }
}
