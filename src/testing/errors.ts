/**
 * The errors of `dagflow/testing`. Like the core's errors they carry a stable `code` and
 * structured fields first; the message is derived from the fields and says how to fix things.
 *
 * @since 0.2.0
 */
import { DagflowError } from 'dagflow'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Why no arbitrary could be derived:
 * - `'no-structure'`: a codec has no structural form to read (a custom `new t.Type`, a class
 *   codec); pass `overrides: { [codec.name]: arbitrary }`;
 * - `'no-value'`: a codec admits no value (`t.never`, a recursion that cannot stop within
 *   `maxDepth`);
 * - `'no-inputs'`: a node has no `inputs` codec for some parameters; pass `arbitraries`.
 *
 * @category errors
 * @since 0.2.0
 */
export type MissingArbitraryReason = 'no-structure' | 'no-value' | 'no-inputs'

/**
 * No arbitrary can be derived: a codec has no structural form (a custom `new t.Type`, a class
 * codec), admits no value (`t.never`, a recursion without a base case), or a node has no
 * `inputs` codecs for some parameters. The message says which override or arbitrary to pass.
 *
 * @example
 * import * as t from 'io-ts'
 * import { arbitrary, MissingArbitraryError } from 'dagflow/testing'
 * const Even = new t.Type<number, number, unknown>(
 *   'Even',
 *   (u): u is number => typeof u === 'number' && u % 2 === 0,
 *   (u, c) => (typeof u === 'number' && u % 2 === 0 ? t.success(u) : t.failure(u, c)),
 *   t.identity,
 * )
 * const e = (() => {
 *   try {
 *     return arbitrary(t.type({ n: Even }))
 *   } catch (err) {
 *     return err
 *   }
 * })()
 * e instanceof MissingArbitraryError // => true
 * if (e instanceof MissingArbitraryError) {
 *   e.code // => 'MISSING_ARBITRARY'
 *   e.reason // => 'no-structure'
 *   e.codec // => 'Even'
 *   e.path // => ['n']
 * }
 * @category errors
 * @since 0.2.0
 */
export class MissingArbitraryError extends DagflowError {
  readonly code = 'MISSING_ARBITRARY'
  readonly reason: MissingArbitraryReason
  /** the name of the codec nothing can be generated for (undefined for `'no-inputs'`) */
  readonly codec: string | undefined
  /** the node whose parameters were asked for, if any */
  readonly node: string | undefined
  /**
   * the parameters concerned: the one the codec belongs to, or (for `'no-inputs'`) every
   * parameter that needs an arbitrary
   */
  readonly params: ReadonlyArray<string>
  /**
   * where the codec sits inside the outer codec: property names, tuple indices, `[]` for array
   * items and `{}` for dictionary values
   */
  readonly path: ReadonlyArray<string>

  constructor(fields: {
    readonly reason: MissingArbitraryReason
    readonly codec?: string | undefined
    readonly node?: string | undefined
    readonly params?: ReadonlyArray<string>
    readonly path?: ReadonlyArray<string>
    /** for `'no-value'`: the recursion budget that ran out */
    readonly maxDepth?: number
  }) {
    super(missingArbitraryMessage(fields))
    this.reason = fields.reason
    this.codec = fields.codec
    this.node = fields.node
    this.params = fields.params ?? []
    this.path = fields.path ?? []
  }
}

/**
 * Why {@link checkBatch} found a node's `batch` form and its `fn` in disagreement:
 * - `'different-result'`: some item's results differ (`index` says which);
 * - `'wrong-length'`: the batch form did not return one result per item;
 * - `'fn-threw'` / `'batch-threw'`: a form threw or rejected (the error is the `cause`);
 * - `'invalid-input'`: a given arbitrary made a value the parameter's `inputs` codec rejects.
 *
 * @category errors
 * @since 0.2.0
 */
export type BatchCheckFailure =
  | 'different-result'
  | 'wrong-length'
  | 'fn-threw'
  | 'batch-threw'
  | 'invalid-input'

