/**
 * `LocalExecutor` runs pipelines item by item in plain JavaScript: the shared engine with
 * batch forms off.
 *
 * @since 0.1.0
 */
import { toTaskEither, type Executor } from '../executor.js'
import { evaluate, type EngineOptions } from '../internal/engine.js'
import { checkConcurrency, checkCount, checkOptions } from '../internal/limit.js'

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
  /**
   * accepted and checked, but unused (the local executor has no batches), so that one options
   * object configures either executor
   */
  readonly batchSize?: number
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

  private readonly engine: EngineOptions

  constructor(options: LocalExecutorOptions = {}) {
    // batchSize is accepted (and checked) so that one options object configures either executor
    checkOptions('LocalExecutor', options, ['concurrency', 'batchSize'])
    checkCount('LocalExecutor', 'batchSize', options.batchSize, 1, false)
    this.concurrency = checkConcurrency('LocalExecutor', options.concurrency, 16)
    this.engine = { executor: 'local', concurrency: this.concurrency, batchSize: undefined }
    Object.freeze(this)
  }

  run: Executor['run'] = (p, inputs, options) =>
    evaluate(p as never, inputs, options, 'run', this.engine).then((r) => r.outputs) as never

  map: Executor['map'] = (p, inputs, options) =>
    evaluate(p as never, inputs, options, 'map', this.engine) as never

  runTE: Executor['runTE'] = (p, inputs, options) =>
    toTaskEither(() => this.run(p, inputs, options))

  mapTE: Executor['mapTE'] = (p, inputs, options) =>
    toTaskEither(() => this.map(p, inputs, options))
}
