/**
 * A node wraps one plain function as a step of a pipeline. Its dependencies are the property
 * names of the function's parameter record; its result is published under `spec.output`.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import { describeValue, GraphError, UnreadableParamsError } from './errors.js'
import { readParamNames } from './param-names.js'
import type { DagflowTypeError, Simplify } from './type-utils.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The key of the phantom slot that carries a node's types. Guards use `Symbol.for`, so nodes
 * made by another copy of the package are recognised too.
 *
 * @category models
 * @since 0.1.0
 */
export const NodeTypeId: unique symbol = Symbol.for('dagflow/Node') as never
/**
 * @category models
 * @since 0.1.0
 */
export type NodeTypeId = typeof NodeTypeId

/**
 * A column of a `batch` form: one entry per item of the batch.
 *
 * @category models
 * @since 0.1.0
 */
export type Column<T> = ArrayLike<T> & Iterable<T>

/**
 * The columnar form of a node function: every parameter arrives as a column with one entry per
 * item (a constant repeats); it returns one result per item, in order.
 *
 * @typeParam D - the node's parameter record
 * @typeParam R - the node's result for one item
 * @category models
 * @since 0.1.0
 */
export type BatchFn<D, R> = (
  columns: { readonly [K in keyof D]-?: Column<D[K]> },
  ctx: BatchContext,
) => ArrayLike<R> | Promise<ArrayLike<R>>

/**
 * The optional second parameter of a node function.
 *
 * @category models
 * @since 0.4.0
 */
export interface NodeContext {
  /** fires when the run is aborted or this call passes the node's `timeoutMs` (reason: a TimeoutError) */
  readonly signal: AbortSignal
  /** the item's key; undefined for a node that runs once */
  readonly key: string | number | undefined
  /** the item's index; undefined for a node that runs once */
  readonly index: number | undefined
  /** 1 for the first call, 2 for the first retry, … */
  readonly attempt: number
}

/**
 * The optional second parameter of a `batch` form.
 *
 * @category models
 * @since 0.4.0
 */
export interface BatchContext {
  readonly signal: AbortSignal
  /** the keys of the batch's items, in order */
  readonly keys: ReadonlyArray<string | number>
  /** the indices of the batch's items, in order */
  readonly indices: ReadonlyArray<number>
  readonly attempt: number
}

/**
 * How a failing call is retried: `attempts` calls in all (≥ 1), waiting `backoffMs × factor^(n-1)`
 * before retry n, for errors `retryOn` accepts (default: every error, timeouts included).
 *
 * @category models
 * @since 0.4.0
 */
export interface RetryPolicy {
  readonly attempts: number
  readonly backoffMs?: number
  readonly factor?: number
  readonly retryOn?: (error: unknown) => boolean
}

/**
 * A step of a pipeline: a frozen value.
 *
 * @typeParam O - the output name
 * @typeParam D - the parameter record the node accepts (its keys are the dependencies)
 * @typeParam R - the result type (for a per-item node, the result for one item)
 * @typeParam M - the map-axis parameter (`never` for a node that runs once)
 * @typeParam A - the parameter record the function receives: `D` decoded by the `inputs`
 *   codecs. It differs from `D` only for converting codecs (e.g. `NumberFromString` accepts a
 *   string and hands the function a number).
 * @category models
 * @since 0.1.0
 */
export interface Node<out O extends string, in D, out R, out M extends string = never, in A = D> {
  readonly [NodeTypeId]: {
    readonly _D: (deps: D) => void
    readonly _R: () => R
    readonly _M: () => M
  }
  /** used in errors, events and pictures; defaults to `output` */
  readonly name: string
  readonly output: O
  /** dependency names, from `spec.inputs` or the function's destructuring pattern */
  readonly deps: ReadonlyArray<string>
  /** the dependencies that have a default value in the destructuring pattern */
  readonly optionalDeps: ReadonlyArray<string>
  readonly mapAxis: string | undefined
  readonly keyAttr: string | undefined
  readonly inputs: Readonly<Record<string, t.Mixed>> | undefined
  readonly returns: t.Mixed | undefined
  /** the function itself: call it directly to unit-test a node */
  readonly fn: (deps: A, ctx?: NodeContext) => R | Promise<R>
  readonly batch: BatchFn<A, R> | undefined
  readonly retry: RetryPolicy | undefined
  readonly timeoutMs: number | undefined
  /** the most calls of this node in flight at once (beneath the executor's bound) */
  readonly concurrency: number | undefined
  /** false when the node opts out of caching */
  readonly cache: boolean
  /** bump it when something the function captures changes (part of the cache key) */
  readonly version: string | undefined
  /** whether the function or batch form reads its second parameter (`ctx`) */
  readonly usesContext: boolean
}

