/**
 * The interpreter of plans that every executor runs: `LocalExecutor` with batch forms off,
 * `ArrowBatchExecutor` (from `dagflow/arrow`) with them on. Nodes run a column at a time; a
 * per-item node without codecs runs in a loop generated once per plan node, with its parameter
 * record built as an object literal (no graph walk, hashing or string-keyed lookup per item).
 * Async results switch the rest of that node to a pool of at most `concurrency` workers, each
 * started through the run's p-limit limiter. With batch forms on, consecutive nodes that have
 * one run fused, batch by batch (`runSegment`).
 *
 * Hot code here is written for V8 to compile once per process: loops are top-level functions
 * over record classes (no closures made per run), records keep one field representation, and
 * one record of each kind lives for the life of the module (`shapes`, at the end).
 *
 * @internal
 */
import type * as t from 'io-ts'
import { decodeAt, primitiveOf } from '../codec.js'
import {
  AbortError,
  describeValue,
  GraphError,
  isDagflowError,
  ListenerError,
  NodeError,
  TimeoutError,
  ValidationError,
  type DagflowError,
} from '../errors.js'
import type { DagflowEvent, NodeStats, RunStats } from '../events.js'
import type { ItemFailure, MapResult, RunOptions } from '../executor.js'
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
  type PlanOutput,
  type PlanParam,
} from '../plan.js'
import { Keyring, type Lookup } from './keyring.js'
import { checkOptions, makeLimit, raceAbort, throwIfAborted, type LimitFunction } from './limit.js'

/** How an executor configures the engine. */
export interface EngineOptions {
  readonly executor: 'local' | 'arrow'
  readonly concurrency: number
  /** with a size, per-item nodes that have a `batch` form run it once per batch */
  readonly batchSize: number | undefined
}

/** Where a map result keeps the plan's outputs (non-enumerable), for `toArrow`. */
export const ResultPlanId: unique symbol = Symbol.for('dagflow/MapResult/outputs') as never

/** The plan outputs a map result was made from, if it came from an executor. */
export const resultOutputs = (r: unknown): ReadonlyArray<PlanOutput> | undefined =>
  typeof r === 'object' && r !== null
    ? ((r as { [ResultPlanId]?: ReadonlyArray<PlanOutput> })[ResultPlanId] ?? undefined)
    : undefined

type AnyPipeline = Pipeline<AnyNode, string>

type Keys = ReadonlyArray<Key> | undefined

interface RunContext {
  /** the caller's signal, if any */
  readonly caller: AbortSignal | undefined
  /**
   * The run's own signal's controller, made when a call first needs the signal (see
   * {@link runSignal}); its signal fires on the caller's abort and when the run fails.
   */
  controller: AbortController | undefined
  /** forwards the caller's abort to `controller`, while it listens */
  forward: (() => void) | undefined
  /** `undefined` when the keys are the indices */
  readonly keys: Keys
  readonly n: number
  /** the executor's bound on calls in flight */
  readonly concurrency: number
  /** the run's p-limit limiter, made at its first async call (see {@link limiter}) */
  limit: LimitFunction | undefined
  /** batch forms' batch size; 0 when batch forms are off (always a number: see `shapes`) */
  readonly batchSize: number
  readonly executor: 'local' | 'arrow'
  /** the guarded listener; undefined without one, so the hot path only tests it per chunk */
  readonly emit: ((e: DagflowEvent) => void) | undefined
  /** `onError: 'collect'`: where failed items are recorded; undefined in 'fail' mode */
  readonly collect: Collector | undefined
}

/** The failed items of a `map` in collect mode. */
interface Collector {
  /** 1 for an item that failed in some node: later nodes skip it */
  readonly failed: Uint8Array
  readonly failures: Array<ItemFailure>
  any: boolean
}


/** A run's context. Made only here, so every run's has the same hidden class (see `shapes`). */
function runContext(
  caller: AbortSignal | undefined,
  keys: Keys,
  n: number,
  concurrency: number,
  batchSize: number,
  executor: 'local' | 'arrow',
  emit: ((e: DagflowEvent) => void) | undefined,
  collect: Collector | undefined,
): RunContext {
  return {
    caller,
    controller: undefined,
    forward: undefined,
    keys,
    n,
    concurrency,
    limit: undefined,
    batchSize,
    executor,
    emit,
    collect,
  }
}

/**
 * The run's own signal, made when a call first needs it (a run of synchronous calls without
 * `ctx` never does): it fires on the caller's abort and when the run fails.
 */
function runSignal(ctx: RunContext): AbortSignal {
  if (ctx.controller !== undefined) return ctx.controller.signal
  const controller = new AbortController()
  ctx.controller = controller
  const caller = ctx.caller
  if (caller?.aborted === true) controller.abort(caller.reason)
  else if (caller !== undefined) {
    ctx.forward = () => controller.abort(caller.reason)
    caller.addEventListener('abort', ctx.forward, { once: true })
  }
  return controller.signal
}

/** Throws an AbortError if the caller aborted or the run's own signal fired. */
function checkAborted(ctx: RunContext): void {
  const signal = ctx.controller?.signal ?? ctx.caller
  if (signal?.aborted === true) throw new AbortError(signal.reason)
}

/** Stops forwarding the caller's abort once the run is over. */
function stopForwarding(ctx: RunContext): void {
  if (ctx.forward !== undefined) ctx.caller?.removeEventListener('abort', ctx.forward)
}

/**
 * The run's limiter, made at its first async call: a run whose calls are all synchronous never
 * needs one (making it was about a tenth of a small map's cost).
 */
const limiter = (ctx: RunContext): LimitFunction => (ctx.limit ??= makeLimit(ctx.concurrency))

const collector = (n: number): Collector => ({ failed: new Uint8Array(n), failures: [], any: false })

/**
 * A node's figures, fresh. `ms` starts as -0, a double: a field that starts as a small integer and
 * later holds a double changes its object's hidden class, run after run (see `shapes`). Stats
 * report it plus 0, so an untimed node shows 0.
 */
const newTally = (): Tally => ({ calls: 0, items: 0, cached: 0, ms: -0 })

/** Errors that stop a run in collect mode too: an abort, and a listener that threw. */
const stopsRun = (e: unknown): boolean => e instanceof AbortError || e instanceof ListenerError

/** Records item `i` as failed (collect mode), or rethrows the error (fail mode). */
function failItem(run: RunContext, node: string, i: number, error: unknown): void {
  const collect = run.collect
  if (collect === undefined) throw error
  if (collect.failed[i] === 1) return
  const e = isDagflowError(error) ? error : new NodeError(node, keyAt(run.keys, i), i, error)
  collect.failed[i] = 1
  collect.any = true
  collect.failures.push({ key: keyAt(run.keys, i), index: i, node, error: e as ItemFailure['error'] })
  run.emit?.({ type: 'item:error', node, key: keyAt(run.keys, i), index: i, error: e })
}

/** The index an error is about, if it names one. */
const errorIndex = (e: unknown): number | undefined =>
  e instanceof NodeError || e instanceof ValidationError ? e.index : undefined

/** A node's figures while it runs. */
interface Tally {
  calls: number
  items: number
  cached: number
  ms: number
}

const now = (): number => performance.now()

/** How many items a progress chunk holds: at most ~100 chunks a node, at most 1,024 items each. */
const chunkSize = (n: number): number => Math.max(1, Math.min(1024, Math.ceil(n / 100)))

/** A listener that throws stops the run with a ListenerError naming the event. */
const guard = (listener: (e: DagflowEvent) => void): ((e: DagflowEvent) => void) => {
  // `run:end` is the run's last event: a call still in flight when the run ended (it failed or
  // was aborted) settles unheard
  let over = false
  return (e) => {
    if (over) return
    if (e.type === 'run:end') over = true
    try {
      listener(e)
    } catch (error) {
      throw new ListenerError(e.type, error)
    }
  }
}

/** The values of run/map options that would otherwise fail later, or be ignored, as something else. */
function checkOptionValues(where: string, options: RunOptions | undefined): void {
  if (options === undefined || options === null) return
  const { onEvent, signal, cache } = options as Record<string, unknown>
  const fail = (what: string, got: unknown): never => {
    throw new GraphError(`${where}: ${what}, got ${describeValue(got)}.`)
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    fail('the onEvent option must be a function (event) => void', onEvent)
  }
  if (signal !== undefined && !(hasMethods(signal, 'addEventListener', 'removeEventListener') && typeof (signal as { aborted?: unknown }).aborted === 'boolean')) {
    fail('the signal option must be an AbortSignal (from an AbortController, or AbortSignal.timeout(ms))', signal)
  }
  if (cache !== undefined && !hasMethods(cache, 'get', 'set')) {
    fail('the cache option must be a CacheStore: memoryCache(), sqliteCache(path) from dagflow/cache, or an object with get(key) and set(key, value)', cache)
  }
}

/** Whether `u` is an object with these methods (a signal or a store from any realm or library). */
const hasMethods = (u: unknown, ...names: ReadonlyArray<string>): boolean =>
  typeof u === 'object' && u !== null && names.every((m) => typeof (u as Record<string, unknown>)[m] === 'function')

/** the options of run and map (see RunOptions) */
const RUN_OPTIONS: ReadonlyArray<string> = ['outputs', 'signal', 'onEvent', 'onError', 'cache']

/**
 * Evaluates a pipeline's plan: the one interpreter behind every executor. `engine.batchSize`
 * switches on batch forms; everything else is shared, so executors agree by construction.
 */
