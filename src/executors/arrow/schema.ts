/**
 * Codec → Arrow schema, as plain descriptors: `describe` reads an io-ts codec, `inferDescriptor`
 * reads values, `fits` says whether a value round-trips exactly through a descriptor. Nothing here
 * loads `apache-arrow`; `vectors.ts` turns descriptors into vectors.
 *
 * Mapping (SPEC §4):
 *
 * | codec                                             | descriptor                          |
 * | ------------------------------------------------- | ----------------------------------- |
 * | `t.string`                                        | `utf8`                              |
 * | `t.number`, number literals                       | `float64`                           |
 * | `t.boolean`, boolean literals                     | `bool`                              |
 * | `t.null`                                          | `null` (Arrow `Null`)               |
 * | string literals and their unions, `t.keyof`       | `dictionary` (Utf8 values)          |
 * | `t.type`, `t.strict`, `t.exact`                   | `struct`, fields required           |
 * | `t.partial`                                       | `struct`, fields optional           |
 * | `t.intersection` of the above                     | `struct` with the fields of all     |
 * | `t.array`, `t.readonlyArray`                      | `list`                              |
 * | `t.record(t.string, X)` (or literal / keyof keys) | `map` (Utf8 keys)                   |
 * | `t.union([X, t.null])`                            | X, nullable                         |
 * | other unions                                      | the members merged, else `js`       |
 * | refinements (`t.Int`, `t.brand`), `t.readonly`    | their base                          |
 * | anything else, or no codec                        | `js` (no Arrow form)                |
 *
 * Without a codec, values are read instead (`inferDescriptor`); typed arrays (`Float64Array`,
 * `Int32Array`, …) are inferred as `typedArray` (a `List` of their element type), which no
 * codec maps to.
 *
 * Decisions:
 * - A union that admits `undefined` (`t.undefined`, `t.void`) is `js`: Arrow has one null, so
 *   `undefined` could not come back as `undefined` (use `t.partial` for optional fields).
 * - Union members merge: string literals with string literals (one dictionary), string
 *   literals with `t.string` (utf8), structs with structs (a field missing from some member
 *   becomes optional: a discriminated union is one struct). Anything else mixed is `js`.
 * - Anything that cannot be Arrow makes its container `js` too (a struct with a function
 *   field, a list of class instances): a column is all Arrow or all JS.
 * - Only own enumerable string keys are data (as for `structuredClone` and JSON): symbol keys
 *   and non-enumerable properties are not carried.
 *
 * @since 0.2.0
 */
import { absurd } from 'fp-ts/lib/function.js'
import type * as t from 'io-ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A field of a `struct` descriptor. `optional` fields may be absent from a value; in Arrow an
 * absent field is a null slot.
 *
 * @category models
 * @since 0.2.0
 */
export interface StructField {
  readonly name: string
  readonly type: Descriptor
  readonly optional: boolean
}

/**
 * The Arrow form of a column, as plain data. `nullable` says whether `null` is a value of the
 * column (an Arrow null slot). `null` is the Arrow `Null` type (every slot null: `t.null`, an
 * all-null column, the items of lists that are all empty). `js` means no Arrow form: the values
 * stay JS values.
 *
 * @category models
 * @since 0.2.0
 */
export type Descriptor =
  | { readonly kind: 'float64'; readonly nullable: boolean }
  | { readonly kind: 'utf8'; readonly nullable: boolean }
  | { readonly kind: 'bool'; readonly nullable: boolean }
  | {
      readonly kind: 'dictionary'
      readonly values: ReadonlyArray<string>
      readonly nullable: boolean
    }
  | {
      readonly kind: 'struct'
      readonly fields: ReadonlyArray<StructField>
      readonly nullable: boolean
    }
  | { readonly kind: 'list'; readonly items: Descriptor; readonly nullable: boolean }
  | { readonly kind: 'map'; readonly values: Descriptor; readonly nullable: boolean }
  | { readonly kind: 'typedArray'; readonly element: TypedElement; readonly nullable: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'js' }

/**
 * The element type of a typed array, by its class name without `Array` (`Float64` for a
 * `Float64Array`). `Uint8ClampedArray` is none: Arrow has no clamped type to read it back as.
 *
 * @category models
 * @since 0.4.0
 */
