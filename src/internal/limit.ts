/**
 * Concurrency (p-limit) and AbortSignal plumbing shared by the executors.
 *
 * @internal
 */
import pLimit, { type LimitFunction } from 'p-limit'
import { AbortError, describeValue, GraphError } from '../errors.js'

export type { LimitFunction } from 'p-limit'

/**
 * Checks a count option (`batchSize`, `concurrency`): a whole number ≥ 1, or Infinity where
 * `infinite`; `fallback` when it is not given.
 */
export function checkCount(where: string, field: string, value: unknown, fallback: number, infinite: boolean): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !((infinite && value === Number.POSITIVE_INFINITY) || (Number.isInteger(value) && value >= 1))
  ) {
    throw new GraphError(
      `${where}: \`${field}\` must be a whole number ≥ 1${infinite ? ' (or Infinity)' : ''}, got ${describeValue(value)}.`,
    )
  }
  return value
}

/** Checks an executor's `concurrency` option: a positive integer or Infinity. */
export const checkConcurrency = (where: string, value: unknown, fallback: number): number =>
  checkCount(where, 'concurrency', value, fallback, true)

/**
 * Checks that an options record has only `known` keys: a misspelled option is a GraphError, not
 * silently ignored.
 */
export function checkOptions(where: string, options: unknown, known: ReadonlyArray<string>): void {
  if (options === undefined || options === null) return
  if (typeof options !== 'object') throw new GraphError(`${where}: options must be an object, got ${describeValue(options)}.`)
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new GraphError(`${where}: \`${k}\` is not an option (known: ${known.join(', ')}).`)
    }
  }
}

export const makeLimit = (concurrency: number): LimitFunction => pLimit(concurrency)

/** Throws an AbortError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(signal.reason)
}

/**
 * `promise`, or an AbortError as soon as `signal` fires (calling `onAbort` first, e.g. to drop
 * queued calls). Listeners are removed when the race settles.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort?: () => void,
): Promise<T> {
  if (signal === undefined) return promise
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.()
      reject(new AbortError(signal.reason))
    }
    if (signal.aborted) {
      // nobody waits for the promise any more: keep its rejection handled
      promise.then(undefined, () => undefined)
      return abort()
    }
    signal.addEventListener('abort', abort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', abort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort)
        reject(e)
      },
    )
  })
}
