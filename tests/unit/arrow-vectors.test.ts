import { describe as suite, it, expect } from 'vitest'
import { tableFromIPC, tableToIPC, Type, type Data, type Vector } from 'apache-arrow'
import * as t from 'io-ts'
import { describe, type Descriptor } from '../../src/executors/arrow/schema.js'
import {
  fromVector,
  toTable,
  toVector,
  VectorBuildError,
} from '../../src/executors/arrow/vectors.js'

import { BOOL, dict, F64, field, list, map, NULL, nullable, struct, UTF8 } from '../arrow-descriptors.js'

const data = (v: Vector): Data => v.data[0] as Data

/** builds, checks the read back, and returns the vector */
function roundTrip(d: Descriptor, values: ReadonlyArray<unknown>): Vector {
  const v = toVector(d, values)
  expect(v.length).toBe(values.length)
  expect(fromVector(d, v)).toStrictEqual(values)
  return v
}

function buildError(f: () => unknown): VectorBuildError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(VectorBuildError)
    return e as VectorBuildError
  }
  throw new Error('expected a VectorBuildError')
}

class Point {
  readonly x: number
  constructor(x: number) {
    this.x = x
  }
}

suite('float64', () => {
  it('builds Float64 and keeps -0, NaN, ±Infinity', () => {
    const v = roundTrip(F64, [1.5, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE])
    expect(v.type.toString()).toBe('Float64')
    expect(v.nullCount).toBe(0)
    const back = fromVector(F64, v)
    expect(Object.is(back[1], -0)).toBe(true)
    expect(Object.is(back[2], NaN)).toBe(true)
  })
  it('is zero-copy from a Float64Array', () => {
    const f = new Float64Array([1, -0, NaN])
    const v = toVector(F64, f)
    expect(data(v).values.buffer).toBe(f.buffer)
    f[0] = 42
    expect(v.get(0)).toBe(42)
    const back = fromVector(F64, v)
    expect(Array.isArray(back)).toBe(true)
    expect(back).toStrictEqual([42, -0, NaN])
  })
  it('is zero-copy from a subarray too (nullable descriptor, no nulls)', () => {
    const f = new Float64Array([0, 1, 2, 3])
    const v = toVector(nullable(F64), f.subarray(1, 3))
    expect(data(v).values.buffer).toBe(f.buffer)
    expect(v.nullCount).toBe(0)
    expect(fromVector(F64, v)).toStrictEqual([1, 2])
  })
  it('nullable: a validity bitmap with the right null count', () => {
    const v = roundTrip(nullable(F64), [null, 1, null, null, 2, 3, 4, 5, 6, null])
    expect(v.nullCount).toBe(4)
    expect(v.isValid(0)).toBe(false)
    expect(v.isValid(1)).toBe(true)
    expect(v.isValid(9)).toBe(false)
  })
  it('refuses null when not nullable, and non-numbers', () => {
    const e = buildError(() => toVector(F64, [1, null]))
    expect(e.index).toBe(1)
    expect(e.path).toStrictEqual([])
    expect(buildError(() => toVector(F64, [1, '2'])).index).toBe(1)
    expect(buildError(() => toVector(F64, [undefined])).index).toBe(0)
  })
})

