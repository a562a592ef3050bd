import { describe, it, expect } from 'vitest'
import { rejection, thrown } from '../helpers.js'
import fc from 'fast-check'
import * as t from 'io-ts'
import { GraphError, node, type AnyNode } from 'dagflow'
import {
  arbitrary,
  BatchCheckError,
  checkBatch,
  inputsArbitrary,
  MissingArbitraryError,
} from 'dagflow/testing'

// -------------------------------------------------------------------------------------
// fixtures
// -------------------------------------------------------------------------------------

const decodes = (codec: t.Mixed, u: unknown): boolean => codec.decode(u)._tag === 'Right'

/** Runs `f`, which must throw; returns what it threw. */

async function batchFailure(p: Promise<unknown>): Promise<BatchCheckError> {
  const e = await rejection(p)
  expect(e).toBeInstanceOf(BatchCheckError)
  return e as BatchCheckError
}

/** A codec with no structural form: a custom `new t.Type`. */
const Even = new t.Type<number, number, unknown>(
  'Even',
  (u): u is number => typeof u === 'number' && u % 2 === 0,
  (u, c) => (typeof u === 'number' && u % 2 === 0 ? t.success(u) : t.failure(u, c)),
  t.identity,
)

/** A converting codec: decodes a numeric string to a number. */
const NumberFromString = new t.Type<number, string, unknown>(
  'NumberFromString',
  (u): u is number => typeof u === 'number',
  (u, c) =>
    typeof u === 'string' && u.trim() !== '' && !Number.isNaN(Number(u))
      ? t.success(Number(u))
      : t.failure(u, c),
  String,
)

/** A class codec. */
class Cents extends t.Type<number, number, unknown> {
  constructor() {
    super(
      'Cents',
      (u): u is number => Number.isSafeInteger(u),
      (u, c) => (Number.isSafeInteger(u) ? t.success(u as number) : t.failure(u, c)),
      t.identity,
    )
  }
}

interface Tree {
  readonly value: number
  readonly children: ReadonlyArray<Tree>
}
const Tree: t.Type<Tree> = t.recursion('Tree', () =>
  t.type({ value: t.number, children: t.readonlyArray(Tree) }),
)

interface Expr {
  readonly op: '+' | 'neg'
  readonly args: ReadonlyArray<Expr | number>
}
const Expr: t.Type<Expr> = t.recursion('Expr', () =>
  t.type({
    op: t.keyof({ '+': null, neg: null }),
    args: t.readonlyArray(t.union([Expr, t.number])),
  }),
)

interface A {
  readonly b?: B
}
interface B {
  readonly a: A | null
}
const A: t.Type<A> = t.recursion('A', () => t.partial({ b: B }))
const B: t.Type<B> = t.recursion('B', () => t.type({ a: t.union([A, t.null]) }))

/** t.never is no t.Mixed (its encode takes never), but it may sit inside other codecs. */
const never = t.never as unknown as t.Mixed

const Positive = t.refinement(t.number, (n) => n > 0, 'Positive')
interface NonEmptyBrand {
  readonly NonEmpty: unique symbol
}
const NonEmpty = t.brand(
  t.string,
  (s): s is t.Branded<string, NonEmptyBrand> => s.length > 0,
  'NonEmpty',
)

