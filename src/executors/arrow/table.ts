/**
 * `toArrow`: the per-item outputs of a map result (from either executor) as an Arrow table,
 * typed from the producing nodes' `returns` codecs, or inferred from the values.
 *
 * @since 0.2.0
 */
import type { Table } from 'apache-arrow'
import { absurd } from 'fp-ts/lib/function.js'
import {
  unstable_checkOptions as checkOptions,
  unstable_describeValue as describeValue,
  unstable_resultOutputs as resultOutputs,
  ValidationError,
  type MapResult,
} from 'dagflow'
import { describe, inferDescriptor, whyNoForm, type Descriptor } from './schema.js'
import { toTable, VectorBuildError } from './vectors.js'

/**
 * Options of {@link toArrow}.
 *
 * @category executors
 * @since 0.2.0
 */
export interface ToArrowOptions<K extends string = string> {
  /** the per-item outputs to include (default: all of them) */
  readonly outputs?: ReadonlyArray<K>
  /** also write the items' keys, in a column of this name */
  readonly keyColumn?: string
}

/**
 * The names `outputs` may list for a result whose outputs are `O`: its output names (any string
 * for a result typed `unknown`, as from JavaScript).
 *
 * @category models
 * @since 0.4.0
 */
export type OutputName<O> = unknown extends O ? string : keyof O & string

/**
 * The per-item outputs of a map result as an Arrow `Table`, one row per item in input order,
 * ready for Arrow IPC, Parquet writers or DuckDB. Column types come from the producing node's
 * `returns` codec (see docs/arrow.md for the mapping) or, without one, from the values. Reading
 * the table back gives the same values; absent optional fields read as null there.
 *
 * @example
 * import { LocalExecutor, node, pipeline } from 'dagflow'
 * import { toArrow } from 'dagflow/arrow'
 * const len = node({ output: 'len', mapAxis: 's' }, ({ s }: { s: string }) => s.length)
 * const r = await new LocalExecutor().map(pipeline(len), { s: ['a', 'bb'] })
 * const table = toArrow(r, { keyColumn: 'key' })
 * table.numRows // => 2
 * table.schema.fields.map((f) => f.name) // => ['key', 'len']
 * table.getChild('len')?.toArray()[1] // => 2
 * @category executors
 * @since 0.2.0
 */
export function toArrow<O>(
  result: Pick<MapResult<O>, 'outputs' | 'keys'>,
  options: ToArrowOptions<NoInfer<OutputName<O>>> = {},
): Table {
  if (
    typeof result !== 'object' ||
    result === null ||
    !Array.isArray(result.keys) ||
    typeof result.outputs !== 'object' ||
    result.outputs === null
  ) {
    throw misuse(
      '(result)',
      `expected a map result ({ outputs, keys }), got ${result === null ? 'null' : typeof result}${
        typeof result === 'object' && result !== null ? ` with keys ${Object.keys(result).join(', ') || '(none)'}` : ''
      }`,
      'Pass what map() resolves to; run() gives the outputs of one item, which has no table form.',
    )
  }
  checkOptions('toArrow', options, ['outputs', 'keyColumn'])
  const outputs = result.outputs as Readonly<Record<string, unknown>>
  const n = result.keys.length
  const known = resultOutputs(result)
  const perItem =
    known?.filter((o) => o.perItem) ??
    // a result not made by an executor: its array outputs of the items' length are per item
    Object.keys(outputs)
      .filter((k) => Array.isArray(outputs[k]) && (outputs[k] as ReadonlyArray<unknown>).length === n)
      .map((name) => ({ name, codec: undefined, node: undefined }))
  const wanted = options.outputs ?? perItem.map((o) => o.name)
  const columns = wanted.map((name) => {
    const o = perItem.find((x) => x.name === name)
    if (o === undefined) {
      throw misuse(
        name,
        `"${name}" is not a per-item output of this result`,
        `toArrow() writes per-item outputs: ${perItem.map((x) => `"${x.name}"`).join(', ') || 'none'}.`,
      )
    }
    const values = outputs[name] as ReadonlyArray<unknown>
    const descriptor = o.codec === undefined ? inferDescriptor(values) : describe(o.codec)
    if (descriptor.kind === 'js') {
      throw noArrowForm(name, o.node, o.codec !== undefined, values, result.keys)
    }
    return { name, descriptor, values }
  })
  const keyColumn = options.keyColumn
  if (keyColumn !== undefined) {
    if (typeof keyColumn !== 'string' || keyColumn === '') {
      throw misuse('keyColumn', `expected a column name, got ${JSON.stringify(keyColumn)}`, 'Name the key column, e.g. { keyColumn: "key" }.')
    }
    if ((wanted as ReadonlyArray<string>).includes(keyColumn)) {
      throw misuse(
        'keyColumn',
        `"${keyColumn}" is also the name of an output in the table`,
        'Give the key column a name no output has, e.g. { keyColumn: "key" }.',
      )
    }
    const keys = result.keys
    const descriptor = inferDescriptor(keys)
    if (descriptor.kind === 'js') {
      throw misuse(
        'keyColumn',
        'the items\' keys mix strings and numbers, and an Arrow column holds values of one type',
        'Key every item by a field of one type (all strings or all numbers), or leave keyColumn out.',
      )
    }
    columns.unshift({ name: keyColumn, descriptor, values: keys })
  }
  // export is lossy where Arrow has one null for absent and null (SPEC: absent fields read as
  // null), and nowhere else: a value that would come back otherwise is refused, naming its item
  try {
    return toTable(columns, { exact: false })
  } catch (e) {
    if (!(e instanceof VectorBuildError) || e.column === undefined) throw e
    const o = perItem.find((x) => x.name === e.column)
    throw new ValidationError({
      node: o?.node,
      param: e.column,
      subject: e.column === keyColumn ? 'option' : 'output',
      key: e.index === undefined ? undefined : result.keys[e.index],
      index: e.index,
      paths: [e.path.join('.')],
      details: [`${e.path.length === 0 ? '' : `${e.path.join('.')}: `}expected ${e.expected}, got ${e.got} (it would not read back the same)`],
      hint:
        'toArrow() writes values that read back as they are. Strip undeclared fields in the node (t.exact or t.strict in its `returns` codec), fix the value, or leave the output out with toArrow(result, { outputs: [...] }).',
    })
  }
}

