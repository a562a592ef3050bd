/**
 * Every error DAGFlow raises is a {@link DagflowError} with a stable `code`. Structured fields
 * (`node`, `param`, `key`, `index`, `path`) come first; the message is derived from them and
 * always says how to fix the problem.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The stable codes of every {@link DagflowError}. Match on these, never on message text.
 *
 * @example
 * import { DAGFLOW_ERROR_CODES } from 'dagflow'
 * DAGFLOW_ERROR_CODES.includes('CYCLE') // => true
 * @category errors
 * @since 0.1.0
 */
export const DAGFLOW_ERROR_CODES = [
  'CYCLE',
  'DUPLICATE_OUTPUT',
  'INVALID_GRAPH',
  'UNREADABLE_PARAMS',
  'MISSING_INPUT',
  'DUPLICATE_KEY',
  'MISSING_KEY',
  'VALIDATION',
  'NODE_FAILED',
  'ARROW_UNAVAILABLE',
  'LISTENER_FAILED',
  'TIMEOUT',
  'CACHE_FILE',
  'ABORTED',
  // dagflow/testing
  'MISSING_ARBITRARY',
  'BATCH_CHECK_FAILED',
] as const

/**
 * A stable error code.
 *
 * @category errors
 * @since 0.1.0
 */
export type DagflowErrorCode = (typeof DAGFLOW_ERROR_CODES)[number]

const ErrorTypeId: unique symbol = Symbol.for('dagflow/DagflowError') as never

/**
 * The base class of every error DAGFlow throws or rejects with.
 *
 * @example
 * import { DagflowError, pipeline, node } from 'dagflow'
 * const a = node({ output: 'y' }, ({ x }: { x: number }) => x)
 * const b = node({ output: 'y' }, ({ x }: { x: number }) => String(x))
 * try {
 *   // @ts-expect-error two nodes produce "y"
 *   pipeline(a, b)
 * } catch (e) {
 *   e instanceof DagflowError // => true
 * }
 * @category errors
 * @since 0.1.0
 */