export async function evaluate(
  p: AnyPipeline,
  inputs: unknown,
  options: RunOptions | undefined,
  mode: 'run' | 'map',
  engine: EngineOptions,
): Promise<MapResult<Record<string, unknown>>> {
  if (!isPipeline(p)) {
    throw new GraphError(`${mode}(): the first argument must be a pipeline; wrap nodes in pipeline(...).`)
  }
  checkOptions(`${mode}()`, options, RUN_OPTIONS)
  checkOptionValues(`${mode}()`, options)
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
  const emit = options?.onEvent === undefined ? undefined : guard(options.onEvent)
  // node calls see one signal: the caller's abort, or the run's own failure (so calls still in
  // flight after a failure can stop early); made only when a call needs it
  const ctx = runContext(
    signal,
    keys,
    n,
    engine.concurrency,
    engine.batchSize ?? 0,
    engine.executor,
    emit,
    mode === 'map' && options?.onError === 'collect' ? collector(n) : undefined,
  )
  if (options?.onError !== undefined && options.onError !== 'fail' && options.onError !== 'collect') {
    throw new GraphError(`The onError option must be 'fail' or 'collect', got ${JSON.stringify(options.onError)}.`)
  }
  const store = options?.cache
  const keyring = store === undefined ? undefined : new Keyring(plan, slots, n, store)
  const started = now()
  const tallies: Record<string, Tally> = {}
  const stats = (): RunStats => ({
    ms: now() - started,
    nodes: Object.fromEntries(
      Object.entries(tallies).map(([name, t]): [string, NodeStats] => [
        name,
        { calls: t.calls, items: t.items, cached: t.cached, ms: t.ms + 0 },
      ]),
    ),
  })
  try {
    emit?.({
      type: 'run:start',
      executor: engine.executor,
      items: n,
      nodes: plan.nodes.map((pn) => pn.node.name),
      perItem: plan.nodes.filter((pn) => pn.perItem).map((pn) => pn.node.name),
    })
    const fusable = (pn: PlanNode): boolean =>
      pn.perItem && pn.node.batch !== undefined && ctx.batchSize > 0
    for (let at = 0; at < plan.nodes.length; ) {
      checkAborted(ctx)
      // consecutive per-item nodes with batch forms run fused, batch by batch (no cache; in
      // collect mode, while no item has failed)
      let end = at + 1
      if (fusable(plan.nodes[at] as PlanNode) && ctx.collect?.any !== true && keyring === undefined) {
        while (end < plan.nodes.length && fusable(plan.nodes[end] as PlanNode)) end++
      }
      if (end - at > 1) {
        const segment = plan.nodes.slice(at, end)
        const segmentTallies = segment.map((pn) => {
          const tally = newTally()
          defineValue(tallies, pn.node.name, tally)
          emit?.({ type: 'node:start', node: pn.node.name, items: n })
          return tally
        })
        const t0 = emit === undefined ? 0 : now()
        await runSegment(segment, slots, ctx, ctx.batchSize, segmentTallies, usesAfter(plan, segment, end))
        const ms = emit === undefined ? 0 : now() - t0
        for (const pn of segment) emit?.({ type: 'node:end', node: pn.node.name, items: n, ms })
        at = end
        continue
      }
      const pn = plan.nodes[at++] as PlanNode
      const tally = newTally()
      defineValue(tallies, pn.node.name, tally)
      const items = pn.perItem ? n : 1
      emit?.({ type: 'node:start', node: pn.node.name, items })
      const t0 = emit === undefined ? 0 : now()
      const cached = keyring?.lookup(pn, ctx.collect?.any === true ? ctx.collect.failed : undefined)
      if (cached !== undefined) {
        tally.cached = cached.count
        tally.items = cached.count
      }
      slots[pn.slot] = !pn.perItem
        ? await runOnce(pn, slots, ctx, tally, cached)
        : ctx.batchSize > 0 && pn.node.batch !== undefined
          ? ctx.collect === undefined && cached === undefined
            ? await runBatched(pn, slots, ctx, ctx.batchSize, tally)
            : await runBatchedSome(pn, slots, ctx, ctx.batchSize, tally, cached)
          : await runPerItem(pn, slots, ctx, tally, cached)
      keyring?.record(pn, slots[pn.slot], cached)
      emit?.({ type: 'node:end', node: pn.node.name, items, ms: now() - t0 })
    }
  } catch (e) {
    const error = isDagflowError(e) ? e : new NodeError('(executor)', undefined, undefined, e)
    if (ctx.controller !== undefined && !ctx.controller.signal.aborted) ctx.controller.abort(error)
    stopForwarding(ctx)
    if (emit !== undefined && !(error instanceof ListenerError)) {
      try {
        if ((error instanceof NodeError || error instanceof ValidationError) && error.node !== undefined) {
          emit({ type: 'item:error', node: error.node, key: error.key, index: error.index, error })
        }
        emit({ type: 'run:end', executor: engine.executor, stats: stats(), error })
      } catch {
        // the run already failed: its own error is the one to report
      }
    }
    throw error
  }
  stopForwarding(ctx)
  const final = stats()
  const collect = ctx.collect
  const result =
    collect === undefined
      ? mapResult(plan, collectOutputs(plan, slots, mode), keys, n, engine.executor, final)
      : collectedResult(plan, slots, keys, n, engine.executor, final, collect)
  emit?.({ type: 'run:end', executor: engine.executor, stats: final })
  return result
}

/**
 * What happens to each fused node's output after the segment: `Use.none` (only passed along
 * inside it), `Use.result` (a result output only: written straight into a plain array) or
 * `Use.later` (read by a node after the segment: kept in its batch forms' own form, so a later
 * batch form still gets the Float64Array it would get unfused).
 */
const Use = { none: 0, result: 1, later: 2 } as const
type Use = (typeof Use)[keyof typeof Use]

function usesAfter(plan: Plan, segment: ReadonlyArray<PlanNode>, end: number): ReadonlyArray<Use> {
  const results = new Set<number>(plan.outputs.map((o) => o.slot))
  const later = new Set<number>()
  for (let i = end; i < plan.nodes.length; i++) {
    for (const prm of (plan.nodes[i] as PlanNode).params) later.add(prm.slot)
  }
  return segment.map((pn) => (later.has(pn.slot) ? Use.later : results.has(pn.slot) ? Use.result : Use.none))
}

/** Node's hook for util.inspect (console.log), by its registered symbol: no node:util import. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/**
 * The result; index keys are built only if `keys` is read (they cost as much as a node). The
 * plan's outputs ride along under a non-enumerable symbol, for `toArrow`.
 */
function mapResult(
  plan: Plan,
  outputs: Record<string, unknown>,
  keys: Keys,
  n: number,
  executor: 'local' | 'arrow',
  stats: RunStats,
): MapResult<Record<string, unknown>> {
  const result = { outputs } as {
    outputs: Record<string, unknown>
    keys: ReadonlyArray<Key>
    executor: 'local' | 'arrow'
    stats: RunStats
  }
  if (keys !== undefined) result.keys = keys
  else {
    let built: ReadonlyArray<Key> | undefined
    Object.defineProperty(result, 'keys', {
      enumerable: true,
      configurable: true,
      get: () => (built ??= indexKeys(n)),
    })
    // console.log and util.inspect show the keys, not `[Getter]` (and every other field)
    Object.defineProperty(result, INSPECT, {
      value(this: Record<string, unknown>, _depth: number, options: object, inspect: (v: unknown, o: object) => string) {
        return inspect(Object.fromEntries(Object.keys(this).map((k) => [k, this[k]])), options)
      },
    })
  }
  result.executor = executor
  // not enumerable: results of the two executors deep-equal, timings aside
  Object.defineProperty(result, 'stats', { value: stats, enumerable: false })
  Object.defineProperty(result, ResultPlanId, { value: plan.outputs })
  return result
}

/**
 * A collect-mode result: failed items are dropped from every per-item output and from `keys`
 * (the rest keep input order and their keys); `errors` lists the failures in input order.
 */
function collectedResult(
  plan: Plan,
  slots: ReadonlyArray<unknown>,
  keys: Keys,
  n: number,
  executor: 'local' | 'arrow',
  stats: RunStats,
  collect: Collector,
): MapResult<Record<string, unknown>> {
  const alive = (_: unknown, i: number) => collect.failed[i] === 0
  const outputs = collectOutputs(plan, slots, 'map')
  if (collect.any) {
    for (const o of plan.outputs) {
      if (o.perItem) defineValue(outputs, o.name, (outputs[o.name] as Array<unknown>).filter(alive))
    }
  }
  const kept = collect.any ? (keys ?? indexKeys(n)).filter(alive) : keys
  const result = mapResult(plan, outputs, kept, n, executor, stats) as MapResult<Record<string, unknown>> & {
    errors: ReadonlyArray<ItemFailure>
  }
  result.errors = [...collect.failures].sort((a, b) => a.index - b.index)
  return result
}

function collectOutputs(plan: Plan, slots: ReadonlyArray<unknown>, mode: 'run' | 'map') {
  const outputs: Record<string, unknown> = {}
  for (const o of plan.outputs) {
    const v = slots[o.slot]
    if (!o.perItem) defineValue(outputs, o.name, v)
    else {
      // per-item outputs are plain arrays, never typed arrays, whichever executor ran
      const column = plainArray(v as Column)
      defineValue(outputs, o.name, mode === 'run' ? column[0] : column)
    }
  }
  return outputs
}

