import { tableFromIPC, tableToIPC } from 'apache-arrow'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { LocalExecutor, node, pipeline, ValidationError, type MapResult } from 'dagflow'
import { ArrowBatchExecutor, toArrow } from 'dagflow/arrow'
import { thrown } from '../helpers.js'

const Doc = t.type({ id: t.string, text: t.string })
const Stats = t.intersection([
  t.type({ words: t.number, kind: t.keyof({ short: null, long: null }) }),
  t.partial({ note: t.string }),
])

const stats = node(
  { output: 'stats', mapAxis: 'doc', keyAttr: 'id', inputs: { doc: Doc }, returns: Stats },
  ({ doc }) => {
    const words = doc.text.split(' ').filter(Boolean).length
    return words > 2
      ? { words, kind: 'long' as const }
      : { words, kind: 'short' as const, note: `only ${words}` }
  },
)
const tags = node({ output: 'tags', mapAxis: 'doc' }, ({ doc }: { doc: { text: string } }) =>
  doc.text.split(' ').filter((w) => w.length > 3),
)
const total = node({ output: 'total' }, ({ stats }: { stats: ReadonlyArray<{ words: number }> }) =>
  stats.reduce((a, s) => a + s.words, 0),
)
const p = pipeline(stats, tags, total)
const docs = [
  { id: 'a', text: 'one two' },
  { id: 'b', text: 'three four five 🦄 unicorns' },
  { id: 'c', text: '' },
]

const read = (table: ReturnType<typeof toArrow>) =>
  tableFromIPC(tableToIPC(table)).toArray().map((row) => row.toJSON() as Record<string, unknown>)