/** One codec of every kind, some nested. */
const everyKind: ReadonlyArray<t.Mixed> = [
  t.string,
  t.number,
  t.boolean,
  t.bigint,
  t.null,
  t.undefined,
  t.void,
  t.unknown,
  t.any,
  t.literal('on'),
  t.literal(3),
  t.literal(false),
  t.keyof({ red: null, green: null }),
  t.union([t.string, t.number, t.null]),
  t.type({ id: t.string, tags: t.array(t.string), nested: t.type({ x: t.number }) }),
  t.strict({ a: t.number, b: t.partial({ c: t.string }) }),
  t.exact(t.type({ q: t.literal('x') })),
  t.exact(t.partial({ q: t.boolean })),
  t.partial({ a: t.string, b: t.number, none: never }),
  t.intersection([t.type({ a: t.type({ x: t.number }) }), t.type({ a: t.type({ y: t.string }) })]),
  t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })]),
  t.intersection([t.number, Positive]),
  t.array(t.tuple([t.string, t.Int])),
  t.readonlyArray(t.union([t.boolean, t.array(never)])),
  t.readonly(t.type({ r: t.number })),
  t.record(t.string, t.number),
  t.record(t.keyof({ a: null, b: null }), t.boolean),
  t.record(t.union([t.literal('x'), t.literal('y')]), t.string),
  t.record(NonEmpty, t.number),
  t.Int,
  Positive,
  NonEmpty,
  t.tuple([t.string, t.number, t.null]),
  Tree,
  Expr,
  A,
  B,
  t.UnknownArray,
  t.UnknownRecord,
  t.Function,
  t.object,
  t.union([never, t.string]),
]

/** Random codecs composed of the structural kinds (intersections of disjoint records). */
const leaves: ReadonlyArray<t.Mixed> = [
  t.string,
  t.number,
  t.boolean,
  t.null,
  t.undefined,
  t.unknown,
  t.Int,
  Positive,
  NonEmpty,
  t.literal('a'),
  t.keyof({ a: null, b: null }),
  Tree,
]
const propKeys = fc.constantFrom('a', 'b', 'c', 'd')
const { codec: arbCodec } = fc.letrec<{ codec: t.Mixed }>((tie) => ({
  codec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...leaves),
    tie('codec').map((c) => t.array(c)),
    tie('codec').map((c) => t.readonlyArray(c)),
    tie('codec').map((c) => t.record(t.string, c)),
    tie('codec').map((c) => t.readonly(c)),
    fc.dictionary(propKeys, tie('codec'), { maxKeys: 3 }).map((ps) => t.type(ps)),
    fc.dictionary(propKeys, tie('codec'), { maxKeys: 3 }).map((ps) => t.partial(ps)),
    fc.dictionary(propKeys, tie('codec'), { maxKeys: 3 }).map((ps) => t.strict(ps)),
    fc.array(tie('codec'), { minLength: 1, maxLength: 3 }).map((cs) => t.tuple(cs as [t.Mixed])),
    fc
      .array(tie('codec'), { minLength: 2, maxLength: 3 })
      .map((cs) => t.union(cs as [t.Mixed, t.Mixed])),
    fc
      .tuple(tie('codec'), tie('codec'))
      .map(([x, y]) => t.intersection([t.type({ a: x }), t.partial({ b: y })])),
  ),
}))

// -------------------------------------------------------------------------------------
// arbitrary
// -------------------------------------------------------------------------------------

