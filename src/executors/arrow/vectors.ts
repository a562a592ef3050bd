/**
 * Descriptors → Arrow vectors and back. Buffers are built directly (`makeData` over typed
 * arrays), never through apache-arrow's row-by-row builders: a Float64Array becomes a Float64
 * vector without a copy, strings are encoded into one shared UTF-8 buffer per column, booleans
 * and validity are bit-packed. Reading back decodes each string column with one `TextDecoder`
 * call and slices it.
 *
 * Round trip: for every value `fits(d, value)` accepts, `fromVector(d, toVector(d, values))`
 * deep-equals `values` (-0, NaN, ±Infinity, empty strings and arrays, astral Unicode, absent
 * optional fields, nulls). The one ambiguity of the Arrow form is documented at `fromVector`.
 *
 * @since 0.2.0
 */
import {
  Bool,
  DataType,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  makeData,
  Map_,
  Null,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  Vector,
  type Data,
} from 'apache-arrow'
import { absurd } from 'fp-ts/lib/function.js'
import {
  dictionaryIndex,
  isNullable,
  isPlainObject,
  isWellFormed,
  typedElement,
  type Descriptor,
  type TypedElement,
} from './schema.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link toVector} and {@link toTable}.
 *
 * @category models
 * @since 0.2.0
 */
export interface VectorOptions {
  /**
   * `true` (default): throw for every value that would not come back exactly (exactly the
   * values `fits` rejects). `false`, for export: also accept the one loss SPEC allows, that of
   * absence: an absent optional field whose type is nullable (written as null), an `undefined`
   * optional property or record entry (written as absent). Keys beyond a struct's fields and
   * unpaired surrogates are refused either way: they would be dropped or changed.
   */
  readonly exact?: boolean
}

/**
 * A value that does not fit its descriptor, or a descriptor without an Arrow form. A plain
 * `Error` subclass (not a `DagflowError`): the caller wraps it.
 *
 * @category errors
 * @since 0.2.0
 */
export class VectorBuildError extends Error {
  /** the table column, for {@link toTable} */
  readonly column: string | undefined
  /** the row of the offending value (`undefined` when the descriptor itself is the problem) */
  readonly index: number | undefined
  /** where in the row's value: field names and record keys (strings), list positions (numbers) */
  readonly path: ReadonlyArray<string | number>
  readonly expected: string
  readonly got: string
  constructor(props: {
    readonly column: string | undefined
    readonly index: number | undefined
    readonly path: ReadonlyArray<string | number>
    readonly expected: string
    readonly got: string
  }) {
    const where = [
      ...(props.column === undefined ? [] : [`column "${props.column}"`]),
      ...(props.index === undefined ? [] : [`row ${props.index}`]),
      ...(props.path.length === 0 ? [] : [`at ${renderPath(props.path)}`]),
    ]
    super(
      `${where.length === 0 ? '' : `${where.join(', ')}: `}expected ${props.expected}, got ${props.got}`,
    )
    this.name = 'VectorBuildError'
    this.column = props.column
    this.index = props.index
    this.path = props.path
    this.expected = props.expected
    this.got = props.got
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * An Arrow vector of `values`, typed by `d`: float64 → `Float64`, utf8 → `Utf8`, bool → `Bool`,
 * dictionary → `Dictionary<Utf8, Int32>` over `d.values`, struct → `Struct` (a field is
 * nullable when optional, when its type is nullable, or when the struct is), list →
 * `List<item>`, map → `Map<Utf8, value>`, typedArray → `List` of the element type (`Float64`,
 * `Int32`, `Int64` for BigInt64, …), null → `Null`. A `Float64Array` given for a float64
 * descriptor is used without a copy (later writes to it show in the vector). Throws a
 * {@link VectorBuildError} for kind `js` and for a value that does not fit (see `fits`;
 * `options.exact: false` accepts lossy values).
 *
 * @internal used by `dagflow/arrow`; not a public export
 * @category constructors
 * @since 0.2.0
 */
export function toVector(
  d: Descriptor,
  values: ArrayLike<unknown>,
  options: VectorOptions = {},
): Vector {
  return new Vector([buildTop(d, values, options.exact ?? true, undefined)])
}

/**
 * An Arrow `Table` of named columns, all of the same length, each built as by {@link toVector}.
 * A column is nullable when its descriptor is. Throws a {@link VectorBuildError} naming the
 * column for a value that does not fit, and an `Error` for unequal lengths or repeated names.
 *
 * @internal used by `dagflow/arrow`; not a public export
 * @category constructors
 * @since 0.2.0
 */
export function toTable(
  columns: ReadonlyArray<{
    readonly name: string
    readonly descriptor: Descriptor
    readonly values: ArrayLike<unknown>
  }>,
  options: VectorOptions = {},
): Table {
  const exact = options.exact ?? true
  const length = columns[0]?.values.length ?? 0
  const seen = new Set<string>()
  for (const c of columns) {
    if (seen.has(c.name)) throw new Error(`toTable: two columns are named "${c.name}"`)
    seen.add(c.name)
    if (c.values.length !== length) {
      throw new Error(
        `toTable: column "${c.name}" has ${c.values.length} values, column "${columns[0]?.name}" has ${length}`,
      )
    }
  }
  const children = columns.map((c) => buildTop(c.descriptor, c.values, exact, c.name))
  const fields = columns.map(
    (c, j) => new Field(c.name, (children[j] as Data).type, isNullable(c.descriptor)),
  )
  const schema = new Schema(fields)
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children })
  return new Table(schema, new RecordBatch(schema, struct))
}

