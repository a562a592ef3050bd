/**
 * fast-check arbitraries derived from io-ts codecs, by reading the codecs' structure (`_tag`).
 *
 * @since 0.2.0
 */
import fc from 'fast-check'
import type * as t from 'io-ts'
import { GraphError, isNode, type AnyNode, type Node } from 'dagflow'
import { MissingArbitraryError } from './errors.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How {@link arbitrary} derives values.
 *
 * @category models
 * @since 0.2.0
 */
export interface ArbitraryOptions {
  /**
   * Arbitraries by codec name (`codec.name`), used in place of the derived ones wherever a codec
   * of that name appears, at any depth. Required for codecs without a structural form (a custom
   * `new t.Type`, a class codec); also the way to narrow a built-in one, e.g.
   * `{ number: fc.double({ noNaN: true, noDefaultInfinity: true }) }` for finite numbers. An
   * override must make values the codec decodes (its encoded side); they are not filtered.
   */
  readonly overrides?: Readonly<Record<string, fc.Arbitrary<unknown>>>
  /** how many times a recursive codec (`t.recursion`) may nest inside itself (default 3) */
  readonly maxDepth?: number
  /** the most items an array, and the most keys a dictionary, gets (default 5) */
  readonly maxLength?: number
}

/**
 * The parameter record a node's `fn` receives: its accepted record decoded by the `inputs`
 * codecs. It differs from {@link AcceptedParamsOf} only for converting codecs and brands.
 *
 * @typeParam N - the node
 * @category models
 * @since 0.2.0
 */
export type ParamsOf<N> = N extends Node<string, never, unknown, string, infer A> ? A : never

/**
 * The parameter record a node accepts from callers and producers: values its `inputs` codecs
 * decode (their encoded side).
 *
 * @typeParam N - the node
 * @category models
 * @since 0.2.0
 */
export type AcceptedParamsOf<N> =
  N extends Node<string, infer D, unknown, string, never> ? D : never

/**
 * Arbitraries by parameter name, used in place of those derived from a node's `inputs` codecs
 * (and required for nodes without `inputs`). Each makes values of the type the node accepts.
 *
 * @typeParam D - the node's parameter record
 * @category models
 * @since 0.2.0
 */
export type ParamArbitraries<D> = { readonly [K in keyof D]?: fc.Arbitrary<D[K]> }

/**
 * How {@link inputsArbitrary} derives parameter records.
 *
 * @typeParam D - the node's parameter record
 * @category models
 * @since 0.2.0
 */
