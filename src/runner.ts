/**
 * `createRunner` picks an executor by mode. This release has the local mode; the `arrow` and
 * `auto` modes arrive with the `dagflow/arrow` entry.
 *
 * @since 0.1.0
 */
import { GraphError } from './errors.js'
import type { Executor } from './executor.js'
import { LocalExecutor } from './executors/local.js'

/**
 * Options of {@link createRunner}.
 *
 * @category executors
 * @since 0.1.0
 */
export interface RunnerOptions {
  /** which executor runs: `'local'` (the default, and the only mode of this release) */
  readonly mode?: 'local'
  /** the most node calls in flight at once, for async nodes */
  readonly concurrency?: number
}

/**
 * An executor chosen by `mode`, configured once.
 *
 * @example
 * import { createRunner, node, pipeline } from 'dagflow'
 * const runner = createRunner({ mode: 'local', concurrency: 4 })
 * const p = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1))
 * const r = await runner.map(p, { x: [1, 2] })
 * r.outputs.y // => [2, 3]
 * r.executor // => 'local'
 * @category executors
 * @since 0.1.0
 */
export function createRunner(options: RunnerOptions = {}): Executor {
  const mode: unknown = options.mode ?? 'local'
  if (mode !== 'local') {
    throw new GraphError(
      `createRunner: mode ${JSON.stringify(mode)} is not available in this release; use mode: 'local'.`,
    )
  }
  return new LocalExecutor(options.concurrency === undefined ? {} : { concurrency: options.concurrency })
}