export abstract class DagflowError extends Error {
  abstract readonly code: DagflowErrorCode
  readonly [ErrorTypeId] = true
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/**
 * A node depends, directly or through others, on its own output. `path` lists the nodes of the
 * cycle in order.
 *
 * @category errors
 * @since 0.1.0
 */
export class CycleError extends DagflowError {
  readonly code = 'CYCLE'
  readonly path: ReadonlyArray<string>
  constructor(path: ReadonlyArray<string>) {
    super(
      `Cycle between nodes: ${[...path, path[0]].join(' → ')}. ` +
        'A node cannot depend on its own output; remove one of these dependencies.',
    )
    this.path = path
  }
}

/**
 * Two nodes of one pipeline produce the same output.
 *
 * @category errors
 * @since 0.1.0
 */
export class DuplicateOutputError extends DagflowError {
  readonly code = 'DUPLICATE_OUTPUT'
  readonly output: string
  readonly nodes: ReadonlyArray<string>
  /**
   * where each node came from, in the order of `nodes`: its position among the arguments of
   * `pipeline(...)` and its function's name (nodes named after their output share a name)
   */
  readonly origins: ReadonlyArray<string> | undefined
  constructor(output: string, nodes: ReadonlyArray<string>, origins?: ReadonlyArray<string>) {
    const named = nodes.map((n, i) => `"${n}"${origins?.[i] === undefined ? '' : ` (${origins[i]})`}`)
    super(
      `Output "${output}" is produced by more than one node: ${named.join(' and ')}. ` +
        'Give each node its own `output` name.',
    )
    this.output = output
    this.nodes = nodes
    this.origins = origins
  }
}

/**
 * Any other malformed graph or node spec: two map axes, `keyAttr` or `batch` without `mapAxis`,
 * an unknown output in `select`, a map on a pipeline without a map axis, a bad spec field.
 *
 * @category errors
 * @since 0.1.0
 */
export class GraphError extends DagflowError {
  readonly code = 'INVALID_GRAPH'
  readonly nodes: ReadonlyArray<string>
  constructor(message: string, nodes: ReadonlyArray<string> = [], options?: ErrorOptions) {
    super(message, options)
    this.nodes = nodes
  }
}

/**
 * `node(spec, fn)` could not read the dependency names from `fn` and `spec.inputs` was not given.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnreadableParamsError extends DagflowError {
  readonly code = 'UNREADABLE_PARAMS'
  readonly node: string
  readonly reason: string
  readonly source: string
  constructor(node: string, reason: string, source: string) {
    super(
      `Cannot read the parameter names of node "${node}": ${reason}.\n` +
        `  source: ${snippet(source)}\n` +
        'Name every dependency in a destructuring pattern of the first parameter (`({ a, b }) => …`, ' +
        'without a rest element or computed key), or pass `inputs` to node() ' +
        '(e.g. `inputs: { a: t.number, b: t.string }`).',
    )
    this.node = node
    this.reason = reason
    this.source = source
  }
}

/**
 * `run`/`map` was called without some inputs the pipeline needs.
 *
 * @category errors
 * @since 0.1.0
 */
export class MissingInputError extends DagflowError {
  readonly code = 'MISSING_INPUT'
  readonly inputs: ReadonlyArray<string>
  /** for each missing input, the nodes that consume it */
  readonly consumers: Readonly<Record<string, ReadonlyArray<string>>>
  /**
   * for each missing input whose name is close to an output's, that output: the parameter is
   * likely misspelled (`hitz` for `hits`)
   */
  readonly suggestions: Readonly<Record<string, string>>
  constructor(
    inputs: ReadonlyArray<string>,
    consumers: Readonly<Record<string, ReadonlyArray<string>>>,
    suggestions: Readonly<Record<string, string>> = {},
  ) {
    const lines = inputs.map((i) => {
      const nodes = consumers[i] ?? []
      const near = Object.hasOwn(suggestions, i) ? suggestions[i] : undefined
      // only the map axis is required of map() when none of the nodes that run reads it
      return nodes.length === 0
        ? `  "${i}" (the map axis: the items to map over)`
        : `  "${i}" (needed by ${nodes.map((n) => `"${n}"`).join(', ')})` +
            (near === undefined
              ? ''
              : `: did you mean the output "${near}"? A misspelled parameter becomes a pipeline ` +
                `input; rename it to "${near}" to read that output.`)
    })
    super(
      `Missing input${inputs.length > 1 ? 's' : ''}:\n${lines.join('\n')}\n` +
        'Pass them to run/map, or fix them with pipeline.bind({ … }).',
    )
    this.inputs = inputs
    this.consumers = consumers
    this.suggestions = suggestions
  }
}

/**
 * Two items of a `map` have the same key.
 *
 * @category errors
 * @since 0.1.0
 */
export class DuplicateKeyError extends DagflowError {
  readonly code = 'DUPLICATE_KEY'
  readonly key: string | number
  readonly indices: readonly [number, number]
  readonly keyAttr: string
  constructor(key: string | number, indices: readonly [number, number], keyAttr: string) {
    super(
      `Duplicate key ${JSON.stringify(key)} (keyAttr "${keyAttr}") at items ${indices[0]} and ${indices[1]}. ` +
        'Keys must be unique within one map; deduplicate the input or choose another keyAttr.',
    )
    this.key = key
    this.indices = indices
    this.keyAttr = keyAttr
  }
}

/**
 * An item of a `map` has no usable key (`undefined`, `null`, or not a string or finite number).
 *
 * @category errors
 * @since 0.1.0
 */
export class MissingKeyError extends DagflowError {
  readonly code = 'MISSING_KEY'
  readonly index: number
  readonly keyAttr: string
  readonly value: unknown
  constructor(index: number, keyAttr: string, value: unknown, item?: unknown) {
    super(
      arguments.length > 3 && (typeof item !== 'object' || item === null || Array.isArray(item))
        ? `Item ${index} has no usable key: it is ${describeValue(item)}, not an object with a "${keyAttr}" field. ` +
            (Array.isArray(item)
              ? '`run` takes one item and `map` takes an array of items: pass a single item to ' +
                'run(), or call map() to run over many.'
              : 'Pass items as objects, or drop keyAttr to key them by index.')
        : `Item ${index} has no usable key: its "${keyAttr}" is ${describeValue(value)}. ` +
            'A key must be a string or a finite number; fill it in or choose another keyAttr.',
    )
    this.index = index
    this.keyAttr = keyAttr
    this.value = value
  }
}

/**
 * A value failed its io-ts codec at a node boundary, or a `map` input has the wrong shape.
 * `path` is the io-ts context path of each failure, rendered as `a.b.0`.
 *
 * @category errors
 * @since 0.1.0
 */
export class ValidationError extends DagflowError {
  readonly code = 'VALIDATION'
  readonly node: string | undefined
  /** the parameter name, or `'(result)'` for a node's result; see `subject` */
  readonly param: string
  /**
   * what `param` names: a node's or the run's parameter (the default), an output, or an option
   * of the call (`toArrow` names its outputs and its `keyColumn` so)
   */
  readonly subject: 'parameter' | 'output' | 'option'
  readonly key: string | number | undefined
  readonly index: number | undefined
  readonly paths: ReadonlyArray<string>
  readonly details: ReadonlyArray<string>
  constructor(fields: {
    readonly node: string | undefined
    readonly param: string
    readonly key: string | number | undefined
    readonly index: number | undefined
    readonly paths: ReadonlyArray<string>
    readonly details: ReadonlyArray<string>
    readonly hint?: string
    readonly subject?: 'parameter' | 'output' | 'option'
  }) {
    const subject = fields.subject ?? 'parameter'
    const where = [
      ...(subject === 'parameter'
        ? [
            fields.node === undefined ? 'input' : `node "${fields.node}"`,
            fields.param === '(result)' ? 'result' : `parameter "${fields.param}"`,
          ]
        : subject === 'option'
          ? [`option "${fields.param}"`]
          : [
              `output "${fields.param}"${
                fields.node === undefined || fields.node === fields.param ? '' : ` (node "${fields.node}")`
              }`,
            ]),
      ...(fields.key === undefined ? [] : [`key ${JSON.stringify(fields.key)}`]),
      ...(fields.index === undefined ? [] : [`item ${fields.index}`]),
    ].join(' › ')
    super(
      `Invalid value at ${where}:\n${fields.details.map((d) => `  └─ ${d}`).join('\n')}\n` +
        (fields.hint ??
          'Fix the value, or widen the codec given in `inputs`/`returns` of that node.'),
    )
    this.node = fields.node
    this.param = fields.param
    this.subject = subject
    this.key = fields.key
    this.index = fields.index
    this.paths = fields.paths
    this.details = fields.details
  }
}

/**
 * A node function threw or rejected. `cause` is what it threw.
 *
 * @category errors
 * @since 0.1.0
 */
export class NodeError extends DagflowError {
  readonly code = 'NODE_FAILED'
  readonly node: string
  readonly key: string | number | undefined
  readonly index: number | undefined
  /**
   * @param batch - for a `batch` form's call: how many items its batch had (`key`/`index` are
   * the batch's first item's)
   */
  constructor(
    node: string,
    key: string | number | undefined,
    index: number | undefined,
    cause: unknown,
    batch?: number,
  ) {
    const where =
      batch === undefined || index === undefined
        ? onItem(key, index)
        : ` on its batch of ${batch} item${batch === 1 ? '' : 's'} from item ${index} (key ${JSON.stringify(key)})`
    super(
      `Node "${node}" failed${where}: ${causeMessage(cause)}` +
        // a timeout's own message says what to do
        (cause instanceof TimeoutError
          ? ''
          : `\nThe error came from the node's ${batch === undefined ? 'function' : '`batch` form'} (see \`cause\` for its stack): fix it, or the input it was given.`),
      { cause },
    )
    this.node = node
    this.key = key
    this.index = index
  }
}

/**
 * A runner with `mode: 'arrow'` was used, but the optional peer `apache-arrow` is not installed.
 * (Importing `dagflow/arrow` directly fails with the platform's own module-not-found error.)
 * `cause` is the loader's error.
 *
 * @category errors
 * @since 0.2.0
 */
export class ArrowUnavailableError extends DagflowError {
  readonly code = 'ARROW_UNAVAILABLE'
  constructor(cause: unknown) {
    super(
      'The Arrow executor needs the optional peer dependency `apache-arrow`, which is not installed. ' +
        'Install it with `npm install apache-arrow`, or use mode: "local" (mode: "auto" falls back to local by itself).',
      { cause },
    )
  }
}

/**
 * An `onEvent` listener threw; the run stops. `event` is the type of the event it was handling,
 * `cause` what it threw.
 *
 * @category errors
 * @since 0.3.0
 */
export class ListenerError extends DagflowError {
  readonly code = 'LISTENER_FAILED'
  readonly event: string
  constructor(event: string, cause: unknown) {
    super(
      `The onEvent listener threw while handling a "${event}" event: ${causeMessage(cause)}. ` +
        'The run was stopped. A listener must not throw: catch inside it, or fix the listener.',
      { cause },
    )
    this.event = event
  }
}

/**
 * A call ran past its node's `timeoutMs`. It is the `cause` of the NodeError the run reports
 * (after retries, if the node has them); it is also the reason of the call's `ctx.signal`. The
 * call's late result, if any, is discarded.
 *
 * @category errors
 * @since 0.4.0
 */
export class TimeoutError extends DagflowError {
  readonly code = 'TIMEOUT'
  readonly node: string
  readonly timeoutMs: number
  readonly key: string | number | undefined
  readonly index: number | undefined
  readonly attempt: number
  constructor(
    node: string,
    timeoutMs: number,
    key: string | number | undefined,
    index: number | undefined,
    attempt: number,
    /** whether the node has `retry` (then the advice is to raise its attempts) */
    retries = false,
  ) {
    super(
      `Node "${node}" took longer than its timeoutMs (${timeoutMs} ms)${onItem(key, index)}, attempt ${attempt}. ` +
        `Raise timeoutMs, make the call faster, or ${retries ? 'raise retry.attempts' : 'add retry: { attempts } to try again'}.`,
    )
    this.node = node
    this.timeoutMs = timeoutMs
    this.key = key
    this.index = index
    this.attempt = attempt
  }
}

/**
 * A persistent cache file cannot be used: it is not a DAGFlow cache (another SQLite database, or
 * not a database at all), it is damaged, or it cannot be opened. Nothing is read from it.
 *
 * @category errors
 * @since 0.4.0
 */
export class CacheFileError extends DagflowError {
  readonly code = 'CACHE_FILE'
  readonly file: string
  /** @param fix - what to do, when deleting the file is not it (say, the path is a directory) */
  constructor(file: string, problem: string, cause?: unknown, fix?: string) {
    super(
      `The cache file ${file} cannot be used: ${problem}. ` +
        (fix ?? `Delete it (rm ${JSON.stringify(file)}) to start an empty cache, or pass sqliteCache() another path.`),
      cause === undefined ? undefined : { cause },
    )
    this.file = file
  }
}

/**
 * The run's `signal` fired. `reason` is the signal's reason.
 *
 * @category errors
 * @since 0.1.0
 */
export class AbortError extends DagflowError {
  readonly code = 'ABORTED'
  readonly reason: unknown
  constructor(reason: unknown) {
    super(
      `The run was aborted${reason === undefined ? '' : `: ${causeMessage(reason)}`}. ` +
        'Its `signal` fired; results computed so far are discarded. Run again with a fresh signal (or a longer timeout).',
      { cause: reason },
    )
    this.reason = reason
  }
}

/**
 * The union of every concrete error, so `switch (e.code)` narrows to the class and its fields.
 *
 * @example
 * import type { AnyDagflowError } from 'dagflow'
 * const describe = (e: AnyDagflowError): string => {
 *   switch (e.code) {
 *     case 'MISSING_INPUT':
 *       return e.inputs.join(', ')
 *     case 'NODE_FAILED':
 *       return e.node
 *     default:
 *       return e.code
 *   }
 * }
 * @category errors
 * @since 0.1.0
 */
export type AnyDagflowError =
  | CycleError
  | DuplicateOutputError
  | GraphError
  | UnreadableParamsError
  | MissingInputError
  | DuplicateKeyError
  | MissingKeyError
  | ValidationError
  | NodeError
  | ArrowUnavailableError
  | ListenerError
  | TimeoutError
  | CacheFileError
  | AbortError

// -------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------

/**
 * Whether `u` is a {@link DagflowError}, across copies of the package (ESM and CJS).
 *
 * @example
 * import { isDagflowError, GraphError } from 'dagflow'
 * isDagflowError(new GraphError('bad')) // => true
 * isDagflowError(new Error('bad')) // => false
 * @category guards
 * @since 0.1.0
 */
export const isDagflowError = (u: unknown): u is DagflowError =>
  typeof u === 'object' && u !== null && (u as { [ErrorTypeId]?: unknown })[ErrorTypeId] === true

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** @internal wraps anything thrown outside a node into a DagflowError */
export const toDagflowError = (u: unknown): AnyDagflowError =>
  isDagflowError(u) ? (u as AnyDagflowError) : new NodeError('(executor)', undefined, undefined, u)

/** where in a `map` a node call ran: `' on item 3 (key "a")'`, or `''` outside a map */
const onItem = (key: string | number | undefined, index: number | undefined): string =>
  index === undefined ? '' : ` on item ${index} (key ${JSON.stringify(key)})`

const causeMessage = (u: unknown): string =>
  u instanceof Error ? u.message : typeof u === 'string' ? u : describeValue(u)

/**
 * A value as a message shows it: short and typed, never a dump (strings quoted and cut at 60
 * characters, objects by their class).
 *
 * @internal exported only as `unstable_describeValue`, for the other entries
 */
export function describeValue(u: unknown): string {
  if (u === undefined) return 'undefined'
  if (typeof u === 'string') return JSON.stringify(u.length > 60 ? `${u.slice(0, 57)}…` : u)
  if (typeof u === 'number' || typeof u === 'boolean' || u === null) return String(u)
  if (typeof u === 'bigint') return `${u}n`
  if (typeof u === 'symbol') return 'a symbol'
  if (typeof u === 'function') return 'a function'
  if (Array.isArray(u)) return 'an array'
  if (typeof (u as { then?: unknown }).then === 'function') return 'a promise'
  const name = (Object.getPrototypeOf(u) as { constructor?: { name?: unknown } } | null)?.constructor?.name
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object'
}

const snippet = (source: string): string => {
  const one = source.replace(/\s+/g, ' ')
  return one.length > 120 ? `${one.slice(0, 117)}…` : one
}