/**
 * The values of an Arrow vector as plain JS values, read through `d` (the descriptor it was
 * built from, or one matching a vector from elsewhere): float64 → number (-0 and NaN
 * included), utf8 and dictionary → string, bool → boolean, list → a new `Array`, struct → a
 * plain object, map → a plain object with one own property per entry, typedArray → a new typed
 * array of its element type, null slots → `null`. Chunks are concatenated.
 *
 * **The ambiguity**: a struct field holds one Arrow null for "absent" and for `null`. A null
 * in an optional field whose type is not nullable reads back as absent (no property); in a
 * field whose type is nullable, as `null` (so an absent optional nullable field written with
 * `exact: false`, or by another tool, reads back as `null`). `toVector` in exact mode refuses
 * that case, so values it accepts round-trip exactly.
 *
 * Throws an `Error` for kind `js` or an Arrow type that does not match `d`.
 *
 * @internal used by `dagflow/arrow`; not a public export
 * @category constructors
 * @since 0.2.0
 */
export function fromVector(d: Descriptor, vector: Vector): Array<unknown> {
  const chunks = vector.data
  if (chunks.length === 1) return read(d, chunks[0] as Data)
  const out: Array<unknown> = []
  for (const chunk of chunks) {
    const part = read(d, chunk)
    for (let i = 0; i < part.length; i++) out.push(part[i])
  }
  return out
}

// -------------------------------------------------------------------------------------
// internal: building
// -------------------------------------------------------------------------------------

/** A slot with no value of its own: its struct is null, or it is an absent optional field. */
const HOLE: unique symbol = Symbol('dagflow/arrow/hole')
/** Shown as `got` for a missing struct field. */
const ABSENT = 'nothing (the field is absent)'

/** A value that does not fit, thrown inside the builders and completed on the way up. */
class Problem {
  index: number
  readonly path: Array<string | number> = []
  readonly expected: string
  readonly got: string
  constructor(index: number, expected: string, got: string) {
    this.index = index
    this.expected = expected
    this.got = got
  }
}

function misfit(index: number, d: Descriptor, value: unknown): Problem {
  return new Problem(index, expectedOf(d), show(value))
}

function buildTop(
  d: Descriptor,
  values: ArrayLike<unknown>,
  exact: boolean,
  column: string | undefined,
): Data {
  try {
    return build(d, values, exact)
  } catch (e) {
    if (!(e instanceof Problem)) throw e
    const noForm = e.index === -1
    throw new VectorBuildError({
      column,
      index: noForm ? undefined : e.index,
      path: e.path,
      expected: e.expected,
      got: e.got,
    })
  }
}

function build(d: Descriptor, values: ArrayLike<unknown>, exact: boolean): Data {
  switch (d.kind) {
    case 'float64':
      return buildFloat64(d, values)
    case 'utf8':
      return buildUtf8(d, values)
    case 'bool':
      return buildBool(d, values)
    case 'dictionary':
      return buildDictionary(d, values)
    case 'struct':
      return buildStruct(d, values, exact)
    case 'list':
      return buildList(d, values, exact)
    case 'map':
      return buildMap(d, values, exact)
    case 'typedArray':
      return buildTypedList(d, values)
    case 'null':
      return buildNull(d, values)
    case 'js':
      throw new Problem(-1, 'a descriptor with an Arrow form', 'kind "js" (no Arrow form)')
    default:
      return absurd(d)
  }
}

