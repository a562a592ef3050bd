import fc from 'fast-check'
import * as t from 'io-ts'
import { describe, expectTypeOf, it } from 'vitest'
import { node } from 'dagflow'
import {
  arbitrary,
  checkBatch,
  inputsArbitrary,
  type BatchCheckFailure,
  type MissingArbitraryReason,
  type AcceptedParamsOf,
  type ParamsOf,
} from 'dagflow/testing'

/** A converting codec: accepts (encodes to) a string, decodes to a number. */
const NumberFromString = new t.Type<number, string, unknown>(
  'NumberFromString',
  (u): u is number => typeof u === 'number',
  (u, c) =>
    typeof u === 'string' && u.trim() !== '' && !isNaN(Number(u))
      ? t.success(Number(u))
      : t.failure(u, c),
  String,
)

describe('arbitrary() types', () => {
  it('follows the codec', () => {
    expectTypeOf(arbitrary(t.string)).toEqualTypeOf<fc.Arbitrary<string>>()
    expectTypeOf(arbitrary(t.number)).toEqualTypeOf<fc.Arbitrary<number>>()
    expectTypeOf(arbitrary(t.type({ a: t.number, b: t.array(t.string) }))).toEqualTypeOf<
      fc.Arbitrary<{ a: number; b: Array<string> }>
    >()
    expectTypeOf(arbitrary(t.partial({ a: t.boolean }))).toEqualTypeOf<
      fc.Arbitrary<{ a?: boolean }>
    >()
    expectTypeOf(arbitrary(t.union([t.literal('a'), t.null]))).toEqualTypeOf<
      fc.Arbitrary<'a' | null>
    >()
    expectTypeOf(arbitrary(t.tuple([t.string, t.number]))).toEqualTypeOf<
      fc.Arbitrary<[string, number]>
    >()
  })

  it('is the encoded side: what decodes', () => {
    // a brand's encoded side is the plain number
    expectTypeOf(arbitrary(t.Int)).toEqualTypeOf<fc.Arbitrary<number>>()
    // a converting codec makes what it decodes from, not what it decodes to
    expectTypeOf(arbitrary(NumberFromString)).toEqualTypeOf<fc.Arbitrary<string>>()
    expectTypeOf(arbitrary(t.type({ n: NumberFromString }))).toEqualTypeOf<
      fc.Arbitrary<{ n: string }>
    >()
  })

  it('takes overrides of any arbitrary, and rejects what is not a codec', () => {
    arbitrary(NumberFromString, {
      overrides: { NumberFromString: fc.integer().map(String) },
      maxDepth: 2,
    })
    // @ts-expect-error a string is not an io-ts codec
    arbitrary('string')
    // @ts-expect-error overrides are arbitraries, not plain values
    arbitrary(t.number, { overrides: { number: 1 } })
  })
})

describe('inputsArbitrary() types', () => {
  const scale = node(
    { output: 'scaled', mapAxis: 'x', inputs: { x: t.number, label: NumberFromString } },
    ({ x, label }) => x * label,
  )
  const half = node({ output: 'half' }, ({ n }: { n: number }) => n / 2)

  it('is typed from the node: the record fn receives', () => {
    // label is accepted as a string and decoded to a number before fn sees it
    expectTypeOf(inputsArbitrary(scale)).toEqualTypeOf<
      fc.Arbitrary<{ readonly x: number; readonly label: number }>
    >()
    expectTypeOf<ParamsOf<typeof scale>>().toEqualTypeOf<{
      readonly x: number
      readonly label: number
    }>()
    expectTypeOf<AcceptedParamsOf<typeof scale>>().toEqualTypeOf<{
      readonly x: number
      readonly label: string
    }>()
    expectTypeOf<ParamsOf<typeof half>>().toEqualTypeOf<{ n: number }>()
    expectTypeOf(inputsArbitrary(half, { arbitraries: { n: fc.integer() } })).toEqualTypeOf<
      fc.Arbitrary<{ n: number }>
    >()
  })

  it('takes arbitraries of the accepted side, and gives what fn takes', () => {
    // the given arbitrary makes the encoded string
    const arb = inputsArbitrary(scale, { arbitraries: { label: fc.integer().map(String) } })
    // a brand: generated as plain numbers, handed out branded, ready for fn
    const clamp = node({ output: 'c', inputs: { hi: t.Int } }, ({ hi }) => hi)
    expectTypeOf(inputsArbitrary(clamp)).toEqualTypeOf<fc.Arbitrary<{ readonly hi: t.Int }>>()
    fc.sample(inputsArbitrary(clamp), 1).map((d) => clamp.fn(d))
    expectTypeOf(arb).toEqualTypeOf<fc.Arbitrary<{ readonly x: number; readonly label: number }>>()
    // @ts-expect-error label is accepted as a string: an arbitrary of numbers does not fit
    inputsArbitrary(scale, { arbitraries: { label: fc.integer() } })
  })

  it('checks given arbitraries against the parameter types', () => {
    // @ts-expect-error n is a number: an arbitrary of strings does not fit
    inputsArbitrary(half, { arbitraries: { n: fc.string() } })
    // @ts-expect-error "m" is not a parameter of half
    inputsArbitrary(half, { arbitraries: { m: fc.integer() } })
    // @ts-expect-error not a node
    inputsArbitrary({ output: 'x' })
  })
})

describe('checkBatch() types', () => {
  const scale = node(
    {
      output: 'scaled',
      mapAxis: 'x',
      inputs: { x: t.number, k: t.number },
      batch: ({ x, k }) => Float64Array.from(x, (v, i) => v * (k[i] as number)),
    },
    ({ x, k }) => x * k,
  )

  it('returns a promise and types constants, arbitraries and equals from the node', () => {
    expectTypeOf(checkBatch(scale, { constants: ['k'], numRuns: 1 })).toEqualTypeOf<Promise<void>>()
    void checkBatch(scale, {
      arbitraries: { k: fc.integer() },
      equals: (a, b) => {
        expectTypeOf(a).toEqualTypeOf<number>()
        expectTypeOf(b).toEqualTypeOf<number>()
        return Math.abs(a - b) < 1e-9
      },
      numRuns: 1,
    })
    // @ts-expect-error "q" is not a parameter of the node
    void checkBatch(scale, { constants: ['q'], numRuns: 1 })
    // @ts-expect-error the map axis "x" varies per item: it cannot be a constant
    void checkBatch(scale, { constants: ['x'], numRuns: 1 })
    // @ts-expect-error k is a number
    void checkBatch(scale, { arbitraries: { k: fc.string() }, numRuns: 1 })
  })

  it('names the failure reasons', () => {
    expectTypeOf<MissingArbitraryReason>().toEqualTypeOf<
      'no-structure' | 'no-value' | 'no-inputs'
    >()
    expectTypeOf<BatchCheckFailure>().toEqualTypeOf<
      'different-result' | 'wrong-length' | 'fn-threw' | 'batch-threw' | 'invalid-input'
    >()
  })
})
