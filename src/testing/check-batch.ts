/**
 * `checkBatch`: a property that a node's columnar `batch` form agrees with its per-item `fn`.
 *
 * @since 0.2.0
 */
import fc from 'fast-check'
import type * as t from 'io-ts'
import { GraphError, isNode, type AnyNode, type Node } from 'dagflow'
import { paramArbitraries, type InputsArbitraryOptions } from './arbitrary.js'
import { deepEqual } from './deep-equal.js'
import { BatchCheckError, type BatchCheckFailure } from './errors.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How {@link checkBatch} generates batches and compares results.
 *
 * @typeParam D - the node's parameter record
 * @typeParam R - the node's result for one item
 * @typeParam M - the node's map-axis parameter
 * @category models
 * @since 0.2.0
 */
export interface CheckBatchOptions<D, R, M extends string> extends InputsArbitraryOptions<D> {
  /**
   * Parameters that hold one value for the whole batch, as pipeline constants do: generated once
   * per batch and repeated down their column. Every other parameter varies per item. The map
   * axis cannot be a constant.
   */
  readonly constants?: ReadonlyArray<Exclude<keyof D & string, M>>
  /** how many batches to try (default 100) */
  readonly numRuns?: number
  /** the most items in a batch (default 10; every batch has at least one) */
  readonly maxItems?: number
  /** the fast-check seed, for a reproducible run or to replay a failure with `path` */
  readonly seed?: number
  /** the counterexample path of a failure to replay (with its `seed`) */
  readonly path?: string
  /**
   * how to compare the batch form's result for an item with `fn`'s: by default a structural
   * equality that compares primitives with `Object.is` (so `-0` differs from `0`, `NaN` equals
   * `NaN`); pass a tolerance here for floating-point work that sums in a different order
   */
  readonly equals?: (batchResult: R, fnResult: R) => boolean
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Property-tests that a node's `batch` form agrees with its per-item `fn`. Each run generates
 * a batch of parameter records (from the `inputs` codecs, or `options.arbitraries`), decodes
 * them with `inputs` as an executor does, calls `fn` once per item and `batch` once over the
 * columns, and compares the results item by item. Parameters listed in `options.constants` are
 * generated once per batch and repeated; columns of numbers are sometimes `Float64Array`s, as
 * the Arrow executor hands `t.number` columns over. Both forms may be sync or async.
 *
 * Resolves when every batch agrees; otherwise rejects with a {@link BatchCheckError} holding
 * the smallest failing batch fast-check found, the results of both forms, and the `seed` and
 * `path` that replay it.
 *
 * **Gotchas**: `fn` must accept every value its `inputs` codecs accept (`NaN`, `-0`, empty and
 * astral strings…): if it throws, that is reported too (narrow the values with `arbitraries`
 * or `overrides`). Neither form should mutate its inputs.
 *
 * @example
 * import * as t from 'io-ts'
 * import { node } from 'dagflow'
 * import { checkBatch } from 'dagflow/testing'
 * const scale = node(
 *   {
 *     output: 'scaled',
 *     mapAxis: 'x',
 *     inputs: { x: t.number, k: t.number },
 *     batch: ({ x, k }) => Float64Array.from(x, (v, i) => v * (k[i] as number)),
 *   },
 *   ({ x, k }) => x * k,
 * )
 * // k is one value per batch, as when it is a pipeline constant
 * await checkBatch(scale, { constants: ['k'], seed: 1 })
 * @category constructors
 * @since 0.2.0
 */
export async function checkBatch<D, R, M extends string>(
  node: Node<string, D, R, M, never>,
  options: NoInfer<CheckBatchOptions<D, R, M>> = {},
): Promise<void> {
  if (!isNode(node)) throw new GraphError('checkBatch(node): `node` must be a node made by node().')
  const n = node as AnyNode
  const batch = n.batch as ((columns: unknown) => unknown) | undefined
  if (batch === undefined) {
    throw new GraphError(
      `checkBatch: node "${n.name}" has no \`batch\` form to check against its \`fn\`; give it one with node({ …, mapAxis, batch }).`,
    )
  }
  const constants = new Set<string>(options.constants ?? [])
  for (const c of constants) {
    if (!n.deps.includes(c)) {
      throw new GraphError(
        `checkBatch: constants names "${c}", which is not a parameter of node "${n.name}" (its parameters: ${n.deps.map((d) => `"${d}"`).join(', ')}).`,
      )
    }
    if (c === n.mapAxis) {
      throw new GraphError(
        `checkBatch: constants names "${c}", the map axis of node "${n.name}", which varies per item by definition.`,
      )
    }
  }
  const arbs = paramArbitraries(n, options as InputsArbitraryOptions<unknown>)
  const constArbs: Record<string, fc.Arbitrary<unknown>> = {}
  const itemArbs: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [p, a] of Object.entries(arbs)) (constants.has(p) ? constArbs : itemArbs)[p] = a
  const maxItems = positive('maxItems', options.maxItems, 10)
  const equals = (options.equals as ((a: unknown, b: unknown) => boolean) | undefined) ?? deepEqual

