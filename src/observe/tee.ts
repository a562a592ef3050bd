/**
 * `tee(...listeners)`: one event stream to several listeners.
 *
 * @since 0.3.0
 */
import type { EventListener } from 'dagflow'

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * One `onEvent` listener that hands each event to every listener given, in order. `undefined`
 * entries are skipped, so a listener can be optional:
 * `tee(progress(), tracing ? otel(tracer) : undefined)`.
 *
 * **Gotchas**: when a listener throws, the others still receive the event, and then the first
 * error is rethrown: the run stops with a `ListenerError` as it would with that listener alone.
 * A stopped run sends no `run:end`, so the other listeners' runs are left open.
 * @example
 * import { LocalExecutor, node, pipeline, type DagflowEvent } from 'dagflow'
 * import { tee } from 'dagflow/observe'
 *
 * const types: Array<string> = []
 * const nodes: Array<string> = []
 * const sq = node({ output: 'sq', mapAxis: 'x' }, ({ x }: { x: number }) => x * x)
 * await new LocalExecutor().map(pipeline(sq), { x: [3] }, {
 *   onEvent: tee(
 *     (e: DagflowEvent) => types.push(e.type),
 *     undefined,
 *     (e: DagflowEvent) => (e.type === 'node:start' ? nodes.push(e.node) : undefined),
 *   ),
 * })
 * types // => ['run:start', 'node:start', 'batch:start', 'batch:end', 'node:end', 'run:end']
 * nodes // => ['sq']
 * @category combinators
 * @since 0.3.0
 */
export function tee(...listeners: ReadonlyArray<EventListener | undefined>): EventListener {
  const all = listeners.filter((l): l is EventListener => l !== undefined)
  return (event) => {
    let failed = false
    let first: unknown
    for (const listener of all) {
      try {
        listener(event)
      } catch (e) {
        if (!failed) first = e
        failed = true
      }
    }
    if (failed) throw first
  }
}