export type TypedElement =
  | 'Float64'
  | 'Float32'
  | 'Int8'
  | 'Int16'
  | 'Int32'
  | 'Uint8'
  | 'Uint16'
  | 'Uint32'
  | 'BigInt64'
  | 'BigUint64'

const TYPED_ELEMENTS: ReadonlySet<string> = new Set<TypedElement>([
  'Float64',
  'Float32',
  'Int8',
  'Int16',
  'Int32',
  'Uint8',
  'Uint16',
  'Uint32',
  'BigInt64',
  'BigUint64',
])

/** the descriptors of one kind */
type Of<K extends Descriptor['kind']> = Extract<Descriptor, { readonly kind: K }>

const FLOAT64: Of<'float64'> = { kind: 'float64', nullable: false }
const UTF8: Of<'utf8'> = { kind: 'utf8', nullable: false }
const BOOL: Of<'bool'> = { kind: 'bool', nullable: false }
const NULL: Of<'null'> = { kind: 'null' }
const JS: Of<'js'> = { kind: 'js' }

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The Arrow form of the values an io-ts codec admits (see the mapping table at the top of this
 * module). `undefined` (no codec) and codecs without an Arrow form give `{ kind: 'js' }`.
 *
 * For example `describe(t.union([t.string, t.null]))` is `{ kind: 'utf8', nullable: true }`,
 * and `describe(t.unknown)` is `{ kind: 'js' }`.
 *
 * @internal used by `dagflow/arrow`; not a public export
 * @category constructors
 * @since 0.2.0
 */
export function describe(codec: unknown): Descriptor {
  if (!isTagged(codec)) return JS
  switch (codec._tag) {
    case 'StringType':
      return UTF8
    case 'NumberType':
      return FLOAT64
    case 'BooleanType':
      return BOOL
    case 'NullType':
      return NULL
    case 'LiteralType':
      return literal(codec.value)
    case 'KeyofType':
      return { kind: 'dictionary', values: Object.keys(codec.keys), nullable: false }
    case 'UnionType':
      return union(codec.types)
    case 'InterfaceType':
    case 'StrictType':
      return struct(codec.props, false)
    case 'PartialType':
      return struct(codec.props, true)
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return describe(codec.type)
    case 'IntersectionType':
      return codec.types.map(describe).reduce(intersect)
    case 'ArrayType':
    case 'ReadonlyArrayType': {
      const items = describe(codec.type)
      return items.kind === 'js' ? JS : { kind: 'list', items, nullable: false }
    }
    case 'DictionaryType': {
      const keys = describe(codec.domain)
      const values = describe(codec.codomain)
      const stringKeys = (keys.kind === 'utf8' || keys.kind === 'dictionary') && !keys.nullable
      return stringKeys && values.kind !== 'js' ? { kind: 'map', values, nullable: false } : JS
    }
    case 'UndefinedType':
    case 'VoidType':
    case 'UnknownType':
    case 'AnyType':
    case 'NeverType':
    case 'BigIntType':
    case 'FunctionType':
    case 'ObjectType':
    case 'AnyArrayType':
    case 'AnyDictionaryType':
    case 'TupleType':
    case 'RecursiveType':
      return JS
    default:
      return absurd(codec)
  }
}

/**
 * The narrowest descriptor that fits all `values` (for outputs without a codec): numbers
 * (any, including `NaN`, `±Infinity`, `-0`) → float64, strings → utf8, booleans → bool, arrays
 * → list of their items' descriptor, plain objects (prototype `Object.prototype` or `null`) →
 * struct of the union of their keys (a key missing from some rows is optional), typed arrays
 * → typedArray of their element type, `null` among them → nullable. Anything else
 * (`undefined`, bigint, functions, class instances, mixed kinds) → `js`. Strings are never inferred as a dictionary, nor objects as a map.
 *
 * Defaults: no values, or only `null`s, give `{ kind: 'null' }`; items of lists that are all
 * empty are `{ kind: 'null' }` too (a `List<Null>`).
 *
 * For example `inferDescriptor([1, null, NaN])` is `{ kind: 'float64', nullable: true }`, and
 * `inferDescriptor([1, 'a'])` is `{ kind: 'js' }`.
 *
 * @internal used by `dagflow/arrow`; not a public export
 * @category constructors
 * @since 0.2.0
 */
