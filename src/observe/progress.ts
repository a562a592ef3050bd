/**
 * `progress()`: one live progress bar per run, drawn with cli-progress on a TTY, nothing
 * anywhere else.
 *
 * @since 0.3.0
 */
import cliProgress from 'cli-progress'
import type { DagflowEvent, EventListener } from 'dagflow'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where {@link progress} draws: a writable stream such as `process.stderr`. The bar is drawn
 * only when `isTTY` is `true`; `columns` (when known) bounds the line's width.
 *
 * @example
 * import type { ProgressStream } from 'dagflow/observe'
 *
 * const stderr: ProgressStream = process.stderr
 * typeof stderr.write // => 'function'
 * @category models
 * @since 0.3.0
 */
export type ProgressStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean
  readonly columns?: number
}

/**
 * Options of {@link progress}.
 *
 * @example
 * import { PassThrough } from 'node:stream'
 * import { progress, type ProgressOptions } from 'dagflow/observe'
 *
 * const options: ProgressOptions = { stream: new PassThrough(), label: 'embedding' }
 * typeof progress(options) // => 'function'
 * @category models
 * @since 0.3.0
 */
export interface ProgressOptions {
  /** where to draw (default `process.stderr`); nothing is written unless `stream.isTTY` */
  readonly stream?: ProgressStream
  /** the text before the bar (default `'dagflow'`) */
  readonly label?: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An `onEvent` listener that draws one live progress bar per run (with cli-progress) while the
 * run goes: `label [bar] 42% | 126/300 items | 1.2k items/s | ETA 1s | node`. The bar starts at
 * `run:start`, moves on every `batch:end` and `node:end`, and stops at `run:end` (on a failure it
 * stays where the run stopped and names the error's code). Items that failed (`item:error`, which
 * `onError: 'collect'` goes on past) are counted after the total: `4/4 items, 1 failed`. Where the
 * stream is not a TTY (a file, a pipe, CI) it writes nothing at all.
 *
 * **What "items" counts**: the work of a run is every item through every per-item node; the bar
 * shows the done fraction of that work times the run's items, so it reads as items and ends at
 * `items/items`. Nodes that run once (reduces) are not counted: a node is known to run once only
 * from `run:start`, which lists the per-item nodes. A pipeline
 * without a map axis (`run` with 0 items) counts nodes instead.
 *
 * **Gotchas**: one listener follows one run at a time: give concurrent runs a listener each
 * (sequential runs can share one). The listener never throws into the run: an internal failure
 * stops its bar, and the run goes on.
 * @example
 * import { PassThrough } from 'node:stream'
 * import { LocalExecutor, node, pipeline } from 'dagflow'
 * import { progress } from 'dagflow/observe'
 *
 * const sq = node({ output: 'sq', mapAxis: 'x' }, ({ x }: { x: number }) => x * x)
 * const out = new PassThrough() // not a TTY: the bar writes nothing
 * const r = await new LocalExecutor().map(pipeline(sq), { x: [1, 2, 3] }, {
 *   onEvent: progress({ stream: out }),
 * })
 * r.outputs.sq // => [1, 4, 9]
 * out.read() // => null
 * @category constructors
 * @since 0.3.0
 */
export function progress(options?: ProgressOptions): EventListener {
  const stream = options?.stream ?? process.stderr
  const label = options?.label ?? 'dagflow'
  let run: RunState | undefined
  const stop = (): void => {
    const r = run
    run = undefined
    try {
      r?.bar.stop()
    } catch {
      // the bar could not finish drawing: nothing else to do
    }
  }
  return (event) => {
    try {
      if (event.type === 'run:start') {
        stop()
        if (stream.isTTY === true) run = startRun(event, stream, label)
        return
      }
      if (run === undefined) return
      if (event.type === 'run:end') {
        const r = run
        const itemsFailed = r.failed.size
        if (event.error === undefined) {
          r.bar.update(r.bar.getTotal(), { node: r.node, itemsFailed })
        } else {
          r.bar.update(value(r), { node: r.node, itemsFailed, failed: event.error.code })
        }
        stop()
        return
      }
      if (advance(run, event)) {
        run.bar.update(value(run), { node: run.node, itemsFailed: run.failed.size })
      }
    } catch {
      // a progress bar must not stop the run: drop this run's bar instead
      stop()
    }
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** One run's bar and what it has seen. */
interface RunState {
  readonly bar: Bar
  /** the run's items; 0 for a pipeline without a map axis (the bar then counts nodes) */
  readonly items: number
  readonly nodes: number
  /** nodes that run once (ignored: they are not item work) */
  readonly once: number
  /** the nodes that run per item */
  readonly perItem: ReadonlySet<string>
  /** items done per per-item node */
  readonly done: Map<string, number>
  /** nodes ended (counted for a pipeline without a map axis) */
  ended: number
  node: string
  /** the items that failed (`item:error`, by index): collect mode goes on past them */
  readonly failed: Set<number>
}

/**
 * cli-progress's bar, made safe to leave running. It redraws from a timer too, outside any
 * listener call: a stream that throws there stops the bar (cli-progress sets its next timer only
 * after a successful draw, and draws nothing without one) instead of crashing the process. The
 * timer is unref'd: when a run ends without `run:end` (another listener threw, which stops the
 * run), a bar left behind must not keep the process alive.
 */
class Bar extends cliProgress.SingleBar {
  override render(): void {
    try {
      super.render()
    } catch {
      return
    }
    ;(this as unknown as { timer?: { unref?: () => void } | null }).timer?.unref?.()
  }
}

function startRun(
  event: Extract<DagflowEvent, { type: 'run:start' }>,
  stream: ProgressStream,
  label: string,
): RunState {
  const unit = event.items > 0 ? 'items' : 'nodes'
  // the rate's clock: sub-millisecond, so even a run shorter than 1 ms has a rate
  const t0 = performance.now()
  const bar = new Bar({
    stream,
    format: (options, params, payload: Payload) =>
      line(label, unit, options, params, payload, (performance.now() - t0) / 1000),
    barsize: MAX_BAR,
    fps: 10,
    // trim to the terminal's width rather than switching the terminal's line wrapping off
    linewrap: true,
    hideCursor: false,
    gracefulExit: false,
  })
  bar.start(event.items > 0 ? event.items : event.nodes.length, 0, { node: 'starting' })
  return {
    bar,
    items: event.items,
    nodes: event.nodes.length,
    // run:start says which nodes run per item, so the total is right from the start
    once: event.nodes.length - event.perItem.length,
    perItem: new Set(event.perItem),
    done: new Map(),
    ended: 0,
    node: 'starting',
    failed: new Set(),
  }
}

/** Applies a node or batch event; true when the bar has something new to show. */
function advance(r: RunState, event: DagflowEvent): boolean {
  switch (event.type) {
    case 'node:start':
      r.node = event.node
      if (r.perItem.has(event.node) || r.items === 0) r.done.set(event.node, 0)
      return true
    case 'batch:end': {
      const d = r.done.get(event.node)
      if (d === undefined) return false
      r.done.set(event.node, Math.min(r.items, d + event.size))
      return true
    }
    case 'node:end':
      r.ended++
      if (r.done.has(event.node)) r.done.set(event.node, r.items > 0 ? r.items : 1)
      return true
    case 'item:error':
      if (event.index === undefined || r.failed.has(event.index)) return false
      r.failed.add(event.index)
      return true
    case 'batch:start':
    case 'call:retry':
    case 'run:start':
    case 'run:end':
      return false
  }
}

/** The bar's value: the done fraction of the run's work, in items (or nodes without items). */
function value(r: RunState): number {
  if (r.items === 0) return r.ended
  const total = r.items * (r.nodes - r.once)
  if (total <= 0) return 0
  let done = 0
  for (const d of r.done.values()) done += d
  return Math.min(r.items, Math.floor((done / total) * r.items))
}

/** What the bar's line shows beside cli-progress's own values. */
interface Payload {
  readonly node?: string
  /** how many items failed so far (collect mode goes on past them) */
  readonly itemsFailed?: number
  /** the code of the error that stopped the run */
  readonly failed?: string
}

/**
 * `label [bar] pct% | value/total unit | rate unit/s | ETA t | node` (after a failure
 * `label [bar] pct% | value/total unit | failed: CODE at node`), one column short of the
 * width (writing the last column makes some terminals wrap): the bar takes what the text leaves
 * (10 to 40 columns), and a line still too long loses the end of the node's name. Items that
 * failed are counted after the total: `4/4 items, 1 failed`.
 */
function line(
  label: string,
  unit: string,
  options: cliProgress.Options,
  params: cliProgress.Params,
  payload: Payload,
  secs: number,
): string {
  const { node = '', itemsFailed = 0, failed } = payload
  const pct = Math.floor(params.progress * 100)
  const rate = secs > 0 ? formatRate(params.value / secs) : '--'
  const eta =
    params.value > 0 && typeof params.eta === 'number' && Number.isFinite(params.eta)
      ? cliProgress.Format.TimeFormat(params.eta, options, 1)
      : '--'
  const head = `${label} [`
  // after a failure that stopped the run, its code says it
  const count = itemsFailed > 0 && failed === undefined ? `, ${itemsFailed} failed` : ''
  const done = `] ${pct}% | ${params.value}/${params.total} ${unit}${count}`
  const tail =
    failed === undefined
      ? `${done} | ${rate} ${unit}/s | ETA ${eta} | ${node}`
      : `${done} | failed: ${failed} at ${node}`
  const width = params.maxWidth - 1
  const barsize = Math.max(10, Math.min(MAX_BAR, width - head.length - tail.length))
  const bar = cliProgress.Format.BarFormat(params.progress, { ...options, barsize })
  return `${head}${bar}${tail}`.slice(0, Math.max(0, width))
}

/** the widest bar (cli-progress pre-renders bars of `barsize` characters) */
const MAX_BAR = 40

function formatRate(r: number): string {
  if (!Number.isFinite(r)) return '--'
  if (r >= 1e6) return `${(r / 1e6).toFixed(1)}M`
  if (r >= 1e4) return `${(r / 1e3).toFixed(1)}k`
  if (r >= 100) return `${Math.round(r)}`
  return r.toFixed(1)
}