export interface InputsArbitraryOptions<D> extends ArbitraryOptions {
  /**
   * arbitraries by parameter name, used in place of those derived from `inputs`: each makes
   * values the node accepts (they are decoded by its `inputs` codec like derived ones)
   */
  readonly arbitraries?: ParamArbitraries<D>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A fast-check arbitrary of values that `codec` decodes, derived from the codec's structure.
 *
 * The values are the codec's **encoded side**, `t.OutputOf<C>`: what decodes, which is what a
 * node with this codec in `inputs` accepts. For codecs that do not convert this equals
 * `t.TypeOf<C>`. Numbers include `-0`, `NaN` and `±Infinity` (`t.number` accepts them);
 * strings include astral Unicode; `t.partial` fields are sometimes absent; refinements are
 * filtered by decoding (`t.Int` is generated as integers directly, but a narrow refinement
 * such as "a prime" can make generation slow: give it an override); recursive codecs nest at
 * most `maxDepth` times.
 *
 * **Gotchas**: a codec without a structural form (a custom `new t.Type`, a class codec) throws
 * a {@link MissingArbitraryError} naming it: pass `overrides: { [codec.name]: arbitrary }`.
 *
 * @example
 * import fc from 'fast-check'
 * import * as t from 'io-ts'
 * import { arbitrary } from 'dagflow/testing'
 * const Point = t.type({ x: t.number, y: t.number, label: t.union([t.string, t.null]) })
 * fc.sample(arbitrary(Point), { numRuns: 50, seed: 42 }).every(Point.is) // => true
 * // t.number includes the edge values: NaN, -0 and the infinities appear
 * const ns = fc.sample(arbitrary(t.number), { numRuns: 200, seed: 1 })
 * ns.some(Number.isNaN) && ns.some((n) => Object.is(n, -0)) // => true
 *
 * @example
 * import fc from 'fast-check'
 * import * as t from 'io-ts'
 * import { arbitrary } from 'dagflow/testing'
 * // a codec with no structure: name it in `overrides` with an arbitrary of its encoded side
 * const Iso = new t.Type<Date, string, unknown>(
 *   'IsoDate',
 *   (u): u is Date => u instanceof Date,
 *   (u, c) =>
 *     typeof u === 'string' && !isNaN(Date.parse(u)) ? t.success(new Date(u)) : t.failure(u, c),
 *   (d) => d.toISOString(),
 * )
 * const Event = t.type({ at: Iso, finite: t.number })
 * const events = arbitrary(Event, {
 *   overrides: {
 *     IsoDate: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
 *     number: fc.double({ noNaN: true, noDefaultInfinity: true }),
 *   },
 * })
 * const decodes = (e: unknown): boolean => Event.decode(e)._tag === 'Right'
 * fc.sample(events, { numRuns: 50, seed: 7 }).every(decodes) // => true
 * @category constructors
 * @since 0.2.0
 */
export function arbitrary<C extends t.Any>(
  codec: C,
  options: ArbitraryOptions = {},
): fc.Arbitrary<t.OutputOf<C>> {
  if (!isCodec(codec)) {
    throw new GraphError('arbitrary(codec): `codec` must be an io-ts codec, e.g. t.type({ x: t.number }).')
  }
  return deriveRoot(codec, contextFor(options, undefined, undefined)) as fc.Arbitrary<t.OutputOf<C>>
}

/**
 * A fast-check arbitrary of a node's parameter records **as `fn` receives them**, derived from
 * its `inputs` codecs: values the codecs accept, decoded by them (so a converting codec such as
 * a `NumberFromString` yields numbers here, where `arbitrary(codec)` yields strings). An
 * arbitrary in `options.arbitraries` replaces the derived one for its parameter; it makes
 * values the node accepts, which are decoded too.
 *
 * **Gotchas**: a node without `inputs` has no codecs to read: every parameter without a default
 * in the destructuring pattern then needs an entry in `options.arbitraries`, or this throws a
 * {@link MissingArbitraryError}. Parameters with a default and no arbitrary are left out, so
 * the default applies.
 *
 * @example
 * import fc from 'fast-check'
 * import * as t from 'io-ts'
 * import { node } from 'dagflow'
 * import { inputsArbitrary } from 'dagflow/testing'
 * const clamp = node(
 *   { output: 'clamped', mapAxis: 'x', inputs: { x: t.number, hi: t.Int } },
 *   ({ x, hi }) => Math.min(x, hi),
 * )
 * await fc.assert(
 *   fc.asyncProperty(inputsArbitrary(clamp), async (d) => {
 *     const y = await clamp.fn(d)
 *     return Number.isNaN(y) || y <= d.hi
 *   }),
 *   { seed: 3 },
 * )
 * // without `inputs`, say how to make each parameter
 * const half = node({ output: 'half' }, ({ n }: { n: number }) => n / 2)
 * const ns = inputsArbitrary(half, { arbitraries: { n: fc.integer() } })
 * fc.sample(ns, { numRuns: 5, seed: 1 }).every((d) => Number.isInteger(d.n)) // => true
 * @category constructors
 * @since 0.2.0
 */
export function inputsArbitrary<N extends AnyNode>(
  node: N,
  options: InputsArbitraryOptions<AcceptedParamsOf<N>> = {},
): fc.Arbitrary<ParamsOf<N>> {
  if (!isNode(node)) {
    throw new GraphError('inputsArbitrary(node): `node` must be a node made by node().')
  }
  const params = paramArbitraries(node, options)
  return fc
    .record(params, { noNullPrototype: true })
    .map((record) => decodeParams(node, record)) as fc.Arbitrary<never>
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/**
 * @internal The arbitrary of each parameter of `node`, by name: the given one, else derived from
 * the `inputs` codec; parameters with a default and neither are left out.
 */
export function paramArbitraries(
  node: AnyNode,
  options: InputsArbitraryOptions<unknown>,
): Record<string, fc.Arbitrary<unknown>> {
  const given = (options.arbitraries ?? {}) as Readonly<Record<string, fc.Arbitrary<unknown>>>
  const out: Record<string, fc.Arbitrary<unknown>> = {}
  const missing: Array<string> = []
  for (const param of node.deps) {
    const arb = Object.hasOwn(given, param) ? given[param] : undefined
    const codec = node.inputs?.[param]
    if (arb !== undefined) {
      out[param] = arb
    } else if (codec !== undefined) {
      out[param] = deriveRoot(codec, contextFor(options, node.name, param))
    } else if (!node.optionalDeps.includes(param)) {
      missing.push(param)
    }
  }
  if (missing.length > 0) {
    throw new MissingArbitraryError({ reason: 'no-inputs', node: node.name, params: missing })
  }
  return out
}

/** @internal Decodes a generated record with the node's `inputs` codecs, as executors do. */
function decodeParams(
  node: AnyNode,
  record: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [param, value] of Object.entries(record)) {
    const codec = node.inputs?.[param]
    if (codec === undefined) {
      out[param] = value
      continue
    }
    const r = codec.decode(value)
    if (r._tag === 'Left') {
      throw new GraphError(
        `inputsArbitrary: the arbitrary for parameter "${param}" of node "${node.name}" made ${fc.stringify(value)}, which its \`inputs\` codec "${codec.name}" rejects; an arbitrary must make values the codec decodes.`,
      )
    }
    out[param] = r.right
  }
  return out
}

/** The structure of an io-ts codec, as far as derivation reads it. */
interface Structural {
  readonly _tag?: unknown
  readonly name: string
  readonly value?: unknown
  readonly keys?: Readonly<Record<string, unknown>>
  readonly types?: ReadonlyArray<t.Mixed>
  readonly props?: Readonly<Record<string, t.Mixed>>
  readonly type?: t.Mixed
  readonly domain?: t.Mixed
  readonly codomain?: t.Mixed
}

interface Context {
  readonly overrides: Readonly<Record<string, fc.Arbitrary<unknown>>>
  readonly maxDepth: number
  readonly maxLength: number
  readonly node: string | undefined
  readonly param: string | undefined
  readonly path: ReadonlyArray<string>
  /** how many times each recursive codec has been entered on the way here */
  readonly depth: ReadonlyMap<t.Mixed, number>
}

const contextFor = (
  options: ArbitraryOptions,
  node: string | undefined,
  param: string | undefined,
): Context => ({
  overrides: options.overrides ?? {},
  maxDepth: count('maxDepth', options.maxDepth, 3),
  maxLength: count('maxLength', options.maxLength, 5),
  node,
  param,
  path: [],
  depth: new Map(),
})

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 0) {
    throw new GraphError(`\`${name}\` must be a non-negative integer, got ${String(value)}.`)
  }
  return value
}