export function inferDescriptor(values: ArrayLike<unknown>): Descriptor {
  let d: Descriptor = EMPTY
  for (let i = 0; i < values.length; i++) {
    d = widen(d, values[i])
    if (d.kind === 'js') return JS
  }
  return settle(d)
}

/**
 * Why `inferDescriptor(values)` is `js`: the first item (`index`) with a value, at `path` inside
 * it, that has no Arrow form itself (`had` undefined: `undefined`, a class instance, a bigint…)
 * or whose kind differs from what the same place held before (`had`, the descriptor of those
 * values). Undefined when the values have an Arrow form.
 *
 * For example `whyNoForm([{ a: 1 }, { a: 'x' }])` is `{ index: 1, path: ['a'], had: float64,
 * got: 'x' }`.
 *
 * @internal used by `dagflow/arrow`; not a public export
 * @category constructors
 * @since 0.4.0
 */
export function whyNoForm(values: ArrayLike<unknown>): NoForm | undefined {
  let d: Descriptor = EMPTY
  for (let i = 0; i < values.length; i++) {
    const c = clash(d, values[i])
    if (c !== undefined) return { index: i, ...c }
    d = widen(d, values[i])
  }
  return undefined
}

/**
 * What {@link whyNoForm} found.
 *
 * @category models
 * @since 0.4.0
 */
export interface NoForm {
  readonly index: number
  /** field names and record keys (strings), list positions (numbers) */
  readonly path: ReadonlyArray<string | number>
  readonly had: Descriptor | undefined
  readonly got: unknown
}

// -------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------

/**
 * Whether `value` goes through `d` and comes back exactly (`fromVector(d, toVector(d, [value]))`
 * deep-equals `[value]`). `toVector` throws for exactly the values for which this is false.
 * Besides the type, this checks what exactness needs:
 * - strings are well-formed UTF-16 (an unpaired surrogate would come back as U+FFFD);
 * - struct values have no keys beyond the fields (they would be dropped), no `undefined`
 *   properties (they would come back absent), and every required field;
 * - an optional field whose type is nullable must be present: absent and `null` are the same
 *   Arrow null, read back as `null`;
 * - a non-nullable optional field must not be `null` (it would come back absent);
 * - list items are all present (no holes) and fit the item type.
 * Never true for `{ kind: 'js' }`.
 *
 * @internal used by `dagflow/arrow`; not a public export
 * @category guards
 * @since 0.2.0
 */
export function fits(d: Descriptor, value: unknown): boolean {
  if (value === null) return isNullable(d)
  switch (d.kind) {
    case 'float64':
      return typeof value === 'number'
    case 'utf8':
      return typeof value === 'string' && isWellFormed(value)
    case 'bool':
      return typeof value === 'boolean'
    case 'dictionary':
      return typeof value === 'string' && dictionaryIndex(d).has(value)
    case 'typedArray':
      return typedElement(value) === d.element
    case 'list': {
      if (!Array.isArray(value)) return false
      for (let i = 0; i < value.length; i++) if (!fits(d.items, value[i])) return false
      return true
    }
    case 'struct': {
      if (!isPlainObject(value)) return false
      let present = 0
      for (const f of d.fields) {
        if (Object.hasOwn(value, f.name)) {
          present++
          const v = value[f.name]
          if (v === undefined || !fits(f.type, v)) return false
        } else if (!f.optional || isNullable(f.type)) return false
      }
      return present === Object.keys(value).length
    }
    case 'map': {
      if (!isPlainObject(value)) return false
      for (const k of Object.keys(value)) {
        if (!isWellFormed(k)) return false
        const v = value[k]
        if (v === undefined || !fits(d.values, v)) return false
      }
      return true
    }
    case 'null':
    case 'js':
      return false
    default:
      return absurd(d)
  }
}

/**
 * Whether `null` is a value of `d` (a nullable descriptor, or the `null` kind).
 *
 * @category guards
 * @since 0.2.0
 */
export function isNullable(d: Descriptor): boolean {
  return d.kind === 'null' || (d.kind !== 'js' && d.nullable)
}

/**
 * Whether `u` is a plain object: its prototype is `Object.prototype` or `null`.
 *
 * @category guards
 * @since 0.2.0
 */
