/**
 * `createRunner` picks an executor by mode: `local`, `arrow` (loads `dagflow/arrow` lazily),
 * or `auto`, which uses Arrow for a `map` only when it pays: enough items, and a pipeline with
 * work that batches speed up (a `batch` form).
 *
 * @since 0.1.0
 */
import { ArrowUnavailableError, describeValue, GraphError } from './errors.js'
import { toTaskEither, type Executor, type RunOptions } from './executor.js'
import { LocalExecutor } from './executors/local.js'
import { checkConcurrency, checkCount, checkOptions } from './internal/limit.js'
import type { AnyNode } from './node.js'
import { isPipeline, type Pipeline } from './pipeline.js'
import { planOf } from './plan.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The smallest `map` that `auto` mode sends to the Arrow executor (when the pipeline has a
 * `batch` form). Measured by `npm run bench:arrow` on the numeric chain: Arrow takes about local's
 * time from 1 to 16 items (0.94–1.12× across runs), 0.9× at 32, 0.7× at 64 and 0.25–0.35×
 * from 1,000 items on; below the threshold, per-batch column building costs about what the batch
 * forms save (docs/performance.md).
 *
 * @example
 * import { createRunner, DEFAULT_AUTO_THRESHOLD } from 'dagflow'
 * createRunner({ mode: 'auto' }).threshold === DEFAULT_AUTO_THRESHOLD // => true
 * @category executors
 * @since 0.2.0
 */
export const DEFAULT_AUTO_THRESHOLD = 32

/**
 * Options of {@link createRunner}.
 *
 * @category executors
 * @since 0.1.0
 */
export interface RunnerOptions {
  /** `'local'` (default), `'arrow'`, or `'auto'` (Arrow for large maps with batch forms) */
  readonly mode?: 'local' | 'arrow' | 'auto'
  /** auto mode: the fewest items for Arrow (default {@link DEFAULT_AUTO_THRESHOLD}) */
  readonly threshold?: number
  /** the Arrow executor's batch size (default 1024) */
  readonly batchSize?: number
  /** the most node calls in flight at once, for async nodes (default 16) */
  readonly concurrency?: number
}

/**
 * An executor chosen by mode. `run` always runs locally (one item gains nothing from batches).
 *
 * @category executors
 * @since 0.2.0
 */
export interface Runner extends Omit<Executor, 'name'> {
  readonly mode: 'local' | 'arrow' | 'auto'
  readonly threshold: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An executor chosen by `mode`, configured once. `batchSize` and `concurrency` go to whichever
 * executor runs. `result.executor` says which one did.
 *
 * @example
 * import { createRunner, node, pipeline } from 'dagflow'
 * const runner = createRunner({ mode: 'local', concurrency: 4 })
 * const p = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1))
 * const r = await runner.map(p, { x: [1, 2] })
 * r.outputs.y // => [2, 3]
 * r.executor // => 'local'
 *
 * @example
 * import { createRunner, node, pipeline } from 'dagflow'
 * const double = node(
 *   { output: 'y', mapAxis: 'x', batch: ({ x }) => Array.from(x, (v) => v * 2) },
 *   ({ x }: { x: number }) => x * 2,
 * )
 * const auto = createRunner({ mode: 'auto', threshold: 3 })
 * const small = await auto.map(pipeline(double), { x: [1, 2] })
 * small.executor // => 'local'
 * const large = await auto.map(pipeline(double), { x: [1, 2, 3] })
 * large.executor // => 'arrow'
 * @category executors
 * @since 0.1.0
 */