/**
 * Any node. Every `Node<O, D, R, M>` is assignable to it.
 *
 * @category models
 * @since 0.1.0
 */
export type AnyNode = Node<string, never, unknown, string, never>

/**
 * What `keyAttr` may be: a field of the map-axis item whose values can be keys (strings or
 * numbers; the run checks each one), and nothing without `mapAxis` or on a primitive item.
 */
type KeyAttrFor<D, M extends string> = [M] extends [never]
  ? DagflowTypeError<'keyAttr requires mapAxis'>
  : M extends keyof D
    ? KeyFields<NonNullable<D[M]>, M>
    : never
type KeyFields<I, M extends string> = 0 extends 1 & I
  ? string // any: nothing to check
  : [I] extends [never]
    ? string // not inferred yet (a function whose `ctx` is typed from context): checked later
    : [I] extends [string | number | boolean | bigint | symbol]
    ? DagflowTypeError<`keyAttr names a field of the map-axis item, and "${M}" is not an object: drop keyAttr to key items by index`>
    : { [K in keyof I & string]-?: [NonNullable<I[K]>] extends [string | number] ? K : never }[keyof I &
        string]

/** What `batch` may be: the columnar twin of `fn`, and nothing without `mapAxis`. */
type BatchFor<D, M extends string, R> = [M] extends [never]
  ? DagflowTypeError<'batch requires mapAxis'>
  : BatchFn<D, R>

/**
 * The first argument of {@link node}.
 *
 * @typeParam O - the output name
 * @typeParam D - the parameter record
 * @typeParam M - the map-axis parameter, a key of `D`
 * @typeParam R - the result type
 * @typeParam A - the parameter record the function receives (decoded)
 * @category models
 * @since 0.1.0
 */
export interface NodeSpec<O extends string, D, M extends string, R, A = D> {
  /** the name the result is published under; other nodes depend on it by this name */
  readonly output: O
  /** shown in errors and pictures; defaults to `output` */
  readonly name?: string
  /** the per-item parameter: with it the node runs once per item of a `map` */
  readonly mapAxis?: M
  /** a key of the map-axis item that identifies it (requires `mapAxis`) */
  readonly keyAttr?: KeyAttrFor<D, M>
  /** the same function over columns, called once per batch by the Arrow executor */
  readonly batch?: BatchFor<A, M, R>
  /** an io-ts codec that every result is decoded with */
  readonly returns?: t.Type<R, unknown, unknown>
  /** retry failing calls (per item, or per batch for the batch form) */
  readonly retry?: RetryPolicy
  /** fail a call that takes longer, with a NodeError whose cause is a TimeoutError */
  readonly timeoutMs?: number
  /** the most calls of this node in flight at once, beneath the executor's bound */
  readonly concurrency?: number
  /** `false`: never cache this node's results */
  readonly cache?: boolean
  /** part of the cache key: bump it when something the function captures changes */
  readonly version?: string
}

/**
 * The parameter record of a node function without `inputs`: its annotated first parameter
 * (`{}` for a function without parameters). The function itself is the type parameter, so its
 * second parameter (`ctx`) is typed from context while the first is read from the annotation.
 *
 * @category models
 * @since 0.4.0
 */
export type DepsParam<F> = F extends (deps: infer D, ...rest: never) => unknown
  ? unknown extends D
    ? {}
    : D
  : {}

/**
 * Any node function, as `node()` sees it before reading its annotation. Its record is read from
 * the annotation of the first parameter; the second (`ctx`) is typed from context.
 *
 * @category models
 * @since 0.4.0
 */
export type NodeFn = (deps: never, ctx: NodeContext) => unknown

/**
 * The result type of a node: its `returns` codec's decoded type when it has one, else what the
 * function returns (awaited).
 *
 * @category models
 * @since 0.4.0
 */
export type ResultOf<F, C extends t.Mixed> = [C] extends [never]
  ? F extends (...args: never) => infer R
    ? Awaited<R>
    : never
  : t.TypeOf<C>

/**
 * Whether a `returns` codec can accept what the function returns: one of the two types must
 * be assignable to the other (a codec may narrow an `unknown` result, but a `t.number` codec
 * on a function returning strings would fail every call).
 */
