import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonTextError, toJsonText } from '../../src/cli/json-text.js'

const failure = (value: unknown): { path: string; problem: string } => {
  try {
    toJsonText(value)
  } catch (e) {
    if (e instanceof JsonTextError) return { path: e.path, problem: e.problem }
    throw e
  }
  throw new Error('expected toJsonText to throw')
}

const hasNegativeZero = (v: unknown): boolean =>
  Object.is(v, -0) ||
  (typeof v === 'object' && v !== null && Object.values(v).some((x) => hasNegativeZero(x)))

describe('toJsonText', () => {
  it('reads back exactly for every JSON value, compact and indented', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(toJsonText(v))).toStrictEqual(v)
        expect(JSON.parse(toJsonText(v, 2))).toStrictEqual(v)
      }),
    )
  })

  it('writes what JSON.stringify writes when nothing would be lost', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !hasNegativeZero(v)),
        (v) => {
          expect(toJsonText(v)).toBe(JSON.stringify(v))
          expect(toJsonText(v, 2)).toBe(JSON.stringify(v, null, 2))
        },
      ),
    )
  })

  it('writes -0 as -0, which JSON.parse reads back as -0', () => {
    expect(toJsonText({ a: -0, b: [0, -0] })).toBe('{"a":-0,"b":[0,-0]}')
    expect(Object.is(JSON.parse(toJsonText(-0)), -0)).toBe(true)
  })

  it('leaves out properties whose value is undefined', () => {
    expect(toJsonText({ a: undefined, b: 1 })).toBe('{"b":1}')
    expect(toJsonText({ a: undefined })).toBe('{}')
  })

  it('writes objects with toJSON as what it returns (a Date as its ISO string)', () => {
    const d = new Date(Date.UTC(2024, 0, 2))
    expect(toJsonText({ at: d })).toBe(JSON.stringify({ at: d }))
    const keyed = { toJSON: (key: string) => `key=${key}` }
    expect(toJsonText({ x: keyed, y: [keyed] })).toBe(JSON.stringify({ x: keyed, y: [keyed] }))
  })

  it('keeps lone surrogates, escaped', () => {
    const s = 'a\ud800b'
    expect(JSON.parse(toJsonText([s]))).toEqual([s])
  })

  it('writes a value shared by two properties twice (not a cycle)', () => {
    const shared = { n: 1 }
    expect(toJsonText({ a: shared, b: shared })).toBe('{"a":{"n":1},"b":{"n":1}}')
  })

  it.each([
    ['NaN', { a: { b: [1, NaN] } }, '.a.b[1]', 'NaN'],
    ['Infinity', [Infinity], '[0]', 'Infinity'],
    ['-Infinity', { 'odd key': -Infinity }, '["odd key"]', '-Infinity'],
    ['undefined in an array', [undefined], '[0]', 'undefined'],
    ['undefined at the top', undefined, '', 'undefined'],
    ['a bigint', { n: 10n }, '.n', 'a bigint (10n)'],
    ['a function', { f: () => 1 }, '.f', 'a function'],
    ['a symbol', [Symbol('s')], '[0]', 'a symbol'],
  ])('fails on %s, naming the path', (_, value, path, problem) => {
    expect(failure(value)).toEqual({ path, problem })
  })

  it('fails on a sparse array hole', () => {
    expect(failure([1, , 3])).toEqual({ path: '[1]', problem: 'a hole in a sparse array' })
  })

  it('fails on Map, Set, typed arrays and class instances, which JSON.stringify empties', () => {
    class Point {
      readonly x: number
      constructor(x: number) {
        this.x = x
      }
    }
    for (const [value, name] of [
      [new Map([['a', 1]]), 'Map'],
      [new Set([1]), 'Set'],
      [new Float64Array([1]), 'Float64Array'],
      [new Point(1), 'Point'],
    ] as const) {
      expect(failure({ v: value }).path).toBe('.v')
      expect(failure({ v: value }).problem).toMatch(new RegExp(`^a ${name} instance`))
    }
  })

  it('fails on cycles and symbol-keyed properties', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic['self'] = cyclic
    expect(failure(cyclic).path).toBe('.self')
    expect(failure({ v: { [Symbol('k')]: 1 } })).toEqual({
      path: '.v',
      problem: 'an object with symbol-keyed properties',
    })
  })

  it('accepts objects without a prototype', () => {
    const o = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 })
    expect(toJsonText(o)).toBe('{"a":1}')
  })
})
