/**
 * The executor conformance suite: the semantics that ANY executor must satisfy (SPEC sections
 * 3 and 5). Every executor test file runs it once, then adds its own cases:
 *
 *   executorSuite('local', () => new LocalExecutor({ concurrency: 4 }))
 *
 * `skips` maps a test title to the reason it does not apply; a skip naming no test fails.
 * The concurrency test reads the bound from the executor's `concurrency` field.
 */
import { inspect } from 'node:util'
import { describe, it, expect } from 'vitest'
import { rejection, sleep } from '../helpers.js'
import * as t from 'io-ts'
import {
  AbortError,
  DagflowError,
  DuplicateKeyError,
  GraphError,
  MissingInputError,
  MissingKeyError,
  NodeError,
  ValidationError,
  node,
  pipeline,
  type AnyNode,
  type Executor,
  type Pipeline,
} from '../../src/index.js'

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

/** `promise`, or a failure when it takes longer than `ms` to settle. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** A promise that never settles (a node stuck on a network call). */
const never = <T>() => new Promise<T>(() => undefined)

function deferred(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/** Freezes a value and everything reachable from it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/** pipeline() without its compile-time checks. */
const untypedPipeline = pipeline as unknown as (
  ...xs: ReadonlyArray<unknown>
) => Pipeline<AnyNode, string>

/** A codec that decodes numeric strings to numbers (and encodes back). */
const NumberFromString = new t.Type<number, string, unknown>(
  'NumberFromString',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u !== 'string' || u.trim() === '') return t.failure(u, c)
    const n = Number(u)
    return Number.isNaN(n) ? t.failure(u, c) : t.success(n)
  },
  String,
)

interface Item {
  readonly id: string
  readonly v: number
}

const items: ReadonlyArray<Item> = [
  { id: 'a', v: 1 },
  { id: 'b', v: 2 },
  { id: 'c', v: 3 },
]

// -------------------------------------------------------------------------------------
// the suite
// -------------------------------------------------------------------------------------

/**
 * Registers the conformance tests for one executor.
 *
 * @param name - shown in the test names
 * @param make - a fresh executor for each test
 * @param skips - test title → why it does not apply to this executor
 */
