/**
 * `ArrowBatchExecutor`: the shared engine with batch forms on. Per-item nodes that declare a
 * `batch` form run it once per batch of at most `batchSize` items, over columns: numbers checked
 * by `t.number` travel as Float64Arrays (the memory layout of an Arrow Float64 vector, handed
 * over without copies), other values as plain arrays. Nodes without a batch form run per item,
 * exactly as in `LocalExecutor`, and values a per-item node reads as JS objects stay JS objects:
 * nothing is converted for nothing. `toArrow()` builds an Arrow table of the per-item outputs
 * when it is asked for.
 *
 * @since 0.2.0
 */
import type { Table } from 'apache-arrow'
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import {
  unstable_checkCount as checkCount,
  unstable_checkOptions as checkOptions,
  unstable_evaluate as evaluate,
  unstable_toTaskEither as toTaskEither,
  type AnyDagflowError,
  type AnyNode,
  type Executor,
  type MapInputs,
  type MapOutputs,
  type MappablePipeline,
  type MapResult,
  type Pipeline,
  type RunOptions,
  type UnstableEngineOptions,
} from 'dagflow'
import { toArrow, type OutputName, type ToArrowOptions } from './table.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link ArrowBatchExecutor}.
 *
 * @category executors
 * @since 0.2.0
 */
export interface ArrowBatchExecutorOptions {
  /** the most items a `batch` form receives in one call (default 1024) */
  readonly batchSize?: number
  /** the most node calls (per-item or batch) in flight at once, for async nodes (default 16) */
  readonly concurrency?: number
}

/**
 * A map result of the Arrow executor: a {@link MapResult} that can also turn its per-item
 * outputs into an Arrow table (`toArrow` is not enumerable, so results still deep-equal those of
 * `LocalExecutor`).
 *
 * @category executors
 * @since 0.2.0
 */
export interface ArrowMapResult<O> extends MapResult<O> {
  /** the per-item outputs as an Arrow table: `toArrow(result, options)` */
  toArrow(options?: ToArrowOptions<OutputName<O>>): Table
}

/**
 * Runs pipelines in batches: `batch` forms are called once per batch, everything else as in
 * `LocalExecutor`, with the same results (property-tested).
 *
 * @example
 * import * as t from 'io-ts'
 * import { node, pipeline } from 'dagflow'
 * import { ArrowBatchExecutor } from 'dagflow/arrow'
 * const scale = node(
 *   {
 *     output: 'y',
 *     mapAxis: 'x',
 *     inputs: { x: t.number, k: t.number },
 *     batch: ({ x, k }) => Float64Array.from(x, (v, i) => v * (k[i] as number)),
 *   },
 *   ({ x, k }) => x * k,
 * )
 * const arrow = new ArrowBatchExecutor({ batchSize: 2 })
 * const r = await arrow.map(pipeline(scale), { x: [1, 2, 3], k: 10 })
 * r.outputs.y // => [10, 20, 30]
 * r.executor // => 'arrow'
 * r.toArrow().numRows // => 3
 * @category executors
 * @since 0.2.0
 */
export class ArrowBatchExecutor implements Executor {
  readonly name = 'arrow' as const
  readonly batchSize: number
  readonly concurrency: number
  private readonly engine: UnstableEngineOptions

  constructor(options: ArrowBatchExecutorOptions = {}) {
    checkOptions('ArrowBatchExecutor', options, ['batchSize', 'concurrency'])
    this.batchSize = checkCount('ArrowBatchExecutor', 'batchSize', options.batchSize, 1024, false)
    this.concurrency = checkCount('ArrowBatchExecutor', 'concurrency', options.concurrency, 16, true)
    this.engine = { executor: 'arrow', concurrency: this.concurrency, batchSize: this.batchSize }
    Object.freeze(this)
  }

  run: Executor['run'] = (p, inputs, options) =>
    evaluate(p as never, inputs, options, 'run', this.engine).then((r) => r.outputs) as never

  map<N extends AnyNode, B extends string, const Os extends N['output'] = N['output']>(
    p: Pipeline<N, B> & MappablePipeline<N>,
    inputs: MapInputs<N, B, Os>,
    options?: RunOptions<Os>,
  ): Promise<ArrowMapResult<MapOutputs<N, Os>>> {
    return evaluate(p as never, inputs, options, 'map', this.engine).then((r) => {
      Object.defineProperty(r, 'toArrow', { value: (o?: ToArrowOptions) => toArrow(r, o) })
      return r as never
    })
  }

  runTE: Executor['runTE'] = (p, inputs, options) =>
    toTaskEither(() => this.run(p, inputs, options))

  mapTE<N extends AnyNode, B extends string, const Os extends N['output'] = N['output']>(
    p: Pipeline<N, B> & MappablePipeline<N>,
    inputs: MapInputs<N, B, Os>,
    options?: RunOptions<Os>,
  ): TaskEither<AnyDagflowError, ArrowMapResult<MapOutputs<N, Os>>> {
    return toTaskEither(() => this.map(p, inputs, options))
  }
}