const isCodec = (u: unknown): u is t.Mixed =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as { decode?: unknown }).decode === 'function' &&
  typeof (u as { is?: unknown }).is === 'function'

const decodes = (codec: t.Mixed, u: unknown): boolean => codec.decode(u)._tag === 'Right'

const at = (ctx: Context, segment: string): Context => ({ ...ctx, path: [...ctx.path, segment] })

/** Derives the arbitrary of a whole codec: one that admits no value is an error here. */
function deriveRoot(codec: t.Mixed, ctx: Context): fc.Arbitrary<unknown> {
  const arb = derive(codec, ctx)
  if (arb !== undefined) return arb
  throw new MissingArbitraryError({
    reason: 'no-value',
    codec: codec.name,
    node: ctx.node,
    params: ctx.param === undefined ? [] : [ctx.param],
    maxDepth: ctx.maxDepth,
  })
}

/**
 * The arbitrary of values `codec` decodes, or `undefined` when it admits none within the depth
 * budget (`t.never`, an exhausted recursion): containers then drop or empty that part.
 */
function derive(codec: t.Mixed, ctx: Context): fc.Arbitrary<unknown> | undefined {
  const override = Object.hasOwn(ctx.overrides, codec.name) ? ctx.overrides[codec.name] : undefined
  if (override !== undefined) return override
  const c = codec as unknown as Structural
  const tag = typeof c._tag === 'string' ? c._tag : undefined
  const inner = (): t.Mixed => c.type as t.Mixed
  switch (tag) {
    case 'StringType':
      return strings
    case 'NumberType':
      return numbers
    case 'BooleanType':
      return fc.boolean()
    case 'BigIntType':
      return fc.bigInt()
    case 'NullType':
      return fc.constant(null)
    case 'UndefinedType':
    case 'VoidType':
      return fc.constant(undefined)
    case 'UnknownType':
    case 'AnyType':
      return anything
    case 'NeverType':
      return undefined
    case 'FunctionType':
      return fc.func(anything)
    case 'ObjectType':
      return fc.object({ maxDepth: 1, maxKeys: ctx.maxLength })
    case 'AnyArrayType':
      return fc.array(anything, { maxLength: ctx.maxLength })
    case 'AnyDictionaryType':
      return fc.dictionary(fc.string(), anything, { maxKeys: ctx.maxLength, noNullPrototype: true })
    case 'LiteralType':
      return fc.constant(c.value)
    case 'KeyofType': {
      const keys = Object.keys(c.keys ?? {})
      return keys.length === 0 ? undefined : fc.constantFrom(...keys)
    }
    case 'UnionType': {
      const members = (c.types ?? []).flatMap((m) => {
        const a = derive(m, ctx)
        return a === undefined ? [] : [a]
      })
      return members.length === 0 ? undefined : fc.oneof(...members)
    }
    case 'InterfaceType':
    case 'StrictType':
      return record(c.props ?? {}, ctx, true)
    case 'PartialType':
      return record(c.props ?? {}, ctx, false)
    case 'ExactType':
    case 'ReadonlyType':
      return derive(inner(), ctx)
    case 'ArrayType':
    case 'ReadonlyArrayType': {
      const item = derive(inner(), at(ctx, '[]'))
      return item === undefined ? fc.constant([]) : fc.array(item, { maxLength: ctx.maxLength })
    }
    case 'TupleType': {
      const items: Array<fc.Arbitrary<unknown>> = []
      for (const [i, m] of (c.types ?? []).entries()) {
        const a = derive(m, at(ctx, String(i)))
        if (a === undefined) return undefined
        items.push(a)
      }
      return fc.tuple(...items)
    }
    case 'DictionaryType':
      return dictionary(codec, c.domain as t.Mixed, c.codomain as t.Mixed, ctx)
    case 'IntersectionType':
      return intersection(codec, c.types ?? [], ctx)
    case 'RefinementType': {
      const base = isIntCodec(codec) ? integers : derive(inner(), ctx)
      return base?.filter((v) => decodes(codec, v))
    }
    case 'RecursiveType': {
      const seen = ctx.depth.get(codec) ?? 0
      if (seen > ctx.maxDepth) return undefined
      return derive(inner(), { ...ctx, depth: new Map(ctx.depth).set(codec, seen + 1) })
    }
    default:
      throw new MissingArbitraryError({
        reason: 'no-structure',
        codec: codec.name,
        node: ctx.node,
        params: ctx.param === undefined ? [] : [ctx.param],
        path: ctx.path,
      })
  }
}