/** The validity bitmap of a column, allocated at the first null. */
class Validity {
  bits: Uint8Array | undefined = undefined
  nullCount = 0
  readonly length: number
  constructor(length: number) {
    this.length = length
  }
  setNull(i: number): void {
    const bits = (this.bits ??= new Uint8Array((this.length + 7) >> 3).fill(0xff))
    bits[i >> 3] = (bits[i >> 3] as number) & ~(1 << (i & 7))
    this.nullCount++
  }
  /** the `nullCount` and `nullBitmap` of the column's `makeData` */
  props(): { nullCount: number; nullBitmap: Uint8Array | undefined } {
    return { nullCount: this.nullCount, nullBitmap: this.bits }
  }
}

/** Whether `v` is written as a null slot: a hole, or `null` where `d` is nullable. */
function isNullSlot(d: { readonly nullable: boolean }, v: unknown): boolean {
  return v === HOLE || (v === null && d.nullable)
}

type Of<K extends Descriptor['kind']> = Extract<Descriptor, { readonly kind: K }>

function buildFloat64(d: Of<'float64'>, values: ArrayLike<unknown>): Data {
  const type = new Float64()
  const n = values.length
  // zero-copy: a Float64Array is already the Arrow layout
  if (values instanceof Float64Array)
    return makeData({ type, length: n, nullCount: 0, data: values })
  const data = new Float64Array(n)
  const validity = new Validity(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (typeof v === 'number') data[i] = v
    else if (isNullSlot(d, v)) validity.setNull(i)
    else throw misfit(i, d, v)
  }
  return makeData({ type, length: n, data, ...validity.props() })
}

function buildBool(d: Of<'bool'>, values: ArrayLike<unknown>): Data {
  const n = values.length
  const data = new Uint8Array((n + 7) >> 3)
  const validity = new Validity(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v === true) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7))
    else if (v === false) continue
    else if (isNullSlot(d, v)) validity.setNull(i)
    else throw misfit(i, d, v)
  }
  return makeData({ type: new Bool(), length: n, data, ...validity.props() })
}

function buildNull(d: Of<'null'>, values: ArrayLike<unknown>): Data {
  const n = values.length
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v !== null && v !== HOLE) throw misfit(i, d, v)
  }
  return makeData({ type: new Null(), length: n })
}

const encoder = new TextEncoder()
/** the largest Int32 offset */
const MAX_OFFSET = 0x7fffffff
/** strings up to this length try a plain ASCII copy before `encodeInto` */
const SHORT = 32

/** One growing UTF-8 buffer; `write` appends a string. */
class Utf8Sink {
  bytes: Uint8Array
  pos = 0
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity)
  }
  /**
   * appends `s`; false (nothing written) when `s` has an unpaired surrogate, unless `lossy`
   * (then it is written as U+FFFD)
   */
  write(s: string, lossy: boolean): boolean {
    const len = s.length
    if (len <= SHORT) {
      if (this.pos + len > this.bytes.length) this.grow(len)
      const bytes = this.bytes
      const pos = this.pos
      let j = 0
      for (; j < len; j++) {
        const c = s.charCodeAt(j)
        if (c > 0x7f) break
        bytes[pos + j] = c
      }
      if (j === len) {
        this.pos = pos + len
        return true
      }
    }
    if (!lossy && !isWellFormed(s)) return false
    let rest = s
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.bytes.subarray(this.pos))
      this.pos += written
      if (read === rest.length) return true
      rest = rest.slice(read)
      this.grow(rest.length * 3)
    }
  }
  grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + extra))
    next.set(this.bytes.subarray(0, this.pos))
    this.bytes = next
  }
  /** the bytes written; copied when that frees more than half the buffer */
  done(): Uint8Array {
    return this.bytes.length > 2 * this.pos + 4096
      ? this.bytes.slice(0, this.pos)
      : this.bytes.subarray(0, this.pos)
  }
}

