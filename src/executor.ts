/**
 * The `Executor` interface that `LocalExecutor` and `ArrowBatchExecutor` implement: the same
 * pipeline value, interpreted item by item or in batches, with the same results.
 *
 * @since 0.1.0
 */
import type { Either } from 'fp-ts/lib/Either.js'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import { toDagflowError, type AnyDagflowError } from './errors.js'
import type { CacheStore } from './cache.js'
import type { DagflowEvent, RunStats } from './events.js'
import type { AnyNode } from './node.js'
import type {
  AxisOf,
  MapInputs,
  MapOutputs,
  Pipeline,
  RunInputs,
  RunOutputs,
} from './pipeline.js'
import type { Key } from './plan.js'
import type { DagflowTypeError } from './type-utils.js'

export type { Key } from './plan.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of `run` and `map`.
 *
 * @typeParam Os - the outputs to compute and return
 * @category executors
 * @since 0.1.0
 */
export interface RunOptions<Os extends string = string> {
  /** compute and return only these outputs, and only what they need */
  readonly outputs?: ReadonlyArray<Os>
  /** cancels the run: it rejects with an `AbortError` */
  readonly signal?: AbortSignal
  /** receives the run's events (see {@link DagflowEvent}); a listener that throws stops the run */
  readonly onEvent?: (event: DagflowEvent) => void
  /**
   * `map` only. `'fail'` (default) rejects on the first failure. `'collect'` resolves: each
   * failed item is dropped from every output and listed in `result.errors`; a once-only node
   * that fails still rejects. `run` always rejects.
   */
  readonly onError?: 'fail' | 'collect'
  /**
   * a store for per-item results (`memoryCache()`): every node is cached unless it says
   * `cache: false`; a change to a node's code, codecs, `version` or inputs misses
   */
  readonly cache?: CacheStore
}

/**
 * What `map` resolves to.
 *
 * @typeParam O - the record of outputs
 * @category executors
 * @since 0.1.0
 */
export interface MapResult<O> {
  /** every output: a per-item output as an array in input order, a once-only output as its value */
  readonly outputs: O
  /** the items' keys (`keyAttr` values, else indices), in input order */
  readonly keys: ReadonlyArray<Key>
  /** which executor ran */
  readonly executor: 'local' | 'arrow'
  /**
   * wall time and per-node calls, items and time (not enumerable, so results of the two
   * executors still deep-equal)
   */
  readonly stats: RunStats
  /** with `onError: 'collect'`: the failed items, in input order (absent otherwise) */
  readonly errors?: ReadonlyArray<ItemFailure>
}

/**
 * A failed item of a `map` with `onError: 'collect'`.
 *
 * @category executors
 * @since 0.4.0
 */
export interface ItemFailure {
  readonly key: Key
  readonly index: number
  /** the node it failed in */
  readonly node: string
  readonly error: AnyDagflowError
}

/**
 * The `map` check: a pipeline without a map axis cannot be mapped.
 *
 * @category executors
 * @since 0.1.0
 */
export type MappablePipeline<N extends AnyNode> = [AxisOf<N>] extends [never]
  ? DagflowTypeError<'map() needs a node with mapAxis; use run() for a pipeline without one'>
  : unknown

/**
 * An interpreter of pipelines. `run` evaluates one item (per-item outputs unwrapped); `map`
 * evaluates many; `runTE`/`mapTE` are the same work as fp-ts `TaskEither`s.
 *
 * @category executors
 * @since 0.1.0
 */
export interface Executor {
  readonly name: 'local' | 'arrow'
  run<N extends AnyNode, B extends string, const Os extends N['output'] = N['output']>(
    p: Pipeline<N, B>,
    inputs: RunInputs<N, B, Os>,
    options?: RunOptions<Os>,
  ): Promise<RunOutputs<N, Os>>
  map<N extends AnyNode, B extends string, const Os extends N['output'] = N['output']>(
    p: Pipeline<N, B> & MappablePipeline<N>,
    inputs: MapInputs<N, B, Os>,
    options?: RunOptions<Os>,
  ): Promise<MapResult<MapOutputs<N, Os>>>
  runTE<N extends AnyNode, B extends string, const Os extends N['output'] = N['output']>(
    p: Pipeline<N, B>,
    inputs: RunInputs<N, B, Os>,
    options?: RunOptions<Os>,
  ): TaskEither<AnyDagflowError, RunOutputs<N, Os>>
  mapTE<N extends AnyNode, B extends string, const Os extends N['output'] = N['output']>(
    p: Pipeline<N, B> & MappablePipeline<N>,
    inputs: MapInputs<N, B, Os>,
    options?: RunOptions<Os>,
  ): TaskEither<AnyDagflowError, MapResult<MapOutputs<N, Os>>>
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** @internal the one TaskEither adapter: the same promise, its rejection as a Left */
export const toTaskEither =
  <A>(thunk: () => Promise<A>): TaskEither<AnyDagflowError, A> =>
  () =>
    thunk().then(
      (right): Either<AnyDagflowError, A> => ({ _tag: 'Right', right }),
      (e: unknown): Either<AnyDagflowError, A> => ({ _tag: 'Left', left: toDagflowError(e) }),
    )