/** The items of a batch formed from some of the items (collect mode, a cache), by index. */
type Members = Int32Array

/** A column of per-item values: a plain array, or a Float64Array for numbers in batch mode. */
type Column = Array<unknown> | Float64Array

function plainArray(c: Column): Array<unknown> {
  if (Array.isArray(c)) return c
  const a = plainColumn(c.length, true)
  putNumbers(a, c, 0)
  return a
}

/**
 * A plain array for `n` values, filled first so that V8 keeps one elements kind: doubles when
 * it will hold numbers (a `new Array(n)` holds holes, and V8 copies it into an array of doubles
 * at the first number; writing into it was up to 1.5× slower), else any values.
 */
const plainColumn = (n: number, numbers: boolean): Array<unknown> =>
  new Array<unknown>(n).fill(numbers ? 0.5 : undefined)

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === 'object' && u !== null && typeof (u as { then?: unknown }).then === 'function'

function defineValue(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  } else o[k] = v
}

// --- calling a node -----------------------------------------------------------------

/**
 * A node's failure on item `i` (or once), or on the batch of `batch` items from item `i`, as a
 * NodeError; an abort stays an abort.
 */
const nodeError = (pn: PlanNode, i: number | undefined, keys: Keys, e: unknown, batch?: number): DagflowError =>
  e instanceof AbortError ? e : new NodeError(pn.node.name, i === undefined ? undefined : keyAt(keys, i), i, e, batch)

/**
 * Calls the node function for item `i` (or once); a throw becomes a NodeError. Nodes with
 * retries, a timeout or a `ctx` parameter go through {@link attempts}.
 */
function call(pn: PlanNode, args: unknown, i: number | undefined, run: RunContext, tally: Tally): unknown {
  const fn = pn.node.fn as (a: unknown, ctx?: unknown) => unknown
  try {
    if (!pn.guarded) return fn(args)
    const key = i === undefined ? undefined : keyAt(run.keys, i)
    return attempts(pn, run, tally, key, i, (attempt, signal) =>
      pn.node.usesContext ? fn(args, { signal, key, index: i, attempt }) : fn(args),
    )
  } catch (e) {
    throw nodeError(pn, i, run.keys, e)
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

/**
 * One logical call under the node's `retry` and `timeoutMs`: `invoke(attempt, signal)` is called
 * until it succeeds or the attempts run out. Returns the value, or a promise of it; throws (or
 * rejects with) the last error, raw. A timed-out call's signal fires with the TimeoutError and
 * its late result is discarded.
 */
function attempts(
  pn: PlanNode,
  run: RunContext,
  tally: Tally,
  key: Key | undefined,
  index: number | undefined,
  invoke: (attempt: number, signal: AbortSignal) => unknown,
): unknown {
  const node = pn.node
  const policy = node.retry
  const max = policy?.attempts ?? 1
  const timeout = node.timeoutMs
  const once = (attempt: number): unknown => {
    if (timeout === undefined) return invoke(attempt, runSignal(run))
    const own = new AbortController()
    const signal = AbortSignal.any([runSignal(run), own.signal])
    const t0 = now()
    const r = invoke(attempt, signal)
    if (!isThenable(r)) return r // a synchronous call has already finished: it cannot time out
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const error = new TimeoutError(node.name, timeout, key, index, attempt, node.retry !== undefined)
          own.abort(error)
          reject(error)
        },
        Math.max(0, timeout - (now() - t0)),
      )
      r.then(
        (v) => {
          clearTimeout(timer)
          resolve(v)
        },
        (e: unknown) => {
          clearTimeout(timer)
          reject(e)
        },
      )
    })
  }
  const again = (error: unknown, attempt: number): unknown => {
    // an abort (the caller's, or the run's own failure) ends the call as an abort, not a failure
    const signal = runSignal(run)
    if (signal.aborted) throw new AbortError(signal.reason)
    if (attempt >= max || policy?.retryOn?.(error) === false) throw error
    run.emit?.({ type: 'call:retry', node: node.name, key, index, attempt, error })
    tally.calls++
    const wait = (policy?.backoffMs ?? 0) * (policy?.factor ?? 1) ** (attempt - 1)
    return wait > 0 ? sleep(wait, runSignal(run)).then(() => go(attempt + 1)) : go(attempt + 1)
  }
  const go = (attempt: number): unknown => {
    let r: unknown
    try {
      r = once(attempt)
    } catch (e) {
      return again(e, attempt)
    }
    return isThenable(r) ? Promise.resolve(r).then(undefined, (e: unknown) => again(e, attempt)) : r
  }
  return go(1)
}

/** Waits `ms`, or rejects with an AbortError when `signal` fires first. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer)
      reject(new AbortError(signal.reason))
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort)
      resolve()
    }, ms)
    signal.addEventListener('abort', abort, { once: true })
  })

function checkResult(pn: PlanNode, value: unknown, i: number | undefined, keys: Keys): unknown {
  const codec = pn.node.returns
  if (codec === undefined) return value
  return decodeItem(codec, value, pn, '(result)', keys, i)
}

/**
 * `decodeAt` for the hot per-item paths: a string, number or boolean that its primitive codec
 * accepts is returned as it is (those codecs decode to the value itself), any other value is
 * decoded, and the error's site (node, parameter, key, index) is built only when decoding fails.
 */
function decodeItem(
  codec: t.Mixed,
  value: unknown,
  pn: PlanNode,
  param: string,
  keys: Keys,
  i: number | undefined,
): unknown {
  const primitive = primitiveOf(codec)
  // spelled out: V8 compiles `typeof v === 'number'` to a type check, not a string comparison
  if (
    primitive === 'number'
      ? typeof value === 'number'
      : primitive === 'string'
        ? typeof value === 'string'
        : primitive === 'boolean' && typeof value === 'boolean'
  ) {
    return value
  }
  const r = codec.decode(value)
  if (r._tag === 'Right') return r.right
  return decodeAt(codec, value, {
    node: pn.node.name,
    param,
    key: i === undefined ? undefined : keyAt(keys, i),
    index: i,
  })
}

// --- once-only nodes ----------------------------------------------------------------

async function runOnce(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  ctx: RunContext,
  tally: Tally,
  cached?: Lookup,
): Promise<unknown> {
  if (cached?.hits[0] === 1) return cached.values[0]
  const decoded = decodeConstants(pn, slots, ctx.collect)
  const args: Record<string, unknown> = {}
  pn.params.forEach((prm, j) => defineValue(args, prm.name, decoded[j]))
  const t0 = now()
  tally.calls = 1
  const r = call(pn, args, undefined, ctx, tally)
  const value = isThenable(r)
    ? await raceAbort(limiter(ctx)(() => settle(pn, r, undefined, undefined)), runSignal(ctx))
    : r
  tally.ms = now() - t0
  tally.items = 1
  return checkResult(pn, value, undefined, undefined)
}

// --- per-item nodes -----------------------------------------------------------------

interface LoopState {
  pending: PromiseLike<unknown> | undefined
  error: unknown
  failed: boolean
}

/**
 * Calls `fn` for items `start…n-1` until one returns a promise (kept in `state`) or throws; the
 * node's parameter sources (per-item arrays or constants) follow as arguments.
 */
type Loop = (
  fn: (a: unknown) => unknown,
  out: Array<unknown>,
  n: number,
  start: number,
  state: LoopState,
  ...sources: Array<unknown>
) => number

/** Builds the parameter record of item `i`. */
type ArgsAt = (i: number) => Record<string, unknown>

interface Generated {
  /** the sync loop over items */
  readonly loop: Loop
  /** given the parameter sources, the record builder (for calls after the first promise) */
  readonly args: (...sources: Array<unknown>) => ArgsAt
  /**
   * The parameter record (or batch form's column record) from its values in parameter order.
   * An object literal whose shape V8 keeps for good: a record grown key by key from `{}` gets a
   * map that dies with the run's last record, and every optimized function that saw it with it.
   */
  readonly record: (values: ArrayLike<unknown>) => Record<string, unknown>
}

/**
 * Code generated once per plan node (cached, so V8's feedback and optimized code are shared
 * across runs: the loop is one function, never a closure made per run): the parameter record is
 * an object literal with the node's own keys, so building it costs what a hand-written call costs.
 */
const generated = new WeakMap<PlanNode, Generated>()