type ReturnsFits<F, C extends t.Mixed, O extends string> = [C] extends [never]
  ? unknown
  : F extends (...args: never) => infer R
    ? [t.TypeOf<C>] extends [Awaited<R>]
      ? unknown
      : [Awaited<R>] extends [t.TypeOf<C>]
        ? unknown
        : DagflowTypeError<`the returns codec of "${O}" does not accept what its function returns`>
    : unknown

/**
 * What a node's function receives: the `inputs` codecs' decoded values when it has `inputs`
 * (`P`), else its annotated parameter record.
 */
type ParamsOf<P extends t.Props, F> = [P] extends [never] ? DepsParam<F> : DepsOf<P>

/** What a node accepts from producers and callers: the codecs' encoded side, with `inputs`. */
type AcceptedOf<P extends t.Props, F> = [P] extends [never] ? DepsParam<F> : AcceptedDepsOf<P>

/**
 * The node's function: `F` as annotated without `inputs`; with `inputs`, typed from them,
 * returning `R`.
 */
type FnOf<P extends t.Props, F, R> = [P] extends [never] ? F : (deps: DepsOf<P>) => R

/**
 * The parameter record a function with `inputs` codecs receives: the decoded values.
 *
 * @category models
 * @since 0.1.0
 */
export type DepsOf<P extends t.Props> = Simplify<{ readonly [K in keyof P]: t.TypeOf<P[K]> }>

/**
 * The parameter record a node with `inputs` codecs accepts from its producers and callers: the
 * codecs' encoded side (`t.OutputOf`), which equals the decoded side for non-converting codecs.
 *
 * @category models
 * @since 0.1.0
 */
export type AcceptedDepsOf<P extends t.Props> = Simplify<{
  readonly [K in keyof P]: t.OutputOf<P[K]>
}>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Wraps a plain function as a pipeline step that produces `spec.output`.
 *
 * Dependencies come from `spec.inputs` (io-ts codecs, which also type the parameter and are
 * checked at run time) or else from the function's destructuring pattern, which must be
 * annotated for the compiler to know the types.
 *
 * **Gotchas**: without `spec.inputs`, names come from the destructuring pattern; a rest element
 * or an undestructured parameter throws `UNREADABLE_PARAMS` (pass `inputs`).
 *
 * @example
 * import { node } from 'dagflow'
 * const double = node({ output: 'doubled' }, ({ x }: { x: number }) => x * 2)
 * double.deps // => ['x']
 * double.fn({ x: 21 }) // => 42
 *
 * @example
 * import * as t from 'io-ts'
 * import { node } from 'dagflow'
 * const Query = t.type({ id: t.string, text: t.string })
 * const words = node(
 *   { output: 'words', mapAxis: 'query', keyAttr: 'id', inputs: { query: Query } },
 *   ({ query }) => query.text.split(' ').length,
 * )
 * words.mapAxis // => 'query'
 * @category constructors
 * @since 0.1.0
 */
export function node<
  const O extends string,
  F extends NodeFn,
  R,
  const P extends t.Props = never,
  const M extends keyof ParamsOf<P, F> & string = never,
  C extends t.Mixed = never,
>(
  spec: Omit<NodeSpec<O, AcceptedOf<P, F>, M, NoInfer<ResultOf<FnOf<P, F, R>, C>>, ParamsOf<P, F>>, 'returns'> & {
    readonly inputs?: P
    readonly returns?: C & ReturnsFits<FnOf<P, F, R>, C, O>
  },
  fn: [P] extends [never] ? F : (deps: NoInfer<DepsOf<P>>, ctx: NodeContext) => R,
): Node<O, AcceptedOf<P, F>, ResultOf<FnOf<P, F, R>, C>, M, ParamsOf<P, F>>
export function node(spec: unknown, fn: unknown): AnyNode {
  return makeNode(spec as never, fn as never)
}

// -------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------

/**
 * Whether `u` is a node (made by any copy of the package).
 *
 * @example
 * import { isNode, node } from 'dagflow'
 * isNode(node({ output: 'y' }, ({ x }: { x: number }) => x)) // => true
 * isNode({ output: 'y' }) // => false
 * @category guards
 * @since 0.1.0
 */
export const isNode = (u: unknown): u is AnyNode =>
  typeof u === 'object' && u !== null && NodeTypeId in u

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const phantom = Object.freeze({}) as AnyNode[NodeTypeId]