/** `t.type` / `t.strict` (every key) or `t.partial` (each key sometimes absent). */
function record(
  props: Readonly<Record<string, t.Mixed>>,
  ctx: Context,
  required: boolean,
): fc.Arbitrary<unknown> | undefined {
  const model: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [k, p] of Object.entries(props)) {
    const a = derive(p, at(ctx, k))
    if (a !== undefined) model[k] = a
    else if (required) return undefined
  }
  return required
    ? fc.record(model, { noNullPrototype: true })
    : fc.record(model, { requiredKeys: [], noNullPrototype: true })
}

/**
 * `t.record(domain, codomain)`. A finite domain (literals, `t.keyof`) needs every key (io-ts
 * decodes it as a strict interface); otherwise keys come from the domain, and io-ts ignores keys
 * outside it, so any string key decodes.
 */
function dictionary(
  codec: t.Mixed,
  domain: t.Mixed,
  codomain: t.Mixed,
  ctx: Context,
): fc.Arbitrary<unknown> | undefined {
  const keys = finiteKeys(domain)
  if (keys !== undefined) {
    const props: Record<string, t.Mixed> = {}
    for (const k of keys) props[k] = codomain
    return record(props, ctx, true)
  }
  const value = derive(codomain, at(ctx, '{}'))
  if (value === undefined) return fc.constant({})
  const key = derive(domain, ctx)
  if (key === undefined) return fc.constant({})
  return fc
    .dictionary(
      key.map((k) => (typeof k === 'string' ? k : String(k))),
      value,
      { maxKeys: ctx.maxLength, noNullPrototype: true },
    )
    .filter((v) => decodes(codec, v))
}