export function isPlainObject(u: unknown): u is Readonly<Record<string, unknown>> {
  if (typeof u !== 'object' || u === null) return false
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/**
 * The element type of `u` when it is a typed array with an Arrow form (see {@link TypedElement}).
 *
 * @category guards
 * @since 0.4.0
 */
export function typedElement(u: unknown): TypedElement | undefined {
  if (!ArrayBuffer.isView(u)) return undefined
  // the built-in tag, not the constructor's name: a subclass is its base class's kind
  const tag = Object.prototype.toString.call(u).slice(8, -6)
  return TYPED_ELEMENTS.has(tag) ? (tag as TypedElement) : undefined
}

/**
 * Whether `s` is well-formed UTF-16 (no unpaired surrogate), i.e. survives UTF-8 exactly.
 *
 * @category guards
 * @since 0.2.0
 */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed()
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** The io-ts codecs, by `_tag`. A codec of another library or a custom `t.Type` is none. */
type Tagged =
  | t.StringType
  | t.NumberType
  | t.BooleanType
  | t.NullType
  | t.UndefinedType
  | t.VoidType
  | t.UnknownType
  | t.AnyType
  | t.NeverType
  | t.BigIntType
  | t.FunctionType
  | t.ObjectType
  | t.AnyArrayType
  | t.AnyDictionaryType
  | t.LiteralType<string | number | boolean>
  | t.KeyofType<Readonly<Record<string, unknown>>>
  | t.UnionType<[t.Mixed, t.Mixed, ...Array<t.Mixed>]>
  | t.InterfaceType<t.Props>
  | t.StrictType<t.Props>
  | t.PartialType<t.Props>
  | t.ExactType<t.Mixed>
  | t.IntersectionType<[t.Mixed, t.Mixed, ...Array<t.Mixed>]>
  | t.ArrayType<t.Mixed>
  | t.ReadonlyArrayType<t.Mixed>
  | t.ReadonlyType<t.Mixed>
  | t.DictionaryType<t.Mixed, t.Mixed>
  | t.RefinementType<t.Mixed>
  | t.RecursiveType<t.Mixed>
  | t.TupleType<[t.Mixed, ...Array<t.Mixed>]>

const TAGS: ReadonlySet<string> = new Set<Tagged['_tag']>([
  'StringType',
  'NumberType',
  'BooleanType',
  'NullType',
  'UndefinedType',
  'VoidType',
  'UnknownType',
  'AnyType',
  'NeverType',
  'BigIntType',
  'FunctionType',
  'ObjectType',
  'AnyArrayType',
  'AnyDictionaryType',
  'LiteralType',
  'KeyofType',
  'UnionType',
  'InterfaceType',
  'StrictType',
  'PartialType',
  'ExactType',
  'IntersectionType',
  'ArrayType',
  'ReadonlyArrayType',
  'ReadonlyType',
  'DictionaryType',
  'RefinementType',
  'RecursiveType',
  'TupleType',
])

function isTagged(u: unknown): u is Tagged {
  if (typeof u !== 'object' || u === null) return false
  const tag = (u as { readonly _tag?: unknown })._tag
  return typeof tag === 'string' && TAGS.has(tag)
}

function literal(value: unknown): Descriptor {
  switch (typeof value) {
    case 'string':
      return { kind: 'dictionary', values: [value], nullable: false }
    case 'number':
      return FLOAT64
    case 'boolean':
      return BOOL
    default:
      return JS
  }
}

function union(members: ReadonlyArray<unknown>): Descriptor {
  let d: Descriptor = EMPTY
  for (const m of members) {
    d = merge(d, describe(m))
    if (d.kind === 'js') return JS
  }
  return settle(d)
}

function struct(props: t.Props, optional: boolean): Descriptor {
  const fields: Array<StructField> = []
  for (const name of Object.keys(props)) {
    const type = describe(props[name])
    if (type.kind === 'js') return JS
    fields.push({ name, type, optional })
  }
  return { kind: 'struct', fields, nullable: false }
}

function withNullable(d: Descriptor, nullable: boolean): Descriptor {
  if (d.kind === 'null' || d.kind === 'js' || d.nullable === nullable) return d
  return { ...d, nullable }
}

/**
 * "Nothing seen yet": the identity of `merge`. It is a valid `null` descriptor, but only this
 * object means empty; `settle` replaces it before a descriptor leaves the module.
 */
const EMPTY: Of<'null'> = { kind: 'null' }

/** A descriptor that fits the values of `a` and of `b` (a union), or `js`. */
function merge(a: Descriptor, b: Descriptor): Descriptor {
  if (a === EMPTY) return b
  if (b === EMPTY) return a
  if (a.kind === 'js' || b.kind === 'js') return JS
  if (a.kind === 'null') return withNullable(b, true)
  if (b.kind === 'null') return withNullable(a, true)
  const nullable = a.nullable || b.nullable
  switch (a.kind) {
    case 'float64':
    case 'bool':
      return b.kind === a.kind ? withNullable(a, nullable) : JS
    case 'typedArray':
      return b.kind === a.kind && b.element === a.element ? withNullable(a, nullable) : JS
    case 'utf8':
      return b.kind === 'utf8' || b.kind === 'dictionary' ? withNullable(a, nullable) : JS
    case 'dictionary':
      if (b.kind === 'utf8') return withNullable(b, nullable)
      if (b.kind !== 'dictionary') return JS
      return { kind: 'dictionary', values: [...new Set([...a.values, ...b.values])], nullable }
    case 'list': {
      if (b.kind !== 'list') return JS
      const items = merge(a.items, b.items)
      return items.kind === 'js' ? JS : { kind: 'list', items, nullable }
    }
    case 'map': {
      if (b.kind !== 'map') return JS
      const values = merge(a.values, b.values)
      return values.kind === 'js' ? JS : { kind: 'map', values, nullable }
    }
    case 'struct': {
      if (b.kind !== 'struct') return JS
      const fields: Array<StructField> = []
      for (const f of a.fields) {
        const g = b.fields.find((x) => x.name === f.name)
        const type = g === undefined ? f.type : merge(f.type, g.type)
        if (type.kind === 'js') return JS
        fields.push({ name: f.name, type, optional: f.optional || g === undefined || g.optional })
      }
      for (const g of b.fields) {
        if (!a.fields.some((f) => f.name === g.name)) fields.push({ ...g, optional: true })
      }
      return { kind: 'struct', fields, nullable }
    }
    default:
      return absurd(a)
  }
}

/** A descriptor for values that fit both `a` and `b` (an intersection), or `js`. */
function intersect(a: Descriptor, b: Descriptor): Descriptor {
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields: Array<StructField> = a.fields.map((f) => ({ ...f }))
    for (const g of b.fields) {
      const i = fields.findIndex((f) => f.name === g.name)
      const f = fields[i]
      if (f === undefined) fields.push(g)
      else if (!equals(f.type, g.type)) return JS
      else fields[i] = { ...f, optional: f.optional && g.optional }
    }
    return { kind: 'struct', fields, nullable: a.nullable && b.nullable }
  }
  return equals(a, b) ? a : JS
}

