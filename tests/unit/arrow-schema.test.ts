import { describe as suite, it, expect } from 'vitest'
import * as t from 'io-ts'
import {
  describe,
  fits,
  inferDescriptor,
  isNullable,
  typedElement,
  whyNoForm,
} from '../../src/executors/arrow/schema.js'

import { BOOL, dict, F64, field, JS, list, map, NULL, nullable, struct, UTF8 } from '../arrow-descriptors.js'

class Point {
  readonly x: number
  readonly y: number
  constructor(x: number, y: number) {
    this.x = x
    this.y = y
  }
}
const PointC = new t.Type<Point, Point, unknown>(
  'Point',
  (u): u is Point => u instanceof Point,
  (u, c) => (u instanceof Point ? t.success(u) : t.failure(u, c)),
  t.identity,
)
interface Positive {
  readonly Positive: unique symbol
}
const PositiveC = t.brand(t.number, (n): n is t.Branded<number, Positive> => n > 0, 'Positive')

suite('describe: scalars', () => {
  it('maps string, number, boolean, null', () => {
    expect(describe(t.string)).toStrictEqual(UTF8)
    expect(describe(t.number)).toStrictEqual(F64)
    expect(describe(t.boolean)).toStrictEqual(BOOL)
    expect(describe(t.null)).toStrictEqual(NULL)
  })
  it('maps literals by the type of their value', () => {
    expect(describe(t.literal('a'))).toStrictEqual(dict('a'))
    expect(describe(t.literal(3))).toStrictEqual(F64)
    expect(describe(t.literal(true))).toStrictEqual(BOOL)
  })
  it('maps string literal unions and keyof to one dictionary', () => {
    expect(describe(t.union([t.literal('a'), t.literal('b'), t.literal('a')]))).toStrictEqual(
      dict('a', 'b'),
    )
    expect(describe(t.keyof({ x: null, y: null }))).toStrictEqual(dict('x', 'y'))
  })
  it('reads refinements, brands and readonly as their base', () => {
    expect(describe(t.Int)).toStrictEqual(F64)
    expect(describe(PositiveC)).toStrictEqual(F64)
    expect(describe(t.refinement(t.string, (s) => s.length > 0))).toStrictEqual(UTF8)
    expect(describe(t.readonly(t.type({ a: t.string })))).toStrictEqual(struct(field('a', UTF8)))
  })
})

suite('describe: unions', () => {
  it('union with null is the nullable member', () => {
    expect(describe(t.union([t.string, t.null]))).toStrictEqual(nullable(UTF8))
    expect(describe(t.union([t.null, t.number]))).toStrictEqual(nullable(F64))
    expect(describe(t.union([t.literal('a'), t.literal('b'), t.null]))).toStrictEqual(
      nullable(dict('a', 'b')),
    )
    expect(describe(t.union([t.array(t.number), t.null]))).toStrictEqual(nullable(list(F64)))
  })
  it('string literals with t.string are utf8', () => {
    expect(describe(t.union([t.literal('a'), t.string]))).toStrictEqual(UTF8)
  })
  it('a union admitting undefined has no Arrow form (Arrow has one null)', () => {
    expect(describe(t.union([t.string, t.undefined]))).toStrictEqual(JS)
    expect(describe(t.union([t.string, t.null, t.undefined]))).toStrictEqual(JS)
    expect(describe(t.union([t.number, t.void]))).toStrictEqual(JS)
  })
  it('mixed unions have no Arrow form', () => {
    expect(describe(t.union([t.string, t.number]))).toStrictEqual(JS)
    expect(describe(t.union([t.literal('a'), t.literal(1)]))).toStrictEqual(JS)
    expect(describe(t.union([t.array(t.string), t.string]))).toStrictEqual(JS)
    expect(
      describe(t.union([t.type({ a: t.string }), t.record(t.string, t.string)])),
    ).toStrictEqual(JS)
  })
  it('a union of structs is one struct; fields not in every member are optional', () => {
    const c = t.union([
      t.type({ kind: t.literal('circle'), r: t.number }),
      t.type({ kind: t.literal('rect'), w: t.number, h: t.number }),
    ])
    expect(describe(c)).toStrictEqual(
      struct(
        field('kind', dict('circle', 'rect')),
        field('r', F64, true),
        field('w', F64, true),
        field('h', F64, true),
      ),
    )
  })
})