suite('utf8', () => {
  it('writes one shared UTF-8 buffer with Int32 offsets', () => {
    const values = ['a', '', 'é', '𝄞', 'abc']
    const v = roundTrip(UTF8, values)
    expect(v.type.toString()).toBe('Utf8')
    const d = data(v)
    expect(d.valueOffsets).toBeInstanceOf(Int32Array)
    expect(Array.from(d.valueOffsets)).toStrictEqual([0, 1, 1, 3, 7, 10])
    expect(new TextDecoder().decode(d.values)).toBe(values.join(''))
  })
  it('keeps astral characters, a leading BOM, NUL, long and non-ASCII strings', () => {
    const long = 'x'.repeat(10_000) + 'é' + '😀'.repeat(1000)
    roundTrip(UTF8, ['\uFEFFbom', '\u0000', long, '😀', 'plain ascii that is longer than 32 chars'])
  })
  it('many rows: ASCII runs, non-ASCII rows, nulls and very long strings across chunks', () => {
    const values = Array.from({ length: 3000 }, (_, i) =>
      i % 7 === 0
        ? null
        : i % 601 === 0
          ? `é${i}😀`
          : i === 1500
            ? 'y'.repeat(40_000)
            : i % 997 === 0
              ? `\u0000\t${i}\u007f`
              : `row ${i}`,
    )
    const v = roundTrip(nullable(UTF8), values)
    expect(v.nullCount).toBe(values.filter((x) => x === null).length)
    const bad: Array<unknown> = [...values]
    bad[2100] = 'a\uD800'
    expect(buildError(() => toVector(nullable(UTF8), bad)).index).toBe(2100)
    bad[2100] = 7
    expect(buildError(() => toVector(nullable(UTF8), bad)).index).toBe(2100)
  })
  it('grows its buffer past the initial estimate', () => {
    const values = Array.from({ length: 500 }, (_, i) => '中文'.repeat(i % 40))
    roundTrip(UTF8, values)
  })
  it('nullable', () => {
    const v = roundTrip(nullable(UTF8), [null, 'a', null])
    expect(v.nullCount).toBe(2)
  })
  it('refuses unpaired surrogates, also with exact off (they would come back as U+FFFD)', () => {
    const e = buildError(() => toVector(UTF8, ['ok', 'a\uD800']))
    expect(e.index).toBe(1)
    expect(e.expected).toBe('a well-formed string')
    expect(buildError(() => toVector(UTF8, ['a\uD800'], { exact: false })).index).toBe(0)
  })
})

suite('bool', () => {
  it('bit-packs', () => {
    const values = [true, false, true, true, false, false, false, true, true]
    const v = roundTrip(BOOL, values)
    expect(v.type.toString()).toBe('Bool')
    expect(data(v).values.byteLength).toBe(2)
    expect(data(v).values[0]).toBe(0b10001101)
  })
  it('nullable', () => {
    expect(roundTrip(nullable(BOOL), [null, true, false, null]).nullCount).toBe(2)
  })
  it('refuses truthy non-booleans', () => {
    expect(buildError(() => toVector(BOOL, [1])).expected).toBe('a boolean')
  })
})

suite('dictionary', () => {
  it('Int32 indices into a Utf8 dictionary of the values', () => {
    const d = dict('red', 'green', 'blue')
    const v = roundTrip(d, ['blue', 'red', 'blue'])
    expect(v.type.toString()).toBe('Dictionary<Int32, Utf8>')
    expect(v.type.typeId).toBe(Type.Dictionary)
    expect(Array.from(data(v).values)).toStrictEqual([2, 0, 2])
    expect(data(v).dictionary?.toArray()).toStrictEqual(['red', 'green', 'blue'])
  })
  it('nullable, and refuses non-members', () => {
    expect(roundTrip(nullable(dict('a')), ['a', null]).nullCount).toBe(1)
    const e = buildError(() => toVector(dict('a', 'b'), ['a', 'c']))
    expect(e.index).toBe(1)
    expect(e.got).toBe('"c"')
  })
})

suite('null', () => {
  it('builds the Null type', () => {
    const v = roundTrip(NULL, [null, null])
    expect(v.type.typeId).toBe(Type.Null)
    expect(v.nullCount).toBe(2)
    expect(buildError(() => toVector(NULL, [null, 0])).index).toBe(1)
  })
})