function equals(a: Descriptor, b: Descriptor): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** widens `d` (the descriptor of the values so far) to fit `v` too */
function widen(d: Descriptor, v: unknown): Descriptor {
  switch (typeof v) {
    case 'number':
      return d.kind === 'float64' ? d : merge(d, FLOAT64)
    case 'string':
      return d.kind === 'utf8' ? d : merge(d, UTF8)
    case 'boolean':
      return d.kind === 'bool' ? d : merge(d, BOOL)
    case 'object':
      if (v === null) return d === EMPTY ? NULL : merge(d, NULL)
      if (Array.isArray(v)) return widenList(d, v)
      if (isPlainObject(v)) return widenStruct(d, v)
      return widenTyped(d, v)
    default:
      // undefined, bigint, symbol, function
      return JS
  }
}

function widenList(d: Descriptor, v: ReadonlyArray<unknown>): Descriptor {
  if (d.kind !== 'list' && d.kind !== 'null') return JS
  const start = d.kind === 'list' ? d.items : EMPTY
  let items = start
  for (let i = 0; i < v.length; i++) {
    items = widen(items, v[i])
    if (items.kind === 'js') return JS
  }
  if (d.kind === 'list') return items === start ? d : { ...d, items }
  return { kind: 'list', items, nullable: d !== EMPTY }
}