suite('describe: objects', () => {
  it('type, strict and exact are structs of required fields', () => {
    const expected = struct(field('a', UTF8), field('b', F64))
    expect(describe(t.type({ a: t.string, b: t.number }))).toStrictEqual(expected)
    expect(describe(t.strict({ a: t.string, b: t.number }))).toStrictEqual(expected)
    expect(describe(t.exact(t.type({ a: t.string, b: t.number })))).toStrictEqual(expected)
  })
  it('partial fields are optional', () => {
    expect(describe(t.partial({ a: t.string }))).toStrictEqual(struct(field('a', UTF8, true)))
    expect(describe(t.exact(t.partial({ a: t.string })))).toStrictEqual(
      struct(field('a', UTF8, true)),
    )
  })
  it('an intersection of type and partial has required and optional fields', () => {
    const c = t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })])
    expect(describe(c)).toStrictEqual(struct(field('a', UTF8), field('b', F64, true)))
  })
  it('a field required in one member of an intersection is required', () => {
    const c = t.intersection([t.type({ a: t.string }), t.partial({ a: t.string, b: t.boolean })])
    expect(describe(c)).toStrictEqual(struct(field('a', UTF8), field('b', BOOL, true)))
  })
  it('an intersection whose members disagree on a field has no Arrow form', () => {
    expect(
      describe(t.intersection([t.type({ a: t.string }), t.type({ a: t.number })])),
    ).toStrictEqual(JS)
    expect(describe(t.intersection([t.type({ a: t.string }), t.string]))).toStrictEqual(JS)
  })
  it('nests', () => {
    const c = t.type({
      tags: t.array(t.string),
      meta: t.union([t.type({ a: t.number, b: t.readonlyArray(t.boolean) }), t.null]),
      scores: t.record(t.string, t.array(t.number)),
    })
    expect(describe(c)).toStrictEqual(
      struct(
        field('tags', list(UTF8)),
        field('meta', nullable(struct(field('a', F64), field('b', list(BOOL))))),
        field('scores', map(list(F64))),
      ),
    )
  })
  it('a struct with a field without Arrow form has none', () => {
    expect(describe(t.type({ a: t.string, p: PointC }))).toStrictEqual(JS)
    expect(describe(t.partial({ f: t.Function }))).toStrictEqual(JS)
  })
})

suite('describe: arrays and records', () => {
  it('array and readonlyArray are lists', () => {
    expect(describe(t.array(t.number))).toStrictEqual(list(F64))
    expect(describe(t.readonlyArray(t.string))).toStrictEqual(list(UTF8))
    expect(describe(t.array(t.array(t.boolean)))).toStrictEqual(list(list(BOOL)))
  })
  it('record with string-like keys is a map', () => {
    expect(describe(t.record(t.string, t.number))).toStrictEqual(map(F64))
    expect(describe(t.record(t.keyof({ a: null }), t.string))).toStrictEqual(map(UTF8))
    expect(describe(t.record(t.string, t.union([t.number, t.null])))).toStrictEqual(
      map(nullable(F64)),
    )
  })
  it('lists and maps of things without Arrow form have none', () => {
    expect(describe(t.array(PointC))).toStrictEqual(JS)
    expect(describe(t.record(t.string, t.unknown))).toStrictEqual(JS)
  })
})

suite('describe: no Arrow form', () => {
  it.each([
    ['no codec', undefined],
    ['t.unknown', t.unknown],
    ['t.any', t.any],
    ['t.undefined', t.undefined],
    ['t.void', t.void],
    ['t.never', t.never],
    ['t.bigint', t.bigint],
    ['t.Function', t.Function],
    ['t.UnknownRecord', t.UnknownRecord],
    ['t.UnknownArray', t.UnknownArray],
    ['t.object', t.object],
    ['t.tuple', t.tuple([t.string, t.number])],
    ['t.recursion', t.recursion<{ a: string }>('R', () => t.type({ a: t.string }))],
    ['custom t.Type (class instances)', PointC],
    ['an object that is not a codec', { _tag: 'Whatever' }],
    ['a string', 'StringType'],
  ])('%s → js', (_, codec) => {
    expect(describe(codec)).toStrictEqual(JS)
  })
})