const SPEC_KEYS = new Set([
  'output',
  'name',
  'mapAxis',
  'keyAttr',
  'batch',
  'returns',
  'inputs',
  'retry',
  'timeoutMs',
  'concurrency',
  'cache',
  'version',
])

const quoted = (names: ReadonlyArray<string>): string => names.map((k) => `"${k}"`).join(', ')

const isCodec = (u: unknown): u is t.Mixed =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as { decode?: unknown }).decode === 'function' &&
  typeof (u as { is?: unknown }).is === 'function'

function makeNode(
  spec: NodeSpec<string, object, string, unknown> & { readonly inputs?: t.Props | undefined },
  fn: (deps: never) => unknown,
): AnyNode {
  if (typeof spec !== 'object' || spec === null) {
    throw new GraphError('node(spec, fn): `spec` must be an object like { output: "name" }.')
  }
  const output: unknown = spec.output
  if (typeof output !== 'string' || output.length === 0) {
    throw new GraphError('node(spec, fn): `spec.output` must be a non-empty string.')
  }
  // `name: null` is a mistake to report, not a request for the default
  const name: unknown = spec.name === undefined ? output : spec.name
  if (typeof name !== 'string' || name.length === 0) {
    throw new GraphError(`node "${output}": \`spec.name\` must be a non-empty string.`, [output])
  }
  const fail = (field: string, why: string): never => {
    throw new GraphError(`node "${name}": \`${field}\` ${why}`, [name])
  }
  for (const k of Object.keys(spec)) {
    if (!SPEC_KEYS.has(k)) {
      fail(k, `is not a node option (known: ${[...SPEC_KEYS].join(', ')}).`)
    }
  }
  if (typeof fn !== 'function') fail('fn', 'must be a function.')
  const { mapAxis, keyAttr, batch, returns, inputs } = spec as {
    mapAxis?: unknown
    keyAttr?: unknown
    batch?: unknown
    returns?: unknown
    inputs?: unknown
  }
  if (mapAxis !== undefined && (typeof mapAxis !== 'string' || mapAxis.length === 0)) {
    fail('mapAxis', 'must be the name of one of its parameters.')
  }
  if (keyAttr !== undefined) {
    if (mapAxis === undefined) {
      fail('keyAttr', 'requires `mapAxis`: keys identify the items of the map axis.')
    }
    if (typeof keyAttr !== 'string' || keyAttr.length === 0) {
      fail('keyAttr', 'must be the name of a property of the map-axis item.')
    }
  }
  if (batch !== undefined) {
    if (mapAxis === undefined) {
      fail('batch', 'requires `mapAxis`: a batch form runs over the items of the map axis.')
    }
    if (typeof batch !== 'function') fail('batch', 'must be a function over columns.')
  }
  if (returns !== undefined && !isCodec(returns)) fail('returns', 'must be an io-ts codec.')
  const { retry, timeoutMs, concurrency, cache, version } = spec as {
    retry?: unknown
    timeoutMs?: unknown
    concurrency?: unknown
    cache?: unknown
    version?: unknown
  }
  const positive = (u: unknown) => typeof u === 'number' && Number.isFinite(u) && u > 0
  if (retry !== undefined) {
    if (typeof retry !== 'object' || retry === null) {
      fail('retry', 'must be { attempts, backoffMs?, factor?, retryOn? }.')
    }
    const r = retry as Record<string, unknown>
    for (const k of Object.keys(r)) {
      if (!['attempts', 'backoffMs', 'factor', 'retryOn'].includes(k)) {
        fail(`retry.${k}`, 'is not a retry option (attempts, backoffMs, factor, retryOn).')
      }
    }
    if (!(Number.isInteger(r['attempts']) && (r['attempts'] as number) >= 1)) {
      fail('retry.attempts', `must be a whole number ≥ 1 (the total number of calls), got ${describeValue(r['attempts'])}.`)
    }
    const backoff = r['backoffMs']
    if (backoff !== undefined && !(typeof backoff === 'number' && Number.isFinite(backoff) && backoff >= 0)) {
      fail('retry.backoffMs', `must be a number of milliseconds ≥ 0, got ${describeValue(backoff)}.`)
    }
    if (r['factor'] !== undefined && !positive(r['factor'])) {
      fail('retry.factor', `must be a positive number, got ${describeValue(r['factor'])}.`)
    }
    if (r['retryOn'] !== undefined && typeof r['retryOn'] !== 'function') {
      fail('retry.retryOn', 'must be a function (error) => boolean.')
    }
  }
  if (timeoutMs !== undefined && !positive(timeoutMs)) {
    fail('timeoutMs', `must be a positive number of milliseconds, got ${describeValue(timeoutMs)}.`)
  }
  if (
    concurrency !== undefined &&
    !(concurrency === Number.POSITIVE_INFINITY || (Number.isInteger(concurrency) && (concurrency as number) >= 1))
  ) {
    fail('concurrency', `must be a whole number ≥ 1 (or Infinity), got ${describeValue(concurrency)}.`)
  }
  if (cache !== undefined && typeof cache !== 'boolean') fail('cache', 'must be true or false.')
  if (version !== undefined && typeof version !== 'string') fail('version', 'must be a string.')

  // each function's source is parsed once: its parameter names and how many parameters it takes
  const fnParams = readParamNames(fn)
  const batchParams = typeof batch === 'function' ? readParamNames(batch as never) : undefined
  let deps: ReadonlyArray<string>
  let optionalDeps: ReadonlyArray<string> = []
  if (inputs !== undefined) {
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      fail('inputs', 'must be a record of io-ts codecs by parameter name, e.g. { x: t.number }.')
    }
    const record = inputs as Record<string, unknown>
    for (const [k, c] of Object.entries(record)) {
      if (!isCodec(c)) fail(`inputs.${k}`, 'must be an io-ts codec (use t.unknown to accept anything).')
    }
    deps = Object.keys(record)
    // a parameter the function reads but `inputs` leaves out would never be passed
    const unlisted = fnParams._tag === 'Right' ? fnParams.right.names.filter((k) => !Object.hasOwn(record, k)) : []
    if (unlisted.length > 0) {
      fail(
        'inputs',
        `has no codec for ${quoted(unlisted)}, which the function reads: add ` +
          `${unlisted.map((k) => `${k}: <codec>`).join(', ')} to \`inputs\` (t.unknown to accept anything). ` +
          'A parameter missing from `inputs` is never passed: it would read undefined.',
      )
    }
  } else {
    if (fnParams._tag === 'Left') {
      throw new UnreadableParamsError(name, fnParams.left, Function.prototype.toString.call(fn))
    }
    deps = fnParams.right.names
    optionalDeps = fnParams.right.optional
  }
  // a second parameter means the function reads ctx; without readable source, its length says
  const arity = (f: unknown, read: typeof fnParams): number =>
    read._tag === 'Right' ? read.right.arity : (f as { length: number }).length
  const usesContext = arity(fn, fnParams) >= 2 || (batchParams !== undefined && arity(batch, batchParams) >= 2)
  const seen = new Set<string>()
  for (const d of deps) {
    if (seen.has(d)) fail('fn', `names parameter "${d}" twice.`)
    seen.add(d)
  }
  // a column the batch form reads that is not a parameter would never be passed
  const unknown = batchParams?._tag === 'Right' ? batchParams.right.names.filter((k) => !seen.has(k)) : []
  if (unknown.length > 0) {
    fail(
      'batch',
      `reads ${quoted(unknown)}, which ${unknown.length === 1 ? 'is not a parameter' : 'are not parameters'} ` +
        `of the node (${quoted(deps) || 'none'}): a batch form takes the columns of the function's parameters.`,
    )
  }
  if (mapAxis !== undefined && !seen.has(mapAxis as string)) {
    fail(
      'mapAxis',
      `is "${String(mapAxis)}", which is not one of its parameters (${quoted(deps) || 'none'}).`,
    )
  }
  return Object.freeze({
    [NodeTypeId]: phantom,
    name,
    output,
    deps: Object.freeze([...deps]),
    optionalDeps: Object.freeze([...optionalDeps]),
    mapAxis: mapAxis as string | undefined,
    keyAttr: keyAttr as string | undefined,
    inputs: inputs === undefined ? undefined : Object.freeze({ ...(inputs as t.Props) }),
    returns: returns as t.Mixed | undefined,
    fn: fn as AnyNode['fn'],
    batch: batch as AnyNode['batch'],
    retry: retry === undefined ? undefined : Object.freeze({ ...(retry as RetryPolicy) }),
    timeoutMs: timeoutMs as number | undefined,
    concurrency: concurrency as number | undefined,
    cache: cache !== false,
    version: version as string | undefined,
    usesContext,
  })
}