function widenTyped(d: Descriptor, v: object): Descriptor {
  const element = typedElement(v)
  if (element === undefined) return JS
  if (d.kind === 'typedArray' && d.element === element) return d
  return merge(d, { kind: 'typedArray', element, nullable: false })
}

function widenStruct(d: Descriptor, v: Readonly<Record<string, unknown>>): Descriptor {
  const keys = Object.keys(v)
  if (d.kind === 'null') {
    const fields: Array<StructField> = []
    for (const name of keys) {
      const type = widen(EMPTY, v[name])
      if (type.kind === 'js') return JS
      fields.push({ name, type, optional: false })
    }
    return { kind: 'struct', fields, nullable: d !== EMPTY }
  }
  if (d.kind !== 'struct') return JS
  let fields: Array<StructField> | undefined // copied on first change
  let present = 0
  for (let j = 0; j < d.fields.length; j++) {
    const f = d.fields[j] as StructField
    let next = f
    if (Object.hasOwn(v, f.name)) {
      present++
      const type = widen(f.type, v[f.name])
      if (type.kind === 'js') return JS
      if (type !== f.type) next = { ...f, type }
    } else if (!f.optional) next = { ...f, optional: true }
    if (next !== f) {
      fields ??= d.fields.slice()
      fields[j] = next
    }
  }
  if (present < keys.length) {
    fields ??= d.fields.slice()
    const known = new Set(d.fields.map((f) => f.name))
    for (const name of keys) {
      if (known.has(name)) continue
      const type = widen(EMPTY, v[name])
      if (type.kind === 'js') return JS
      fields.push({ name, type, optional: true })
    }
  }
  return fields === undefined ? d : { ...d, fields }
}

/** where `v` makes `d` (the values so far) `js`, innermost first; undefined when it does not */
function clash(
  d: Descriptor,
  v: unknown,
): { path: Array<string | number>; had: Descriptor | undefined; got: unknown } | undefined {
  if (widen(d, v).kind !== 'js') return undefined
  if (Array.isArray(v) && (d.kind === 'list' || d.kind === 'null')) {
    let items = d.kind === 'list' ? d.items : EMPTY
    for (let k = 0; k < v.length; k++) {
      const c = clash(items, v[k])
      if (c !== undefined) return (c.path.unshift(k), c)
      items = widen(items, v[k])
    }
  } else if (isPlainObject(v) && (d.kind === 'struct' || d.kind === 'null')) {
    for (const name of Object.keys(v)) {
      const f = d.kind === 'struct' ? d.fields.find((x) => x.name === name) : undefined
      const c = clash(f?.type ?? EMPTY, v[name])
      if (c !== undefined) return (c.path.unshift(name), c)
    }
  }
  const alone = d.kind === 'null' || widen(EMPTY, v).kind === 'js'
  return { path: [], had: alone || d.kind === 'js' ? undefined : d, got: v }
}

/** replaces every `EMPTY` (nothing seen) in `d` by a real `null` descriptor */
function settle(d: Descriptor): Descriptor {
  switch (d.kind) {
    case 'null':
      return d === EMPTY ? { kind: 'null' } : d
    case 'list':
      return { ...d, items: settle(d.items) }
    case 'map':
      return { ...d, values: settle(d.values) }
    case 'struct':
      return { ...d, fields: d.fields.map((f) => ({ ...f, type: settle(f.type) })) }
    case 'float64':
    case 'utf8':
    case 'bool':
    case 'dictionary':
    case 'typedArray':
    case 'js':
      return d
    default:
      return absurd(d)
  }
}

const dictionaryIndexes = new WeakMap<object, ReadonlyMap<string, number>>()

/**
 * The position of each value of a dictionary descriptor (cached per descriptor object). A value
 * that is not well-formed UTF-16 is left out: it cannot come back exactly, so nothing fits it.
 *
 * @internal
 */
export function dictionaryIndex(d: Of<'dictionary'>): ReadonlyMap<string, number> {
  let index = dictionaryIndexes.get(d)
  if (index === undefined) {
    const built = new Map<string, number>()
    // first occurrence wins
    for (let i = d.values.length - 1; i >= 0; i--) {
      const v = d.values[i] as string
      if (isWellFormed(v)) built.set(v, i)
    }
    dictionaryIndexes.set(d, built)
    index = built
  }
  return index
}