suite('struct', () => {
  const d = struct(field('a', F64), field('b', UTF8, true), field('c', nullable(BOOL)))
  it('builds a Struct; absent optional fields are null slots that read back absent', () => {
    const values = [
      { a: 1, b: 'x', c: true },
      { a: -0, c: null },
    ]
    const v = roundTrip(d, values)
    expect(v.type.toString()).toBe('Struct<{a:Float64, b:Utf8, c:Bool}>')
    expect(v.nullCount).toBe(0)
    const children = data(v).children
    expect(children[1]?.nullCount).toBe(1)
    expect(children[2]?.nullCount).toBe(1)
    // what other Arrow readers see: the absent field is null
    expect(v.get(1)?.toJSON()).toStrictEqual({ a: -0, b: null, c: null })
  })
  it('marks fields nullable when optional, nullable, or inside a nullable struct', () => {
    const fieldsOf = (v: Vector) =>
      (v.type.children as Array<{ name: string; nullable: boolean }>).map((f) => [
        f.name,
        f.nullable,
      ])
    expect(fieldsOf(toVector(d, []))).toStrictEqual([
      ['a', false],
      ['b', true],
      ['c', true],
    ])
    expect(fieldsOf(toVector(nullable(d), []))).toStrictEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ])
  })
  it('nullable struct', () => {
    const v = roundTrip(nullable(d), [null, { a: 1, c: false }, null])
    expect(v.nullCount).toBe(2)
  })
  it('keeps a "__proto__" field as an own property', () => {
    const values = [JSON.parse('{"__proto__": "x", "n": 1}') as unknown]
    const dp = struct(field('__proto__', UTF8), field('n', F64))
    const back = fromVector(dp, toVector(dp, values))
    expect(Object.getPrototypeOf(back[0])).toBe(Object.prototype)
    expect(Object.keys(back[0] as object)).toStrictEqual(['__proto__', 'n'])
    expect(back).toStrictEqual(values)
  })
  it('a struct with no fields', () => {
    roundTrip(struct(), [{}, {}])
  })
  it('reports missing, extra, undefined and mistyped fields with a path', () => {
    let e = buildError(() =>
      toVector(d, [
        { a: 1, c: null },
        { b: 'x', c: null },
      ]),
    )
    expect([e.index, e.path, e.got]).toStrictEqual([1, ['a'], 'nothing (the field is absent)'])
    e = buildError(() => toVector(d, [{ a: 1, c: true, z: 2 }]))
    expect([e.index, e.path]).toStrictEqual([0, ['z']])
    e = buildError(() => toVector(d, [{ a: 1, b: undefined, c: true }]))
    expect([e.index, e.path, e.got]).toStrictEqual([0, ['b'], 'undefined'])
    e = buildError(() =>
      toVector(d, [
        { a: 1, c: true },
        { a: 'one', c: true },
      ]),
    )
    expect([e.index, e.path, e.expected]).toStrictEqual([1, ['a'], 'a number'])
    e = buildError(() => toVector(d, [{ a: 1, c: 'yes' }]))
    expect([e.index, e.path, e.expected]).toStrictEqual([0, ['c'], 'a boolean or null'])
    e = buildError(() => toVector(d, [new Point(1)]))
    expect([e.index, e.got]).toStrictEqual([0, 'an instance of Point'])
    expect(e.message).toContain('row 0')
  })
  it('an optional nullable field: exact refuses absent; exact: false writes it as null', () => {
    const dn = struct(field('a', nullable(F64), true))
    roundTrip(dn, [{ a: null }, { a: 1 }])
    const e = buildError(() => toVector(dn, [{ a: 1 }, {}]))
    expect([e.index, e.path]).toStrictEqual([1, ['a']])
    const lossy = toVector(dn, [{ a: 1 }, {}], { exact: false })
    expect(fromVector(dn, lossy)).toStrictEqual([{ a: 1 }, { a: null }])
  })
  it('exact: false drops undefined optional properties, never extra keys', () => {
    const lossy = toVector(d, [{ a: 1, b: undefined, c: null }], { exact: false })
    expect(fromVector(d, lossy)).toStrictEqual([{ a: 1, c: null }])
    const extra = buildError(() => toVector(d, [{ a: 1, c: null, z: 'extra' }], { exact: false }))
    expect([extra.index, extra.path]).toStrictEqual([0, ['z']])
    // but never invents a value
    expect(buildError(() => toVector(d, [{ c: null }], { exact: false })).path).toStrictEqual(['a'])
    expect(buildError(() => toVector(d, [{ a: 1 }], { exact: false })).path).toStrictEqual(['c'])
  })
})