export function executorSuite(
  name: string,
  make: () => Executor,
  skips: Record<string, string> = {},
): void {
  const titles = new Set<string>()
  const test = (title: string, fn: () => Promise<void> | void): void => {
    if (titles.has(title)) throw new Error(`executorSuite: two tests are titled "${title}"`)
    titles.add(title)
    const reason = skips[title]
    if (reason === undefined) it(title, fn)
    else it.skip(`${title} (skipped: ${reason})`, fn)
  }

  describe(`executor conformance: ${name}`, () => {
    describe('per-item, once and reduce', () => {
      test('runs a per-item node once per item and returns its results in input order', async () => {
        let calls = 0
        const double = node({ output: 'doubled', mapAxis: 'x' }, ({ x }: { x: number }) => {
          calls++
          return x * 2
        })
        const r = await make().map(pipeline(double), { x: [3, 1, 2] })
        expect(r.outputs).toStrictEqual({ doubled: [6, 2, 4] })
        expect(calls).toBe(3)
      })

      test('runs a node without mapAxis once and passes constants whole', async () => {
        let calls = 0
        const each = node({ output: 'each', mapAxis: 'x' }, ({ x }: { x: number }) => x)
        const label = node({ output: 'label' }, ({ prefix }: { prefix: string }) => {
          calls++
          return `${prefix}!`
        })
        const r = await make().map(pipeline(each, label), { x: [1, 2, 3], prefix: 'p' })
        expect(r.outputs.label).toBe('p!')
        expect(calls).toBe(1)
      })

      test('passes per-item values to a node without mapAxis as an array in input order', async () => {
        const seen: Array<unknown> = []
        const sq = node({ output: 'sq', mapAxis: 'x' }, ({ x }: { x: number }) => x * x)
        const total = node(
          { output: 'total' },
          ({ sq, x }: { sq: ReadonlyArray<number>; x: ReadonlyArray<number> }) => {
            seen.push(sq, x)
            return sq.reduce((a, b) => a + b, 0) + x.length
          },
        )
        const r = await make().map(pipeline(total, sq), { x: [3, 1, 2] })
        expect(r.outputs).toStrictEqual({ sq: [9, 1, 4], total: 17 })
        expect(seen).toStrictEqual([
          [9, 1, 4],
          [3, 1, 2],
        ])
        expect(Array.isArray(seen[0])).toBe(true)
      })

      test('gives per-item nodes constants and once-computed outputs whole (map, reduce, map)', async () => {
        const v = node({ output: 'v', mapAxis: 'item' }, ({ item }: { item: Item }) => item.v)
        const mean = node(
          { output: 'mean' },
          ({ v }: { v: ReadonlyArray<number> }) => v.reduce((a, b) => a + b, 0) / v.length,
        )
        const centered = node(
          { output: 'centered', mapAxis: 'item' },
          ({ item, mean, scale }: { item: Item; mean: number; scale: number }) =>
            (item.v - mean) * scale,
        )
        const r = await make().map(pipeline(v, mean, centered), { item: items, scale: 10 })
        expect(r.outputs).toStrictEqual({ v: [1, 2, 3], mean: 2, centered: [-10, 0, 10] })
      })

      test('chains per-item nodes on one axis (mapAxis naming an upstream per-item output)', async () => {
        const calls = { a: 0, b: 0, c: 0 }
        const a = node(
          { output: 'a', mapAxis: 'item', keyAttr: 'id' },
          ({ item }: { item: Item }) => {
            calls.a++
            return item.v + 1
          },
        )
        const b = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => {
          calls.b++
          return a * 10
        })
        const c = node({ output: 'c', mapAxis: 'b' }, ({ b, item }: { b: number; item: Item }) => {
          calls.c++
          return `${item.id}:${b}`
        })
        const r = await make().map(pipeline(c, b, a), { item: items })
        expect(r.outputs).toStrictEqual({
          a: [2, 3, 4],
          b: [20, 30, 40],
          c: ['a:20', 'b:30', 'c:40'],
        })
        expect(r.keys).toStrictEqual(['a', 'b', 'c'])
        expect(calls).toStrictEqual({ a: 3, b: 3, c: 3 })
      })

      test('returns per-item outputs as plain arrays and names the executor that ran', async () => {
        const ex = make()
        const half = node({ output: 'half', mapAxis: 'x' }, ({ x }: { x: number }) => x / 2)
        const r = await ex.map(pipeline(half), { x: [1, 2, 3, 4] })
        expect(Object.getPrototypeOf(r.outputs.half)).toBe(Array.prototype)
        expect(r.outputs.half).toStrictEqual([0.5, 1, 1.5, 2])
        expect(r.executor).toBe(ex.name)
      })
    })

    describe('keys', () => {
      const byId = node(
        { output: 'v', mapAxis: 'item', keyAttr: 'id' },
        ({ item }: { item: Item }) => item.v,
      )

      test('keys are the keyAttr values, in input order', async () => {
        const r = await make().map(pipeline(byId), {
          item: [items[2], items[0], items[1]] as Array<Item>,
        })
        expect(r.keys).toStrictEqual(['c', 'a', 'b'])
        expect(r.outputs.v).toStrictEqual([3, 1, 2])
      })

      test('keys are item indices when no node declares keyAttr', async () => {
        const v = node({ output: 'v', mapAxis: 'item' }, ({ item }: { item: Item }) => item.v)
        const r = await make().map(pipeline(v), { item: items })
        // util.inspect (console.log) shows them, though they are built on first read
        expect(inspect(r)).toContain('keys: [ 0, 1, 2 ]')
        expect(r.keys).toStrictEqual([0, 1, 2])
      })

      test('accepts finite numbers as keys', async () => {
        const n = node(
          { output: 'v', mapAxis: 'row', keyAttr: 'n' },
          ({ row }: { row: { n: number } }) => row.n * 2,
        )
        const r = await make().map(pipeline(n), { row: [{ n: 7 }, { n: -0.5 }, { n: 0 }] })
        expect(r.keys).toStrictEqual([7, -0.5, 0])
        expect(r.outputs.v).toStrictEqual([14, -1, 0])
      })

      test('a missing key fails before any node runs', async () => {
        const missing: ReadonlyArray<unknown> = [
          undefined,
          null,
          Number.NaN,
          Number.POSITIVE_INFINITY,
          { x: 1 },
          true,
        ]
        for (const bad of missing) {
          let calls = 0
          const counted = node(
            { output: 'v', mapAxis: 'item', keyAttr: 'id' },
            ({ item }: { item: Item }) => (calls++, item.v),
          )
          const other = node({ output: 'k2' }, ({ k }: { k: number }) => (calls++, k))
          const input = [items[0], items[1], { id: bad, v: 3 }] as Array<Item>
          const e = await rejection(make().map(pipeline(counted, other), { item: input, k: 1 }))
          expect(e).toBeInstanceOf(MissingKeyError)
          expect(e).toMatchObject({ code: 'MISSING_KEY', index: 2, keyAttr: 'id' })
          expect(Object.is((e as MissingKeyError).value, bad)).toBe(true)
          expect(calls).toBe(0)
        }
      })

      test('an item that is not an object has a missing key', async () => {
        const e = await rejection(
          make().map(pipeline(byId), { item: [items[0], 'b'] as Array<Item> }),
        )
        expect(e).toMatchObject({ code: 'MISSING_KEY', index: 1 })
      })

      test('a duplicate key fails before any node runs, naming the key and both indices', async () => {
        let calls = 0
        const counted = node(
          { output: 'v', mapAxis: 'item', keyAttr: 'id' },
          ({ item }: { item: Item }) => (calls++, item.v),
        )
        const input = [...items, { id: 'b', v: 4 }]
        const e = await rejection(make().map(pipeline(counted), { item: input }))
        expect(e).toBeInstanceOf(DuplicateKeyError)
        expect(e).toMatchObject({ code: 'DUPLICATE_KEY', key: 'b', indices: [1, 3], keyAttr: 'id' })
        expect(calls).toBe(0)
      })
    })

    describe('the outputs option', () => {
      const calls = { a: 0, b: 0, c: 0, d: 0 }
      const a = node({ output: 'a', mapAxis: 'x' }, ({ x }: { x: number }) => (calls.a++, x + 1))
      const b = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => (calls.b++, a * 2))
      const c = node(
        { output: 'c', mapAxis: 'x' },
        ({ x, w }: { x: number; w: number }) => (calls.c++, x * w),
      )
      const d = node(
        { output: 'd' },
        ({ c }: { c: ReadonlyArray<number> }) => (calls.d++, c.length),
      )
      const p = pipeline(a, b, c, d)
      const reset = () => Object.assign(calls, { a: 0, b: 0, c: 0, d: 0 })

      test('computes and returns only the requested outputs, never calling pruned nodes', async () => {
        reset()
        // w is passed, so c could run: only the pruning keeps it from running
        const r = await make().map(p, { x: [1, 2], w: 3 } as never, { outputs: ['b'] })
        expect(r.outputs).toStrictEqual({ b: [4, 6] })
        expect(calls).toStrictEqual({ a: 2, b: 2, c: 0, d: 0 })
        expect(r.keys).toStrictEqual([0, 1])
      })

      test('does not require inputs that only pruned nodes need', async () => {
        reset()
        const r = await make().map(p, { x: [5] }, { outputs: ['a'] })
        expect(r.outputs).toStrictEqual({ a: [6] })
        expect(calls.c).toBe(0)
      })

      test('an unknown output in the outputs option is a GraphError', async () => {
        reset()
        const e = await rejection(
          make().map(p, { x: [1], w: 1 } as never, { outputs: ['nope' as 'a'] }),
        )
        expect(e).toBeInstanceOf(GraphError)
        expect(calls).toStrictEqual({ a: 0, b: 0, c: 0, d: 0 })
      })
    })

    describe('run', () => {
      test('run evaluates one item: per-item outputs unwrapped, a reduce sees one element', async () => {
        const seen: Array<unknown> = []
        const double = node({ output: 'doubled', mapAxis: 'x' }, ({ x }: { x: number }) => x * 2)
        const total = node(
          { output: 'total' },
          ({ doubled, x }: { doubled: ReadonlyArray<number>; x: ReadonlyArray<number> }) => {
            seen.push(doubled, x)
            return doubled.length
          },
        )
        const r = await make().run(pipeline(double, total), { x: 21 })
        expect(r).toStrictEqual({ doubled: 42, total: 1 })
        expect(seen).toStrictEqual([[42], [21]])
      })

      test('run passes an array-valued item as one item', async () => {
        const len = node(
          { output: 'len', mapAxis: 'xs' },
          ({ xs }: { xs: ReadonlyArray<number> }) => xs.length,
        )
        expect(await make().run(pipeline(len), { xs: [1, 2, 3] })).toStrictEqual({ len: 3 })
      })

      test('run evaluates a pipeline without a map axis', async () => {
        const add = node({ output: 'sum' }, ({ a, b }: { a: number; b: number }) => a + b)
        const neg = node({ output: 'neg' }, ({ sum }: { sum: number }) => -sum)
        expect(await make().run(pipeline(add, neg), { a: 1, b: 2 })).toStrictEqual({
          sum: 3,
          neg: -3,
        })
      })

      test('run takes the outputs option', async () => {
        let calls = 0
        const add = node({ output: 'sum' }, ({ a, b }: { a: number; b: number }) => a + b)
        const other = node({ output: 'other' }, ({ c }: { c: number }) => (calls++, c))
        const r = await make().run(pipeline(add, other), { a: 1, b: 2 }, { outputs: ['sum'] })
        expect(r).toStrictEqual({ sum: 3 })
        expect(calls).toBe(0)
      })

      test('map on a pipeline without a map axis is a GraphError', async () => {
        let calls = 0
        const add = node({ output: 'sum' }, ({ a }: { a: number }) => (calls++, a))
        const p = pipeline(add)
        // @ts-expect-error map() needs a node with mapAxis
        const e = await rejection(make().map(p, { a: [1, 2] }))
        expect(e).toBeInstanceOf(GraphError)
        expect(e).toMatchObject({ code: 'INVALID_GRAPH' })
        const e2 = await rejection(make().map(p as never, {} as never))
        expect(e2).toBeInstanceOf(GraphError)
        expect(calls).toBe(0)
      })

      test('map rejects a map axis that is not an array with a ValidationError naming it', async () => {
        const v = node({ output: 'v', mapAxis: 'item' }, ({ item }: { item: Item }) => item.v)
        const e = await rejection(make().map(pipeline(v), { item: items[0] as never }))
        expect(e).toBeInstanceOf(ValidationError)
        expect(e).toMatchObject({ code: 'VALIDATION', param: 'item', node: undefined })
        // a typed array is array-like but not an array: the fix says how to pass it
        const x = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x)
        const typed = await rejection(make().map(pipeline(x), { x: new Float64Array(2) as never }))
        expect(typed).toMatchObject({ code: 'VALIDATION', param: 'x' })
        expect(String(typed)).toContain('got a Float64Array')
        expect(String(typed)).toContain('pass Array.from(x)')
      })
    })

    describe('inputs', () => {
      test('missing inputs: one MissingInputError naming each input and its consumers, before any node runs', async () => {
        let calls = 0
        const a = node(
          { output: 'a', mapAxis: 'x' },
          ({ x, k }: { x: number; k: number }) => (calls++, x * k),
        )
        const b = node(
          { output: 'b' },
          ({ a, k, z }: { a: ReadonlyArray<number>; k: number; z: number }) => (
            calls++,
            a.length + k + z
          ),
        )
        const free = node({ output: 'f' }, () => (calls++, 1))
        const e = await rejection(make().map(pipeline(free, a, b), { x: [1] } as never))
        expect(e).toBeInstanceOf(MissingInputError)
        const m = e as MissingInputError
        expect(m.code).toBe('MISSING_INPUT')
        expect([...m.inputs].sort()).toStrictEqual(['k', 'z'])
        expect([...(m.consumers['k'] ?? [])].sort()).toStrictEqual(['a', 'b'])
        expect(m.consumers['z']).toStrictEqual(['b'])
        expect(calls).toBe(0)
      })

      test('a missing map axis is a missing input', async () => {
        const v = node({ output: 'v', mapAxis: 'item' }, ({ item }: { item: Item }) => item.v)
        const e = await rejection(make().map(pipeline(v), {} as never))
        expect(e).toMatchObject({ code: 'MISSING_INPUT', inputs: ['item'] })
      })

      test('an input that every consumer defaults is optional, and the defaults apply', async () => {
        const a = node(
          { output: 'a', mapAxis: 'x' },
          ({ x, k = 10 }: { x: number; k?: number }) => x * k,
        )
        const b = node({ output: 'b' }, ({ k = 5 }: { k?: number }) => k)
        const p = pipeline(a, b)
        expect((await make().map(p, { x: [1, 2] })).outputs).toStrictEqual({ a: [10, 20], b: 5 })
        expect((await make().map(p, { x: [1, 2], k: 2 })).outputs).toStrictEqual({
          a: [2, 4],
          b: 2,
        })
        // one consumer without a default makes it required
        const c = node({ output: 'c' }, ({ k }: { k: number }) => k)
        const e = await rejection(make().map(pipeline(a, c), { x: [1] } as never))
        expect(e).toMatchObject({ code: 'MISSING_INPUT', inputs: ['k'] })
      })

      test('bound inputs reach the nodes; passing one again is a GraphError', async () => {
        let calls = 0
        const scale = node(
          { output: 's', mapAxis: 'x' },
          ({ x, k }: { x: number; k: number }) => (calls++, x * k),
        )
        const p = pipeline(scale).bind({ k: 3 })
        expect((await make().map(p, { x: [1, 2] })).outputs).toStrictEqual({ s: [3, 6] })
        expect(await make().run(p, { x: 5 })).toStrictEqual({ s: 15 })
        calls = 0
        const e = await rejection(make().map(p, { x: [1], k: 4 } as never))
        expect(e).toBeInstanceOf(GraphError)
        expect(calls).toBe(0)
      })

      test('inputs named after Object.prototype members are real inputs', async () => {
        const n = node(
          { output: 'y', mapAxis: 'x' },
          ({
            x,
            constructor: c,
            toString: s,
          }: {
            x: number
            constructor: number
            toString: number
          }) => x + c + s,
        )
        const p = pipeline(n)
        const r = await make().map(p, { x: [1], constructor: 10, toString: 100 } as never)
        expect(r.outputs).toStrictEqual({ y: [111] })
        const e = await rejection(make().map(p, { x: [1] } as never))
        expect(e).toMatchObject({ code: 'MISSING_INPUT' })
        expect([...(e as MissingInputError).inputs].sort()).toStrictEqual([
          'constructor',
          'toString',
        ])
      })

      test('inputs that are not a record are a ValidationError', async () => {
        const v = node({ output: 'v' }, ({ a }: { a: number }) => a)
        const e = await rejection(make().run(pipeline(v), null as never))
        expect(e).toBeInstanceOf(ValidationError)
      })
    })

    describe('codecs', () => {
      test('per-item parameters are decoded per item and the function gets the decoded value', async () => {
        const seen: Array<unknown> = []
        const n = node(
          { output: 'n', mapAxis: 's', inputs: { s: NumberFromString } },
          ({ s }) => (seen.push(s), s + 1),
        )
        const r = await make().map(pipeline(n), { s: ['1', '2.5', '-3'] } as never)
        expect(seen).toStrictEqual([1, 2.5, -3])
        expect(r.outputs).toStrictEqual({ n: [2, 3.5, -2] })
      })

      test('constants and reduce parameters are decoded whole with their codecs', async () => {
        const each = node({ output: 'each', mapAxis: 'x' }, ({ x }: { x: string }) => x)
        const sum = node(
          { output: 'sum', inputs: { each: t.array(NumberFromString), k: NumberFromString } },
          ({ each, k }) => each.reduce((a, b) => a + b, 0) * k,
        )
        const perItem = node(
          { output: 'scaled', mapAxis: 'x', inputs: { x: t.string, k: NumberFromString } },
          ({ x, k }) => `${x}*${k * 2}`,
        )
        // untyped: the compiler compares `each` (string) with the decoded type of its codec (number)
        const r = await make().map(
          untypedPipeline(each, sum, perItem) as never,
          { x: ['1', '2'], k: '3' } as never,
        )
        expect(r.outputs).toStrictEqual({ each: ['1', '2'], sum: 9, scaled: ['1*6', '2*6'] })
      })

      test('results are decoded with returns and the decoded value flows on', async () => {
        const text = node(
          { output: 'text', mapAxis: 'x', returns: NumberFromString as t.Type<number, unknown> },
          ({ x }: { x: number }) => String(x * 2) as unknown as number,
        )
        const plus = node(
          { output: 'plus', mapAxis: 'text' },
          ({ text }: { text: number }) => text + 1,
        )
        const once = node(
          { output: 'once', returns: NumberFromString as t.Type<number, unknown> },
          ({ k }: { k: string }) => k as unknown as number,
        )
        const r = await make().map(pipeline(text, plus, once), { x: [1, 2], k: '7' })
        expect(r.outputs).toStrictEqual({ text: [2, 4], plus: [3, 5], once: 7 })
      })

      test('a per-item parameter that fails its codec: ValidationError with node, param, key, index and path', async () => {
        let downstream = 0
        const Row = t.type({ id: t.string, meta: t.type({ score: t.number }) })
        const score = node(
          { output: 'score', name: 'scorer', mapAxis: 'row', keyAttr: 'id', inputs: { row: Row } },
          ({ row }) => row.meta.score,
        )
        const next = node(
          { output: 'next', mapAxis: 'score' },
          ({ score }: { score: number }) => (downstream++, score),
        )
        const rows = [
          { id: 'r0', meta: { score: 1 } },
          { id: 'r1', meta: { score: 'high' } },
        ]
        const e = await rejection(make().map(pipeline(score, next), { row: rows } as never))
        expect(e).toBeInstanceOf(ValidationError)
        const v = e as ValidationError
        expect(v).toMatchObject({
          code: 'VALIDATION',
          node: 'scorer',
          param: 'row',
          key: 'r1',
          index: 1,
        })
        expect(v.paths).toStrictEqual(['meta.score'])
        expect(v.details.length).toBeGreaterThan(0)
        expect(downstream).toBe(0)
      })

      test('paths name places in the value: no union or intersection member indices, one line per place', async () => {
        const Row = t.type({
          meta: t.partial({ score: t.union([t.number, t.null]) }),
          both: t.intersection([t.type({ a: t.number }), t.type({ b: t.string })]),
          tags: t.array(t.string),
        })
        const read = node({ output: 'r', mapAxis: 'row', inputs: { row: Row } }, ({ row }) => row.tags.length)
        const bad = { meta: { score: 'high' }, both: { a: 1, b: 2 }, tags: ['x', 3] }
        const e = (await rejection(make().map(pipeline(read), { row: [bad] } as never))) as ValidationError
        expect(e.paths).toStrictEqual(['meta.score', 'both.b', 'tags.1'])
        expect(e.details).toStrictEqual([
          'meta.score: expected number | null, got "high"',
          'both.b: expected string, got 2',
          'tags.1: expected string, got 3',
        ])
      })

      test('a result that fails returns: ValidationError with param (result)', async () => {
        const bad = node(
          { output: 'bad', mapAxis: 'x', returns: t.number },
          ({ x }: { x: number }) => (x === 2 ? ('two' as unknown as number) : x),
        )
        const e = await rejection(make().map(pipeline(bad), { x: [1, 2, 3] }))
        expect(e).toMatchObject({
          code: 'VALIDATION',
          node: 'bad',
          param: '(result)',
          key: 1,
          index: 1,
          paths: [''],
        })
      })

      test('a constant that fails its codec: ValidationError without key or index', async () => {
        const n = node({ output: 'n', inputs: { k: t.number } }, ({ k }) => k)
        const e = await rejection(make().run(pipeline(n), { k: 'x' } as never))
        expect(e).toBeInstanceOf(ValidationError)
        expect(e).toMatchObject({
          node: 'n',
          param: 'k',
          key: undefined,
          index: undefined,
          paths: [''],
        })
      })
    })

    describe('node failures', () => {
      const boom = new Error('boom')

      test('a sync throw becomes a NodeError with node, key, index and cause', async () => {
        let downstream = 0
        const f = node(
          { output: 'f', name: 'fragile', mapAxis: 'item', keyAttr: 'id' },
          ({ item }: { item: Item }) => {
            if (item.id === 'b') throw boom
            return item.v
          },
        )
        const g = node({ output: 'g', mapAxis: 'f' }, ({ f }: { f: number }) => (downstream++, f))
        const e = await rejection(make().map(pipeline(f, g), { item: items }))
        expect(e).toBeInstanceOf(NodeError)
        expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'fragile', key: 'b', index: 1 })
        expect((e as NodeError).cause).toBe(boom)
        expect(downstream).toBe(0)
      })

      test('an async rejection becomes a NodeError with node, key, index and cause', async () => {
        const f = node({ output: 'f', mapAxis: 'x' }, async ({ x }: { x: number }) => {
          await sleep(1)
          if (x === 3) throw boom
          return x
        })
        const e = await rejection(make().map(pipeline(f), { x: [1, 2, 3, 4] }))
        expect(e).toBeInstanceOf(NodeError)
        expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'f', key: 2, index: 2 })
        expect((e as NodeError).cause).toBe(boom)
      })

      test('a once node that fails: NodeError without key or index', async () => {
        const sync = node({ output: 's' }, ({ a }: { a: number }): number => {
          void a
          throw boom
        })
        const e = await rejection(make().run(pipeline(sync), { a: 1 }))
        expect(e).toMatchObject({
          code: 'NODE_FAILED',
          node: 's',
          key: undefined,
          index: undefined,
        })
        expect((e as NodeError).cause).toBe(boom)
        const async = node({ output: 'as' }, async ({ a }: { a: number }): Promise<number> => {
          await sleep(a)
          throw boom
        })
        const e2 = await rejection(make().run(pipeline(async), { a: 1 }))
        expect(e2).toMatchObject({
          code: 'NODE_FAILED',
          node: 'as',
          key: undefined,
          index: undefined,
        })
        expect((e2 as NodeError).cause).toBe(boom)
      })

      test('a thrown non-Error is the cause as it is', async () => {
        const f = node({ output: 'f', mapAxis: 'x' }, ({ x }: { x: number }): number => {
          throw { reason: 'plain object', x }
        })
        const e = await rejection(make().map(pipeline(f), { x: [7] }))
        expect(e).toBeInstanceOf(NodeError)
        expect((e as NodeError).cause).toStrictEqual({ reason: 'plain object', x: 7 })
      })
    })

    describe('async nodes and concurrency', () => {
      test('awaits async per-item nodes and keeps input order when they resolve out of order', async () => {
        const slow = node({ output: 'slow', mapAxis: 'x' }, async ({ x }: { x: number }) => {
          await sleep(x)
          return x * 10
        })
        const after = node(
          { output: 'after', mapAxis: 'slow' },
          ({ slow }: { slow: number }) => slow + 1,
        )
        const total = node({ output: 'total' }, ({ after }: { after: ReadonlyArray<number> }) =>
          after.join(','),
        )
        const r = await make().map(pipeline(slow, after, total), { x: [12, 1, 6, 0, 3] })
        expect(r.outputs).toStrictEqual({
          slow: [120, 10, 60, 0, 30],
          after: [121, 11, 61, 1, 31],
          total: '121,11,61,1,31',
        })
      })

      test('awaits async once nodes', async () => {
        const fetchIt = node({ output: 'data' }, async ({ url }: { url: string }) => {
          await sleep(2)
          return { url }
        })
        const use = node(
          { output: 'len' },
          ({ data }: { data: { url: string } }) => data.url.length,
        )
        expect(await make().run(pipeline(fetchIt, use), { url: 'abc' })).toStrictEqual({
          data: { url: 'abc' },
          len: 3,
        })
      })

      test('concurrency bounds in-flight async calls and reaches the bound', async () => {
        const ex = make()
        const limit = (ex as unknown as { readonly concurrency?: unknown }).concurrency
        if (typeof limit !== 'number' || !Number.isFinite(limit)) {
          throw new Error(`${name}: expose a finite \`concurrency\` field, or skip this test`)
        }
        let inFlight = 0
        let most = 0
        const n = limit * 4 + 1
        const work = node({ output: 'w', mapAxis: 'x' }, async ({ x }: { x: number }) => {
          inFlight++
          most = Math.max(most, inFlight)
          await sleep(3)
          inFlight--
          return x
        })
        const xs = Array.from({ length: n }, (_, i) => i)
        const r = await ex.map(pipeline(work), { x: xs })
        expect(r.outputs.w).toStrictEqual(xs)
        expect(most).toBeLessThanOrEqual(limit)
        expect(most).toBe(limit)
        expect(inFlight).toBe(0)
      })
    })

    describe('AbortSignal', () => {
      test('an already aborted signal rejects with ABORTED before any node runs', async () => {
        let calls = 0
        const f = node({ output: 'f', mapAxis: 'x' }, ({ x }: { x: number }) => (calls++, x))
        const controller = new AbortController()
        const reason = new Error('stop')
        controller.abort(reason)
        const e = await rejection(
          make().map(pipeline(f), { x: [1] }, { signal: controller.signal }),
        )
        expect(e).toBeInstanceOf(AbortError)
        expect(e).toMatchObject({ code: 'ABORTED' })
        expect((e as AbortError).reason).toBe(reason)
        expect(calls).toBe(0)
      })

      test('aborting mid-map rejects with ABORTED promptly while node promises never resolve', async () => {
        const started = deferred()
        let calls = 0
        let downstream = 0
        const stuck = node({ output: 'stuck', mapAxis: 'x' }, ({ x }: { x: number }) => {
          calls++
          started.resolve()
          return never<number>().then(() => x)
        })
        const next = node(
          { output: 'next', mapAxis: 'stuck' },
          ({ stuck }: { stuck: number }) => (downstream++, stuck),
        )
        const controller = new AbortController()
        const running = make().map(
          pipeline(stuck, next),
          { x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
          {
            signal: controller.signal,
          },
        )
        await within(started.promise, 2000)
        controller.abort()
        const e = await within(rejection(running), 2000)
        expect(e).toBeInstanceOf(AbortError)
        expect(e).toMatchObject({ code: 'ABORTED' })
        expect(calls).toBeGreaterThan(0)
        expect(downstream).toBe(0)
      })

      test('aborting while a once node is pending rejects with ABORTED promptly', async () => {
        const started = deferred()
        const stuck = node({ output: 'stuck' }, ({ a }: { a: number }) => {
          started.resolve()
          return never<number>().then(() => a)
        })
        const controller = new AbortController()
        const running = make().run(pipeline(stuck), { a: 1 }, { signal: controller.signal })
        await within(started.promise, 2000)
        controller.abort('user cancelled')
        const e = await within(rejection(running), 2000)
        expect(e).toMatchObject({ code: 'ABORTED', reason: 'user cancelled' })
      })

      test('a signal that never fires changes nothing', async () => {
        const f = node({ output: 'f', mapAxis: 'x' }, async ({ x }: { x: number }) => x + 1)
        const r = await make().map(
          pipeline(f),
          { x: [1, 2] },
          { signal: new AbortController().signal },
        )
        expect(r.outputs).toStrictEqual({ f: [2, 3] })
      })

      test('leaves no listener on the caller’s signal, after success or failure', async () => {
        const { EventEmitter } = await import('node:events')
        const signal = new AbortController().signal
        const f = node({ output: 'f', mapAxis: 'x' }, async ({ x }: { x: number }) => x + 1)
        const bad = node({ output: 'f', mapAxis: 'x' }, async ({ x }: { x: number }): Promise<number> => {
          throw new Error(`no ${x}`)
        })
        await make().map(pipeline(f), { x: [1, 2] }, { signal })
        await rejection(make().map(pipeline(bad), { x: [1, 2] }, { signal }))
        // a bad option is refused after the run's context exists
        await rejection(make().map(pipeline(f), { x: [1] }, { signal, onError: 'skip' as never }))
        expect(EventEmitter.getEventListeners(signal, 'abort')).toHaveLength(0)
      })

      test('a call that rejects after the caller aborted leaves no unhandled rejection', async () => {
        const unhandled: Array<unknown> = []
        const onUnhandled = (e: unknown) => unhandled.push(e)
        process.on('unhandledRejection', onUnhandled)
        try {
          const controller = new AbortController()
          const each = node({ output: 'each', mapAxis: 'x' }, ({ x }: { x: number }) => {
            if (x === 1) {
              controller.abort('during the call')
              return Promise.reject(new Error('rejected after the abort'))
            }
            return Promise.resolve(x)
          })
          const once = node({ output: 'once' }, ({ y }: { y: number }) => {
            controller.abort('during the call')
            return Promise.reject(new Error(`rejected after the abort ${y}`))
          })
          const e1 = await rejection(make().map(pipeline(each), { x: [1, 2, 3] }, { signal: controller.signal }))
          const e2 = await rejection(make().run(pipeline(once), { y: 1 }, { signal: controller.signal }))
          await sleep(20)
          expect(e1).toMatchObject({ code: 'ABORTED', reason: 'during the call' })
          expect(e2).toMatchObject({ code: 'ABORTED' })
          expect(unhandled).toStrictEqual([])
        } finally {
          process.off('unhandledRejection', onUnhandled)
        }
      })

      test('a retried call that aborts the caller and throws ends the run as an abort', async () => {
        const controller = new AbortController()
        let calls = 0
        const f = node({ output: 'f', mapAxis: 'x', retry: { attempts: 5 } }, ({ x }: { x: number }) => {
          calls++
          controller.abort('enough')
          throw new Error(`fail ${x}`)
        })
        const e = await rejection(make().map(pipeline(f), { x: [1] }, { signal: controller.signal }))
        expect(e).toMatchObject({ code: 'ABORTED', reason: 'enough' })
        expect(calls).toBe(1)
      })

      test('aborting between synchronous nodes stops before the next node', async () => {
        const controller = new AbortController()
        let later = 0
        const first = node({ output: 'first', mapAxis: 'x' }, ({ x }: { x: number }) => {
          if (x === 2) controller.abort('enough')
          return x
        })
        const second = node({ output: 'second', mapAxis: 'first' }, ({ first }: { first: number }) => (later++, first))
        const e = await rejection(
          make().map(pipeline(first, second), { x: [1, 2, 3] }, { signal: controller.signal }),
        )
        expect(e).toMatchObject({ code: 'ABORTED', reason: 'enough' })
        expect(later).toBe(0)
      })
    })

    describe('runTE and mapTE', () => {
      const double = node({ output: 'doubled', mapAxis: 'x' }, ({ x }: { x: number }) => x * 2)
      const p = pipeline(double)

      test('runTE and mapTE resolve to a Right holding what run and map resolve to', async () => {
        const ex = make()
        expect(await ex.runTE(p, { x: 2 })()).toStrictEqual({
          _tag: 'Right',
          right: { doubled: 4 },
        })
        const m = await ex.mapTE(p, { x: [1, 2] })()
        expect(m).toStrictEqual({ _tag: 'Right', right: await ex.map(p, { x: [1, 2] }) })
      })

      test('runTE and mapTE resolve to a Left holding the DagflowError, never reject', async () => {
        const ex = make()
        const missing = await ex.runTE(p, {} as never)()
        expect(missing._tag).toBe('Left')
        if (missing._tag === 'Left') {
          expect(missing.left).toBeInstanceOf(MissingInputError)
          expect(missing.left.code).toBe('MISSING_INPUT')
        }
        const failing = node(
          { output: 'f', mapAxis: 'x' },
          async ({ x }: { x: number }): Promise<number> => {
            throw new Error(`no ${x}`)
          },
        )
        const failed = await ex.mapTE(pipeline(failing), { x: [1] })()
        expect(failed._tag).toBe('Left')
        if (failed._tag === 'Left') {
          expect(failed.left).toBeInstanceOf(NodeError)
          expect(failed.left).toBeInstanceOf(DagflowError)
          expect(failed.left).toMatchObject({ node: 'f', index: 0 })
        }
        const once = pipeline(node({ output: 'o' }, ({ a }: { a: number }) => a))
        const noAxis = await ex.mapTE(once as never, { a: 1 } as never)()
        expect(noAxis).toMatchObject({ _tag: 'Left', left: { code: 'INVALID_GRAPH' } })
      })
    })

    describe('values', () => {
      test('constants are passed by reference, never copied', async () => {
        const model = { weights: [1, 2, 3] }
        const seen: Array<unknown> = []
        const perItem = node(
          { output: 'a', mapAxis: 'x' },
          ({ x, model }: { x: number; model: { weights: Array<number> } }) => (seen.push(model), x),
        )
        const once = node(
          { output: 'b' },
          ({ model }: { model: { weights: Array<number> } }) => (seen.push(model), model),
        )
        const checked = node(
          { output: 'c', mapAxis: 'x', inputs: { x: t.number, model: t.unknown } },
          ({ model }) => (seen.push(model), 0),
        )
        const r = await make().map(pipeline(perItem, once, checked), { x: [1, 2], model })
        expect(seen).toHaveLength(5)
        for (const s of seen) expect(s).toBe(model)
        expect(r.outputs.b).toBe(model)
        expect(model).toStrictEqual({ weights: [1, 2, 3] })
      })

      test("the caller's inputs are not mutated", async () => {
        const inputs = deepFreeze({
          item: [
            { id: 'a', tags: ['x'], v: 1 },
            { id: 'b', tags: [], v: 2 },
          ],
          config: { scale: 2, nested: { list: [1, 2] } },
        })
        const snapshot = structuredClone(inputs)
        type In = (typeof inputs)['item'][number]
        type Config = (typeof inputs)['config']
        const a = node(
          { output: 'a', mapAxis: 'item', keyAttr: 'id' },
          ({ item, config }: { item: In; config: Config }) => ({
            ...item,
            v: item.v * config.scale,
          }),
        )
        const b = node(
          { output: 'b' },
          ({ a, item }: { a: ReadonlyArray<{ v: number }>; item: ReadonlyArray<In> }) =>
            a.length + item.length,
        )
        const checked = node(
          {
            output: 'c',
            mapAxis: 'item',
            inputs: { item: t.type({ id: t.string, tags: t.array(t.string) }) },
          },
          ({ item }) => item.tags.length,
        )
        const ex = make()
        const r = await ex.map(pipeline(a, b, checked), inputs)
        await ex.run(pipeline(a, b, checked), { item: inputs.item[0] as In, config: inputs.config })
        expect(r.outputs.b).toBe(4)
        expect(inputs).toStrictEqual(snapshot)
      })

      test('t.number codecs keep -0, NaN and ±Infinity, in and out, in plain arrays', async () => {
        // numbers checked by t.number take fast paths (a typeof test, arrays of doubles):
        // every double must come through as it went in
        const twice = node(
          { output: 'twice', mapAxis: 'x', inputs: { x: t.number }, returns: t.number },
          ({ x }) => x * 2,
        )
        const back = node(
          { output: 'back', mapAxis: 'twice', inputs: { twice: t.number }, returns: t.number },
          ({ twice }) => twice / 2,
        )
        const xs = [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, 0]
        const r = await make().map(pipeline(twice, back), { x: xs })
        expect(Array.isArray(r.outputs.twice) && Array.isArray(r.outputs.back)).toBe(true)
        expect(r.outputs.back.map((v, i) => Object.is(v, xs[i]))).toStrictEqual(xs.map(() => true))
        const bad = await rejection(make().map(pipeline(twice, back), { x: [1, '2' as never] }))
        expect(bad).toMatchObject({ code: 'VALIDATION', node: 'twice', param: 'x', index: 1 })
      })

      test('a node whose results change kind between maps, or within one, keeps every value', async () => {
        // the executors pick an array of doubles for a column whose previous map began with a
        // number: values must not depend on that choice
        const mixed = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number | string }) =>
          typeof x === 'number' ? x * 2 : `${x}!`,
        )
        const p = pipeline(mixed)
        const exec = make()
        expect((await exec.map(p, { x: [1, 2, 3] })).outputs.y).toStrictEqual([2, 4, 6])
        expect((await exec.map(p, { x: ['a', 'b'] })).outputs.y).toStrictEqual(['a!', 'b!'])
        expect((await exec.map(p, { x: [1, 'b', -0] })).outputs.y).toStrictEqual([2, 'b!', -0])
        expect((await exec.map(p, { x: [1.5, 2] })).outputs.y).toStrictEqual([3, 4])
        expect((await exec.map(p, { x: ['c', 1] })).outputs.y).toStrictEqual(['c!', 2])
        expect((await exec.map(p, { x: [] })).outputs.y).toStrictEqual([])
        expect((await exec.map(p, { x: [7] })).outputs.y).toStrictEqual([14])
      })

      test('a copy of t.number or t.string with its own validation is applied, not skipped', async () => {
        // io-ts-types' withValidate: a clone of the codec (same _tag) with another validate
        const withValidate = <C extends t.Any>(codec: C, validate: C['validate'], name: string): C => {
          const r = Object.assign(Object.create(Object.getPrototypeOf(codec) as object) as C, codec)
          return Object.assign(r, { validate, decode: (i: unknown) => validate(i, t.getDefaultContext(r)), name })
        }
        const NonNeg = withValidate(t.number, (u, c) => (typeof u === 'number' && u >= 0 ? t.success(u) : t.failure(u, c)), 'NonNeg')
        const Trimmed = withValidate(t.string, (u, c) => (typeof u === 'string' ? t.success(u.trim()) : t.failure(u, c)), 'Trimmed')
        const twice = node({ output: 'y', mapAxis: 'x', inputs: { x: NonNeg }, batch: ({ x }) => Array.from(x, (v) => v * 2) }, ({ x }) => x * 2)
        const bad = await rejection(make().map(pipeline(twice), { x: [1, -1] }))
        expect(bad).toMatchObject({ code: 'VALIDATION', node: 'y', param: 'x', index: 1 })
        const wrap = node({ output: 'z', mapAxis: 's', inputs: { s: Trimmed } }, ({ s }) => `[${s}]`)
        expect((await make().map(pipeline(wrap), { s: [' a ', 'b'] })).outputs.z).toStrictEqual(['[a]', '[b]'])
        const out = node({ output: 'r', mapAxis: 'x', inputs: { x: t.number }, returns: NonNeg }, ({ x }) => x)
        expect(await rejection(make().map(pipeline(out), { x: [-3] }))).toMatchObject({ code: 'VALIDATION', param: '(result)' })
      })

      test('-0 and NaN are preserved (Object.is)', async () => {
        const id = node({ output: 'id', mapAxis: 'x' }, ({ x }: { x: number }) => x)
        const neg = node({ output: 'neg', mapAxis: 'x' }, ({ x }: { x: number }) =>
          x === 0 ? -0 : Number.NaN,
        )
        const seen: Array<number> = []
        const reduce = node(
          { output: 'first' },
          ({ id }: { id: ReadonlyArray<number> }) => (seen.push(...id), id[0]),
        )
        const k = node({ output: 'k' }, ({ c }: { c: number }) => c)
        const r = await make().map(pipeline(id, neg, reduce, k), { x: [-0, Number.NaN, 0], c: -0 })
        const out = r.outputs
        expect(Object.is(out.id[0], -0)).toBe(true)
        expect(Object.is(out.id[1], Number.NaN)).toBe(true)
        expect(Object.is(out.id[2], 0)).toBe(true)
        expect(Object.is(out.neg[0], -0)).toBe(true)
        expect(Object.is(out.neg[1], Number.NaN)).toBe(true)
        expect(Object.is(out.first, -0)).toBe(true)
        expect(Object.is(seen[0], -0)).toBe(true)
        expect(Object.is(out.k, -0)).toBe(true)
        const one = await make().run(pipeline(id, neg), { x: -0 })
        expect(Object.is(one.id, -0)).toBe(true)
        expect(Object.is(one.neg, -0)).toBe(true)
      })

      test('undefined and null results are kept as they are', async () => {
        const maybe = node({ output: 'maybe', mapAxis: 'x' }, ({ x }: { x: number }) =>
          x === 0 ? undefined : x === 1 ? null : x,
        )
        const asyncMaybe = node({ output: 'am', mapAxis: 'x' }, async ({ x }: { x: number }) =>
          x === 0 ? undefined : null,
        )
        const none = node(
          { output: 'none' },
          ({ maybe }: { maybe: ReadonlyArray<number | null | undefined> }) => {
            expect(maybe).toStrictEqual([undefined, null, 2])
            return undefined
          },
        )
        const r = await make().map(pipeline(maybe, asyncMaybe, none), { x: [0, 1, 2] })
        expect(r.outputs.maybe).toStrictEqual([undefined, null, 2])
        expect(r.outputs.am).toStrictEqual([undefined, null, null])
        expect('none' in r.outputs).toBe(true)
        expect(r.outputs.none).toBeUndefined()
        expect(Object.keys(r.outputs).sort()).toStrictEqual(['am', 'maybe', 'none'])
      })

      test("outputs named '__proto__' and 'constructor' work", async () => {
        const proto = node({ output: '__proto__', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1)
        const ctor = node({ output: 'constructor', mapAxis: 'x' }, ({ x }: { x: number }) => x * 10)
        const readsProto = node(
          { output: 'viaCodec', mapAxis: 'x', inputs: { x: t.number, ['__proto__']: t.number } },
          (d) => (Object.getOwnPropertyDescriptor(d, '__proto__')?.value as number) * 2,
        )
        const readsCtor = node(
          { output: 'sum' },
          ({ constructor: c }: { constructor: ReadonlyArray<number> }) =>
            c.reduce((a, b) => a + b, 0),
        )
        // destructured (no codecs): a chain on the '__proto__' axis and a reduce over it
        const chained = node(
          { output: 'chained', mapAxis: '__proto__' },
          ({ __proto__: v }: { __proto__: number }) => v * 100,
        )
        const count = node(
          { output: 'count' },
          ({ __proto__: v }: { __proto__: ReadonlyArray<number> }) => v.length,
        )
        const p = pipeline(proto, ctor, readsProto, readsCtor, chained, count)
        const r = await make().map(p, { x: [1, 2] })
        const own = (o: object, k: string): unknown => Object.getOwnPropertyDescriptor(o, k)?.value
        expect(own(r.outputs, 'chained')).toStrictEqual([200, 300])
        expect(own(r.outputs, 'count')).toBe(2)
        expect(own(r.outputs, '__proto__')).toStrictEqual([2, 3])
        expect(own(r.outputs, 'constructor')).toStrictEqual([10, 20])
        expect(own(r.outputs, 'viaCodec')).toStrictEqual([4, 6])
        expect(own(r.outputs, 'sum')).toBe(30)
        expect(Object.getPrototypeOf(r.outputs)).toBe(Object.prototype)
        const one = await make().run(p, { x: 5 })
        expect(own(one, '__proto__')).toBe(6)
        expect(own(one, 'constructor')).toBe(50)
      })

      test('an empty items array: empty per-item outputs, reduces see [], no per-item call', async () => {
        let perItemCalls = 0
        const a = node(
          { output: 'a', mapAxis: 'item', keyAttr: 'id' },
          ({ item }: { item: Item }) => (perItemCalls++, item.v),
        )
        const b = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => (perItemCalls++, a))
        const total = node({ output: 'total' }, ({ b }: { b: ReadonlyArray<number> }) => ({
          n: b.length,
        }))
        const r = await make().map(pipeline(a, b, total), { item: [] })
        expect(r.outputs).toStrictEqual({ a: [], b: [], total: { n: 0 } })
        expect(r.keys).toStrictEqual([])
        expect(perItemCalls).toBe(0)
      })
    })

    it('every skip names a test of the suite', () => {
      expect(Object.keys(skips).filter((title) => !titles.has(title))).toStrictEqual([])
    })
  })
}