function generate(pn: PlanNode): Generated {
  let g = generated.get(pn)
  if (g !== undefined) return g
  const key = (name: string) => (name === '__proto__' ? '["__proto__"]' : JSON.stringify(name))
  const record = `{ ${pn.params
    .map((prm, j) => `${key(prm.name)}: s${j}${prm.kind === 'item' ? '[i]' : ''}`)
    .join(', ')} }`
  const fromValues = `{ ${pn.params.map((prm, j) => `${key(prm.name)}: v[${j}]`).join(', ')} }`
  const sources = pn.params.map((_, j) => `s${j}`)
  const loop = `return function loop(fn, out, n, start, state, ${sources.join(', ')}) {
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
    loop: (new Function(loop) as () => Loop)(),
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- specialised to the node's parameter names
    args: new Function(...sources, `return (i) => (${record})`) as Generated['args'],
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- specialised to the node's parameter names
    record: new Function('v', `return ${fromValues}`) as Generated['record'],
  }
  generated.set(pn, g)
  return g
}

/**
 * Plan nodes whose latest map gave numbers (first, middle and last result): the next map starts
 * their column as an array of doubles. Only the choice of array changes, never a value: a result that
 * is not a number turns the array into one of any values, as V8 does for any array.
 */
const numberResults = new WeakSet<PlanNode>()

function learnResults(pn: PlanNode, out: Array<unknown>): Array<unknown> {
  const n = out.length
  if (n > 0) {
    // first, middle and last: a column of mixed values that merely starts with a number would
    // pay for the wrong guess (every double boxed when the first other value arrives) each map
    if (typeof out[0] === 'number' && typeof out[n >> 1] === 'number' && typeof out[n - 1] === 'number') {
      numberResults.add(pn)
    } else numberResults.delete(pn)
  }
  return out
}

async function runPerItem(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  ctx: RunContext,
  tally: Tally,
  cached?: Lookup,
): Promise<Column> {
  const { n, keys, emit, executor } = ctx
  // numbers go into an array of doubles from the start (a `new Array(n)` would be copied into
  // one at the first number, another n-element array): when `returns: t.number` says so, or
  // when this node's previous map gave numbers (see numberResults)
  const out =
    cached === undefined &&
    ctx.collect === undefined &&
    (isNumberCodec(pn.node.returns) || numberResults.has(pn))
      ? plainColumn(n, true)
      : new Array<unknown>(n)
  const name = pn.node.name
  const hits = cached?.hits
  if (cached !== undefined) for (let i = 0; i < n; i++) if (cached.hits[i] === 1) out[i] = cached.values[i]
  // without a listener one chunk holds every item: the generated loop runs once, untouched
  const chunk = emit === undefined ? n : chunkSize(n)
  let start = 0
  const collect = ctx.collect
  const job = new PerItemJob(pn, ctx, tally, out, slots, hits)
  const range = collect !== undefined || hits !== undefined ? skippingRange : itemRange
  // items that failed upstream are skipped: not calls, not items of this node (an item that
  // failed upstream is never a cache hit: hits are only looked up for live items)
  const skipped = collect?.any === true ? collect.failed.slice() : undefined
  /** items with nothing to compute: failed upstream (collect mode) or found in the cache */
  const skip = (i: number): boolean => skips(job, i)
  // per-item calls are reported in chunks of done items: batch:start and batch:end together
  while (start < n) {
    const end = Math.min(n, start + chunk)
    const t0 = now()
    let stop: number
    try {
      stop = range(job, start, end)
    } catch (e) {
      // a failing run's stats count the calls it made (run:end carries them)
      tally.ms += now() - t0
      countMade(tally, e, start, skipped, hits)
      throw e
    }
    const ms = now() - t0
    tally.ms += ms
    let served = flaggedIn(skipped, start, stop) // failed upstream or from the cache: no call
    if (cached !== undefined) {
      for (let i = start; i < stop; i++) {
        if (cached.hits[i] === 1) served++
        else if (collect?.failed[i] !== 1) cached.put(i, out[i])
      }
    }
    tally.calls += stop - start - served - job.uncalled
    tally.items += stop - start - served
    job.uncalled = 0
    if (stop < end) {
      // the call at `stop` is in flight: if a listener throws before the pool takes it over,
      // its rejection must not go unhandled
      job.state.pending?.then(undefined, () => undefined)
      if (stop > start && emit !== undefined) {
        emit({ type: 'batch:start', node: name, start, size: stop - start, executor })
        emit({ type: 'batch:end', node: name, start, size: stop - start, ms, executor })
      }
      start = stop
      break
    }
    if (emit !== undefined) {
      emit({ type: 'batch:start', node: name, start, size: end - start, executor })
      emit({ type: 'batch:end', node: name, start, size: end - start, ms, executor })
    }
    start = end
  }
  if (start === n) return learnResults(pn, out)
  // item `start` returned a promise: the rest runs concurrently
  let done = 0
  let chunkStart = now()
  const argsAt: ArgsAt = pn.checked
    ? (i) => checkedArgsAt(job, i)
    : generate(pn).args(...job.sources)
  // calls start in item order: items before `started` were called (for a failing run's stats)
  let started = start + 1
  const rest = runRest(
    ctx,
    start,
    n,
    job.state.pending as PromiseLike<unknown>,
    (i) => {
      const args = argsAt(i) // a value that fails its codec throws here: no call
      started = i + 1
      return call(pn, args, i, ctx, tally)
    },
    (i, e) => nodeError(pn, i, keys, e),
    (i, v) => {
      out[i] = checkResult(pn, v, i, keys)
      cached?.put(i, out[i])
      if (emit !== undefined && (++done % chunk === 0 || done === n - start)) {
        // chunks of completed items (async calls finish out of order)
        const t = now()
        const size = done % chunk === 0 ? chunk : done % chunk
        const from = start + done - size
        emit({ type: 'batch:start', node: name, start: from, size, executor })
        emit({ type: 'batch:end', node: name, start: from, size, ms: t - chunkStart, executor })
        chunkStart = t
      }
    },
    tally,
    pn.node.concurrency ?? Number.POSITIVE_INFINITY,
    collect === undefined && hits === undefined
      ? undefined
      : {
          skip,
          fail: (i, e) => {
            if (failedBeforeCall(e)) job.uncalled++
            failItem(ctx, name, i, e)
            out[i] = undefined
          },
        },
  )
  try {
    await rest
  } catch (e) {
    const made = started - start - flaggedIn(skipped, start, started) - flaggedIn(hits, start, started)
    tally.calls += made
    tally.items += made
    throw e
  }
  const served = flaggedIn(skipped, start, n) + flaggedIn(hits, start, n)
  tally.calls += n - start - served - job.uncalled
  tally.items += n - start - served
  return learnResults(pn, out)
}

/** Whether an item's error came before its call: a value that failed its `inputs` codec. */
const failedBeforeCall = (e: unknown): boolean => e instanceof ValidationError && e.param !== '(result)'

/**
 * Counts the calls and items of a synchronous range from `start` that failed with `e` at the
 * item it names: the items before it, and the item itself unless its value failed a codec
 * before the call (a result that failed `returns` was called).
 */
function countMade(
  tally: Tally,
  e: unknown,
  start: number,
  skipped: Uint8Array | undefined,
  hits: Uint8Array | undefined,
): void {
  const at = errorIndex(e)
  if (at === undefined || at < start) return
  const served = flaggedIn(skipped, start, at) + flaggedIn(hits, start, at)
  tally.calls += at - start - served + (failedBeforeCall(e) ? 0 : 1)
  tally.items += at - start - served + 1
}

/**
 * How many of items `from…to-1` are flagged: failed before the node began (collect mode), or
 * served by the cache.
 */
function flaggedIn(flags: Uint8Array | undefined, from: number, to: number): number {
  if (flags === undefined) return 0
  let count = 0
  for (let i = from; i < to; i++) count += flags[i] as number
  return count
}

/**
 * The rest of a node's calls once one returned a promise: call `first` (already called) settles
 * as `pending`; calls `first + 1 … end - 1` run on at most `concurrency` workers, each started
 * through the run's limiter, each taking the next call. One promise per worker rather than per
 * call keeps a 100,000-item async map out of the GC, and a worker awaits each call's own promise
 * (a rejection becomes `failAt`'s error). Per-item calls and batch calls share it.
 */
async function runRest(
  ctx: RunContext,
  first: number,
  end: number,
  pending: PromiseLike<unknown>,
  start: (k: number) => unknown,
  failAt: (k: number, e: unknown) => unknown,
  finish: (k: number, value: unknown) => void,
  busy: Tally | undefined,
  bound: number,
  collect?: { readonly skip: (k: number) => boolean; readonly fail: (k: number, e: unknown) => void },
): Promise<void> {
  const signal = runSignal(ctx)
  const limit = limiter(ctx)
  /** the value of call `k`'s promise; a rejection becomes the error `failAt` makes of it */
  const settled = async (k: number, r: PromiseLike<unknown>): Promise<unknown> => {
    try {
      return await r
    } catch (e) {
      throw failAt(k, e)
    }
  }
  /** one call from start to finish; in collect mode a failure is recorded, not thrown */
  const one = async (k: number, pending?: PromiseLike<unknown>): Promise<void> => {
    if (collect === undefined) {
      const r = pending ?? start(k)
      finish(k, isThenable(r) ? await settled(k, r) : r)
      return
    }
    if (pending === undefined && collect.skip(k)) return
    try {
      const r = pending ?? start(k)
      finish(k, isThenable(r) ? await settled(k, r) : r)
    } catch (e) {
      if (stopsRun(e)) throw e
      collect.fail(k, e)
    }
  }
  let next = first + 1
  let stopped = false
  // a worker is always inside some call: its busy time is the time spent in the node's
  // function, measured twice per worker rather than twice per call
  const timed = async (body: () => Promise<void>): Promise<void> => {
    const t0 = now()
    try {
      await body()
    } finally {
      if (busy !== undefined) busy.ms += now() - t0
    }
  }
  const work = async (): Promise<void> => {
    while (!stopped && next < end) {
      // an abort sets `stopped` at once (the raceAbort listener below): no per-call read of
      // `signal.aborted`, whose getter V8 recompiles after every run (its signal dies with it)
      const k = next++
      if (collect === undefined) {
        // the common case inline: the call's own promise is the only one
        const r = start(k)
        let v = r
        if (isThenable(r)) {
          try {
            v = await r
          } catch (e) {
            throw failAt(k, e)
          }
        }
        finish(k, v)
      } else await one(k)
    }
  }
  const workers = [
    limit(() =>
      timed(async () => {
        await one(first, pending)
        await work()
      }),
    ),
  ]
  // the executor's bound, and beneath it the node's own
  const count = Math.min(limit.concurrency, bound, end - first)
  for (let w = 1; w < count; w++) workers.push(limit(() => timed(work)))
  try {
    await raceAbort(Promise.all(workers), signal, () => {
      stopped = true
    })
  } catch (e) {
    stopped = true
    throw e
  }
}

/** Constant and reduce parameters, decoded once per node per run; a reduce gets a plain array. */
function decodeConstants(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  collect?: Collector,
): ReadonlyArray<unknown> {
  return pn.params.map((prm) => {
    const raw = slots[prm.slot]
    // a reduce sees only the items that have not failed (collect mode), in input order
    const v =
      prm.kind !== 'all'
        ? raw
        : collect?.any === true
          ? plainArray(raw as Column).filter((_, i) => collect.failed[i] === 0)
          : plainArray(raw as Column)
    if (prm.kind === 'item' || prm.codec === undefined) return v
    return decodeAt(prm.codec, v, { node: pn.node.name, param: prm.name, key: undefined, index: undefined })
  })
}

/**
 * A per-item node's run: a class and top-level functions rather than closures or object literals
 * made per run. V8 keeps optimized code per function, and a class keeps its objects' hidden class
 * for good, so the item loops are compiled once, not again after every run's objects are gone.
 */
class PerItemJob {
  readonly pn: PlanNode
  readonly ctx: RunContext
  readonly tally: Tally
  readonly out: Array<unknown>
  readonly slots: ReadonlyArray<unknown>
  /** items served from the cache */
  readonly hits: Uint8Array | undefined
  /** unchecked nodes: the generated loop's parameter sources */
  readonly sources: ReadonlyArray<unknown>
  /** checked nodes: constant and reduce parameters, decoded once */
  readonly decoded: ReadonlyArray<unknown>
  /** checked nodes: the record builder, and the values it builds from (reused item to item) */
  readonly record: Generated['record']
  readonly values: Array<unknown>
  /** where a loop leaves the promise it stopped at, or its error */
  readonly state: LoopState = { pending: undefined, error: undefined, failed: false }
  /** collect mode: items that failed their codec before a call, not yet taken off the calls */
  uncalled = 0
  constructor(
    pn: PlanNode,
    ctx: RunContext,
    tally: Tally,
    out: Array<unknown>,
    slots: ReadonlyArray<unknown>,
    hits: Uint8Array | undefined,
  ) {
    this.pn = pn
    this.ctx = ctx
    this.tally = tally
    this.out = out
    this.slots = slots
    this.hits = hits
    this.sources = pn.checked ? [] : pn.params.map((prm) => slots[prm.slot])
    this.decoded = pn.checked ? decodeConstants(pn, slots) : []
    this.record = generate(pn).record
    this.values = new Array<unknown>(pn.params.length)
  }
}

/**
 * Runs items `from…to-1` synchronously; returns where it stopped: `to`, or an item whose call
 * returned a promise (left in `job.state.pending`). A throw becomes a NodeError.
 */
function itemRange(job: PerItemJob, from: number, to: number): number {
  const { pn, out, state } = job
  if (pn.checked) {
    const { ctx, tally } = job
    for (let i = from; i < to; i++) {
      const r = call(pn, checkedArgsAt(job, i), i, ctx, tally)
      if (isThenable(r)) {
        state.pending = r
        return i
      }
      out[i] = checkResult(pn, r, i, ctx.keys)
    }
    return to
  }
  const stop = generate(pn).loop(pn.node.fn as (a: unknown) => unknown, out, to, from, state, ...job.sources)
  if (state.failed) {
    // collect mode calls the loop again after a failure: start it clean
    const error = state.error
    state.failed = false
    state.error = undefined
    throw nodeError(pn, stop, job.ctx.keys, error)
  }
  return stop
}

/** Whether item `i` has nothing to compute: failed upstream (collect mode) or found in the cache. */
const skips = (job: PerItemJob, i: number): boolean => job.ctx.collect?.failed[i] === 1 || job.hits?.[i] === 1

/** {@link itemRange} over the items not skipped; in collect mode, records the ones that fail. */
function skippingRange(job: PerItemJob, from: number, to: number): number {
  let i = from
  while (i < to) {
    if (skips(job, i)) {
      i++
      continue
    }
    let j = i + 1
    while (j < to && !skips(job, j)) j++
    try {
      const stop = itemRange(job, i, j)
      if (stop < j) return stop
      i = j
    } catch (e) {
      const at = errorIndex(e)
      if (at === undefined || at < i || at >= j) throw e
      if (failedBeforeCall(e)) job.uncalled++
      failItem(job.ctx, job.pn.node.name, at, e)
      job.out[at] = undefined
      i = at + 1
    }
  }
  return to
}

/** The parameter record of item `i` of a node with codecs: per-item parameters decoded per item. */
function checkedArgsAt(job: PerItemJob, i: number): Record<string, unknown> {
  const { pn, slots, decoded, values } = job
  const params = pn.params
  for (let j = 0; j < params.length; j++) {
    const prm = params[j] as PlanParam
    let v = decoded[j]
    if (prm.kind === 'item') {
      v = (slots[prm.slot] as ReadonlyArray<unknown>)[i]
      if (prm.codec !== undefined) {
        v = decodeItem(prm.codec, v, pn, prm.name, job.ctx.keys, i)
      }
    }
    values[j] = v
  }
  return job.record(values)
}

// --- batch forms ----------------------------------------------------------------------

const isNumberCodec = (c: unknown): boolean => primitiveOf(c) === 'number'

/** How many items batch `b` of a run of `n` items holds, in batches of `size`. */
const itemsIn = (n: number, size: number, b: number): number => Math.min(n, (b + 1) * size) - b * size

/** One node's batch form over the batches of a run (a class, as {@link PerItemJob} is). */
class BatchJob {
  readonly pn: PlanNode
  readonly slots: ReadonlyArray<unknown>
  readonly ctx: RunContext
  readonly size: number
  readonly tally: Tally
  /** the fused segment the node runs in, whose batches feed its parameters */
  readonly segment: Segment | undefined
  /** constant and reduce parameters, decoded once, at the first batch call */
  constants: ReadonlyArray<unknown> | undefined = undefined
  /** when each batch call began, for the batch's time */
  readonly began: Float64Array
  /**
   * A batch finished when its call settled, before its node took its results (a later node's
   * call in a fused segment, in flight while the nodes before it finish): its time and its
   * `batch:end` are the call's, and its node takes its checked results, or its error, later.
   */
  early: { readonly b: number; readonly column: Column } | { readonly b: number; readonly error: unknown } | undefined =
    undefined
  /** the column record builder (see {@link Generated.record}), and its values */
  readonly record: Generated['record']
  readonly values: Array<unknown>
  constructor(
    pn: PlanNode,
    slots: ReadonlyArray<unknown>,
    ctx: RunContext,
    size: number,
    tally: Tally,
    segment: Segment | undefined,
  ) {
    this.pn = pn
    this.slots = slots
    this.ctx = ctx
    this.size = size
    this.tally = tally
    this.segment = segment
    this.began = new Float64Array(Math.ceil(ctx.n / size))
    this.record = generate(pn).record
    this.values = new Array<unknown>(pn.params.length)
  }
}

/**
 * Calls the batch form on batch `b`: its results, or a promise of them. Columns of numbers
 * checked by `t.number` travel as Float64Arrays (views, not copies, when they already are);
 * other columns are plain arrays; constants repeat.
 */
function callBatch(job: BatchJob, b: number): unknown {
  const { pn, ctx, size } = job
  const keys = ctx.keys
  const start = b * size
  const length = itemsIn(ctx.n, size, b)
  const params = pn.params
  const values = job.values
  for (let j = 0; j < params.length; j++) {
    const prm = params[j] as PlanParam
    if (prm.kind === 'item') {
      const chunk = job.segment === undefined ? undefined : segmentChunk(job.segment, prm.slot, b)
      const source = chunk ?? (job.slots[prm.slot] as Column)
      const from = chunk === undefined ? start : 0
      values[j] = itemColumn(pn, prm.name, prm.codec, source, from, length, start, keys)
    } else values[j] = repeat((job.constants ??= decodeConstants(pn, job.slots))[j], length, prm.codec)
  }
  const columns = job.record(values)
  ctx.emit?.({ type: 'batch:start', node: pn.node.name, start, size: length, executor: ctx.executor })
  job.tally.calls++
  job.began[b] = now()
  const indices = pn.node.usesContext ? Array.from({ length }, (_, j) => start + j) : undefined
  if (job.segment !== undefined) job.segment.invoked = true
  return invokeBatch(pn, ctx, job.tally, columns, start, length, indices)
}

/**
 * Calls a node's batch form on `columns`, through retry/timeout/ctx when the node has them;
 * `indices` (the batch's items) only for a node that takes `ctx`. A throw becomes a NodeError
 * naming the batch's first item, `first`.
 */
function invokeBatch(
  pn: PlanNode,
  ctx: RunContext,
  tally: Tally,
  columns: unknown,
  first: number,
  size: number,
  indices: ReadonlyArray<number> | undefined,
): unknown {
  const batch = pn.node.batch as (columns: unknown, ctx?: unknown) => unknown
  const keys = ctx.keys
  try {
    if (!pn.guarded) return batch(columns)
    const batchKeys = indices?.map((i) => keyAt(keys, i))
    return attempts(pn, ctx, tally, keyAt(keys, first), first, (attempt, signal) =>
      indices === undefined ? batch(columns) : batch(columns, { signal, keys: batchKeys, indices, attempt }),
    )
  } catch (e) {
    throw nodeError(pn, first, keys, e, size)
  }
}

/** Checks batch `b`'s results (one per item, each by `returns`) and reports the batch. */
function finishBatch(job: BatchJob, b: number, r: unknown): Column {
  const early = job.early
  if (early !== undefined && early.b === b) {
    job.early = undefined
    if ('error' in early) throw early.error
    return early.column
  }
  const { pn, ctx, size } = job
  const ms = now() - (job.began[b] as number)
  const start = b * size
  const length = itemsIn(ctx.n, size, b)
  const column = batchResults(pn, r, start, length, ctx.keys)
  job.tally.ms += ms
  job.tally.items += length
  ctx.emit?.({ type: 'batch:end', node: pn.node.name, start, size: length, ms, executor: ctx.executor })
  return column
}

/**
 * Runs batches `from … count - 1` of a node, in order while its calls are synchronous, on the
 * run's worker pool from the first that returns a promise (`pending`: batch `from`, already
 * called). Each batch's checked results go to `sink`.
 */
async function driveBatches(
  job: BatchJob,
  from: number,
  pending: PromiseLike<unknown> | undefined,
  sink: (b: number, column: Column) => void,
): Promise<void> {
  const { pn, ctx, size } = job
  const count = Math.ceil(ctx.n / size)
  for (let b = from; b < count; b++) {
    const r = b === from && pending !== undefined ? pending : callBatch(job, b)
    if (isThenable(r)) {
      // batch calls are timed one by one (in finishBatch), so the pool does not time its workers
      await runRest(
        ctx,
        b,
        count,
        r,
        (k) => callBatch(job, k),
        (k, e) => nodeError(pn, k * size, ctx.keys, e, itemsIn(ctx.n, size, k)),
        (k, v) => sink(k, finishBatch(job, k, v)),
        undefined,
        pn.node.concurrency ?? Number.POSITIVE_INFINITY,
      )
      return
    }
    sink(b, finishBatch(job, b, r))
  }
}

/** A node's `batch` form, once per batch of at most `size` items; results one per item, in order. */
async function runBatched(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  ctx: RunContext,
  size: number,
  tally: Tally,
): Promise<Column> {
  const chunks = new Array<Column>(Math.ceil(ctx.n / size))
  await driveBatches(new BatchJob(pn, slots, ctx, size, tally, undefined), 0, undefined, (b, c) => {
    chunks[b] = c
  })
  return concatColumns(chunks, ctx.n)
}

/**
 * A fused segment: consecutive per-item nodes with batch forms that run batch by batch together
 * (batch 0 of each node in plan order, then batch 1, …), so a batch's columns go from one node to
 * the next while they are still in the CPU's cache, and no whole intermediate column is built.
 */
class Segment {
  readonly nodes: ReadonlyArray<PlanNode>
  /** what each node's output is for after the segment */
  readonly uses: ReadonlyArray<Use>
  readonly jobs: Array<BatchJob> = []
  /** a node's position in the segment, by its output slot */
  readonly position: ReadonlyMap<number, number>
  /** `Use.result` outputs, as plain arrays written batch by batch */
  readonly outs: Array<Array<unknown> | undefined>
  /** `Use.later` outputs, batch by batch, joined at the end */
  readonly chunks: Array<Array<Column> | undefined>
  /** each node's latest batch, while the segment runs fused */
  readonly current: Array<Column | undefined>
  /** every batch of each node, once the segment goes node by node */
  kept: Array<Array<Column>> | undefined = undefined
  /** the node and batch of the latest call while fused (for the order of errors) */
  atNode = 0
  atBatch = 0
  /** per node, whether every batch it finished gave a Float64Array (undefined before the first) */
  readonly typed: Array<boolean | undefined> = []
  /** whether that call was made (its columns decoded), and what it returned if it did */
  invoked = false
  returned: { readonly r: unknown } | undefined = undefined
  constructor(nodes: ReadonlyArray<PlanNode>, uses: ReadonlyArray<Use>) {
    this.nodes = nodes
    this.uses = uses
    this.position = new Map(nodes.map((pn, k) => [pn.slot, k]))
    this.outs = new Array<Array<unknown> | undefined>(nodes.length)
    this.chunks = new Array<Array<Column> | undefined>(nodes.length)
    this.current = new Array<Column | undefined>(nodes.length)
  }
}

/** Batch `b` of the segment's node that outputs `slot`, if one does. */
function segmentChunk(s: Segment, slot: number, b: number): Column | undefined {
  const k = s.position.get(slot)
  if (k === undefined) return undefined
  return s.kept === undefined ? s.current[k] : (s.kept[k] as Array<Column>)[b]
}

/** Takes batch `b` of node `k`: keeps it for the nodes downstream and for what reads it later. */
function segmentSink(s: Segment, k: number, b: number, column: Column, n: number, size: number): void {
  if (s.kept !== undefined) (s.kept[k] as Array<Column>)[b] = column
  else s.current[k] = column
  if (s.typed[k] !== false) s.typed[k] = column instanceof Float64Array
  const use = s.uses[k]
  if (use === Use.later) {
    ;(s.chunks[k] ??= new Array<Column>(Math.ceil(n / size)))[b] = column
  } else if (use === Use.result) {
    // numbers fill a plain array of doubles; anything else a plain array of values
    const out = (s.outs[k] ??= plainColumn(n, column instanceof Float64Array))
    if (column instanceof Float64Array) putNumbers(out, column, b * size)
    else putValues(out, column, b * size)
  }
}

/**
 * Runs the segment fused, checking for an abort before every call; returns the first call that
 * returned a promise, if one did.
 */
function runFused(
  s: Segment,
  ctx: RunContext,
  size: number,
): { readonly k: number; readonly b: number; readonly r: PromiseLike<unknown> } | undefined {
  const n = ctx.n
  const count = Math.ceil(n / size)
  const jobs = s.jobs
  for (let b = 0; b < count; b++) {
    for (let k = 0; k < jobs.length; k++) {
      checkAborted(ctx)
      const job = jobs[k] as BatchJob
      s.atNode = k
      s.atBatch = b
      s.invoked = false
      s.returned = undefined
      const r = callBatch(job, b)
      if (isThenable(r)) return { k, b, r }
      s.returned = { r }
      segmentSink(s, k, b, finishBatch(job, b, r), n, size)
    }
  }
  return undefined
}

/**
 * Leaves fused running after node `k`'s batch `b`: nodes up to `k` have done batch `b`, the
 * others have not. From here every batch of every node is kept, for the nodes downstream.
 */
function keepBatches(s: Segment, k: number, b: number, count: number): void {
  const kept = s.nodes.map(() => new Array<Column>(count))
  for (let j = 0; j <= k; j++) (kept[j] as Array<Column>)[b] = s.current[j] as Column
  s.kept = kept
}

/**
 * Runs a fused segment. Outputs are kept as {@link Use} says. When a call returns a promise, the
 * segment goes on node by node from there, each node's remaining batches on the worker pool; the
 * call stays in flight while the nodes before its node finish, and then joins its node's pool
 * (so a model after a cheap step waits one call, not two). A failure while
 * fused is reported as running node by node would report it: the nodes before the failing one
 * first run the rest of their batches, and the first of them to fail is the error.
 */
async function runSegment(
  nodes: ReadonlyArray<PlanNode>,
  slots: Array<unknown>,
  ctx: RunContext,
  size: number,
  tallies: ReadonlyArray<Tally>,
  uses: ReadonlyArray<Use>,
): Promise<void> {
  const n = ctx.n
  const count = Math.ceil(n / size)
  const s = new Segment(nodes, uses)
  nodes.forEach((pn, k) => s.jobs.push(new BatchJob(pn, slots, ctx, size, tallies[k] as Tally, s)))
  const rest = async (j: number, from: number): Promise<void> => {
    checkAborted(ctx)
    await driveBatches(s.jobs[j] as BatchJob, from, undefined, (b, column) => segmentSink(s, j, b, column, n, size))
  }
  let fused = true
  try {
    const stop = runFused(s, ctx, size)
    if (stop !== undefined && ctx.collect !== undefined) {
      // collect mode goes on over index lists; a later node's call settles first
      const { k, b, r } = stop
      const began = (s.jobs[k] as BatchJob).began[b] as number
      fused = false
      let head: Head = { r, began }
      if (k > 0) {
        try {
          head = { r: await raceAbort(Promise.resolve(r), runSignal(ctx)), began, ms: now() - began }
        } catch (e) {
          if (stopsRun(e)) throw e
          head = { error: nodeError(s.nodes[k] as PlanNode, b * size, ctx.keys, e, itemsIn(n, size, b)) }
        }
      }
      await collectRest(s, slots, ctx, size, tallies, k, b, head)
      return
    }
    if (stop !== undefined) {
      // node k's call is in flight: the nodes before it run the rest of their batches meanwhile
      // (as running node by node would, so a failure of theirs is the run's error), then node k's
      // other batches join the call on the worker pool, then the nodes after it go on
      const { k, b, r } = stop
      const job = s.jobs[k] as BatchJob
      // its batch finishes as it settles (time, checks, `batch:end`); its node takes it later
      const pending = Promise.resolve(r).then((v) => {
        try {
          job.early = { b, column: finishBatch(job, b, v) }
        } catch (error) {
          job.early = { b, error }
        }
        return v
      })
      // the call holds a place on the run's pool until it settles or the pool takes it over, so
      // that no more than `concurrency` calls are in flight while the nodes before it go async;
      // and its rejection is handled even if one of theirs ends the run first
      const quiet = (): void => undefined
      const settled = pending.then(quiet, quiet)
      let handOver = quiet
      const handedOver = new Promise<void>((resolve) => {
        handOver = resolve
      })
      const limit = limiter(ctx)
      void limit(() => Promise.race([settled, handedOver]))
      // with room for one call only, a call of an earlier node would be a second: settle first
      if (k > 0 && limit.concurrency < 2) await raceAbort(settled, runSignal(ctx))
      keepBatches(s, k - 1, b, count)
      fused = false
      for (let j = 0; j < k; j++) await rest(j, b + 1)
      handOver()
      await driveBatches(job, b, pending, (i, column) => segmentSink(s, k, i, column, n, size))
      for (let j = k + 1; j < nodes.length; j++) await rest(j, b)
    }
  } catch (e) {
    const k = s.atNode
    if (fused && ctx.collect !== undefined && !stopsRun(e)) {
      // the first failure in collect mode: from here, index lists; the call that failed (or
      // whose results did) is not made again
      fused = false
      const began = (s.jobs[k] as BatchJob).began[s.atBatch] as number
      const head =
        s.returned !== undefined
          ? { r: s.returned.r, began, ms: now() - began }
          : s.invoked
            ? { error: e }
            : undefined
      await collectRest(s, slots, ctx, size, tallies, k, s.atBatch, head)
      return
    }
    if (!fused || k === 0 || e instanceof AbortError || e instanceof ListenerError) throw e
    // the nodes before k have done batch atBatch: their later batches would have run first
    if (s.kept === undefined) keepBatches(s, k - 1, s.atBatch, count)
    for (let j = 0; j < k; j++) await rest(j, s.atBatch + 1)
    throw e
  }
  nodes.forEach((pn, k) => {
    const use = uses[k]
    slots[pn.slot] =
      use === Use.result ? (s.outs[k] ?? []) : use === Use.later ? concatColumns(s.chunks[k] ?? [], n) : undefined
  })
}

/**
 * Collect mode, from the fused run's first failure or first promise, at node k's batch b: each
 * node of the segment goes on alone over index lists (as it would unfused) from the first item
 * the fused run did not finish for it, those before served from the fused run's results. Node
 * k's batch b is the call already made (`head`, if it was), never made again.
 */
async function collectRest(
  s: Segment,
  slots: Array<unknown>,
  ctx: RunContext,
  size: number,
  tallies: ReadonlyArray<Tally>,
  k: number,
  b: number,
  head: Head | undefined,
): Promise<void> {
  for (let j = 0; j < s.nodes.length; j++) {
    const pn = s.nodes[j] as PlanNode
    const from = Math.min(ctx.n, (j < k ? b + 1 : b) * size)
    const done = finishedBy(s, j, from, size, ctx.n)
    slots[pn.slot] = await runBatchedSome(pn, slots, ctx, size, tallies[j] as Tally, done, j === k ? head : undefined)
  }
}

/** Node j's results for items 0 … from - 1, finished by the fused run, as a cache lookup. */
function finishedBy(s: Segment, j: number, from: number, size: number, n: number): Lookup {
  let values = s.outs[j]
  if (values === undefined) {
    // outputs used later are kept batch by batch; those used only inside the segment, just the
    // latest batch (the only one a node still to run may read)
    values = new Array<unknown>(n)
    const last = Math.ceil(from / size) - 1
    for (let c = 0; c <= last; c++) {
      const column = s.chunks[j]?.[c] ?? (c === last ? s.current[j] : undefined)
      if (column !== undefined) putValues(values, column, c * size)
    }
  }
  return {
    keys: [],
    hits: new Uint8Array(n).fill(1, 0, from),
    values,
    count: from,
    put: () => undefined,
    // the node's batches so far all came back typed: its next batch form's column stays typed
    numbers: s.typed[j] !== false,
  }
}

// two copies of one loop on purpose: each stays monomorphic in its column's type
function putNumbers(out: Array<unknown>, column: Float64Array, at: number): void {
  for (let i = 0; i < column.length; i++) out[at + i] = column[i]
}

function putValues(out: Array<unknown>, column: ArrayLike<unknown>, at: number): void {
  for (let i = 0; i < column.length; i++) out[at + i] = column[i]
}

/**
 * Batch forms over some of the items: in collect mode and with a cache. Batches are formed from
 * the items to compute (not failed upstream, not found in the cache); in collect mode a value
 * that fails its codec drops its own item from the batch, a batch call that still fails after
 * its retries is split in halves, each called in turn, until the items that fail are alone in
 * theirs (so the items that fail are the ones LocalExecutor's per-item calls would fail, when
 * the batch form agrees with `fn`), a batch form that returns the wrong number of results fails
 * every item of its batch, and a result that fails `returns` fails its item (in fail mode each
 * of these rejects the run).
 */
async function runBatchedSome(
  pn: PlanNode,
  slots: ReadonlyArray<unknown>,
  ctx: RunContext,
  size: number,
  tally: Tally,
  cached: Lookup | undefined,
  head?: Head,
): Promise<Column> {
  const { n, keys, emit, executor, collect } = ctx
  const name = pn.node.name
  // results land in a Float64Array while every batch gives one that needs no check (no cache:
  // a cached value can be anything, unless the lookup says its values are numbers), else in a
  // plain array. Failed items hold `undefined` in the end (a cache's keys hash every item of an
  // uncached node's output, failed ones included)
  const typedHits = cached?.numbers === true
  let out: Column | undefined =
    cached === undefined ? undefined : typedHits ? new Float64Array(n) : plainColumn(n, false)
  const plainOut = (): Array<unknown> => {
    if (out === undefined) out = plainColumn(n, false)
    else if (out instanceof Float64Array) out = plainArray(out)
    return out
  }
  // batches hold only the items to compute: not failed upstream, not found in the cache
  const indices = new Int32Array(n)
  let count = 0
  if (cached === undefined && collect?.any !== true) {
    for (; count < n; count++) indices[count] = count
  } else {
    for (let i = 0; i < n; i++) {
      if (cached?.hits[i] === 1) (out as Column)[i] = cached.values[i]
      else if (collect === undefined || collect.failed[i] === 0) indices[count++] = i
    }
  }
  const alive = indices.subarray(0, count)
  // in collect mode every item still alive is processed here, as by per-item calls: computed,
  // or failed here (in fail mode a failure ends the run: items count as their batches finish)
  if (collect !== undefined) tally.items += count
  const batches: Array<Members> = []
  for (let s = 0; s < alive.length; s += size) batches.push(alive.subarray(s, s + size))
  const constants = decodeConstants(pn, slots, collect)
  // grows as failing batches are split
  const began: Array<number> = []
  /** the batch's columns; an item whose value fails its codec leaves the batch */
  const columnsOf = (b: number): Record<string, unknown> => {
    const members = batches[b] as Members
    const columns: Record<string, unknown> = {}
    const failures = collect?.failures.length
    pn.params.forEach((prm, j) => {
      if (prm.kind !== 'item') {
        defineValue(columns, prm.name, repeat(constants[j], members.length, prm.codec))
        return
      }
      defineValue(columns, prm.name, gatherColumn(pn, prm, slots[prm.slot] as Column, members, ctx))
    })
    if (collect !== undefined && collect.failures.length !== failures) {
      batches[b] = members.filter((i) => collect.failed[i] === 0)
      return columnsOf(b) // rebuild without the items that failed their codecs
    }
    return columns
  }
  const call = (b: number): unknown => {
    const columns = columnsOf(b)
    const members = batches[b] as Members
    if (members.length === 0) return []
    const first = members[0] as number
    emit?.({ type: 'batch:start', node: name, start: first, size: members.length, executor })
    tally.calls++
    began[b] = now()
    return invokeBatch(pn, ctx, tally, columns, first, members.length, pn.node.usesContext ? Array.from(members) : undefined)
  }
  const finish = (b: number, r: unknown): void => {
    const members = batches[b] as Members
    if (members.length === 0) return
    const first = members[0] as number
    const ms = now() - (began[b] as number)
    let results: ArrayLike<unknown>
    try {
      results = batchLength(pn, r, first, members.length, keys, members)
    } catch (e) {
      // the batch form's own mistake, not an item's: no half would do better
      failMembers(members, e)
      return
    }
    const codec = pn.node.returns
    if (results instanceof Float64Array && (cached === undefined || typedHits) && (codec === undefined || isNumberCodec(codec))) {
      // numbers that need no check, as in the contiguous path
      if (out === undefined) out = new Float64Array(n)
      const o = out
      const consecutive = (members[members.length - 1] as number) - first === members.length - 1
      if (consecutive && o instanceof Float64Array) o.set(results, first)
      else for (let m = 0; m < members.length; m++) o[members[m] as number] = results[m] as number
    } else {
      const o = plainOut()
      for (let m = 0; m < members.length; m++) {
        const i = members[m] as number
        try {
          o[i] = checkResult(pn, results[m], i, keys)
          cached?.put(i, o[i])
        } catch (e) {
          failItem(ctx, name, i, e)
        }
      }
    }
    tally.ms += ms
    if (collect === undefined) tally.items += members.length
    emit?.({ type: 'batch:end', node: name, start: first, size: members.length, ms, executor })
  }
  const failMembers = (members: Members, e: unknown): void => {
    const error = isDagflowError(e) ? e : nodeError(pn, members[0], keys, e, members.length)
    for (const i of members) failItem(ctx, name, i, error)
  }
  /**
   * A batch call that fails (after its retries): its halves are called later, until an item that
   * fails is alone in its batch, whose error it gets
   */
  const failBatch = (b: number, e: unknown): void => {
    const members = batches[b] as Members
    if (collect === undefined || members.length < 2) failMembers(members, e)
    else {
      const half = members.length >> 1
      batches.push(members.subarray(0, half), members.subarray(half))
    }
  }
  for (let b = 0; b < batches.length; b++) {
    let r: unknown
    if (b === 0 && head !== undefined) {
      // the call a fused run made for this batch
      if ('error' in head) {
        failBatch(0, head.error)
        continue
      }
      began[0] = head.ms === undefined ? head.began : now() - head.ms
      r = head.r
    } else {
      try {
        r = call(b)
      } catch (e) {
        if (stopsRun(e)) throw e
        failBatch(b, e)
        continue
      }
    }
    if (isThenable(r)) {
      // the batches there are now on the worker pool; halves of those that fail come after
      const end = batches.length
      await runRest(
        ctx,
        b,
        end,
        r,
        call,
        (k, e) => nodeError(pn, (batches[k] as Members)[0], keys, e, (batches[k] as Members).length),
        finish,
        undefined,
        pn.node.concurrency ?? Number.POSITIVE_INFINITY,
        { skip: () => false, fail: failBatch },
      )
      b = end - 1
      continue
    }
    try {
      finish(b, r)
    } catch (e) {
      if (stopsRun(e)) throw e
      failMembers(batches[b] as Members, e)
    }
  }
  if (out instanceof Float64Array && collect?.any === true) {
    const numbers = out
    out = plainArray(numbers)
    for (let i = 0; i < n; i++) if (collect.failed[i] === 1) out[i] = undefined
  }
  return out ?? plainOut()
}

/**
 * A batch call a fused run already made, handed to {@link runBatchedSome} as its first batch:
 * what it returned (`ms`: its time, when it settled before it was taken), or its error.
 */
type Head =
  | { readonly r: unknown; readonly began: number; readonly ms?: number }
  | { readonly error: unknown }

/**
 * The column of a per-item parameter for `length` items, read from `source` at `from` (a whole
 * column, or one batch of an upstream node), decoded by its codec; `first` is the index of the
 * batch's first item, for errors. A plain column of numbers checked by `t.number` becomes a
 * Float64Array of its own, whose `buffer` holds just this batch: a batch form may transfer it to
 * a worker or hand it to WebAssembly. (One buffer for the whole map, a view per batch, saved
 * about 7% on a chain of cheap arithmetic, and broke both.)
 */
function itemColumn(
  pn: PlanNode,
  param: string,
  codec: t.Mixed | undefined,
  source: Column,
  from: number,
  length: number,
  first: number,
  keys: Keys,
): Column {
  const end = from + length
  if (source instanceof Float64Array && (codec === undefined || isNumberCodec(codec))) {
    return from === 0 && length === source.length ? source : source.subarray(from, end)
  }
  if (codec === undefined) return source.slice(from, end) as Column
  // numbers checked by t.number move into a Float64Array in the same pass
  const out: Column = isNumberCodec(codec) ? new Float64Array(length) : new Array<unknown>(length)
  for (let j = 0; j < length; j++) out[j] = decodeItem(codec, source[from + j], pn, param, keys, first + j)
  return out
}

/**
 * The column of a per-item parameter for the items `members` (index lists: collect mode, cache),
 * decoded by its codec, in the same forms as {@link itemColumn}: numbers checked by `t.number`
 * (or already in a Float64Array) as a Float64Array. A value that fails its codec fails its item.
 */
function gatherColumn(
  pn: PlanNode,
  prm: PlanParam,
  source: Column,
  members: Members,
  ctx: RunContext,
): Column {
  const name = pn.node.name
  const codec = prm.codec
  const length = members.length
  const first = members[0] as number
  if (length > 0 && (members[length - 1] as number) - first === length - 1) {
    // consecutive items (the usual case): a view or one pass, as for contiguous batches
    try {
      return itemColumn(pn, prm.name, codec, source, first, length, first, ctx.keys)
    } catch {
      // a value failed its codec: item by item below, so that only its item fails
    }
  }
  const numbers = codec === undefined ? source instanceof Float64Array : isNumberCodec(codec)
  const out: Column = numbers ? new Float64Array(members.length) : new Array<unknown>(members.length)
  for (let m = 0; m < members.length; m++) {
    const i = members[m] as number
    const v = source[i]
    try {
      out[m] = codec === undefined ? v : decodeItem(codec, v, pn, prm.name, ctx.keys, i)
    } catch (e) {
      failItem(ctx, name, i, e)
    }
  }
  return out
}

/** A constant as a column: the same value `length` times. */
function repeat(value: unknown, length: number, codec: t.Mixed | undefined): Column {
  if (typeof value === 'number' && isNumberCodec(codec)) return new Float64Array(length).fill(value)
  return new Array<unknown>(length).fill(value)
}

/**
 * A batch call's results, or a NodeError naming the batch's first key when there is not one
 * result per item.
 */
function batchLength(
  pn: PlanNode,
  r: unknown,
  first: number,
  length: number,
  keys: Keys,
  members: Members | undefined,
): ArrayLike<unknown> {
  const arrayLike =
    typeof r === 'object' && r !== null && typeof (r as { length?: unknown }).length === 'number'
  if (arrayLike && (r as ArrayLike<unknown>).length === length) return r as ArrayLike<unknown>
  const count = arrayLike ? (r as ArrayLike<unknown>).length : 0
  // a bare value is not a count: "the number 2, not an array of results"
  const got = arrayLike
    ? `${count} result${count === 1 ? '' : 's'}`
    : `${['number', 'string', 'boolean', 'bigint'].includes(typeof r) ? `the ${typeof r} ` : ''}${describeValue(r)}, not an array of results,`
  const which =
    members === undefined
      ? `${first}–${first + length - 1}`
      : members.length > 8
        ? `${members.subarray(0, 8).join(', ')}, …`
        : members.join(', ')
  throw nodeError(
    pn,
    first,
    keys,
    new Error(
      `it returned ${got} for items ${which}; a batch form must return one result per item, in order`,
    ),
    length,
  )
}

/** Checks a batch call's results: one per item, each decoded by `returns`. */
function batchResults(pn: PlanNode, r: unknown, start: number, length: number, keys: Keys): Column {
  const results = batchLength(pn, r, start, length, keys, undefined)
  const codec = pn.node.returns
  if (results instanceof Float64Array && (codec === undefined || isNumberCodec(codec))) return results
  if (codec === undefined) return Array.isArray(results) ? results : Array.from(results)
  if (isNumberCodec(codec)) {
    const out = new Float64Array(length)
    for (let i = 0; i < length; i++) {
      const v = results[i]
      out[i] = typeof v === 'number' ? v : (checkResult(pn, v, start + i, keys) as number)
    }
    return out
  }
  const out = new Array<unknown>(length)
  for (let i = 0; i < length; i++) out[i] = checkResult(pn, results[i], start + i, keys)
  return out
}

/** Joins batch results into one column: a Float64Array if every batch gave one. */
function concatColumns(chunks: ReadonlyArray<Column>, n: number): Column {
  if (chunks.length === 1) return chunks[0] as Column
  if (chunks.every((c) => c instanceof Float64Array)) {
    const out = new Float64Array(n)
    let at = 0
    for (const c of chunks as ReadonlyArray<Float64Array>) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
  const out = new Array<unknown>(n)
  let at = 0
  for (const c of chunks) for (let i = 0; i < c.length; i++) out[at++] = c[i]
  return out
}

// --- hidden classes kept alive -------------------------------------------------------------

/**
 * V8 keeps a hidden class (map) only while some object has it, and optimized code holds maps
 * weakly. When every record of a run (its context, tallies, job records, segments) is gone, a
 * full GC drops their maps; the functions optimized for them are thrown away, and the next run
 * builds new maps and compiles them again (traced with --trace-deopt-verbose: "weak objects",
 * every round). On the numeric chain of the Arrow benchmark that was about 30% more CPU time for
 * Arrow and for LocalExecutor's checked path. One small record of each kind, made here through
 * the same constructors, keeps the maps for the life of the module. It takes both halves: the
 * records' fields also keep one representation from the start (`batchSize` is always a number,
 * a tally's `ms` starts as a double), since a field that changes representation replaces its map.
 */
const shapes: ReadonlyArray<object> = (() => {
  const pn: PlanNode = { node: {} as AnyNode, perItem: true, slot: 0, params: [], checked: true, guarded: false }
  const ctx = runContext(new AbortController().signal, undefined, 0, 1, 1, 'arrow', undefined, collector(0))
  const segment = new Segment([pn], [Use.result])
  return [
    ctx,
    new PerItemJob(pn, ctx, newTally(), [], [], undefined),
    segment,
    new BatchJob(pn, [], ctx, 1, newTally(), segment),
  ]
})()
// Held by `evaluate`, which lives as long as any executor does: a module-level binding that
// nothing reads is not enough, since a bundler may make it a local of the module's body (tsup
// did), and then nothing keeps the records.
Object.defineProperty(evaluate, 'shapes', { value: shapes })