suite('list', () => {
  it('builds List<item> with offsets; empty lists and nulls', () => {
    const d = nullable(list(nullable(F64)))
    const v = roundTrip(d, [[1, null], [], null, [-0]])
    expect(v.type.toString()).toBe('List<Float64>')
    expect(v.nullCount).toBe(1)
    expect(Array.from(data(v).valueOffsets)).toStrictEqual([0, 2, 2, 2, 3])
    expect(data(v).children[0]?.nullCount).toBe(1)
  })
  it('lists of lists, of structs, of nulls', () => {
    roundTrip(list(list(UTF8)), [[['a'], []], [], [[''], ['b', 'c']]])
    roundTrip(list(struct(field('x', F64), field('y', UTF8, true))), [
      [{ x: 1 }, { x: 2, y: 'b' }],
      [],
    ])
    roundTrip(list(NULL), [[], [null, null]])
  })
  it('reports the row and the position inside the list', () => {
    const e = buildError(() => toVector(list(F64), [[1], [], [2, 3, 'x']]))
    expect([e.index, e.path]).toStrictEqual([2, [2]])
    const nested = buildError(() =>
      toVector(list(struct(field('x', F64))), [[{ x: 1 }], [{ x: 1 }, { x: 'no' }]]),
    )
    expect([nested.index, nested.path]).toStrictEqual([1, [1, 'x']])
    expect(nested.message).toContain('at [1].x')
  })
  it('refuses holes and typed arrays', () => {
    expect(buildError(() => toVector(list(F64), [[1, , 2]])).path).toStrictEqual([1])
    expect(buildError(() => toVector(list(F64), [new Float64Array(1)])).index).toBe(0)
  })
})

suite('typed arrays', () => {
  const typed = (element: string, nullable = false) =>
    ({ kind: 'typedArray', element, nullable }) as Descriptor
  it.each([
    ['Float64', Float64Array.of(1, -0, NaN, Infinity), 'List<Float64>'],
    ['Float32', Float32Array.of(1.5, -0, NaN), 'List<Float32>'],
    ['Int8', Int8Array.of(-128, 127), 'List<Int8>'],
    ['Int16', Int16Array.of(-1, 2), 'List<Int16>'],
    ['Int32', Int32Array.of(-(2 ** 31), 2 ** 31 - 1), 'List<Int32>'],
    ['Uint8', Uint8Array.of(0, 255), 'List<Uint8>'],
    ['Uint16', Uint16Array.of(0, 65535), 'List<Uint16>'],
    ['Uint32', Uint32Array.of(0, 2 ** 32 - 1), 'List<Uint32>'],
    ['BigInt64', BigInt64Array.of(-(2n ** 63n), 1n), 'List<Int64>'],
    ['BigUint64', BigUint64Array.of(0n, 2n ** 64n - 1n), 'List<Uint64>'],
  ] as const)('%s: one child buffer, read back as the same typed arrays', (element, full, type) => {
    const C = full.constructor as new (n: number) => typeof full
    // a view at an offset, an empty array and a null row
    const values = [full, full.subarray(1), new C(0), null]
    const d = typed(element, true)
    const v = roundTrip(d, values)
    expect(String(v.type)).toBe(type)
    const k = full.length
    expect(Array.from(data(v).valueOffsets)).toStrictEqual([0, k, 2 * k - 1, 2 * k - 1, 2 * k - 1])
    expect((data(v).children[0] as Data).values).toBeInstanceOf(C)
    expect((fromVector(d, v)[1] as object).constructor).toBe(C)
    expect(fromVector(d, v.slice(1, 3))).toStrictEqual(values.slice(1, 3))
    // apache-arrow reads each row back as a vector over a typed array of the same type
    const back = tableFromIPC(tableToIPC(toTable([{ name: 'v', descriptor: d, values }])))
    expect((back.getChild('v')?.get(0) as Vector).toArray()).toStrictEqual(full)
    expect(fromVector(d, back.getChild('v') as Vector)).toStrictEqual(values)
  })
  it('inside structs, and refuses other element types', () => {
    const d = struct(field('e', typed('Float32')), field('id', UTF8))
    roundTrip(d, [{ e: Float32Array.of(1, 2), id: 'a' }, { e: new Float32Array(0), id: 'b' }])
    const e = buildError(() => toVector(typed('Float64'), [new Float64Array(1), new Float32Array(1)]))
    expect([e.index, e.expected, e.got]).toStrictEqual([1, 'a Float64Array', 'an instance of Float32Array'])
    expect(buildError(() => toVector(typed('Float64'), [[1]])).index).toBe(0)
    expect(() => fromVector(typed('Float32'), toVector(typed('Float64'), [Float64Array.of(1)]))).toThrow(
      /List<Float32>/,
    )
  })
})