/** `lossy`: only for a dictionary's values that no item references (see buildDictionary) */
function buildUtf8(d: Of<'utf8'>, values: ArrayLike<unknown>, lossy = false): Data {
  const n = values.length
  let chars = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (typeof v === 'string') chars += v.length
  }
  const sink = new Utf8Sink(Math.max(64, chars + (chars >> 3)))
  const offsets = new Int32Array(n + 1)
  const validity = new Validity(n)
  for (let start = 0; start < n;) {
    const end = Math.min(n, start + CHUNK)
    const done = asciiChunk(d, values, start, end, sink, offsets, validity)
    if (done > start) {
      start = done
      continue
    }
    for (let i = start; i < end; i++) {
      const v = values[i]
      if (typeof v === 'string') {
        if (!sink.write(v, lossy)) throw new Problem(i, 'a well-formed string', show(v))
        if (sink.pos > MAX_OFFSET) throw tooLarge()
      } else if (isNullSlot(d, v)) validity.setNull(i)
      else throw misfit(i, d, v)
      offsets[i + 1] = sink.pos
    }
    start = end
  }
  return makeData({
    type: new Utf8(),
    length: n,
    valueOffsets: offsets,
    data: sink.done(),
    ...validity.props(),
  })
}

/** the most rows per attempt of the ASCII fast path */
const CHUNK = 512
/** the most UTF-16 units per attempt of the ASCII fast path (long strings gain nothing) */
const CHUNK_UNITS = 16_384

const tooLarge = (): Error => new Error('toVector: more than 2 GiB of UTF-8 in one string column')

/**
 * The fast path for rows from `start` (before `end`): while they are strings or nulls, join
 * them, up to `CHUNK_UNITS` units; if the joined string is all ASCII, one `encodeInto` writes
 * them all, and each string's length is its byte length. Returns the row after the last one
 * written, or `start` (nothing written that counts) when the rows do not qualify.
 */
function asciiChunk(
  d: Of<'utf8'>,
  values: ArrayLike<unknown>,
  start: number,
  end: number,
  sink: Utf8Sink,
  offsets: Int32Array,
  validity: Validity,
): number {
  let joined = ''
  let stop = start
  while (stop < end && joined.length < CHUNK_UNITS) {
    const v = values[stop]
    if (typeof v === 'string') joined += v
    else if (!isNullSlot(d, v)) break
    stop++
  }
  const len = joined.length
  if (stop === start || len === 0) return start
  if (sink.pos + len > sink.bytes.length) sink.grow(len)
  const { read, written } = encoder.encodeInto(
    joined,
    sink.bytes.subarray(sink.pos, sink.pos + len),
  )
  // one byte per UTF-16 unit, for every unit: all ASCII (so also well-formed)
  if (read !== len || written !== len) return start
  if (sink.pos + len > MAX_OFFSET) throw tooLarge()
  let pos = sink.pos
  for (let i = start; i < stop; i++) {
    const v = values[i]
    if (typeof v === 'string') pos += v.length
    else validity.setNull(i)
    offsets[i + 1] = pos
  }
  sink.pos = pos
  return stop
}

const UTF8: Of<'utf8'> = { kind: 'utf8', nullable: false }

function buildDictionary(d: Of<'dictionary'>, values: ArrayLike<unknown>): Data {
  const n = values.length
  const index = dictionaryIndex(d)
  const indices = new Int32Array(n)
  const validity = new Validity(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    const k = typeof v === 'string' ? index.get(v) : undefined
    if (k !== undefined) indices[i] = k
    else if (isNullSlot(d, v)) validity.setNull(i)
    else throw misfit(i, d, v)
  }
  // values nothing fits (unpaired surrogates) are never referenced: write them lossily
  const dictionary = new Vector<Utf8>([buildUtf8(UTF8, d.values, true) as Data<Utf8>])
  return makeData<Dictionary<Utf8, Int32>>({
    type: new Dictionary(new Utf8(), new Int32()),
    length: n,
    data: indices,
    dictionary,
    ...validity.props(),
  })
}

