/**
 * What a run reports while it goes: a discriminated union of events on `type`, and the stats
 * every `map` result carries. Pass `onEvent` to `run`/`map` to receive them.
 *
 * @since 0.3.0
 */
import type { DagflowError } from './errors.js'
import type { Key } from './plan.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Per-node figures of a run.
 *
 * @category models
 * @since 0.3.0
 */
export interface NodeStats {
  /** function invocations: per item, per batch, or once (retries included) */
  readonly calls: number
  /** items processed (1 for a node that runs once) */
  readonly items: number
  /** items served from a cache */
  readonly cached: number
  /** milliseconds spent inside the node's function (summed over calls; overlapping async calls add up) */
  readonly ms: number
}

/**
 * The figures of a run: its wall time, and per node what {@link NodeStats} says.
 *
 * @category models
 * @since 0.3.0
 */
export interface RunStats {
  readonly ms: number
  readonly nodes: Readonly<Record<string, NodeStats>>
}

/**
 * An event of a run. In order: one `run:start`; per node in topological order a `node:start`,
 * then (for per-item nodes) `batch:start`/`batch:end` pairs covering every item once, then a
 * `node:end`; last one `run:end` with the stats (also on failure, with `error`, after an
 * `item:error` naming the failing item). The Arrow executor's batches are its batch-form calls
 * (`batch:start` before the call); `LocalExecutor` reports per-item calls in chunks of done
 * items (up to 1,024, about 100 per node), each chunk's two events together. Events
 * before `run:start` do not exist: inputs that fail their checks reject before the run starts.
 *
 * @category models
 * @since 0.3.0
 */
export type DagflowEvent =
  | {
      readonly type: 'run:start'
      readonly executor: 'local' | 'arrow'
      /** items of the map axis (1 for `run` of a pipeline with an axis, 0 without one) */
      readonly items: number
      /** the nodes that will run, in order */
      readonly nodes: ReadonlyArray<string>
      /** the ones among them that run once per item (the others run once) */
      readonly perItem: ReadonlyArray<string>
    }
  | {
      readonly type: 'run:end'
      readonly executor: 'local' | 'arrow'
      readonly stats: RunStats
      readonly error?: DagflowError
    }
  | { readonly type: 'node:start'; readonly node: string; readonly items: number }
  | { readonly type: 'node:end'; readonly node: string; readonly items: number; readonly ms: number }
  | {
      readonly type: 'batch:start'
      readonly node: string
      /** index of the first item of the batch */
      readonly start: number
      readonly size: number
      readonly executor: 'local' | 'arrow'
    }
  | {
      readonly type: 'batch:end'
      readonly node: string
      readonly start: number
      readonly size: number
      readonly ms: number
      readonly executor: 'local' | 'arrow'
    }
  | {
      /** a call failed (threw, rejected or timed out) and is tried again */
      readonly type: 'call:retry'
      readonly node: string
      /** the item's key; for a batch call, the batch's first key; undefined for a once-only node */
      readonly key: Key | undefined
      readonly index: number | undefined
      /** the attempt that failed (1 for the first call) */
      readonly attempt: number
      readonly error: unknown
    }
  | {
      readonly type: 'item:error'
      readonly node: string
      readonly key: Key | undefined
      readonly index: number | undefined
      readonly error: DagflowError
    }

/**
 * A listener of {@link DagflowEvent}s.
 *
 * @category models
 * @since 0.3.0
 */
export type EventListener = (event: DagflowEvent) => void