suite('inferDescriptor', () => {
  it('infers scalars, nulls making them nullable', () => {
    expect(inferDescriptor([1, -0, NaN, Infinity])).toStrictEqual(F64)
    expect(inferDescriptor(new Float64Array([1, 2]))).toStrictEqual(F64)
    expect(inferDescriptor(['a', ''])).toStrictEqual(UTF8)
    expect(inferDescriptor([true, false])).toStrictEqual(BOOL)
    expect(inferDescriptor([null, 'a', null])).toStrictEqual(nullable(UTF8))
    expect(inferDescriptor([1, null])).toStrictEqual(nullable(F64))
  })
  it('gives the null kind for no values and only nulls', () => {
    expect(inferDescriptor([])).toStrictEqual(NULL)
    expect(inferDescriptor([null, null])).toStrictEqual(NULL)
  })
  it('infers lists of the items; all-empty lists have null items', () => {
    expect(inferDescriptor([[1], [], [2, 3]])).toStrictEqual(list(F64))
    expect(inferDescriptor([[], []])).toStrictEqual(list(NULL))
    expect(inferDescriptor([[], null, ['a', null]])).toStrictEqual(nullable(list(nullable(UTF8))))
    expect(inferDescriptor([[[1]], [[]]])).toStrictEqual(list(list(F64)))
  })
  it('infers structs of the union of keys; keys missing in some rows are optional', () => {
    expect(inferDescriptor([{ a: 1, b: 'x' }, { a: 2 }, { a: 3, c: true }])).toStrictEqual(
      struct(field('a', F64), field('b', UTF8, true), field('c', BOOL, true)),
    )
    expect(inferDescriptor([null, { a: 1 }])).toStrictEqual({
      ...struct(field('a', F64)),
      nullable: true,
    })
    expect(inferDescriptor([Object.assign(Object.create(null), { a: 'x' })])).toStrictEqual(
      struct(field('a', UTF8)),
    )
  })
  it('infers typed arrays as typedArray of their element type, nullable with nulls', () => {
    const typed = (element: string, nullable = false) => ({ kind: 'typedArray', element, nullable })
    expect(inferDescriptor([new Float64Array(2), Float64Array.of(1)])).toStrictEqual(typed('Float64'))
    expect(inferDescriptor([null, new Float32Array(0)])).toStrictEqual(typed('Float32', true))
    expect(inferDescriptor([{ v: new BigInt64Array(1) }])).toStrictEqual(
      struct(field('v', typed('BigInt64') as never)),
    )
    expect(
      [Int8Array, Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array, BigUint64Array].map(
        (C) => typedElement(new C(1)),
      ),
    ).toStrictEqual(['Int8', 'Int16', 'Int32', 'Uint8', 'Uint16', 'Uint32', 'BigUint64'])
    // a subclass is its base class's kind (it reads back as the base class)
    expect(typedElement(new (class extends Float64Array {})(1))).toBe('Float64')
    expect(typedElement([1])).toBeUndefined()
  })
  it('nests', () => {
    expect(
      inferDescriptor([
        { tags: ['a'], meta: { n: 1 } },
        { tags: [], meta: { n: null } },
      ]),
    ).toStrictEqual(
      struct(field('tags', list(UTF8)), field('meta', struct(field('n', nullable(F64))))),
    )
  })
  it.each([
    ['mixed kinds', [1, 'a']],
    ['undefined', [undefined]],
    ['undefined among values', ['a', undefined]],
    ['an undefined property', [{ a: undefined }]],
    ['bigint', [1n]],
    ['a function', [() => 1]],
    ['a class instance', [new Point(1, 2)]],
    ['a Date', [new Date(0)]],
    ['a Map', [new Map()]],
    ['a Uint8ClampedArray (Arrow has no clamped type)', [new Uint8ClampedArray(1)]],
    ['a DataView', [new DataView(new ArrayBuffer(1))]],
    ['typed arrays of two element types', [new Float64Array(1), new Float32Array(1)]],
    ['typed arrays and arrays', [new Float64Array(1), [1]]],
    ['a sparse array', [[1, , 2]]],
    ['mixed list items', [[1, 'a']]],
    ['a field with mixed kinds', [{ a: 1 }, { a: 'x' }]],
    ['objects and arrays', [{}, []]],
  ])('%s → js', (_, values) => {
    expect(inferDescriptor(values)).toStrictEqual(JS)
  })
})

suite('whyNoForm', () => {
  it('names the item, the path inside it, and what the place held before', () => {
    expect(whyNoForm([1, 2])).toBeUndefined()
    expect(whyNoForm([{ a: 1 }, { a: 'x' }])).toStrictEqual({ index: 1, path: ['a'], had: F64, got: 'x' })
    expect(whyNoForm([1, undefined])).toStrictEqual({ index: 1, path: [], had: undefined, got: undefined })
    expect(whyNoForm([{ t: [1] }, { t: [2, 'b'] }])).toMatchObject({ index: 1, path: ['t', 1], had: F64 })
    expect(whyNoForm([null, { d: new Date(0) }])).toMatchObject({ index: 1, path: ['d'], had: undefined })
    expect(whyNoForm([new Float64Array(1), new Float32Array(1)])).toMatchObject({
      index: 1,
      path: [],
      had: { kind: 'typedArray', element: 'Float64', nullable: false },
    })
  })
})

