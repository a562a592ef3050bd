/**
 * The items of the map axis, read from a file: JSON Lines (`.jsonl`, one value per non-blank
 * line), a JSON array (`.json`), or an Arrow IPC file or stream (`.arrow`, one item per row,
 * read back to plain JS values). Each item remembers where it came from, so errors can name
 * `file:line`.
 *
 * @since 0.3.0
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { runError, usageError } from './cli-error.js'
import { errorText, importPeer } from './load-pipeline.js'
import { orList } from './or-list.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The items of an input file, and where each came from.
 *
 * @category models
 */
export interface Items {
  readonly values: ReadonlyArray<unknown>
  /** where item `i` is: `file:line` (jsonl), `file item i` (json), `file row i` (arrow) */
  readonly locate: (index: number) => string
}

/** The file kinds the command reads and writes, by extension. */
export const DATA_EXTENSIONS = ['.jsonl', '.json', '.arrow'] as const
export type DataExtension = (typeof DATA_EXTENSIONS)[number]

/** The flags that name a data file. */
export type DataFlag = '--input' | '--output' | '--errors'

/** The extensions each flag accepts: `.json` is read, never written; `--errors` is `.jsonl`. */
export const FLAG_EXTENSIONS = {
  '--input': ['.jsonl', '.json', '.arrow'],
  '--output': ['.jsonl', '.arrow'],
  '--errors': ['.jsonl'],
} as const satisfies Record<DataFlag, ReadonlyArray<DataExtension>>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The extension of the file given to `flag`, or a usage error naming the ones that flag
 * accepts: `--output out.csv: the file must end in .jsonl or .arrow.`
 *
 * @category constructors
 */
export function dataExtension<F extends DataFlag>(
  file: string,
  flag: F,
): (typeof FLAG_EXTENSIONS)[F][number] {
  const ext = extname(file).toLowerCase()
  const allowed: ReadonlyArray<(typeof FLAG_EXTENSIONS)[F][number]> = FLAG_EXTENSIONS[flag]
  const found = allowed.find((e) => e === ext)
  if (found === undefined) {
    throw usageError(`${flag} ${file}: the file must end in ${orList(allowed)}.`)
  }
  return found
}

/**
 * Reads the items of `file` (its path as given, for messages). A file that cannot be read or
 * parsed is a run error (exit 1) naming `file:line`, or the file.
 *
 * @category constructors
 */
export async function readItems(file: string): Promise<Items> {
  const ext = dataExtension(file, '--input')
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (e) {
    throw runError(`Cannot read the input file ${file}: ${errorText(e)}`, e)
  }
  switch (ext) {
    case '.jsonl':
      return fromJsonLines(file, bytes)
    case '.json':
      return fromJson(file, bytes)
    case '.arrow':
      return fromArrow(file, bytes)
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

function text(file: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch (e) {
    throw runError(`${file}: the file is not valid UTF-8.`, e)
  }
}

function fromJsonLines(file: string, bytes: Uint8Array): Items {
  const lines = text(file, bytes).split('\n')
  const values: Array<unknown> = []
  const lineOf: Array<number> = []
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') return
    try {
      values.push(JSON.parse(line))
    } catch (e) {
      throw runError(
        `${file}:${i + 1}: not valid JSON (${errorText(e)}): ${snippet(line)}\n` +
          'Each non-blank line of a .jsonl file must be one JSON value.',
        e,
      )
    }
    lineOf.push(i + 1)
  })
  return { values, locate: (index) => `${file}:${lineOf[index] ?? '?'}` }
}

function fromJson(file: string, bytes: Uint8Array): Items {
  const source = text(file, bytes)
  let value: unknown
  try {
    value = JSON.parse(source)
  } catch (e) {
    throw runError(`${file}${position(source, errorText(e))}: not valid JSON (${errorText(e)}).`, e)
  }
  if (!Array.isArray(value)) {
    throw runError(
      `${file}: a .json input must be an array of items, got ${value === null ? 'null' : typeof value}.`,
    )
  }
  return { values: value, locate: (index) => `${file} item ${index}` }
}

