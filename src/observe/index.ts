/**
 * `dagflow/observe`: watch a run through its events. `progress()` draws a live progress bar on
 * a terminal (with `cli-progress`), `otel(tracer)` turns events into OpenTelemetry spans
 * (`@opentelemetry/api`, an optional peer, loaded only when `otel()` is called), and `tee()`
 * hands one run's events to several listeners. The core entry `dagflow` loads none of them.
 *
 * @since 0.3.0
 */
export { otel } from './otel.js'
export type { OtelOptions, OtelTracer } from './otel.js'
export { progress } from './progress.js'
export type { ProgressOptions, ProgressStream } from './progress.js'
export { tee } from './tee.js'