suite('map', () => {
  it('builds Map<Utf8, value> and reads back plain objects', () => {
    const d = nullable(map(list(F64)))
    const v = roundTrip(d, [{ a: [1], b: [] }, {}, null, { '': [NaN], '😀': [-0] }])
    expect(v.type.toString()).toBe('Map<{key:Utf8, value:List<Float64>}>')
    expect(v.nullCount).toBe(1)
    expect(Array.from(data(v).valueOffsets)).toStrictEqual([0, 2, 2, 2, 4])
  })
  it('keeps key order, integer-like keys and "__proto__"', () => {
    const values = [JSON.parse('{"b": 1, "2": 2, "a": 3, "1": 4, "__proto__": 5}') as unknown]
    const back = fromVector(map(F64), toVector(map(F64), values))
    expect(Object.keys(back[0] as object)).toStrictEqual(['1', '2', 'b', 'a', '__proto__'])
    expect(Object.getPrototypeOf(back[0])).toBe(Object.prototype)
    expect(back).toStrictEqual(values)
  })
  it('reports the row and key', () => {
    const e = buildError(() => toVector(map(F64), [{ a: 1 }, { b: 2, c: 'x' }]))
    expect([e.index, e.path]).toStrictEqual([1, ['c']])
    const u = buildError(() => toVector(map(F64), [{ a: undefined }]))
    expect([u.index, u.path, u.got]).toStrictEqual([0, ['a'], 'undefined'])
    expect(
      fromVector(map(F64), toVector(map(F64), [{ a: undefined, b: 1 }], { exact: false })),
    ).toStrictEqual([{ b: 1 }])
  })
})

suite('descriptor problems and reading', () => {
  it('kind js has no Arrow form', () => {
    const e = buildError(() => toVector({ kind: 'js' }, [1]))
    expect(e.index).toBeUndefined()
    expect(() => fromVector({ kind: 'js' }, toVector(F64, [1]))).toThrow(/no Arrow form/)
    const nested = buildError(() => toVector(struct(field('f', { kind: 'js' })), [{ f: 1 }]))
    expect(nested.index).toBeUndefined()
  })
  it('fromVector refuses a vector of another type', () => {
    expect(() => fromVector(UTF8, toVector(F64, [1]))).toThrow(/Utf8/)
    expect(() => fromVector(list(F64), toVector(F64, [1]))).toThrow(/List/)
    expect(() =>
      fromVector(struct(field('a', F64)), toVector(struct(field('b', F64)), [{ b: 1 }])),
    ).toThrow(/no field "a"/)
  })
  it('reads slices and multi-chunk vectors', () => {
    const values = ['a', null, 'ß', '😀', null, 'z', 'last']
    const d = nullable(UTF8)
    const v = toVector(d, values)
    expect(fromVector(d, v.slice(1, 5))).toStrictEqual(values.slice(1, 5))
    const two = v.slice(0, 3).concat(v.slice(3))
    expect(two.data.length).toBe(2)
    expect(fromVector(d, two)).toStrictEqual(values)
    const bools = [true, null, false, true, true, false, null, true, false, true]
    const b = toVector(nullable(BOOL), bools)
    expect(fromVector(nullable(BOOL), b.slice(3, 9))).toStrictEqual(bools.slice(3, 9))
    const rows = [{ a: [1], m: { k: 'v' } }, null, { a: [], m: {} }, { a: [2, 3], m: { x: 'y' } }]
    const ds: Descriptor = nullable(struct(field('a', list(F64)), field('m', map(UTF8))))
    expect(fromVector(ds, toVector(ds, rows).slice(2, 4))).toStrictEqual(rows.slice(2, 4))
  })
})