  const property = fc.asyncProperty(
    fc.record(constArbs, { noNullPrototype: true }),
    fc.array(fc.record(itemArbs, { noNullPrototype: true }), { minLength: 1, maxLength: maxItems }),
    fc.array(fc.boolean(), { minLength: n.deps.length, maxLength: n.deps.length }),
    (consts, items, typed) => compare(n, batch, equals, consts, items, typed),
  )
  const details = await fc.check(property, {
    numRuns: positive('numRuns', options.numRuns, 100),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
  })
  if (!details.failed) return
  const found = details.errorInstance
  if (found instanceof Disagreement && details.counterexample !== null) {
    const [consts, items] = details.counterexample
    throw report(n, found, merge(n, consts, items), details.seed, details.counterexamplePath)
  }
  throw new Error(
    `checkBatch: node "${n.name}": ${fc.defaultReportMessage(details) ?? 'the property failed'}\nGot: ${describeError(found)}`,
    { cause: found },
  )
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

type Batch = (columns: unknown) => unknown
type Equals = (a: unknown, b: unknown) => boolean
type Params = Readonly<Record<string, unknown>>

/** What one failing run found; turned into a {@link BatchCheckError} with the whole batch. */
class Disagreement extends Error {
  readonly reason: BatchCheckFailure
  readonly index: number | undefined
  readonly expected: ReadonlyArray<unknown>
  readonly actual: unknown
  readonly thrown: unknown
  constructor(fields: {
    readonly reason: BatchCheckFailure
    readonly detail: string
    readonly index?: number
    readonly expected?: ReadonlyArray<unknown>
    readonly actual?: unknown
    readonly thrown?: unknown
  }) {
    super(fields.detail)
    this.reason = fields.reason
    this.index = fields.index
    this.expected = fields.expected ?? []
    this.actual = fields.actual
    this.thrown = fields.thrown
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) {
    throw new GraphError(`checkBatch: \`${name}\` must be a positive integer, got ${String(value)}.`)
  }
  return value
}

const isNumberCodec = (c: t.Mixed | undefined): boolean =>
  c === undefined || (c as unknown as { _tag?: unknown })._tag === 'NumberType'

/** Each item's full parameter record, in the node's parameter order: constants and item values. */
function merge(node: AnyNode, consts: Params, items: ReadonlyArray<Params>): Array<Params> {
  return items.map((item) => {
    const r: Record<string, unknown> = {}
    for (const p of node.deps) {
      if (Object.hasOwn(item, p)) r[p] = item[p]
      else if (Object.hasOwn(consts, p)) r[p] = consts[p]
    }
    return r
  })
}

/** Decodes one generated value with the parameter's `inputs` codec, as an executor would. */
function decodeParam(node: AnyNode, param: string, value: unknown): unknown {
  const codec = node.inputs?.[param]
  if (codec === undefined) return value
  const r = codec.decode(value)
  if (r._tag === 'Right') return r.right
  throw new Disagreement({
    reason: 'invalid-input',
    detail: `the arbitrary for parameter "${param}" made ${fc.stringify(value)}, which its \`inputs\` codec "${codec.name}" rejects; an arbitrary must make values the codec decodes`,
  })
}

/** One run: throws a Disagreement when the forms disagree on this batch. */
async function compare(
  node: AnyNode,
  batch: Batch,
  equals: Equals,
  consts: Params,
  items: ReadonlyArray<Params>,
  typed: ReadonlyArray<boolean>,
): Promise<void> {
  const count = items.length
  const decodedConsts: Record<string, unknown> = {}
  for (const p of Object.keys(consts)) decodedConsts[p] = decodeParam(node, p, consts[p])
  const records = merge(
    node,
    decodedConsts,
    items.map((item) => {
      const r: Record<string, unknown> = {}
      for (const p of Object.keys(item)) r[p] = decodeParam(node, p, item[p])
      return r
    }),
  )

  const expected: Array<unknown> = []
  for (const [i, r] of records.entries()) {
    try {
      expected.push(await (node.fn as (d: Params) => unknown)({ ...r }))
    } catch (e) {
      throw new Disagreement({
        reason: 'fn-threw',
        detail: `fn threw at item ${i} of a batch of ${countItems(count)} (${describeError(e)}); every value its \`inputs\` codecs accept can arrive: handle it, or narrow the values with \`arbitraries\` or \`overrides\``,
        index: i,
        expected,
        thrown: e,
      })
    }
  }

  const columns: Record<string, unknown> = {}
  node.deps.forEach((p, j) => {
    if (!records.every((r) => Object.hasOwn(r, p))) return
    const values = records.map((r) => r[p])
    const asFloats =
      typed[j] === true &&
      isNumberCodec(node.inputs?.[p]) &&
      values.every((v) => typeof v === 'number')
    columns[p] = asFloats ? Float64Array.from(values as Array<number>) : values
  })
  let actual: unknown
  try {
    actual = await batch(columns)
  } catch (e) {
    throw new Disagreement({
      reason: 'batch-threw',
      detail: `the batch form threw on a batch of ${countItems(count)} (${describeError(e)})`,
      expected,
      thrown: e,
    })
  }
  const arrayLike =
    typeof actual === 'object' &&
    actual !== null &&
    typeof (actual as { length?: unknown }).length === 'number'
  if (!arrayLike || (actual as ArrayLike<unknown>).length !== count) {
    // a bare value, not a count: "returned the number 2, not an array of results"
    const got = arrayLike
      ? `${(actual as ArrayLike<unknown>).length} results`
      : `${['number', 'string', 'boolean', 'bigint'].includes(typeof actual) ? `the ${typeof actual} ` : ''}` +
        `${fc.stringify(actual)}, not an array of results,`
    throw new Disagreement({
      reason: 'wrong-length',
      detail: `the batch form returned ${got} for a batch of ${countItems(count)}; it must return one result per item, in order`,
      expected,
      actual: arrayLike ? Array.from(actual as ArrayLike<unknown>) : actual,
    })
  }
  const results = Array.from(actual as ArrayLike<unknown>)
  for (let i = 0; i < count; i++) {
    if (!equals(results[i], expected[i])) {
      throw new Disagreement({
        reason: 'different-result',
        detail: `the batch form disagrees with fn at item ${i} of a batch of ${countItems(count)}: fn gave ${fc.stringify(expected[i])}, the batch form gave ${fc.stringify(results[i])}`,
        index: i,
        expected,
        actual: results,
      })
    }
  }
}

const countItems = (count: number): string => (count === 1 ? '1 item' : `${count} items`)

const describeError = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : fc.stringify(e)

function report(
  node: AnyNode,
  d: Disagreement,
  items: ReadonlyArray<Params>,
  seed: number,
  path: string,
): BatchCheckError {
  return new BatchCheckError(
    {
      node: node.name,
      reason: d.reason,
      items,
      index: d.index,
      expected: d.expected,
      actual: d.actual,
      seed,
      path,
      detail: d.message,
      show: fc.stringify,
    },
    d.thrown === undefined ? undefined : { cause: d.thrown },
  )
}