/**
 * The rejection of {@link checkBatch}: the smallest counterexample fast-check found, with the
 * results of both forms, and the `seed` and `path` that replay it.
 *
 * @example
 * import fc from 'fast-check'
 * import { node } from 'dagflow'
 * import { BatchCheckError, checkBatch } from 'dagflow/testing'
 * // the batch form forgets the sign of zero
 * const neg = node(
 *   { output: 'neg', mapAxis: 'x', batch: ({ x }) => Array.from(x, (v) => 0 - v) },
 *   ({ x }: { x: number }) => -x,
 * )
 * const e = await checkBatch(neg, { arbitraries: { x: fc.constantFrom(0, 1) }, seed: 1 }).then(
 *   () => undefined,
 *   (err: unknown) => err,
 * )
 * e instanceof BatchCheckError // => true
 * if (e instanceof BatchCheckError) {
 *   e.code // => 'BATCH_CHECK_FAILED'
 *   e.reason // => 'different-result'
 *   e.items // => [{ x: 0 }]
 *   e.expected // => [-0]
 *   e.actual // => [0]
 * }
 * @category errors
 * @since 0.2.0
 */
export class BatchCheckError extends DagflowError {
  readonly code = 'BATCH_CHECK_FAILED'
  /** the node's name */
  readonly node: string
  readonly reason: BatchCheckFailure
  /** the failing batch: one parameter record per item, constants included, as generated */
  readonly items: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** the item at fault: the first whose results differ, or the one `fn` threw on */
  readonly index: number | undefined
  /** `fn`'s result for each item (empty when `fn` threw) */
  readonly expected: ReadonlyArray<unknown>
  /** what the batch form returned, as an array when it was array-like */
  readonly actual: unknown
  /** the fast-check seed and counterexample path: pass both to `checkBatch` to replay */
  readonly seed: number
  readonly path: string

  constructor(
    fields: {
      readonly node: string
      readonly reason: BatchCheckFailure
      readonly items: ReadonlyArray<Readonly<Record<string, unknown>>>
      readonly index: number | undefined
      readonly expected: ReadonlyArray<unknown>
      readonly actual: unknown
      readonly seed: number
      readonly path: string
      /** what went wrong in this batch, in words (from the check) */
      readonly detail: string
      /** renders values for the message (fast-check's `stringify`) */
      readonly show: (u: unknown) => string
    },
    options?: ErrorOptions,
  ) {
    super(
      `node "${fields.node}": ${fields.detail}.\nItems: ${fields.show(fields.items)}\nReplay with checkBatch(node, { …, seed: ${fields.seed}, path: ${JSON.stringify(fields.path)} }).`,
      options,
    )
    this.node = fields.node
    this.reason = fields.reason
    this.items = fields.items
    this.index = fields.index
    this.expected = fields.expected
    this.actual = fields.actual
    this.seed = fields.seed
    this.path = fields.path
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

function missingArbitraryMessage(
  fields: ConstructorParameters<typeof MissingArbitraryError>[0],
): string {
  const params = fields.params ?? []
  const path = fields.path ?? []
  const codec = fields.codec ?? '?'
  const where =
    (path.length > 0 ? ` at ${path.join('.')}` : '') +
    (params[0] !== undefined ? ` in parameter "${params[0]}"` : '') +
    (fields.node !== undefined ? ` of node "${fields.node}"` : '')
  const key = /^[A-Za-z_$][\w$]*$/.test(codec) ? codec : JSON.stringify(codec)
  switch (fields.reason) {
    case 'no-structure':
      return `No arbitrary for codec "${codec}"${where}: it has no structure dagflow/testing can read (a custom \`new t.Type\` or a class codec). Pass one by name: { overrides: { ${key}: fc.… } }, an arbitrary of values the codec decodes (its encoded side).`
    case 'no-value':
      return `Codec "${codec}"${where} admits no value that can be generated (it is t.never, or a recursive codec with no way to stop within maxDepth ${fields.maxDepth ?? '?'}). Pass an arbitrary for it: { overrides: { ${key}: fc.… } }.`
    case 'no-inputs': {
      const list = params.map((p) => `"${p}"`).join(', ')
      const example = params.map((p) => `${p}: fc.…`).join(', ')
      return `node "${fields.node ?? '?'}" has no \`inputs\` codec for ${params.length > 1 ? 'parameters' : 'parameter'} ${list}, so no arbitrary can be derived. Pass one per parameter: { arbitraries: { ${example} } }, or give the node \`inputs\` codecs.`
    }
  }
}