describe('arbitrary()', () => {
  it('makes only values the codec decodes, for a codec of every kind', () => {
    for (const codec of everyKind) {
      fc.assert(
        fc.property(arbitrary(codec), (v) => decodes(codec, v)),
        { numRuns: 100, seed: 1 },
      )
    }
  })

  it('makes only values the codec decodes, for randomly composed codecs', () => {
    fc.assert(
      fc.property(
        arbCodec.chain((c) => fc.tuple(fc.constant(c), arbitrary(c))),
        ([c, v]) => decodes(c, v),
      ),
      { numRuns: 300, seed: 2 },
    )
  })

  it('includes -0, NaN and both infinities among numbers', () => {
    const ns = fc.sample(arbitrary(t.number), { numRuns: 500, seed: 3 })
    expect(ns.some((n) => Object.is(n, -0))).toBe(true)
    expect(ns.some((n) => Number.isNaN(n))).toBe(true)
    expect(ns).toContain(Number.POSITIVE_INFINITY)
    expect(ns).toContain(Number.NEGATIVE_INFINITY)
    expect(ns.some((n) => !Number.isInteger(n) && Number.isFinite(n))).toBe(true)
  })

  it('generates t.Int as integers directly, -0 included', () => {
    const ns = fc.sample(arbitrary(t.Int), { numRuns: 300, seed: 4 })
    expect(ns.every((n) => Number.isInteger(n))).toBe(true)
    expect(ns.some((n) => Object.is(n, -0))).toBe(true)
    expect(ns.some((n) => Math.abs(n) > 2 ** 32)).toBe(true)
  })

  it('includes empty strings and astral Unicode among strings', () => {
    const ss = fc.sample(arbitrary(t.string), { numRuns: 500, seed: 5 })
    expect(ss).toContain('')
    expect(ss.some((s) => [...s].some((ch) => (ch.codePointAt(0) ?? 0) > 0xffff))).toBe(true)
  })

  it('leaves t.partial fields out sometimes, and puts them in sometimes', () => {
    const vs = fc.sample(arbitrary(t.partial({ a: t.string })), { numRuns: 200, seed: 6 })
    expect(vs.some((v) => !('a' in v))).toBe(true)
    expect(vs.some((v) => 'a' in v)).toBe(true)
  })

  it('makes plain objects', () => {
    const vs = fc.sample(arbitrary(t.type({ a: t.number, r: t.record(t.string, t.number) })), {
      numRuns: 100,
      seed: 7,
    })
    expect(vs.every((v) => Object.getPrototypeOf(v) === Object.prototype)).toBe(true)
    expect(vs.every((v) => Object.getPrototypeOf(v.r) === Object.prototype)).toBe(true)
  })

  it('bounds recursion depth by maxDepth, and reaches it', () => {
    const depth = (tree: Tree): number => 1 + Math.max(0, ...tree.children.map(depth))
    const deep = fc.sample(arbitrary(Tree), { numRuns: 300, seed: 8 }).map(depth)
    expect(Math.max(...deep)).toBe(4)
    const shallow = fc
      .sample(arbitrary(Tree, { maxDepth: 1 }), { numRuns: 300, seed: 8 })
      .map(depth)
    expect(Math.max(...shallow)).toBe(2)
  })

  it('bounds array and dictionary sizes by maxLength', () => {
    const codec = t.type({ xs: t.array(t.number), d: t.record(t.string, t.boolean) })
    const vs = fc.sample(arbitrary(codec, { maxLength: 2 }), { numRuns: 200, seed: 9 })
    expect(Math.max(...vs.map((v) => v.xs.length))).toBe(2)
    expect(Math.max(...vs.map((v) => Object.keys(v.d).length))).toBe(2)
  })

  it('filters refinements by the codec', () => {
    const ns = fc.sample(arbitrary(Positive), { numRuns: 100, seed: 10 })
    expect(ns.every((n) => n > 0)).toBe(true)
    const ss = fc.sample(arbitrary(NonEmpty), { numRuns: 100, seed: 10 })
    expect(ss.every((s) => s !== '')).toBe(true)
  })

  it('rejects options that are not counts', () => {
    expect(thrown(() => arbitrary(t.string, { maxDepth: -1 }))).toBeInstanceOf(GraphError)
    expect(thrown(() => arbitrary(t.string, { maxLength: 1.5 }))).toBeInstanceOf(GraphError)
    expect(thrown(() => arbitrary('string' as unknown as t.Mixed))).toBeInstanceOf(GraphError)
  })
})