describe('toArrow', () => {
  it('writes the per-item outputs of a local result, typed by the returns codecs', async () => {
    const r = await new LocalExecutor().map(p, { doc: docs })
    const table = toArrow(r)
    expect(table.numRows).toBe(3)
    // once-only outputs (total) are not columns; per-item outputs are, in plan order
    expect(table.schema.fields.map((f) => f.name)).toStrictEqual(['stats', 'tags'])
    expect(String(table.schema.fields[0]?.type)).toContain('Struct')
    expect(String(table.schema.fields[0]?.type)).toContain('Dictionary')
    expect(String(table.schema.fields[1]?.type)).toContain('List')
  })

  it('reads back to the same values through Arrow IPC (absent optional fields as null)', async () => {
    const r = await new LocalExecutor().map(p, { doc: docs })
    const rows = read(toArrow(r, { keyColumn: 'key' }))
    expect(rows.map((row) => row['key'])).toStrictEqual(['a', 'b', 'c'])
    const back = rows.map((row) => {
      const s = (row['stats'] as { toJSON(): Record<string, unknown> }).toJSON()
      return { ...s, tags: Array.from(row['tags'] as Iterable<string>) }
    })
    expect(back).toStrictEqual([
      { words: 2, kind: 'short', note: 'only 2', tags: [] },
      { words: 5, kind: 'long', note: null, tags: ['three', 'four', 'five', 'unicorns'] },
      { words: 0, kind: 'short', note: 'only 0', tags: [] },
    ])
  })

  it('gives the same table for both executors, and results of the Arrow executor have toArrow()', async () => {
    const [a, l] = await Promise.all([
      new ArrowBatchExecutor({ batchSize: 2 }).map(p, { doc: docs }),
      new LocalExecutor().map(p, { doc: docs }),
    ])
    const plain = (table: ReturnType<typeof toArrow>) =>
      read(table).map((row) => ({
        stats: (row['stats'] as { toJSON(): unknown }).toJSON(),
        tags: Array.from(row['tags'] as Iterable<string>),
      }))
    expect(plain(a.toArrow())).toStrictEqual(plain(toArrow(l)))
    expect(plain(a.toArrow())).toHaveLength(3)
    // toArrow is not enumerable: the results still deep-equal
    expect(Object.keys(a)).toStrictEqual(['outputs', 'keys', 'executor'])
  })

  it('keeps -0, NaN, empty strings and astral Unicode in inferred columns', async () => {
    const echo = node({ output: 'v', mapAxis: 'x' }, ({ x }: { x: number }) => x)
    const text = node({ output: 's', mapAxis: 'x' }, ({ x }: { x: number }) => (x === 1 ? '' : '𝄞'))
    const r = await new LocalExecutor().map(pipeline(echo, text), { x: [-0, Number.NaN, 1] })
    const rows = read(toArrow(r))
    expect(rows.map((row) => row['v'])).toStrictEqual([-0, Number.NaN, 1])
    expect(rows.map((row) => row['s'])).toStrictEqual(['𝄞', '𝄞', ''])
  })

  it('selects columns with `outputs`, and names an output without an Arrow form', async () => {
    class Box {
      readonly v: number
      constructor(v: number) {
        this.v = v
      }
    }
    const boxed = node({ output: 'boxed', mapAxis: 'x' }, ({ x }: { x: number }) => new Box(x))
    const plain = node({ output: 'plain', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1)
    const r = await new LocalExecutor().map(pipeline(boxed, plain), { x: [1, 2] })
    expect(toArrow(r, { outputs: ['plain'] }).schema.fields.map((f) => f.name)).toStrictEqual(['plain'])
    const caught = thrown(() => toArrow(r))
    expect(caught).toBeInstanceOf(ValidationError)
    expect(caught).toMatchObject({ code: 'VALIDATION', param: 'boxed', node: 'boxed', subject: 'output' })
    // an output name the result does not have is a compile error, and for JS callers this:
    // @ts-expect-error "nope" is not an output of r
    expect(() => toArrow(r, { outputs: ['nope'] })).toThrow(ValidationError)
    // @ts-expect-error "nope" is not an output of r
    expect(thrown(() => toArrow(r, { outputs: ['nope'] }))).toMatchObject({ param: 'nope', subject: 'output' })
    // @ts-expect-error "nope" is not an output of r
    expect(String(thrown(() => toArrow(r, { outputs: ['nope'] })))).toContain('at output "nope"')
  })

  it('names the output, item, field and what was mixed when values have no Arrow form', async () => {
    const obj = node({ output: 'obj', mapAxis: 'x' }, ({ x }: { x: number }) => (x > 1 ? { a: 1 } : { a: 'one' }))
    const maybe = node({ output: 'maybe', mapAxis: 'x' }, ({ x }: { x: number }) => (x > 1 ? 5 : undefined))
    const field = node({ output: 'field', mapAxis: 'x' }, ({ x }: { x: number }) => ({ n: x > 1 ? undefined : x }))
    const r = await new LocalExecutor().map(pipeline(obj, maybe, field, total), { x: [1, 2], stats: [] })
    const mixed = thrown(() => toArrow(r, { outputs: ['obj'] }))
    expect(mixed).toMatchObject({ code: 'VALIDATION', subject: 'output', param: 'obj', node: 'obj', index: 1, key: 1, paths: ['a'] })
    expect(String(mixed)).toContain('output "obj"')
    expect(String(mixed)).toContain('mixes strings and numbers in field a')
    const undef = thrown(() => toArrow(r, { outputs: ['maybe'] }))
    expect(undef).toMatchObject({ param: 'maybe', index: 0, key: 0, paths: [''] })
    expect(String(undef)).toContain('item 0 has undefined')
    expect(String(undef)).toContain('Return null')
    expect(thrown(() => toArrow(r, { outputs: ['field'] }))).toMatchObject({ param: 'field', index: 1, paths: ['n'] })
    // outputs computed once are not columns, and are named as outputs
    expect(thrown(() => toArrow(r, { outputs: ['total'] }))).toMatchObject({ param: 'total', subject: 'output' })
    // the keyColumn option is named as an option
    const e = thrown(() => toArrow({ outputs: { y: [1, 2] }, keys: ['a', 1] }, { keyColumn: 'k' }))
    expect(e).toMatchObject({ param: 'keyColumn', subject: 'option' })
    expect(String(e)).toContain('at option "keyColumn"')
  })

  it('writes typed-array values as List columns of their element type, read back the same', async () => {
    const embed = node(
      {
        output: 'vec',
        mapAxis: 'text',
        batch: ({ text }) => Array.from(text, (s) => Float64Array.of(s.length, s.charCodeAt(0))),
      },
      ({ text }: { text: string }) => Float64Array.of(text.length, text.charCodeAt(0)),
    )
    const small = node({ output: 'small', mapAxis: 'text' }, ({ text }: { text: string }) =>
      text === 'bb' ? null : { id: text, v: Float32Array.of(text.length / 2), n: BigInt64Array.of(BigInt(text.length)) },
    )
    const texts = ['a', 'bb', 'ccc']
    const p2 = pipeline(embed, small)
    for (const r of [
      await new LocalExecutor().map(p2, { text: texts }),
      await new ArrowBatchExecutor({ batchSize: 2 }).map(p2, { text: texts }),
    ]) {
      const back = tableFromIPC(tableToIPC(toArrow(r, { keyColumn: 'key' })))
      expect(back.schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toStrictEqual([
        'key: Float64',
        'vec: List<Float64>',
        'small: Struct<{id:Utf8, v:List<Float32>, n:List<Int64>}>',
      ])
      const vec = back.getChild('vec')
      expect(texts.map((_, i) => vec?.get(i)?.toArray())).toStrictEqual(r.outputs.vec)
      const row = back.getChild('small')?.get(2)?.toJSON() as Record<string, { toArray(): unknown }>
      expect([row['id'], row['v']?.toArray(), row['n']?.toArray()]).toStrictEqual([
        'ccc',
        Float32Array.of(1.5),
        BigInt64Array.of(3n),
      ])
      expect(back.getChild('small')?.get(1)).toBeNull()
    }
    // two element types in one column: named, never converted
    const mixedTypes = { outputs: { v: [new Float64Array(1), new Float32Array(1)] }, keys: [0, 1] }
    const e = thrown(() => toArrow(mixedTypes))
    expect(e).toMatchObject({ code: 'VALIDATION', param: 'v', index: 1 })
    expect(String(e)).toContain('mixes Float64Arrays and Float32Arrays')
  })

  it('rejects a key column it cannot write with a ValidationError that says what to do', async () => {
    const mixed = { outputs: { y: [1, 2] }, keys: ['a', 1] }
    const bad = (options: Parameters<typeof toArrow>[1], result: unknown = mixed): unknown =>
      thrown(() => toArrow(result as Pick<MapResult<unknown>, 'outputs' | 'keys'>, options))
    // keys may be strings or numbers, but one Arrow column holds one type: never coerced
    expect(bad({ keyColumn: 'key' })).toMatchObject({ code: 'VALIDATION', param: 'keyColumn' })
    expect(String(bad({ keyColumn: 'key' }))).toContain('mix strings and numbers')
    const r = await new LocalExecutor().map(pipeline(tags), { doc: docs })
    expect(bad({ keyColumn: 'tags' }, r)).toMatchObject({ code: 'VALIDATION', param: 'keyColumn' })
    expect(String(bad({ keyColumn: 'tags' }, r))).toContain('also the name of an output')
    expect(bad({ keyColumn: '' }, r)).toMatchObject({ code: 'VALIDATION', param: 'keyColumn' })
    // what run() returns is one item's outputs, not a map result
    const one = await new LocalExecutor().run(pipeline(tags), { doc: docs[0] as { text: string } })
    expect(bad({}, one)).toBeInstanceOf(ValidationError)
    expect(String(bad({}, one))).toContain('Pass what map() resolves to')
    // numbers alone are a Float64 key column
    expect(read(toArrow({ outputs: { y: [1, 2] }, keys: [3, 4] }, { keyColumn: 'k' }))).toStrictEqual([
      { k: 3, y: 1 },
      { k: 4, y: 2 },
    ])
  })

  it('refuses values that would not read back the same, naming output, item and field', async () => {
    const Shape = t.type({ a: t.number })
    const leaky = node({ output: 'y', mapAxis: 'x', returns: Shape }, ({ x }: { x: number }) => ({ a: x, secret: 's' }))
    const r = await new LocalExecutor().map(pipeline(leaky), { x: [1, 2] })
    const e = thrown(() => toArrow(r))
    // t.type does not strip undeclared fields: the table would lose `secret`
    expect(e).toBeInstanceOf(ValidationError)
    expect(e).toMatchObject({ code: 'VALIDATION', node: 'y', param: 'y', key: 0, index: 0, paths: ['secret'] })
    expect(String(e)).toContain('t.exact or t.strict')
    const stripped = node(
      { output: 'y', mapAxis: 'x', returns: t.exact(Shape) },
      ({ x }: { x: number }) => ({ a: x, secret: 's' }),
    )
    const clean = await new LocalExecutor().map(pipeline(stripped), { x: [1, 2] })
    expect(toArrow(clean).getChild('y')?.toArray().map((row: { toJSON(): unknown }) => row.toJSON())).toStrictEqual([
      { a: 1 },
      { a: 2 },
    ])
    // an unpaired surrogate would come back as U+FFFD
    const text = node({ output: 's', mapAxis: 'x' }, ({ x }: { x: number }) => (x === 2 ? 'a\uD800b' : 'ok'))
    const r2 = await new LocalExecutor().map(pipeline(text), { x: [1, 2] })
    expect(() => toArrow(r2)).toThrow(ValidationError)
    // a keyof codec's literal that no item uses does not matter, however it is spelled
    const C = t.keyof({ a: null, '\uD800x': null })
    const pick = node({ output: 'k', mapAxis: 'x', returns: C }, ({ x }: { x: number }) => (x > 0 ? 'a' : 'a'))
    const r3 = await new LocalExecutor().map(pipeline(pick), { x: [1, 2] })
    expect(read(toArrow(r3))).toStrictEqual([{ k: 'a' }, { k: 'a' }])
    // a misspelled option is not ignored
    expect(() => toArrow(r2, { keycolumn: 'k' } as never)).toThrow('`keycolumn` is not an option')
  })

  it('accepts a hand-made result: array outputs as long as the keys are columns', () => {
    const made: Pick<MapResult<{ y: ReadonlyArray<number>; n: number }>, 'outputs' | 'keys'> = {
      outputs: { y: [1, 2], n: 3 },
      keys: ['p', 'q'],
    }
    const rows = read(toArrow(made, { keyColumn: 'id' }))
    expect(rows).toStrictEqual([
      { id: 'p', y: 1 },
      { id: 'q', y: 2 },
    ])
  })
})