/** The keys of a finite dictionary domain, as io-ts computes them (`getDomainKeys`). */
function finiteKeys(domain: t.Mixed): ReadonlyArray<string> | undefined {
  const c = domain as unknown as Structural
  if (c._tag === 'LiteralType') return typeof c.value === 'string' ? [c.value] : undefined
  if (c._tag === 'KeyofType') return Object.keys(c.keys ?? {})
  if (c._tag === 'UnionType') {
    const parts = (c.types ?? []).map(finiteKeys)
    if (parts.some((p) => p === undefined)) return undefined
    return [...new Set(parts.flatMap((p) => p ?? []))]
  }
  return undefined
}

/**
 * `t.intersection`: one value of each part, merged when they are all objects (deeply, as io-ts
 * merges decoded parts), else one of them; kept only when the whole codec decodes it.
 */
function intersection(
  codec: t.Mixed,
  types: ReadonlyArray<t.Mixed>,
  ctx: Context,
): fc.Arbitrary<unknown> | undefined {
  const parts: Array<fc.Arbitrary<unknown>> = []
  for (const m of types) {
    const a = derive(m, ctx)
    if (a === undefined) return undefined
    parts.push(a)
  }
  if (parts.length === 0) return anything
  return fc
    .tuple(fc.tuple(...parts), fc.nat())
    .map(([values, pick]) =>
      values.every(isPlainObject) ? values.reduce(mergeDeep, {}) : values[pick % values.length],
    )
    .filter((v) => decodes(codec, v))
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  Object.getPrototypeOf(u) === Object.prototype

function mergeDeep(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b
  const out: Record<string, unknown> = { ...a }
  for (const [k, v] of Object.entries(b)) out[k] = Object.hasOwn(out, k) ? mergeDeep(out[k], v) : v
  return out
}

/** `t.Int` (a refinement of `t.number` named "Int"): integers directly, not filtered doubles. */
function isIntCodec(codec: t.Mixed): boolean {
  const c = codec as unknown as Structural
  const inner = c.type as unknown as Structural | undefined
  return codec.name === 'Int' && inner?._tag === 'NumberType'
}

const strings: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
)
/** Every double, with the edge values (zeros, NaN, infinities) and small integers made common. */
const numbers: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -100, max: 100 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      0,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
      2 ** 53 + 2,
      0.1,
    ),
  },
)
const integers: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1, Number.MAX_SAFE_INTEGER) },
)
const anything: fc.Arbitrary<unknown> = fc.anything({ maxDepth: 2, maxKeys: 3 })