suite('fits', () => {
  it('checks scalars and nullability', () => {
    expect(fits(F64, -0)).toBe(true)
    expect(fits(F64, NaN)).toBe(true)
    expect(fits(F64, '1')).toBe(false)
    expect(fits(F64, null)).toBe(false)
    expect(fits(nullable(F64), null)).toBe(true)
    expect(fits(UTF8, '𝄞')).toBe(true)
    expect(fits(BOOL, 0)).toBe(false)
    expect(fits(NULL, null)).toBe(true)
    expect(fits(NULL, 0)).toBe(false)
    expect(fits(JS, 1)).toBe(false)
  })
  it('rejects strings that would not survive UTF-8 (unpaired surrogates)', () => {
    expect(fits(UTF8, '\uD800')).toBe(false)
    expect(fits(UTF8, 'a\uDC00b')).toBe(false)
    expect(fits(UTF8, '\uD83D\uDE00')).toBe(true)
  })
  it('checks dictionary membership', () => {
    expect(fits(dict('a', 'b'), 'b')).toBe(true)
    expect(fits(dict('a', 'b'), 'c')).toBe(false)
    expect(fits(dict('\uD800'), '\uD800')).toBe(false)
  })
  it('checks lists, including holes', () => {
    expect(fits(list(F64), [])).toBe(true)
    expect(fits(list(F64), [1, NaN])).toBe(true)
    expect(fits(list(F64), [1, 'a'])).toBe(false)
    expect(fits(list(F64), [1, , 2])).toBe(false)
    expect(fits(list(F64), new Float64Array(2))).toBe(false)
    const typed = { kind: 'typedArray', element: 'Float64', nullable: false } as const
    expect(fits(typed, new Float64Array(2))).toBe(true)
    expect(fits(typed, new Float32Array(2))).toBe(false)
    expect(fits(typed, [1])).toBe(false)
  })
  it('checks struct fields: required, optional, extra keys, undefined, null', () => {
    const d = struct(field('a', UTF8), field('b', F64, true))
    expect(fits(d, { a: 'x' })).toBe(true)
    expect(fits(d, { a: 'x', b: 1 })).toBe(true)
    expect(fits(d, {})).toBe(false) // a is required
    expect(fits(d, { a: 'x', c: 1 })).toBe(false) // c would be dropped
    expect(fits(d, { a: 'x', b: undefined })).toBe(false) // would come back absent
    expect(fits(d, { a: 'x', b: null })).toBe(false) // would come back absent
    expect(fits(d, new Point(1, 2))).toBe(false)
    expect(fits(d, [])).toBe(false)
    expect(fits(d, Object.assign(Object.create(null), { a: 'x' }))).toBe(true)
  })
  it('an optional nullable field must be present (absent and null are one Arrow null)', () => {
    const d = struct(field('a', nullable(UTF8), true))
    expect(fits(d, { a: null })).toBe(true)
    expect(fits(d, { a: 'x' })).toBe(true)
    expect(fits(d, {})).toBe(false)
  })
  it('checks maps', () => {
    const d = map(list(F64))
    expect(fits(d, {})).toBe(true)
    expect(fits(d, { x: [1], y: [] })).toBe(true)
    expect(fits(d, { x: [1], y: null })).toBe(false)
    expect(fits(d, { x: undefined })).toBe(false)
    expect(fits(d, new Map())).toBe(false)
    expect(fits(d, { '\uD800': [] })).toBe(false)
  })
  it('agrees with describe: decoded values fit the codec descriptor', () => {
    const c = t.intersection([
      t.type({ id: t.Int, tags: t.array(t.string), kind: t.keyof({ a: null, b: null }) }),
      t.partial({ note: t.string, score: t.union([t.number, t.null]) }),
    ])
    const d = describe(c)
    for (const v of [
      { id: 1, tags: [], kind: 'a', score: 1 },
      { id: 2, tags: ['x'], kind: 'b', note: '', score: null },
    ]) {
      expect(c.is(v)).toBe(true)
      expect(fits(d, v)).toBe(true)
    }
    expect(fits(d, { id: 1, tags: [], kind: 'c', score: 1 })).toBe(false)
    // the codec accepts an absent `score`, but it would come back as null
    expect(c.is({ id: 1, tags: [], kind: 'a' })).toBe(true)
    expect(fits(d, { id: 1, tags: [], kind: 'a' })).toBe(false)
  })
  it('isNullable', () => {
    expect(isNullable(NULL)).toBe(true)
    expect(isNullable(JS)).toBe(false)
    expect(isNullable(nullable(UTF8))).toBe(true)
    expect(isNullable(UTF8)).toBe(false)
  })
})