export function createRunner(options: RunnerOptions = {}): Runner {
  checkOptions('createRunner', options, ['mode', 'threshold', 'batchSize', 'concurrency'])
  const mode: unknown = options.mode ?? 'local'
  if (mode !== 'local' && mode !== 'arrow' && mode !== 'auto') {
    throw new GraphError(
      `createRunner: mode must be 'local', 'arrow' or 'auto', got ${JSON.stringify(mode)}.`,
    )
  }
  const threshold = options.threshold ?? DEFAULT_AUTO_THRESHOLD
  if (typeof threshold !== 'number' || !(threshold >= 0)) {
    throw new GraphError(`createRunner: threshold must be a number ≥ 0, got ${describeValue(threshold)}.`)
  }
  const concurrency = checkConcurrency('createRunner', options.concurrency, 16)
  // checked now, though only the Arrow executor uses it, so a bad value fails here in every mode
  checkCount('createRunner', 'batchSize', options.batchSize, 1024, false)
  const local = new LocalExecutor({ concurrency })
  let arrow: Promise<Executor | undefined> | undefined
  const loadArrow = (): Promise<Executor | undefined> =>
    (arrow ??= importArrow().then(
      (m) =>
        new m.ArrowBatchExecutor({
          concurrency,
          ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        }),
      (e: unknown) => {
        if (!isArrowMissing(e)) throw e
        if (mode === 'arrow') throw new ArrowUnavailableError(e)
        if (!warnedArrowMissing) {
          warnedArrowMissing = true
          process.emitWarning(
            'dagflow: apache-arrow is not installed, so mode "auto" runs every map locally. Install it with `npm install apache-arrow`.',
            { code: 'DAGFLOW_ARROW_UNAVAILABLE' },
          )
        }
        return undefined
      },
    ))
  if (mode === 'arrow') void loadArrow().catch(() => undefined) // start loading; errors surface on use

  const pick = async (p: unknown, inputs: unknown, o: RunOptions | undefined): Promise<Executor> => {
    if (mode === 'local') return local
    if (mode === 'arrow') return (await loadArrow()) as Executor
    return usesArrow(p, inputs, o, threshold) ? ((await loadArrow()) ?? local) : local
  }
  const map: Executor['map'] = async (p, inputs, o) => (await pick(p, inputs, o)).map(p, inputs, o)
  const run: Executor['run'] = async (p, inputs, o) =>
    mode === 'arrow' ? (await pick(p, inputs, o)).run(p, inputs, o) : local.run(p, inputs, o)
  return Object.freeze({
    mode,
    threshold,
    run,
    map,
    runTE: ((p, inputs, o) => toTaskEither(() => run(p, inputs, o))) as Executor['runTE'],
    mapTE: ((p, inputs, o) => toTaskEither(() => map(p, inputs, o))) as Executor['mapTE'],
  })
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** Set by the build (tsup `define`): true in the CJS build only, undefined in source. */
declare const __DAGFLOW_CJS__: boolean | undefined
declare const require: (id: string) => unknown

/**
 * Loads `dagflow/arrow` in the caller's module system: the CJS build must `require` the CJS
 * entry, or errors from it would be classes of a second (ESM) copy of the core.
 */
const importArrow = (): Promise<typeof import('dagflow/arrow')> =>
  typeof __DAGFLOW_CJS__ === 'boolean' && __DAGFLOW_CJS__
    ? new Promise((resolve) => resolve(require('dagflow/arrow') as typeof import('dagflow/arrow')))
    : import('dagflow/arrow')

/** The fallback warning is printed once per process, however many runners fall back. */
let warnedArrowMissing = false

/** The auto rule: at least `threshold` items, and a `batch` form among the nodes that run. */
function usesArrow(p: unknown, inputs: unknown, o: RunOptions | undefined, threshold: number): boolean {
  if (!isPipeline(p) || typeof inputs !== 'object' || inputs === null) return false
  const plan = planOf(p as Pipeline<AnyNode, string>, o?.outputs)
  if (plan.mapAxis === undefined || !plan.hasBatch) return false
  const items = (inputs as Record<string, unknown>)[plan.mapAxis]
  return Array.isArray(items) && items.length >= threshold
}

const isArrowMissing = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  ((e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' ||
    (e as { code?: unknown }).code === 'MODULE_NOT_FOUND') &&
  String((e as { message?: unknown }).message).includes('apache-arrow')