function buildStruct(d: Of<'struct'>, values: ArrayLike<unknown>, exact: boolean): Data {
  const n = values.length
  const fields = d.fields
  const columns = fields.map(() => new Array<unknown>(n))
  const validity = new Validity(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (isNullSlot(d, v)) {
      validity.setNull(i)
      for (const column of columns) column[i] = HOLE
      continue
    }
    if (!isPlainObject(v)) throw misfit(i, d, v)
    let present = 0
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j] as (typeof fields)[number]
      const column = columns[j] as Array<unknown>
      if (Object.hasOwn(v, f.name)) {
        present++
        const x = v[f.name]
        if (x !== undefined) column[i] = x
        else if (f.optional && !exact) column[i] = HOLE
        else
          throw fieldProblem(
            i,
            f.name,
            f.optional ? 'no property or a value' : expectedOf(f.type),
            'undefined',
          )
      } else if (!f.optional) {
        throw fieldProblem(i, f.name, `${expectedOf(f.type)} (a required field)`, ABSENT)
      } else if (exact && isNullable(f.type)) {
        throw fieldProblem(
          i,
          f.name,
          'the field present: it is optional and nullable, and Arrow has one null for absent and null (toVector with exact: false writes absent as null)',
          ABSENT,
        )
      } else column[i] = HOLE
    }
    if (present !== Object.keys(v).length) {
      const extra = Object.keys(v).find((k) => !fields.some((f) => f.name === k)) ?? ''
      throw fieldProblem(
        i,
        extra,
        `only the fields ${fields.map((f) => JSON.stringify(f.name)).join(', ') || '(none)'}`,
        `an extra key ${JSON.stringify(extra)}`,
      )
    }
  }
  const children = fields.map((f, j) => {
    try {
      return build(f.type, columns[j] as Array<unknown>, exact)
    } catch (e) {
      if (e instanceof Problem) e.path.unshift(f.name)
      throw e
    }
  })
  const type = new Struct(
    fields.map(
      (f, j) =>
        new Field(
          f.name,
          (children[j] as Data).type,
          f.optional || isNullable(f.type) || d.nullable,
        ),
    ),
  )
  return makeData({
    type,
    length: n,
    children,
    ...validity.props(),
  })
}

function fieldProblem(index: number, name: string, expected: string, got: string): Problem {
  const p = new Problem(index, expected, got)
  p.path.push(name)
  return p
}

function buildList(d: Of<'list'>, values: ArrayLike<unknown>, exact: boolean): Data {
  const n = values.length
  const offsets = new Int32Array(n + 1)
  const items: Array<unknown> = []
  const validity = new Validity(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (Array.isArray(v)) {
      // a hole reads as undefined, which fits no item type
      for (let k = 0; k < v.length; k++) items.push(v[k])
    } else if (isNullSlot(d, v)) validity.setNull(i)
    else throw misfit(i, d, v)
    offsets[i + 1] = items.length
  }
  let child: Data
  try {
    child = build(d.items, items, exact)
  } catch (e) {
    if (e instanceof Problem && e.index !== -1) {
      const row = rowOf(offsets, e.index)
      e.path.unshift(e.index - (offsets[row] as number))
      e.index = row
    }
    throw e
  }
  const type = new List(new Field('item', child.type, isNullable(d.items)))
  return makeData({
    type,
    length: n,
    valueOffsets: offsets,
    child,
    ...validity.props(),
  })
}

/** the Arrow type and the array class of each typed-array element type */
const TYPED: Readonly<
  Record<TypedElement, { readonly type: () => DataType; readonly array: TypedArrayClass }>
> = {
  Float64: { type: () => new Float64(), array: Float64Array },
  Float32: { type: () => new Float32(), array: Float32Array },
  Int8: { type: () => new Int8(), array: Int8Array },
  Int16: { type: () => new Int16(), array: Int16Array },
  Int32: { type: () => new Int32(), array: Int32Array },
  Uint8: { type: () => new Uint8(), array: Uint8Array },
  Uint16: { type: () => new Uint16(), array: Uint16Array },
  Uint32: { type: () => new Uint32(), array: Uint32Array },
  BigInt64: { type: () => new Int64(), array: BigInt64Array },
  BigUint64: { type: () => new Uint64(), array: BigUint64Array },
}

interface TypedArray extends ArrayLike<number | bigint> {
  /** (`never`: a BigInt64Array takes bigints, the others numbers) */
  set(source: ArrayLike<never>, offset: number): void
  slice(start: number, end: number): TypedArray
}
type TypedArrayClass = new (length: number) => TypedArray

/** A `List` over one child buffer: the rows' typed arrays copied end to end, no builders. */
function buildTypedList(d: Of<'typedArray'>, values: ArrayLike<unknown>): Data {
  const n = values.length
  const offsets = new Int32Array(n + 1)
  const validity = new Validity(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (typedElement(v) === d.element) total += (v as TypedArray).length
    else if (isNullSlot(d, v)) validity.setNull(i)
    else throw misfit(i, d, v)
    if (total > MAX_OFFSET) throw new Error('toVector: more than 2^31 elements in one list column')
    offsets[i + 1] = total
  }
  const { type, array } = TYPED[d.element]
  const data = new array(total)
  for (let i = 0; i < n; i++) {
    if (offsets[i + 1] !== offsets[i]) data.set(values[i] as ArrayLike<never>, offsets[i] as number)
  }
  const child = makeData({ type: type(), length: total, nullCount: 0, data } as never) as Data
  return makeData({
    type: new List(new Field('item', child.type, false)),
    length: n,
    valueOffsets: offsets,
    child,
    ...validity.props(),
  })
}

