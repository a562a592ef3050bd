/**
 * `toArrow`: the per-item outputs of a map result (from either executor) as an Arrow table,
 * typed from the producing nodes' `returns` codecs, or inferred from the values.
 *
 * @since 0.2.0
 */
import type { Table } from 'apache-arrow'
import {
  unstable_checkOptions as checkOptions,
  unstable_resultOutputs as resultOutputs,
  ValidationError,
  type MapResult,
} from 'dagflow'
import { describe, inferDescriptor, type Descriptor } from './schema.js'
import { toTable, VectorBuildError } from './vectors.js'

/**
 * Options of {@link toArrow}.
 *
 * @category executors
 * @since 0.2.0
 */
export interface ToArrowOptions {
  /** the per-item outputs to include (default: all of them) */
  readonly outputs?: ReadonlyArray<string>
  /** also write the items' keys, in a column of this name */
  readonly keyColumn?: string
}

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
export function toArrow(
  result: Pick<MapResult<unknown>, 'outputs' | 'keys'>,
  options: ToArrowOptions = {},
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
    return { name, descriptor: arrowForm(descriptor, name, o.node), values }
  })
  const keyColumn = options.keyColumn
  if (keyColumn !== undefined) {
    if (typeof keyColumn !== 'string' || keyColumn === '') {
      throw misuse('keyColumn', `expected a column name, got ${JSON.stringify(keyColumn)}`, 'Name the key column, e.g. { keyColumn: "key" }.')
    }
    if (wanted.includes(keyColumn)) {
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
      key: e.index === undefined ? undefined : result.keys[e.index],
      index: e.index,
      paths: [e.path.join('.')],
      details: [`${e.path.length === 0 ? '' : `${e.path.join('.')}: `}expected ${e.expected}, got ${e.got} (it would not read back the same)`],
      hint:
        'toArrow() writes values that read back as they are. Strip undeclared fields in the node (t.exact or t.strict in its `returns` codec), fix the value, or leave the output out with toArrow(result, { outputs: [...] }).',
    })
  }
}

/** A call of toArrow that cannot work as written: what was wrong with `param`, and the fix. */
const misuse = (param: string, detail: string, hint: string): ValidationError =>
  new ValidationError({ node: undefined, param, key: undefined, index: undefined, paths: [''], details: [detail], hint })

function arrowForm(d: Descriptor, output: string, node: string | undefined): Descriptor {
  if (d.kind !== 'js') return d
  throw new ValidationError({
    node,
    param: output,
    key: undefined,
    index: undefined,
    paths: [''],
    details: [`output "${output}" has no Arrow form (its values are not strings, numbers, booleans, or lists and records of them)`],
    hint: 'Give its node a `returns` codec with an Arrow form, or leave it out with toArrow(result, { outputs: [...] }).',
  })
}
