/**
 * `otel(tracer)`: a run's events as OpenTelemetry spans. `@opentelemetry/api` is an optional
 * peer, loaded when `otel()` is first called, so `progress()` works without it; the types below
 * describe what `otel()` uses of it, so `dagflow/observe` type-checks without it too.
 *
 * @since 0.3.0
 */
import {
  isDagflowError,
  unstable_requirePeer as requirePeer,
  type DagflowError,
  type DagflowEvent,
  type EventListener,
  type RunStats,
} from 'dagflow'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What {@link otel} uses of an OpenTelemetry `Tracer`: a `Tracer` from `@opentelemetry/api`
 * (any 1.x) is one.
 *
 * @example
 * import { trace } from '@opentelemetry/api'
 * import type { OtelTracer } from 'dagflow/observe'
 *
 * const tracer: OtelTracer = trace.getTracer('my-service')
 * typeof tracer.startSpan // => 'function'
 * @category models
 * @since 0.3.0
 */
export interface OtelTracer {
  startSpan(name: string, options?: OtelSpanOptions, context?: OtelContext): OtelSpan
}

/**
 * Options of {@link otel}.
 *
 * @example
 * import { context, trace } from '@opentelemetry/api'
 * import { otel, type OtelOptions } from 'dagflow/observe'
 *
 * const tracer = trace.getTracer('my-service')
 * const job = tracer.startSpan('nightly job')
 * const options: OtelOptions = {
 *   parent: trace.setSpan(context.active(), job), // runs become children of `job`
 *   attributes: { 'job.name': 'nightly' },
 * }
 * typeof otel(tracer, options) // => 'function'
 * job.end()
 * @category models
 * @since 0.3.0
 */
export interface OtelOptions {
  /** the context the run span is a child of (default: the active context at `run:start`) */
  readonly parent?: OtelContext
  /** extra attributes of the run span */
  readonly attributes?: OtelAttributes
}

/** An OpenTelemetry `Context` (opaque here). */
interface OtelContext {
  getValue(key: symbol): unknown
  setValue(key: symbol, value: unknown): OtelContext
  deleteValue(key: symbol): OtelContext
}

type OtelAttributeValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string | number | boolean | null | undefined>

/** OpenTelemetry `Attributes`. */
interface OtelAttributes {
  [key: string]: OtelAttributeValue | undefined
}

interface OtelSpanOptions {
  attributes?: OtelAttributes | undefined
  /** `otel()` passes epoch milliseconds */
  startTime?: unknown
}

/** What `otel()` uses of an OpenTelemetry `Span`. */
interface OtelSpan {
  setAttribute(key: string, value: OtelAttributeValue): unknown
  setAttributes(attributes: OtelAttributes): unknown
  addEvent(name: string, attributesOrTime?: OtelAttributes | OtelTime): unknown
  recordException(exception: OtelException, time?: OtelTime): void
  setStatus(status: { code: number; message?: string }): unknown
  end(endTime?: OtelTime): void
}

/** An OpenTelemetry `Exception`: `otel()` passes one without `code`. */
interface OtelException {
  name: string
  message: string
  stack?: string
}