function buildMap(d: Of<'map'>, values: ArrayLike<unknown>, exact: boolean): Data {
  const n = values.length
  const offsets = new Int32Array(n + 1)
  const keys: Array<string> = []
  const entries: Array<unknown> = []
  const validity = new Validity(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        const x = v[k]
        if (x === undefined) {
          if (exact) throw fieldProblem(i, k, `${expectedOf(d.values)} or no property`, 'undefined')
          continue
        }
        keys.push(k)
        entries.push(x)
      }
    } else if (isNullSlot(d, v)) validity.setNull(i)
    else throw misfit(i, d, v)
    offsets[i + 1] = keys.length
  }
  const inEntry = <T>(f: () => T): T => {
    try {
      return f()
    } catch (e) {
      if (e instanceof Problem && e.index !== -1) {
        const row = rowOf(offsets, e.index)
        e.path.unshift(keys[e.index] as string)
        e.index = row
      }
      throw e
    }
  }
  const keyData = inEntry(() => buildUtf8(UTF8, keys))
  const valueData = inEntry(() => build(d.values, entries, exact))
  const entryType = new Struct([
    new Field('key', keyData.type, false),
    new Field('value', valueData.type, isNullable(d.values)),
  ])
  const child = makeData({
    type: entryType,
    length: keys.length,
    nullCount: 0,
    children: [keyData, valueData],
  })
  return makeData({
    type: new Map_(new Field('entries', entryType, false), false),
    length: n,
    valueOffsets: offsets,
    child,
    ...validity.props(),
  })
}

/** the row whose child range [offsets[row], offsets[row + 1]) holds child index `k` */
function rowOf(offsets: Int32Array, k: number): number {
  let lo = 0
  let hi = offsets.length - 1 // offsets[hi] > k
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if ((offsets[mid] as number) <= k) lo = mid
    else hi = mid
  }
  return lo
}

function expectedOf(d: Descriptor): string {
  const base = ((): string => {
    switch (d.kind) {
      case 'float64':
        return 'a number'
      case 'utf8':
        return 'a string'
      case 'bool':
        return 'a boolean'
      case 'dictionary':
        return d.values.length === 0
          ? 'no value (the dictionary is empty)'
          : `one of ${d.values.map((v) => JSON.stringify(v)).join(', ')}`
      case 'struct':
        return 'a plain object'
      case 'list':
        return 'an array'
      case 'map':
        return 'a plain object (a record)'
      case 'typedArray':
        return `a ${d.element}Array`
      case 'null':
        return 'null'
      case 'js':
        return 'a descriptor with an Arrow form'
      default:
        return absurd(d)
    }
  })()
  return d.kind !== 'null' && isNullable(d) ? `${base} or null` : base
}

function show(u: unknown): string {
  if (u === undefined) return 'undefined'
  if (u === null) return 'null'
  if (u === HOLE) return ABSENT
  switch (typeof u) {
    case 'number':
      return Object.is(u, -0) ? '-0' : String(u)
    case 'bigint':
      return `${String(u)}n`
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    case 'string':
      if (!isWellFormed(u)) return 'a string with an unpaired surrogate'
      break
    case 'object':
      if (!Array.isArray(u) && !isPlainObject(u)) {
        const name = (Object.getPrototypeOf(u) as { constructor?: { name?: unknown } }).constructor
          ?.name
        return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object'
      }
      break
    default:
      break
  }
  try {
    const s = JSON.stringify(u)
    return s.length > 60 ? `${s.slice(0, 57)}…` : s
  } catch {
    return 'an unprintable value'
  }
}