suite('toTable and IPC (what other Arrow tools read)', () => {
  const codec = t.type({
    id: t.number,
    name: t.union([t.string, t.null]),
    kind: t.keyof({ a: null, b: null }),
    tags: t.array(t.string),
    meta: t.partial({ score: t.number, ok: t.boolean }),
    attrs: t.record(t.string, t.array(t.number)),
  })
  const d = describe(codec)
  const rows = [
    { id: -0, name: '😀', kind: 'a', tags: [], meta: {}, attrs: { x: [1, NaN] } },
    { id: NaN, name: null, kind: 'b', tags: ['', 'é'], meta: { score: 1 }, attrs: {} },
    { id: Infinity, name: '', kind: 'a', tags: ['t'], meta: { ok: false }, attrs: { '': [] } },
  ]

  it('writes named columns; reading back through IPC gives the same values', () => {
    const table = toTable([
      { name: 'row', descriptor: d, values: rows },
      { name: 'n', descriptor: nullable(F64), values: [1, null, 3] },
      { name: 'f', descriptor: F64, values: new Float64Array([1, 2, 3]) },
    ])
    expect(table.numRows).toBe(3)
    expect(table.schema.fields.map((f) => [f.name, f.nullable])).toStrictEqual([
      ['row', false],
      ['n', true],
      ['f', false],
    ])
    const back = tableFromIPC(tableToIPC(table))
    expect(back.schema.fields.map((f) => String(f.type))).toStrictEqual(
      table.schema.fields.map((f) => String(f.type)),
    )
    expect(fromVector(d, back.getChild('row') as Vector)).toStrictEqual(rows)
    expect(fromVector(nullable(F64), back.getChild('n') as Vector)).toStrictEqual([1, null, 3])
    expect(fromVector(F64, back.getChild('f') as Vector)).toStrictEqual([1, 2, 3])
    // apache-arrow's own reader sees the same values, absent optional fields as null
    const row0 = back.get(0)?.toJSON() as Record<string, unknown>
    expect(row0['n']).toBe(1)
    expect((row0['row'] as { toJSON(): unknown }).toJSON()).toMatchObject({
      id: -0,
      name: '😀',
      kind: 'a',
    })
    expect(back.getChild('row')?.getChild('meta')?.get(0)?.toJSON()).toStrictEqual({
      score: null,
      ok: null,
    })
  })
  it('IPC with several dictionary columns keeps each dictionary', () => {
    const table = toTable([
      { name: 'x', descriptor: dict('a', 'b'), values: ['b', 'a'] },
      { name: 'y', descriptor: dict('p', 'q', 'r'), values: ['r', 'p'] },
    ])
    const back = tableFromIPC(tableToIPC(table))
    expect(fromVector(dict('a', 'b'), back.getChild('x') as Vector)).toStrictEqual(['b', 'a'])
    expect(fromVector(dict('p', 'q', 'r'), back.getChild('y') as Vector)).toStrictEqual(['r', 'p'])
  })
  it('empty columns and empty tables', () => {
    const back = tableFromIPC(tableToIPC(toTable([{ name: 'r', descriptor: d, values: [] }])))
    expect(back.numRows).toBe(0)
    expect(fromVector(d, back.getChild('r') as Vector)).toStrictEqual([])
    expect(toTable([]).numCols).toBe(0)
  })
  it('names the column of a value that does not fit', () => {
    const e = buildError(() =>
      toTable([
        { name: 'ok', descriptor: F64, values: [1, 2] },
        { name: 'bad', descriptor: list(F64), values: [[1], ['x']] },
      ]),
    )
    expect([e.column, e.index, e.path]).toStrictEqual(['bad', 1, [0]])
    expect(e.message).toContain('column "bad"')
  })
  it('refuses columns of different lengths and repeated names', () => {
    expect(() =>
      toTable([
        { name: 'a', descriptor: F64, values: [1] },
        { name: 'b', descriptor: F64, values: [1, 2] },
      ]),
    ).toThrow(/"b" has 2 values/)
    expect(() =>
      toTable([
        { name: 'a', descriptor: F64, values: [1] },
        { name: 'a', descriptor: F64, values: [1] },
      ]),
    ).toThrow(/two columns are named "a"/)
  })
})
