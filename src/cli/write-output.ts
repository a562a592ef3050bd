/**
 * Writes the per-item outputs of a run to `.jsonl` (one row per item: `{ "key": k, "<output>":
 * value, … }`) or `.arrow` (an Arrow IPC file with a `key` column), and the failed items of a
 * collect-mode run to `.jsonl`, atomically: the rows go to a temporary file beside the target,
 * which is renamed over it only once complete. A failure leaves any existing file untouched.
 *
 * @since 0.3.0
 */
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { MapResult } from 'dagflow'
import { isCliError, runError } from './cli-error.js'
import { JsonTextError, toJsonText } from './json-text.js'
import { errorText } from './load-pipeline.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The name of the keys' field (jsonl) and column (arrow). */
export const KEY_COLUMN = 'key'

/**
 * What to write: the result, its per-item output names, and where each item came from.
 *
 * @category models
 */
export interface OutputRows {
  readonly result: MapResult<Readonly<Record<string, unknown>>>
  readonly outputs: ReadonlyArray<string>
  /** where the item of input index `i` came from */
  readonly locate: (index: number) => string
  /** the input index of each row, when failed items were left out (else row i is item i) */
  readonly indices?: ReadonlyArray<number>
}

/**
 * A failed item, as a row of the errors file.
 *
 * @category models
 */
export interface ErrorRow {
  readonly key: string | number
  /** its index in the input file (0-based) */
  readonly index: number
  /** the node it failed in */
  readonly node: string
  /** the error's code (`NODE_FAILED`, `VALIDATION`, `TIMEOUT`, …) */
  readonly code: string
  /** what went wrong, on one line */
  readonly message: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Writes `.jsonl` rows to `file` through a temporary file. A value JSON cannot carry exactly
 * (NaN, ±Infinity, a Map, …) fails the write (exit 1) naming output, key, item and path.
 *
 * @category constructors
 */
export async function writeJsonLines(file: string, rows: OutputRows): Promise<void> {
  await atomically(file, async (tmp) => {
    const out = createWriteStream(tmp, { flags: 'wx' })
    const failed = once(out, 'error').then(([e]) => Promise.reject(e as Error))
    failed.catch(() => undefined)
    try {
      const columns = rows.outputs.map((o) => rows.result.outputs[o] as ReadonlyArray<unknown>)
      let chunk = ''
      for (let i = 0; i < rows.result.keys.length; i++) {
        chunk += `${rowText(rows, columns, i)}\n`
        if (chunk.length >= 1 << 16) {
          if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed])
          chunk = ''
        }
      }
      out.end(chunk)
      await Promise.race([once(out, 'finish'), failed])
    } finally {
      // closed before the rename (or the removal of the temporary file) touches it
      const closed = out.closed ? undefined : once(out, 'close')
      out.destroy()
      await closed
    }
  })
}

/**
 * Writes the errors file: one `.jsonl` row `{ "key", "index", "node", "code", "message" }` per
 * failed item, in the order given (input order), through a temporary file. No failures, an
 * empty file.
 *
 * @category constructors
 */
export async function writeErrorLines(file: string, rows: ReadonlyArray<ErrorRow>): Promise<void> {
  // the fields in this order, whatever object the rows are
  const text = rows
    .map(({ key, index, node, code, message }) => toJsonText({ key, index, node, code, message }))
    .map((line) => `${line}\n`)
    .join('')
  await atomically(file, (tmp) => writeFile(tmp, text, { flag: 'wx' }))
}

/**
 * Writes an Arrow IPC file (`key` column first) to `file` through a temporary file. Outputs
 * without an Arrow form fail (exit 1) with the message of `toArrow`.
 *
 * @category constructors
 */
export async function writeArrow(
  file: string,
  rows: OutputRows,
  arrow: {
    readonly toArrow: typeof import('dagflow/arrow').toArrow
    readonly tableToIPC: typeof import('apache-arrow').tableToIPC
  },
): Promise<void> {
  let bytes: Uint8Array
  try {
    const table = arrow.toArrow(rows.result, { outputs: rows.outputs, keyColumn: KEY_COLUMN })
    bytes = arrow.tableToIPC(table, 'file')
  } catch (e) {
    throw runError(`Cannot write ${file}: ${errorText(e)}`, e)
  }
  await atomically(file, (tmp) => writeFile(tmp, bytes, { flag: 'wx' }))
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** One `.jsonl` row: the key, then each output whose value is not `undefined`. */
function rowText(
  rows: OutputRows,
  columns: ReadonlyArray<ReadonlyArray<unknown>>,
  i: number,
): string {
  const key = rows.result.keys[i]
  let text = `{${JSON.stringify(KEY_COLUMN)}:${toJsonText(key)}`
  rows.outputs.forEach((o, j) => {
    const value = columns[j]?.[i]
    if (value === undefined) return // an absent field, as toArrow writes it
    try {
      text += `,${JSON.stringify(o)}:${toJsonText(value)}`
    } catch (e) {
      if (!(e instanceof JsonTextError)) throw e
      const at = rows.indices?.[i] ?? i
      throw runError(
        `Output "${o}" of key ${JSON.stringify(key)} (item ${at}, ${rows.locate(at)}): ` +
          `${o}${e.path} is ${e.problem}, which JSON cannot carry exactly.\n` +
          'Write a .arrow file instead (it keeps NaN, ±Infinity and -0), or make the node return plain JSON data.',
        e,
      )
    }
  })
  return `${text}}`
}

/** Runs `write` on a fresh temporary path beside `file`, then renames it over `file`. */
async function atomically(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const stamp = `${process.pid}.${Date.now().toString(36)}`
  const tmp = join(dirname(file), `.${basename(file)}.${stamp}.tmp`)
  try {
    await write(tmp)
    await rename(tmp, file)
  } catch (e) {
    await rm(tmp, { force: true })
    if (isCliError(e)) throw e
    throw runError(`Cannot write ${file}: ${errorText(e)}`, e)
  }
}