function renderPath(path: ReadonlyArray<string | number>): string {
  return path
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_$][\w$]*$/.test(s)
          ? `${i === 0 ? '' : '.'}${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join('')
}

// -------------------------------------------------------------------------------------
// internal: reading
// -------------------------------------------------------------------------------------

function read(d: Descriptor, data: Data): Array<unknown> {
  switch (d.kind) {
    case 'float64':
      return readNumbers(data)
    case 'utf8':
      expect(DataType.isUtf8(data.type), 'Utf8', data)
      return readStrings(data)
    case 'bool':
      return readBools(data)
    case 'dictionary':
      return readDictionary(data)
    case 'struct':
      return readStruct(d, data)
    case 'list':
      return readList(d, data)
    case 'map':
      return readMap(d, data)
    case 'typedArray':
      return readTypedList(d, data)
    case 'null':
      expect(DataType.isNull(data.type), 'Null', data)
      return new Array<unknown>(data.length).fill(null)
    case 'js':
      throw new Error('fromVector: a descriptor of kind "js" has no Arrow form')
    default:
      return absurd(d)
  }
}

function expect(ok: boolean, want: string, data: Data): void {
  if (!ok) throw new Error(`fromVector: expected an Arrow ${want} vector, got ${String(data.type)}`)
}

/** the validity bitmap when there are nulls, else undefined (all valid) */
function nullBits(data: Data): Uint8Array | undefined {
  return data.nullCount > 0 && data.nullBitmap !== undefined && data.nullBitmap.length > 0
    ? data.nullBitmap
    : undefined
}

function bit(bits: Uint8Array, k: number): boolean {
  return (((bits[k >> 3] as number) >> (k & 7)) & 1) === 1
}

function readNumbers(data: Data): Array<unknown> {
  const type = data.type
  expect(
    (DataType.isFloat(type) && type.precision !== Precision.HALF) ||
      (DataType.isInt(type) && type.bitWidth <= 32),
    'Float64 (or a Float32 or Int of at most 32 bits)',
    data,
  )
  const values = data.values as ArrayLike<number>
  const n = data.length
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  if (bits === undefined) for (let i = 0; i < n; i++) out[i] = values[i]
  else for (let i = 0; i < n; i++) out[i] = bit(bits, data.offset + i) ? values[i] : null
  return out
}

function readBools(data: Data): Array<unknown> {
  expect(DataType.isBool(data.type), 'Bool', data)
  // a boolean buffer is not sliced: it is read at data.offset, like the validity bits
  const values = data.values as Uint8Array
  const n = data.length
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  for (let i = 0; i < n; i++) {
    const k = data.offset + i
    out[i] = bits === undefined || bit(bits, k) ? bit(values, k) : null
  }
  return out
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * A Utf8 column as strings: one decode of the whole byte range, then slices (UTF-8 byte
 * offsets mapped to UTF-16 offsets). Falls back to one decode per string when the bytes are not
 * valid UTF-8 or a string boundary splits a character (possible in data from elsewhere).
 */
function readStrings(data: Data): Array<unknown> {
  const n = data.length
  const offsets = data.valueOffsets as Int32Array
  const bytes = data.values as Uint8Array
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  const start = offsets[0] as number
  const end = offsets[n] as number
  let whole: string | undefined
  try {
    whole = strictDecoder.decode(bytes.subarray(start, end))
  } catch {
    whole = undefined
  }
  if (whole !== undefined && whole.length === end - start) {
    // ASCII: byte offsets are UTF-16 offsets
    for (let i = 0; i < n; i++) {
      out[i] =
        bits === undefined || bit(bits, data.offset + i)
          ? whole.slice((offsets[i] as number) - start, (offsets[i + 1] as number) - start)
          : null
    }
    return out
  }
  if (whole !== undefined) {
    let unit = 0
    let ok = true
    for (let i = 0; i < n && ok; i++) {
      const a = offsets[i] as number
      const z = offsets[i + 1] as number
      if (a < z && ((bytes[a] as number) & 0xc0) === 0x80) ok = false
      const from = unit
      for (let k = a; k < z; k++) {
        const c = bytes[k] as number
        // a lead byte starts one UTF-16 unit, or two for a 4-byte sequence (astral)
        if ((c & 0xc0) !== 0x80) unit += c >= 0xf0 ? 2 : 1
      }
      out[i] = bits === undefined || bit(bits, data.offset + i) ? whole.slice(from, unit) : null
    }
    if (ok) return out
  }
  for (let i = 0; i < n; i++) {
    out[i] =
      bits === undefined || bit(bits, data.offset + i)
        ? lenientDecoder.decode(bytes.subarray(offsets[i] as number, offsets[i + 1] as number))
        : null
  }
  return out
}

function readDictionary(data: Data): Array<unknown> {
  const type = data.type
  expect(DataType.isDictionary(type) && DataType.isUtf8(type.dictionary), 'Dictionary<Utf8>', data)
  const dictionary = data.dictionary === undefined ? [] : fromVector(UTF8, data.dictionary)
  const indices = data.values as ArrayLike<number | bigint>
  const n = data.length
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  for (let i = 0; i < n; i++) {
    if (bits !== undefined && !bit(bits, data.offset + i)) {
      out[i] = null
      continue
    }
    const k = Number(indices[i])
    if (!(k >= 0 && k < dictionary.length)) {
      throw new Error(
        `fromVector: dictionary index ${k} out of range (${dictionary.length} values)`,
      )
    }
    out[i] = dictionary[k]
  }
  return out
}

function put(o: Record<string, unknown>, key: string, value: unknown): void {
  // a plain assignment to "__proto__" would set the prototype instead of a property
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true })
  } else o[key] = value
}

function readStruct(d: Of<'struct'>, data: Data): Array<unknown> {
  const type = data.type
  expect(DataType.isStruct(type), 'Struct', data)
  const n = data.length
  const byName = new Map<string, number>()
  // apache-arrow's IPC reader gives a field written with the name "" the name null
  ;(type.children as ReadonlyArray<Field>).forEach((f, k) =>
    byName.set((f.name as string | null) ?? '', k),
  )
  const fields = d.fields
  const columns = fields.map((f) => {
    const k = byName.get(f.name)
    if (k === undefined) {
      if (f.optional) return undefined // every row lacks it
      throw new Error(`fromVector: the struct has no field "${f.name}"`)
    }
    return read(f.type, data.children[k] as Data)
  })
  // a null in an optional field whose type is not nullable means "absent"
  const absentIfNull = fields.map((f) => f.optional && !isNullable(f.type))
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  for (let i = 0; i < n; i++) {
    if (bits !== undefined && !bit(bits, data.offset + i)) {
      out[i] = null
      continue
    }
    const o: Record<string, unknown> = {}
    for (let j = 0; j < fields.length; j++) {
      const column = columns[j]
      if (column === undefined) continue
      const v = column[i]
      if (v === null && absentIfNull[j] === true) continue
      put(o, (fields[j] as (typeof fields)[number]).name, v)
    }
    out[i] = o
  }
  return out
}

/** the child rows [start, end) of a list or map, read through `d` */
function readChildRange(d: Descriptor, data: Data, start: number, end: number): Array<unknown> {
  const child = data.children[0] as Data
  return read(d, start === 0 && end === child.length ? child : child.slice(start, end - start))
}

function readList(d: Of<'list'>, data: Data): Array<unknown> {
  expect(DataType.isList(data.type), 'List', data)
  const n = data.length
  const offsets = data.valueOffsets as Int32Array
  const start = offsets[0] as number
  const items = readChildRange(d.items, data, start, offsets[n] as number)
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  for (let i = 0; i < n; i++) {
    out[i] =
      bits === undefined || bit(bits, data.offset + i)
        ? items.slice((offsets[i] as number) - start, (offsets[i + 1] as number) - start)
        : null
  }
  return out
}

function readTypedList(d: Of<'typedArray'>, data: Data): Array<unknown> {
  const child = data.children[0]
  const want = TYPED[d.element].type()
  expect(
    DataType.isList(data.type) &&
      child !== undefined &&
      child.nullCount === 0 &&
      child.type.typeId === want.typeId &&
      String(child.type) === String(want),
    `List<${String(want)}> (no null items)`,
    data,
  )
  const n = data.length
  const offsets = data.valueOffsets as Int32Array
  // the child's values start at its own offset; the list's offsets index the child
  const items = (child as Data).values as unknown as TypedArray
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  for (let i = 0; i < n; i++) {
    out[i] =
      bits === undefined || bit(bits, data.offset + i)
        ? items.slice(offsets[i] as number, offsets[i + 1] as number)
        : null
  }
  return out
}

function readMap(d: Of<'map'>, data: Data): Array<unknown> {
  expect(DataType.isMap(data.type), 'Map', data)
  const n = data.length
  const offsets = data.valueOffsets as Int32Array
  const start = offsets[0] as number
  const end = offsets[n] as number
  const entries = data.children[0] as Data
  const range = start === 0 && end === entries.length ? entries : entries.slice(start, end - start)
  const keys = readStrings(range.children[0] as Data)
  const values = read(d.values, range.children[1] as Data)
  const bits = nullBits(data)
  const out = new Array<unknown>(n)
  for (let i = 0; i < n; i++) {
    if (bits !== undefined && !bit(bits, data.offset + i)) {
      out[i] = null
      continue
    }
    const o: Record<string, unknown> = {}
    for (let k = (offsets[i] as number) - start; k < (offsets[i + 1] as number) - start; k++) {
      put(o, keys[k] as string, values[k])
    }
    out[i] = o
  }
  return out
}