/** An OpenTelemetry `TimeInput` (`otel()` passes epoch milliseconds). */
type OtelTime = number | Date | readonly [number, number]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An `onEvent` listener that turns a run's events into OpenTelemetry spans:
 *
 * - `dagflow.run`, one per run: `dagflow.executor`, `dagflow.items`, `dagflow.node_count`,
 *   `dagflow.nodes`, and at the end `dagflow.ms`, `dagflow.calls`, `dagflow.cached` (from the
 *   stats). A failed run has status `ERROR`, the error recorded as an exception (its
 *   `exception.type` is the error's class) and `dagflow.error.code`;
 * - `dagflow.node`, a child per node: `dagflow.node`, `dagflow.items`, and its `dagflow.calls`,
 *   `dagflow.ms` (time inside the function) and `dagflow.cached` from the final stats. It
 *   spans `node:start` to `node:end`; the node that failed has status `ERROR`;
 * - `dagflow.batch`, a child of its node's span per batch:
 *   `dagflow.node`, `dagflow.batch.start`, `dagflow.batch.size`, `dagflow.executor`, and
 *   `dagflow.ms` from `batch:end`. It ends at `batch:end` and starts `dagflow.ms` before, or at
 *   `batch:start` if that is earlier. For `LocalExecutor` these are its chunks of done items,
 *   whose two events come together, so the span covers the chunk's time;
 * - an `item:error` becomes a `dagflow.item.error` event on the node's span: `dagflow.node`,
 *   `dagflow.key`, `dagflow.index`, `dagflow.error.code`, `dagflow.error.message`; a
 *   `call:retry` a `dagflow.call.retry` event with the same fields and `dagflow.attempt`. A call
 *   that timed out has the code `TIMEOUT` (its cause's) rather than `NODE_FAILED`.
 *
 * Every span is ended by `run:end`, also when the run fails.
 *
 * **Gotchas**: one listener follows one run at a time: give concurrent runs a listener each
 * (sequential runs can share one). The listener never throws into the run: a failing tracer
 * loses spans, not the run. Combine it with `progress()` through `tee()`.
 * @example
 * import { LocalExecutor, node, pipeline } from 'dagflow'
 * import { otel } from 'dagflow/observe'
 * import {
 *   BasicTracerProvider,
 *   InMemorySpanExporter,
 *   SimpleSpanProcessor,
 * } from '@opentelemetry/sdk-trace-base'
 *
 * const exporter = new InMemorySpanExporter()
 * const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
 * const sq = node({ output: 'sq', mapAxis: 'x' }, ({ x }: { x: number }) => x * x)
 * await new LocalExecutor().map(pipeline(sq), { x: [1, 2, 3] }, {
 *   onEvent: otel(provider.getTracer('example')),
 * })
 * const spans = exporter.getFinishedSpans()
 * // three items: LocalExecutor's three chunks of one, then the node and the run
 * spans.map((s) => s.name).slice(2) // => ['dagflow.batch', 'dagflow.node', 'dagflow.run']
 * const [nodeSpan, runSpan] = spans.slice(3)
 * nodeSpan?.attributes['dagflow.calls'] // => 3
 * nodeSpan?.parentSpanContext?.spanId === runSpan?.spanContext().spanId // => true
 * @category constructors
 * @since 0.3.0
 */
export function otel(tracer: OtelTracer, options?: OtelOptions): EventListener {
  const api = loadApi()
  let run: RunSpans | undefined
  /** starts a span, a child of `parent` */
  const start = (name: string, parent: OtelContext, attributes: OtelAttributes): OtelSpan =>
    tracer.startSpan(name, { attributes, startTime: clock() }, parent)
  const handle = (e: DagflowEvent): void => {
    switch (e.type) {
      case 'run:start': {
        if (run !== undefined) finish(api, tracer, run, undefined, undefined)
        const parent = options?.parent ?? api.context.active()
        const span = start('dagflow.run', parent, {
          ...options?.attributes,
          'dagflow.executor': e.executor,
          'dagflow.items': e.items,
          'dagflow.node_count': e.nodes.length,
          'dagflow.nodes': [...e.nodes],
        })
        run = { span, context: api.trace.setSpan(parent, span), nodes: new Map() }
        return
      }
      case 'run:end': {
        if (run === undefined) return
        const r = run
        run = undefined
        finish(api, tracer, r, e.stats, e.error)
        return
      }
      case 'node:start': {
        if (run === undefined) return
        const span = start('dagflow.node', run.context, {
          'dagflow.node': e.node,
          'dagflow.items': e.items,
        })
        run.nodes.set(e.node, {
          span,
          context: api.trace.setSpan(run.context, span),
          end: undefined,
          batches: new Map(),
        })
        return
      }
      case 'node:end': {
        const n = run?.nodes.get(e.node)
        // ended at run:end, when the node's final stats are known, with this end time
        if (n !== undefined) n.end = clock()
        return
      }
      case 'batch:start': {
        const n = run?.nodes.get(e.node)
        if (n === undefined) return
        const batch: OpenBatch = {
          at: clock(),
          attributes: {
            'dagflow.node': e.node,
            'dagflow.batch.start': e.start,
            'dagflow.batch.size': e.size,
            'dagflow.executor': e.executor,
          },
        }
        const open = n.batches.get(e.start)
        if (open === undefined) n.batches.set(e.start, [batch])
        else open.push(batch)
        return
      }
      case 'batch:end': {
        const n = run?.nodes.get(e.node)
        const open = n?.batches.get(e.start)
        const batch = open?.shift()
        if (n === undefined || batch === undefined) return
        if (open?.length === 0) n.batches.delete(e.start)
        // the batch's time ends now and lasted `ms`: LocalExecutor sends a chunk's batch:start
        // with its batch:end, after the calls, so the span starts `ms` back
        const end = clock()
        const attributes = { ...batch.attributes, 'dagflow.ms': e.ms }
        const startTime = Math.min(batch.at, end - e.ms)
        tracer.startSpan('dagflow.batch', { attributes, startTime }, n.context).end(end)
        return
      }
      case 'call:retry': {
        if (run === undefined) return
        const span = run.nodes.get(e.node)?.span ?? run.span
        const attributes: OtelAttributes = {
          'dagflow.node': e.node,
          'dagflow.attempt': e.attempt,
          'dagflow.error.message': messageOf(e.error),
        }
        const code = codeOf(e.error)
        if (code !== undefined) attributes['dagflow.error.code'] = code
        if (e.key !== undefined) attributes['dagflow.key'] = e.key
        if (e.index !== undefined) attributes['dagflow.index'] = e.index
        span.addEvent('dagflow.call.retry', attributes)
        return
      }
      case 'item:error': {
        if (run === undefined) return
        const span = run.nodes.get(e.node)?.span ?? run.span
        const attributes: OtelAttributes = {
          'dagflow.node': e.node,
          'dagflow.error.code': failureCode(e.error),
          'dagflow.error.message': e.error.message,
        }
        if (e.key !== undefined) attributes['dagflow.key'] = e.key
        if (e.index !== undefined) attributes['dagflow.index'] = e.index
        span.addEvent('dagflow.item.error', attributes)
        return
      }
    }
  }
  return (e) => {
    try {
      handle(e)
    } catch {
      // telemetry must not stop the run: a tracer that throws loses spans, not the run
    }
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

interface NodeSpans {
  readonly span: OtelSpan
  readonly context: OtelContext
  /** when `node:end` came (a {@link clock} time); undefined while it runs */
  end: number | undefined
  /** open batches by their first item */
  readonly batches: Map<number, Array<OpenBatch>>
}

/**
 * A batch between its `batch:start` and `batch:end`: its span is made at `batch:end` (or when
 * the run ends first), when its start time is known.
 */
interface OpenBatch {
  /** when `batch:start` came (a {@link clock} time) */
  readonly at: number
  readonly attributes: OtelAttributes
}

interface RunSpans {
  readonly span: OtelSpan
  readonly context: OtelContext
  readonly nodes: Map<string, NodeSpans>
}

/**
 * Epoch milliseconds with sub-millisecond precision, from one monotonic clock: every span's start
 * and end come from it, so spans order exactly (a node's span ends before the next one starts).
 * A node's span ends after the fact (at `run:end`, with its stats), which needs explicit times.
 */
const clock = (): number => performance.timeOrigin + performance.now()

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const codeOf = (e: unknown): string | undefined => {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : undefined
}

/**
 * A failure's code; for a node call that timed out, `TIMEOUT` (its cause's code) rather than
 * `NODE_FAILED`, as the command's errors file reports it.
 */
const failureCode = (e: DagflowError): string =>
  e.code === 'NODE_FAILED' && isDagflowError(e.cause) && e.cause.code === 'TIMEOUT'
    ? 'TIMEOUT'
    : e.code

/** Ends every span of a run: open batches, nodes (with their stats), then the run. */
function finish(
  api: OtelApi,
  tracer: OtelTracer,
  r: RunSpans,
  stats: RunStats | undefined,
  error: Extract<DagflowEvent, { type: 'run:end' }>['error'],
): void {
  const errorStatus = (): OtelStatus => ({
    code: api.SpanStatusCode.ERROR,
    message: error?.message ?? '',
  })
  const end = clock()
  let calls = 0
  let cached = 0
  for (const [name, n] of r.nodes) {
    for (const open of n.batches.values()) {
      for (const b of open) {
        const options = { attributes: b.attributes, startTime: b.at }
        tracer.startSpan('dagflow.batch', options, n.context).end(end)
      }
    }
    const s = stats?.nodes[name]
    if (s !== undefined) {
      n.span.setAttributes({
        'dagflow.calls': s.calls,
        'dagflow.ms': s.ms,
        'dagflow.cached': s.cached,
      })
      calls += s.calls
      cached += s.cached
    }
    // a node without node:end stopped the run (or was running when it stopped)
    if (n.end === undefined && error !== undefined) n.span.setStatus(errorStatus())
    n.span.end(n.end ?? end)
  }
  if (stats !== undefined) {
    r.span.setAttributes({
      'dagflow.ms': stats.ms,
      'dagflow.calls': calls,
      'dagflow.cached': cached,
    })
  }
  if (error !== undefined) {
    r.span.setAttribute('dagflow.error.code', failureCode(error))
    // without `code`, the SDK records the class name as `exception.type` (semantic conventions)
    const { name, message, stack } = error
    r.span.recordException({ name, message, ...(stack === undefined ? {} : { stack }) }, end)
    r.span.setStatus(errorStatus())
  }
  r.span.end(end)
}

/** What `otel()` uses of `@opentelemetry/api`. */
interface OtelApi {
  readonly context: { active(): OtelContext }
  readonly trace: { setSpan(context: OtelContext, span: OtelSpan): OtelContext }
  readonly SpanStatusCode: { readonly ERROR: number }
}

type OtelStatus = { code: number; message?: string }

/**
 * Loads `@opentelemetry/api` when `otel()` is called, never when the entry loads: it is an
 * optional peer, and `progress()` must work without it. Its state (the context keys, the global
 * context manager) is shared across its copies, so the module system it comes from is moot.
 */
const loadApi = (): OtelApi =>
  requirePeer<OtelApi>(
    '@opentelemetry/api',
    'otel(tracer) needs the optional peer dependency `@opentelemetry/api`, which is not installed. ' +
      'Install it with `npm install @opentelemetry/api@1.9` (the SDK that made your tracer ' +
      'depends on it too; its 2.x versions accept an API below 1.10).',
  )