/**
 * A call of toArrow that cannot work as written: what was wrong with `param` (an output it asks
 * for, the `keyColumn` option, or the result itself), and the fix.
 */
const misuse = (param: string, detail: string, hint: string): ValidationError =>
  new ValidationError({
    node: undefined,
    param,
    subject: param === 'keyColumn' ? 'option' : param === '(result)' ? 'parameter' : 'output',
    key: undefined,
    index: undefined,
    paths: [''],
    details: [detail],
    hint,
  })

const LEAVE_OUT = 'or leave the output out with toArrow(result, { outputs: [...] })'

/**
 * An output without an Arrow form: its `returns` codec has none, or (without a codec) its values
 * have none, named by item, field and what was mixed there.
 */
function noArrowForm(
  output: string,
  node: string | undefined,
  byCodec: boolean,
  values: ReadonlyArray<unknown>,
  keys: ReadonlyArray<string | number>,
): ValidationError {
  const base = { node, param: output, subject: 'output' as const }
  const why = byCodec ? undefined : whyNoForm(values)
  if (why === undefined) {
    return new ValidationError({
      ...base,
      key: undefined,
      index: undefined,
      paths: [''],
      details: [
        `the \`returns\` codec of node "${node}" has no Arrow form (docs/arrow.md lists the codecs that do)`,
      ],
      hint: `Give the node a \`returns\` codec with an Arrow form, ${LEAVE_OUT}.`,
    })
  }
  const rendered = why.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')
  const at =
    why.path.length === 0
      ? ''
      : ` in ${typeof why.path[0] === 'string' ? `field ${rendered.slice(1)}` : rendered}`
  const got = valueName(why.got)
  const had = why.had === undefined ? '' : kindsOf(why.had)
  return new ValidationError({
    ...base,
    key: keys[why.index],
    index: why.index,
    paths: [why.path.join('.')],
    details: [
      why.had === undefined
        ? `item ${why.index} has ${got}${at}, which Arrow cannot hold`
        : `it mixes ${had} and ${kindsOf(inferDescriptor([why.got]))}${at}: item ${why.index} ` +
          `has ${got} where earlier values are ${had}, and an Arrow column holds one type`,
    ],
    hint:
      why.got === undefined
        ? `Return null for "no value" (Arrow has one null)${
            typeof why.path[why.path.length - 1] === 'string' ? ', or leave the field out of the object' : ''
          }, ${LEAVE_OUT}.`
        : why.had === undefined
          ? 'Convert it in the node to a string, number, boolean or typed array, or a list or plain ' +
            `object of them, ${LEAVE_OUT}.`
          : `Make the node return one type there (e.g. String(v) or Number(v)), ${LEAVE_OUT}.`,
  })
}

/** what the values of a descriptor are, in the plural: `numbers`, `Float64Arrays` */
function kindsOf(d: Descriptor): string {
  switch (d.kind) {
    case 'float64':
      return 'numbers'
    case 'utf8':
    case 'dictionary':
      return 'strings'
    case 'bool':
      return 'booleans'
    case 'list':
      return 'arrays'
    case 'struct':
    case 'map':
      return 'objects'
    case 'typedArray':
      return `${d.element}Arrays`
    case 'null':
      return 'nulls'
    case 'js':
      return 'other values'
    default:
      return absurd(d)
  }
}

/** a value as a message shows it (`"one"`, `5`, `undefined`, `a Date`), a bigint by its kind */
const valueName = (u: unknown): string => (typeof u === 'bigint' ? `the bigint ${u}n` : describeValue(u))