describe('arbitrary() overrides', () => {
  it('uses an override for a codec without structure, at any depth', () => {
    const Row = t.type({ n: Even, more: t.array(t.type({ m: Even })) })
    const arb = arbitrary(Row, { overrides: { Even: fc.integer().map((i) => i * 2) } })
    fc.assert(fc.property(arb, (v) => decodes(Row, v)), { numRuns: 100, seed: 11 })
  })

  it('uses an override for a class codec', () => {
    const codec = t.array(new Cents())
    const arb = arbitrary(codec, { overrides: { Cents: fc.maxSafeInteger() } })
    fc.assert(fc.property(arb, (v) => decodes(codec, v)), { numRuns: 50, seed: 12 })
  })

  it('makes the encoded side of a converting codec, which decodes', () => {
    const codec = t.type({ n: NumberFromString })
    const arb = arbitrary(codec, { overrides: { NumberFromString: fc.integer().map(String) } })
    const vs = fc.sample(arb, { numRuns: 50, seed: 13 })
    expect(vs.every((v) => typeof v.n === 'string' && decodes(codec, v))).toBe(true)
  })

  it('narrows a built-in codec by its name', () => {
    const finite = arbitrary(t.array(t.number), {
      overrides: { number: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    })
    const ns = fc.sample(finite, { numRuns: 200, seed: 14 }).flat()
    expect(ns.length).toBeGreaterThan(0)
    expect(ns.every(Number.isFinite)).toBe(true)
  })

  it('prefers an override to the derived arbitrary of a structural codec', () => {
    const Point = t.type({ x: t.number }, 'Point')
    const arb = arbitrary(t.array(Point), { overrides: { Point: fc.constant({ x: 1 }) } })
    const vs = fc.sample(arb, { numRuns: 30, seed: 15 })
    expect(vs.flat().every((p) => p.x === 1)).toBe(true)
  })
})

describe('arbitrary() errors', () => {
  it('names a custom codec, and where it sits, and says to pass an override', () => {
    const e = thrown(() => arbitrary(t.type({ meta: t.array(t.type({ n: Even })) })))
    expect(e).toBeInstanceOf(MissingArbitraryError)
    const m = e as MissingArbitraryError
    expect(m.code).toBe('MISSING_ARBITRARY')
    expect(m.codec).toBe('Even')
    expect(m.path).toEqual(['meta', '[]', 'n'])
    expect(m.reason).toBe('no-structure')
    expect(m.node).toBeUndefined()
    expect(m.params).toEqual([])
    expect(m.message).toContain('"Even"')
    expect(m.message).toContain('overrides')
  })

  it('names a class codec', () => {
    const e = thrown(() => arbitrary(t.tuple([t.string, new Cents()])))
    expect(e).toBeInstanceOf(MissingArbitraryError)
    expect((e as MissingArbitraryError).codec).toBe('Cents')
    expect((e as MissingArbitraryError).path).toEqual(['1'])
  })

  it('names a codec that admits no value: t.never, or a recursion without a base case', () => {
    const none = thrown(() => arbitrary(t.type({ a: never })))
    expect(none).toBeInstanceOf(MissingArbitraryError)
    expect((none as MissingArbitraryError).codec).toBe('{ a: never }')
    expect((none as MissingArbitraryError).reason).toBe('no-value')
    interface Loop {
      readonly next: Loop
    }
    const Loop: t.Type<Loop> = t.recursion('Loop', () => t.type({ next: Loop }))
    const loop = thrown(() => arbitrary(Loop))
    expect(loop).toBeInstanceOf(MissingArbitraryError)
    expect((loop as MissingArbitraryError).codec).toBe('Loop')
    expect((loop as MissingArbitraryError).reason).toBe('no-value')
  })
})

// -------------------------------------------------------------------------------------
// inputsArbitrary
// -------------------------------------------------------------------------------------

describe('inputsArbitrary()', () => {
  const Query = t.type({ id: t.string, text: t.string })
  const retrieve = node(
    {
      output: 'hits',
      mapAxis: 'query',
      keyAttr: 'id',
      inputs: { query: Query, top_k: t.Int, weights: t.record(t.string, t.number) },
    },
    ({ query, top_k }) => [query.text].slice(0, top_k),
  )

  it('makes records of every parameter, each decoding with its codec', () => {
    const inputs = retrieve.inputs ?? {}
    fc.assert(
      fc.property(inputsArbitrary(retrieve), (d) => {
        expect(Object.keys(d)).toEqual(['query', 'top_k', 'weights'])
        for (const [k, codec] of Object.entries(inputs)) {
          expect(decodes(codec, (d as Record<string, unknown>)[k])).toBe(true)
        }
      }),
      { numRuns: 100, seed: 20 },
    )
  })

  it('uses given arbitraries in place of the derived ones', () => {
    const ds = fc.sample(inputsArbitrary(retrieve, { arbitraries: { top_k: fc.constant(3) } }), {
      numRuns: 30,
      seed: 21,
    })
    expect(ds.every((d) => d.top_k === 3)).toBe(true)
  })

  it('decodes the records with `inputs`, as fn receives them', () => {
    const twice = node(
      { output: 'y', inputs: { n: NumberFromString, s: t.string } },
      ({ n }) => n * 2,
    )
    const ds = fc.sample(
      inputsArbitrary(twice, {
        arbitraries: { n: fc.integer().map(String) },
      }),
      { numRuns: 30, seed: 25 },
    )
    expect(ds.every((d) => Number.isInteger(d.n) && typeof d.s === 'string')).toBe(true)
    const bad = inputsArbitrary(twice, {
      arbitraries: { n: fc.constant('not a number') },
    })
    expect(thrown(() => fc.sample(bad, { numRuns: 1, seed: 25 }))).toBeInstanceOf(GraphError)
  })

  it('passes overrides down to the codecs', () => {
    const n = node({ output: 'y', inputs: { e: t.array(Even) } }, ({ e }) => e.length)
    const ds = fc.sample(inputsArbitrary(n, { overrides: { Even: fc.constant(4) } }), {
      numRuns: 30,
      seed: 22,
    })
    expect(ds.flatMap((d) => d.e).every((v) => v === 4)).toBe(true)
  })

  it('names the node and parameter of a codec without structure', () => {
    const n = node({ output: 'y', inputs: { a: t.number, e: t.type({ x: Even }) } }, ({ e }) => e.x)
    const e = thrown(() => inputsArbitrary(n))
    expect(e).toBeInstanceOf(MissingArbitraryError)
    const m = e as MissingArbitraryError
    expect([m.reason, m.node, m.params, m.codec, m.path]).toEqual([
      'no-structure',
      'y',
      ['e'],
      'Even',
      ['x'],
    ])
  })

  it('needs arbitraries for a node without `inputs`, and says so', () => {
    const scale = node({ output: 'scaled' }, ({ x, k }: { x: number; k: number }) => x * k)
    const e = thrown(() => inputsArbitrary(scale, { arbitraries: { x: fc.integer() } }))
    expect(e).toBeInstanceOf(MissingArbitraryError)
    const m = e as MissingArbitraryError
    expect([m.reason, m.node, m.params, m.codec]).toEqual(['no-inputs', 'scaled', ['k'], undefined])
    expect(m.message).toContain('arbitraries')
    const all = thrown(() => inputsArbitrary(scale)) as MissingArbitraryError
    expect(all.params).toEqual(['x', 'k'])
    const arb = inputsArbitrary(scale, { arbitraries: { x: fc.integer(), k: fc.nat() } })
    const ds = fc.sample(arb, { numRuns: 20, seed: 23 })
    expect(ds.every((d) => Number.isInteger(d.x) && d.k >= 0)).toBe(true)
  })

  it('leaves out a parameter that has a default and no arbitrary', () => {
    const scale = node({ output: 's' }, ({ x, k = 2 }: { x: number; k?: number }) => x * k)
    const ds = fc.sample(inputsArbitrary(scale, { arbitraries: { x: fc.integer() } }), {
      numRuns: 10,
      seed: 24,
    })
    expect(ds.every((d) => !('k' in d) && scale.fn(d) === d.x * 2)).toBe(true)
  })

  it('rejects what is not a node', () => {
    const notANode = { output: 'x' } as unknown as AnyNode
    expect(thrown(() => inputsArbitrary(notANode))).toBeInstanceOf(GraphError)
  })
})

// -------------------------------------------------------------------------------------
// checkBatch
// -------------------------------------------------------------------------------------

describe('checkBatch()', () => {
  type ScaleBatch = (c: { x: ArrayLike<number>; k: ArrayLike<number> }) => ArrayLike<number>
  const scaleWith = (batch: ScaleBatch) =>
    node(
      { output: 'scaled', mapAxis: 'x', inputs: { x: t.number, k: t.number }, batch },
      ({ x, k }) => x * k,
    )

  it('resolves for a batch form that agrees with fn', async () => {
    const scale = scaleWith(({ x, k }) => Float64Array.from(x, (v, i) => v * (k[i] as number)))
    await expect(checkBatch(scale, { seed: 30 })).resolves.toBeUndefined()
    await expect(checkBatch(scale, { constants: ['k'], seed: 31 })).resolves.toBeUndefined()
  })

  it('resolves for async forms over structured values', async () => {
    const Query = t.type({ id: t.string, text: t.string })
    const words = node(
      {
        output: 'words',
        mapAxis: 'query',
        inputs: { query: Query, sep: t.string },
        batch: async ({ query, sep }) => {
          await Promise.resolve()
          return Array.from(query, (q, i) => q.text.split(sep[i] as string))
        },
      },
      async ({ query, sep }) => {
        await Promise.resolve()
        return query.text.split(sep)
      },
    )
    await expect(checkBatch(words, { constants: ['sep'], seed: 32 })).resolves.toBeUndefined()
  })

  it('rejects a batch form that is wrong on -0', async () => {
    const neg = node(
      {
        output: 'neg',
        mapAxis: 'x',
        inputs: { x: t.number },
        batch: ({ x }) => Array.from(x, (v) => 0 - v),
      },
      ({ x }) => -x,
    )
    const e = await batchFailure(checkBatch(neg, { seed: 33 }))
    expect(e.code).toBe('BATCH_CHECK_FAILED')
    expect(e.node).toBe('neg')
    expect(e.reason).toBe('different-result')
    // shrunk to the one failing item
    expect(e.items).toEqual([{ x: 0 }])
    expect(e.index).toBe(0)
    expect(Object.is(e.expected[0], -0)).toBe(true)
    expect(Object.is((e.actual as Array<unknown>)[0], 0)).toBe(true)
    expect(e.message).toContain('"neg"')
  })

  it('rejects a batch form that is wrong on empty strings', async () => {
    const count = node(
      {
        output: 'words',
        mapAxis: 's',
        inputs: { s: t.string },
        batch: ({ s }) => Array.from(s, (v) => v.split(' ').length),
      },
      ({ s }) => (s === '' ? 0 : s.split(' ').length),
    )
    const e = await batchFailure(checkBatch(count, { seed: 34 }))
    expect(e.reason).toBe('different-result')
    expect(e.items).toEqual([{ s: '' }])
    expect(e.expected).toEqual([0])
    expect(e.actual).toEqual([1])
  })

  it('rejects a batch form that counts UTF-16 units where fn counts code points', async () => {
    const len = node(
      {
        output: 'len',
        mapAxis: 's',
        inputs: { s: t.string },
        batch: ({ s }) => Array.from(s, (v) => v.length),
      },
      ({ s }) => [...s].length,
    )
    const e = await batchFailure(checkBatch(len, { seed: 35 }))
    expect(e.reason).toBe('different-result')
    const s = (e.items[e.index ?? -1] as { s: string }).s
    expect([...s].some((ch) => (ch.codePointAt(0) ?? 0) > 0xffff)).toBe(true)
  })

  it('rejects a batch form that returns the wrong number of results', async () => {
    const short = scaleWith(({ x, k }) => Array.from(x, (v, i) => v * (k[i] as number)).slice(1))
    const e = await batchFailure(checkBatch(short, { seed: 36 }))
    expect(e.reason).toBe('wrong-length')
    expect(e.items).toHaveLength(1)
    expect(e.actual).toEqual([])
    const notArray = scaleWith(() => 42 as unknown as ArrayLike<number>)
    const e2 = await batchFailure(checkBatch(notArray, { seed: 36 }))
    expect(e2.reason).toBe('wrong-length')
    expect(e2.actual).toBe(42)
    // a bare number reads as a value, not as a count of results
    expect(e2.message).toContain('returned the number 42, not an array of results,')
  })

  it('repeats constants down their column, and varies the other parameters', async () => {
    // reads k once: right only when k is one value per batch
    const firstK = scaleWith(({ x, k }) => Float64Array.from(x, (v) => v * (k[0] as number)))
    await expect(checkBatch(firstK, { constants: ['k'], seed: 37 })).resolves.toBeUndefined()
    const e = await batchFailure(checkBatch(firstK, { seed: 37 }))
    expect(e.reason).toBe('different-result')
    expect(e.items.length).toBeGreaterThan(1)
  })

  it('reports constants in the failing items', async () => {
    const bad = scaleWith(({ x, k }) => Float64Array.from(x, (v, i) => v * (k[i] as number) + 1))
    const e = await batchFailure(checkBatch(bad, { constants: ['k'], seed: 38 }))
    expect(e.items).toHaveLength(1)
    expect(Object.keys(e.items[0] ?? {})).toEqual(['x', 'k'])
  })

  it('hands t.number columns over as Float64Arrays sometimes, as Arrow does', async () => {
    const seen = new Set<string>()
    const label = node(
      {
        output: 'label',
        mapAxis: 'x',
        inputs: { x: t.number },
        batch: ({ x }) => {
          seen.add(x.constructor.name)
          // only right for plain arrays: Float64Array#map makes numbers again
          return (x as unknown as Array<number>).map((v) => `#${v}`)
        },
      },
      ({ x }) => `#${x}`,
    )
    const e = await batchFailure(checkBatch(label, { seed: 39 }))
    expect(e.reason).toBe('different-result')
    expect(seen).toEqual(new Set(['Array', 'Float64Array']))
  })

  it('reports a throwing fn or batch form, with the error as cause', async () => {
    const boom = new Error('NaN is not welcome')
    const picky = scaleWith(({ x, k }) => Float64Array.from(x, (v, i) => v * (k[i] as number)))
    const pickyFn = node(
      { output: 'p', mapAxis: 'x', inputs: { x: t.number }, batch: ({ x }) => Array.from(x) },
      ({ x }) => {
        if (Number.isNaN(x)) throw boom
        return x
      },
    )
    const e = await batchFailure(checkBatch(pickyFn, { seed: 40 }))
    expect(e.reason).toBe('fn-threw')
    expect(e.cause).toBe(boom)
    expect(Number.isNaN((e.items[e.index ?? -1] as { x: number }).x)).toBe(true)

    const throwing = node(
      {
        output: 'q',
        mapAxis: 'x',
        inputs: { x: t.number },
        batch: ({ x }) => {
          if (Array.from(x).some((v) => v < 0)) throw boom
          return Array.from(x)
        },
      },
      ({ x }) => x,
    )
    const e2 = await batchFailure(checkBatch(throwing, { seed: 41 }))
    expect(e2.reason).toBe('batch-threw')
    expect(e2.cause).toBe(boom)
    await expect(checkBatch(picky, { seed: 41, numRuns: 10 })).resolves.toBeUndefined()
  })

  it('reports an arbitrary that makes values the codec rejects', async () => {
    const scale = scaleWith(({ x, k }) => Float64Array.from(x, (v, i) => v * (k[i] as number)))
    const e = await batchFailure(
      checkBatch(scale, {
        arbitraries: { k: fc.constant('two') as unknown as fc.Arbitrary<number> },
        seed: 42,
      }),
    )
    expect(e.reason).toBe('invalid-input')
  })

  it('decodes generated values before calling either form, as executors do', async () => {
    const parse = node(
      {
        output: 'twice',
        mapAxis: 'n',
        inputs: { n: NumberFromString },
        batch: ({ n }) => Array.from(n, (v) => v * 2),
      },
      ({ n }) => n * 2,
    )
    await expect(
      checkBatch(parse, { overrides: { NumberFromString: fc.integer().map(String) }, seed: 43 }),
    ).resolves.toBeUndefined()
  })

  it('uses `equals` to compare results when given', async () => {
    const sum = node(
      {
        output: 'sum',
        mapAxis: 'xs',
        inputs: { xs: t.tuple([t.number, t.number, t.number]) },
        batch: ({ xs }) => Array.from(xs, ([a, b, c]) => a + (b + c)),
      },
      ({ xs: [a, b, c] }) => a + b + c,
    )
    // (0.1 + 0.2) + 0.3 is 0.6000000000000001; 0.1 + (0.2 + 0.3) is 0.6
    const arbitraries = { xs: fc.constant([0.1, 0.2, 0.3] as [number, number, number]) }
    const e = await batchFailure(checkBatch(sum, { arbitraries, seed: 44 }))
    expect(e.reason).toBe('different-result')
    await expect(
      checkBatch(sum, { arbitraries, seed: 44, equals: (a, b) => Math.abs(a - b) <= 1e-12 }),
    ).resolves.toBeUndefined()
  })

  it('replays a failure from its seed and path', async () => {
    const neg = node(
      {
        output: 'neg',
        mapAxis: 'x',
        inputs: { x: t.number },
        batch: ({ x }) => Array.from(x, (v) => 0 - v),
      },
      ({ x }) => -x,
    )
    const first = await batchFailure(checkBatch(neg, { seed: 45 }))
    const again = await batchFailure(checkBatch(neg, { seed: first.seed, path: first.path }))
    expect(again.items).toEqual(first.items)
    expect(again.seed).toBe(first.seed)
  })

  it('works with given arbitraries for a node without `inputs`', async () => {
    const double = node(
      {
        output: 'd',
        mapAxis: 'x',
        batch: ({ x }: { x: ArrayLike<number> }) => Array.from(x, (v) => v * 2),
      },
      ({ x }: { x: number }) => x * 2,
    )
    const arbitraries = { x: fc.integer() }
    await expect(checkBatch(double, { arbitraries, seed: 46 })).resolves.toBeUndefined()
    const e = await rejection(checkBatch(double, { seed: 46 }))
    expect(e).toBeInstanceOf(MissingArbitraryError)
    expect((e as MissingArbitraryError).params).toEqual(['x'])
  })

  it('rejects misuse: no batch form, unknown or per-item constants, bad counts', async () => {
    const plain = node({ output: 'p', mapAxis: 'x', inputs: { x: t.number } }, ({ x }) => x)
    expect(await rejection(checkBatch(plain))).toBeInstanceOf(GraphError)
    const scale = scaleWith(({ x }) => Array.from(x))
    const untyped = checkBatch as unknown as (n: AnyNode, o: object) => Promise<void>
    expect(await rejection(untyped(scale, { constants: ['nope'] }))).toBeInstanceOf(GraphError)
    expect(await rejection(untyped(scale, { constants: ['x'] }))).toBeInstanceOf(GraphError)
    expect(await rejection(checkBatch(scale, { maxItems: 0 }))).toBeInstanceOf(GraphError)
    expect(await rejection(checkBatch(scale, { numRuns: 0 }))).toBeInstanceOf(GraphError)
  })
})
