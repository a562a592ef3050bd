/**
 * `LocalExecutor` evaluates a pipeline's plan in plain JavaScript, node by node over all items
 * (column at a time). A per-item node without codecs runs in a loop generated once per plan
 * node, with its parameter record built as an object literal: no graph walk, hashing or
 * string-keyed lookup per item. Async results switch the rest of that node to a bounded
 * (p-limit) concurrent path.
 *
 * @since 0.1.0
 */
import { decodeAt } from '../codec.js'
import { GraphError, NodeError, type DagflowError } from '../errors.js'
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
import { axisItems, loadInputs, planOf, readKeys, type Key, type Plan, type PlanNode } from '../plan.js'

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

interface RunContext {
  readonly signal: AbortSignal | undefined
  readonly keys: ReadonlyArray<Key>
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
  let keys: ReadonlyArray<Key> = []
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
  return { outputs: collectOutputs(plan, slots, mode), keys, executor: 'local' }
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
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  else o[k] = v
}

// --- once-only nodes ----------------------------------------------------------------

async function runOnce(pn: PlanNode, slots: ReadonlyArray<unknown>, ctx: RunContext): Promise<unknown> {
  const args: Record<string, unknown> = {}
  for (const prm of pn.params) {
    const v = slots[prm.slot]
    defineValue(
      args,
      prm.name,
      prm.codec === undefined
        ? v
        : decodeAt(prm.codec, v, { node: pn.node.name, param: prm.name, key: undefined, index: undefined }),
    )
  }
  const r = call(pn, args, undefined)
  const value = isThenable(r) ? await raceAbort(ctx.limit(() => settle(pn, r, undefined)), ctx.signal) : r
  return checkResult(pn, value, undefined)
}

/** Calls the node function; a throw becomes a NodeError. */
function call(pn: PlanNode, args: Record<string, unknown>, i: number | undefined, keys?: ReadonlyArray<Key>): unknown {
  try {
    return (pn.node.fn as (a: unknown) => unknown)(args)
  } catch (e) {
    throw nodeError(pn, i, keys, e)
  }
}

const nodeError = (pn: PlanNode, i: number | undefined, keys: ReadonlyArray<Key> | undefined, e: unknown): DagflowError =>
  new NodeError(pn.node.name, i === undefined ? undefined : keys?.[i], i, e)

/** Awaits a node's promise; a rejection becomes a NodeError. */
async function settle(pn: PlanNode, r: PromiseLike<unknown>, i: number | undefined, keys?: ReadonlyArray<Key>): Promise<unknown> {
  try {
    return await r
  } catch (e) {
    throw nodeError(pn, i, keys, e)
  }
}

function checkResult(pn: PlanNode, value: unknown, i: number | undefined, keys?: ReadonlyArray<Key>): unknown {
  const codec = pn.node.returns
  if (codec === undefined) return value
  return decodeAt(codec, value, {
    node: pn.node.name,
    param: '(result)',
    key: i === undefined ? undefined : keys?.[i],
    index: i,
  })
}

// --- per-item nodes -----------------------------------------------------------------

interface LoopState {
  pending: PromiseLike<unknown> | undefined
  error: unknown
  failed: boolean
}

type Loop = (
  fn: (a: unknown) => unknown,
  out: Array<unknown>,
  n: number,
  start: number,
  state: LoopState,
) => number

/** One generated loop factory per plan node (cached, so V8 feedback is shared across runs). */
const loops = new WeakMap<PlanNode, (...sources: Array<unknown>) => Loop>()

function loopFactory(pn: PlanNode): (...sources: Array<unknown>) => Loop {
  let factory = loops.get(pn)
  if (factory !== undefined) return factory
  const fields = pn.params.map((prm, j) => {
    const key = prm.name === '__proto__' ? '["__proto__"]' : JSON.stringify(prm.name)
    return `${key}: s${j}${prm.kind === 'item' ? '[i]' : ''}`
  })
  const params = pn.params.map((_, j) => `s${j}`)
  const body = `return function loop(fn, out, n, start, state) {
  let i = start
  try {
    for (; i < n; i++) {
      const r = fn({ ${fields.join(', ')} })
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
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a loop specialised to the node's parameter names
  factory = new Function(...params, body) as (...sources: Array<unknown>) => Loop
  loops.set(pn, factory)
  return factory
}

async function runPerItem(pn: PlanNode, slots: ReadonlyArray<unknown>, ctx: RunContext): Promise<unknown[]> {
  const { n, keys } = ctx
  const out = new Array<unknown>(n)
  let start = 0
  let first: PromiseLike<unknown> | undefined
  let decoded: ReadonlyArray<unknown> | undefined
  if (!pn.checked) {
    const state: LoopState = { pending: undefined, error: undefined, failed: false }
    const loop = loopFactory(pn)(...pn.params.map((prm) => slots[prm.slot]))
    start = loop(pn.node.fn as (a: unknown) => unknown, out, n, 0, state)
    if (state.failed) throw nodeError(pn, start, keys, state.error)
    if (start === n) return out
    first = state.pending
  } else {
    // checked nodes: decode parameters and results per item; sync until the first promise
    decoded = decodeConstants(pn, slots)
    for (; start < n; start++) {
      const r = call(pn, argsAt(pn, slots, decoded, start, keys), start, keys)
      if (isThenable(r)) {
        first = r
        break
      }
      out[start] = checkResult(pn, r, start, keys)
    }
    if (start === n) return out
  }
  // constants are decoded once per run: the async rest reuses what the sync start decoded
  decoded ??= decodeConstants(pn, slots)
  await runAsyncRest(pn, slots, decoded, ctx, out, start, first as PromiseLike<unknown>)
  return out
}

/** From item `start` on (whose call already returned `first`), every call goes through the limiter. */
async function runAsyncRest(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  decoded: ReadonlyArray<unknown>,
  ctx: RunContext,
  out: Array<unknown>,
  start: number,
  first: PromiseLike<unknown>,
): Promise<void> {
  const { n, keys, limit, signal } = ctx
  const tasks = new Array<Promise<void>>(n - start)
  tasks[0] = limit(async () => {
    out[start] = checkResult(pn, await settle(pn, first, start, keys), start, keys)
  })
  for (let i = start + 1; i < n; i++) {
    tasks[i - start] = limit(async () => {
      throwIfAborted(signal)
      const r = call(pn, argsAt(pn, slots, decoded, i, keys), i, keys)
      out[i] = checkResult(pn, isThenable(r) ? await settle(pn, r, i, keys) : r, i, keys)
    })
  }
  try {
    await raceAbort(Promise.all(tasks), signal, () => limit.clearQueue())
  } catch (e) {
    limit.clearQueue()
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

function argsAt(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  decoded: ReadonlyArray<unknown>,
  i: number,
  keys: ReadonlyArray<Key>,
): Record<string, unknown> {
  const args: Record<string, unknown> = {}
  pn.params.forEach((prm, j) => {
    let v = decoded[j]
    if (prm.kind === 'item') {
      v = (slots[prm.slot] as ReadonlyArray<unknown>)[i]
      if (prm.codec !== undefined) {
        v = decodeAt(prm.codec, v, { node: pn.node.name, param: prm.name, key: keys[i], index: i })
      }
    }
    defineValue(args, prm.name, v)
  })
  return args
}