async function fromArrow(file: string, bytes: Uint8Array): Promise<Items> {
  const arrow = await importArrow('--input', file)
  let table: import('apache-arrow').Table
  try {
    table = arrow.tableFromIPC(bytes)
  } catch (e) {
    throw runError(`${file}: not a readable Arrow IPC file or stream (${errorText(e)}).`, e)
  }
  const columns = table.schema.fields.map((f, i) => ({
    name: f.name,
    type: f.type as import('apache-arrow').DataType,
    vector: table.getChildAt(i),
  }))
  const values: Array<unknown> = []
  for (let row = 0; row < table.numRows; row++) {
    const item: Record<string, unknown> = {}
    for (const c of columns) {
      const where = () => `${file} row ${row}, column "${c.name}"`
      item[c.name] = fromArrowValue(arrow, c.vector?.get(row), c.type, where)
    }
    values.push(item)
  }
  return { values, locate: (index) => `${file} row ${index}` }
}

/**
 * apache-arrow, loaded on demand: an optional peer, needed only for `.arrow` files. When it is
 * not installed, a setup error (exit 2) whose fix names only the other extensions `flag`
 * accepts (`--input`: .jsonl or .json; `--output`: .jsonl).
 */
export async function importArrow(
  flag: '--input' | '--output',
  file: string,
): Promise<typeof import('apache-arrow')> {
  const what = flag === '--input' ? 'read' : 'write'
  const others = FLAG_EXTENSIONS[flag].filter((e) => e !== '.arrow')
  return importPeer(
    () => import('apache-arrow'),
    'apache-arrow',
    `To ${what} the Arrow file ${file} (${flag}), dagflow needs the optional peer dependency apache-arrow, which is not installed. ` +
      `Install it with \`npm install apache-arrow\`, or pass ${flag} a ${orList(others)} file.`,
  )
}

/** An Arrow value as a plain JS value: structs and maps as objects, lists as arrays. */
function fromArrowValue(
  arrow: typeof import('apache-arrow'),
  v: unknown,
  type: import('apache-arrow').DataType,
  where: () => string,
): unknown {
  if (v === null || v === undefined) return null
  const { DataType } = arrow
  if (DataType.isDictionary(type)) return fromArrowValue(arrow, v, type.dictionary, where)
  if (DataType.isInt(type) || DataType.isDecimal(type) || typeof v === 'bigint') {
    if (typeof v !== 'bigint') return v
    const n = Number(v)
    if (!Number.isSafeInteger(n)) {
      throw runError(
        `${where()}: the 64-bit integer ${v} is beyond what a JS number holds exactly (±2^53).`,
      )
    }
    return n
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isLargeList(type)) {
    const child = type.children[0]?.type as import('apache-arrow').DataType
    return Array.from(v as Iterable<unknown>, (x) => fromArrowValue(arrow, x, child, where))
  }
  if (DataType.isStruct(type)) {
    const o: Record<string, unknown> = {}
    for (const f of type.children) {
      o[f.name] = fromArrowValue(arrow, (v as Record<string, unknown>)[f.name], f.type, where)
    }
    return o
  }
  if (DataType.isMap(type)) {
    const entry = type.children[0]?.type as import('apache-arrow').Struct
    const valueType = entry.children[1]?.type as import('apache-arrow').DataType
    const o: Record<string, unknown> = {}
    for (const [k, x] of v as Iterable<[unknown, unknown]>) {
      o[String(k)] = fromArrowValue(arrow, x, valueType, where)
    }
    return o
  }
  return v
}

/** ` (line L, column C)` for a JSON.parse message that gives a position. */
function position(source: string, message: string): string {
  const m = /position (\d+)/.exec(message)
  if (m === null) return ''
  const at = Number(m[1])
  const before = source.slice(0, at)
  const line = before.split('\n').length
  const column = at - before.lastIndexOf('\n')
  return `:${line}:${column}`
}

const snippet = (line: string) => (line.length > 80 ? `${line.slice(0, 77)}...` : line)
