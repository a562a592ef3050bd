import { describe as suite, it, expect } from 'vitest'
import fc from 'fast-check'
import * as t from 'io-ts'
import { tableFromIPC, tableToIPC, type Vector } from 'apache-arrow'
import {
  describe,
  fits,
  inferDescriptor,
  type Descriptor,
} from '../../src/executors/arrow/schema.js'
import {
  fromVector,
  toTable,
  toVector,
  VectorBuildError,
} from '../../src/executors/arrow/vectors.js'

// -------------------------------------------------------------------------------------
// shapes: a codec and the values it admits, generated together
// -------------------------------------------------------------------------------------

type Fields = ReadonlyArray<readonly [string, Shape]>
type Shape =
  | { readonly k: 'number' | 'int' | 'string' | 'boolean' | 'null' }
  | { readonly k: 'literals' | 'keyof'; readonly values: ReadonlyArray<string> }
  | {
      readonly k: 'nullable' | 'array' | 'readonlyArray' | 'record' | 'readonly'
      readonly of: Shape
    }
  | { readonly k: 'type' | 'strict' | 'partial' | 'exactPartial'; readonly fields: Fields }
  | { readonly k: 'intersection'; readonly required: Fields; readonly optional: Fields }

const fieldName = fc.constantFrom('a', 'b', 'c', 'id', '__proto__', '', 'x y', '😀', '1')
const literal = fc.constantFrom('red', 'green', 'blue', '', '😀', '__proto__')

function fieldsOf(shape: fc.Arbitrary<Shape>, minLength = 0): fc.Arbitrary<Fields> {
  return fc.uniqueArray(fc.tuple(fieldName, shape), {
    minLength,
    maxLength: 4,
    selector: ([name]) => name,
  })
}

const { shape: arbShape } = fc.letrec<{ shape: Shape }>((tie) => {
  const shape = tie('shape')
  return {
    shape: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<Shape>(
        { k: 'number' },
        { k: 'int' },
        { k: 'string' },
        { k: 'boolean' },
        { k: 'null' },
      ),
      fc
        .uniqueArray(literal, { minLength: 1, maxLength: 4 })
        .map((values): Shape => ({ k: 'literals', values })),
      fc
        .uniqueArray(literal, { minLength: 1, maxLength: 4 })
        .map((values): Shape => ({ k: 'keyof', values })),
      fc.record({
        k: fc.constantFrom('nullable', 'array', 'readonlyArray', 'record', 'readonly'),
        of: shape,
      }),
      fc.record({
        k: fc.constantFrom('type', 'strict', 'partial', 'exactPartial'),
        fields: fieldsOf(shape),
      }),
      fc.tuple(fieldsOf(shape, 1), fieldsOf(shape, 1)).map(([required, optional]): Shape => {
        const names = new Set(required.map(([n]) => n))
        return { k: 'intersection', required, optional: optional.filter(([n]) => !names.has(n)) }
      }),
    ),
  }
})

const props = (fields: Fields): t.Props =>
  Object.fromEntries(fields.map(([n, s]) => [n, codecOf(s)]))

function codecOf(s: Shape): t.Mixed {
  switch (s.k) {
    case 'number':
      return t.number
    case 'int':
      return t.Int
    case 'string':
      return t.string
    case 'boolean':
      return t.boolean
    case 'null':
      return t.null
    case 'literals': {
      const [a, b, ...rest] = s.values.map((v) => t.literal(v))
      return b === undefined ? (a as t.Mixed) : t.union([a as t.Mixed, b, ...rest])
    }
    case 'keyof':
      return t.keyof(Object.fromEntries(s.values.map((v) => [v, null])))
    case 'nullable':
      return t.union([codecOf(s.of), t.null])
    case 'array':
      return t.array(codecOf(s.of))
    case 'readonlyArray':
      return t.readonlyArray(codecOf(s.of))
    case 'record':
      return t.record(t.string, codecOf(s.of))
    case 'readonly':
      return t.readonly(codecOf(s.of))
    case 'type':
      return t.type(props(s.fields))
    case 'strict':
      return t.strict(props(s.fields))
    case 'partial':
      return t.partial(props(s.fields))
    case 'exactPartial':
      return t.exact(t.partial(props(s.fields)))
    case 'intersection':
      return t.intersection([t.type(props(s.required)), t.partial(props(s.optional))])
  }
}

/** whether `null` is a value of the shape (then an optional field of it must be present) */
function admitsNull(s: Shape): boolean {
  return s.k === 'null' || s.k === 'nullable' || (s.k === 'readonly' && admitsNull(s.of))
}

const ABSENT: unique symbol = Symbol('absent')

/** builds an object with own data properties (a "__proto__" key stays a key) */
const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> =>
  Object.fromEntries(entries.filter(([, v]) => v !== ABSENT))

const junkValues = fc.oneof(
  fc.anything({
    maxDepth: 2,
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withTypedArray: true,
    withSparseArray: true,
    stringUnit: 'binary',
  }),
  fc.constantFrom<unknown>(
    undefined,
    null,
    '\uD800',
    'a\uDC00',
    -0,
    NaN,
    [],
    {},
    [undefined],
    () => 1,
  ),
)

/**
 * The values of a shape. With `junk`, every position sometimes holds junk instead, required
 * fields are sometimes missing, optional nullable ones sometimes absent, and objects sometimes
 * carry an extra key: near misses for `fits`.
 */
function valuesOf(s: Shape, junk: boolean): fc.Arbitrary<unknown> {
  const real = realValuesOf(s, junk)
  return junk
    ? fc.oneof({ arbitrary: real, weight: 6 }, { arbitrary: junkValues, weight: 1 })
    : real
}

function realValuesOf(s: Shape, junk: boolean): fc.Arbitrary<unknown> {
  // io-ts reads an absent "__proto__" field as the inherited prototype and rejects it: keep it
  const field = ([name, f]: readonly [string, Shape], optional: boolean) =>
    fc.tuple(
      fc.constant(name),
      optional && (junk || (!admitsNull(f) && name !== '__proto__'))
        ? fc.option(valuesOf(f, junk), { nil: ABSENT })
        : junk
          ? fc.option(valuesOf(f, junk), { nil: ABSENT, freq: 10 })
          : valuesOf(f, junk),
    )
  const extraKey = junk
    ? fc.option(fc.tuple(fc.constantFrom('extra', '__proto__'), junkValues), {
        nil: undefined,
        freq: 8,
      })
    : fc.constant(undefined)
  const object = (required: Fields, optional: Fields) =>
    fc
      .tuple(
        fc.tuple(...required.map((f) => field(f, false))),
        fc.tuple(...optional.map((f) => field(f, true))),
        extraKey,
      )
      .map(([r, o, extra]) => objectOf([...r, ...o, ...(extra === undefined ? [] : [extra])]))
  switch (s.k) {
    case 'number':
      return fc.oneof(fc.double(), fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 5e-324))
    case 'int':
      return fc.oneof(fc.integer(), fc.constant(Number.MAX_SAFE_INTEGER))
    case 'string':
      return fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.constantFrom('', '\uFEFF', '😀', '\u0000', 'é'),
      )
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'literals':
    case 'keyof':
      return fc.constantFrom(...s.values)
    case 'nullable':
      return fc.option(valuesOf(s.of, junk), { nil: null, freq: 3 })
    case 'array':
    case 'readonlyArray':
      return fc.array(valuesOf(s.of, junk), { maxLength: 4 })
    case 'readonly':
      return valuesOf(s.of, junk)
    case 'record':
      return fc
        .array(
          fc.tuple(
            fc.oneof(
              fc.string({ unit: 'binary', maxLength: 3 }),
              fc.constantFrom('__proto__', '1', '0'),
            ),
            valuesOf(s.of, junk),
          ),
          { maxLength: 4 },
        )
        .map(objectOf)
    case 'type':
    case 'strict':
      return object(s.fields, [])
    case 'partial':
    case 'exactPartial':
      return object([], s.fields)
    case 'intersection':
      return object(s.required, s.optional)
  }
}

/** a shape and values (the codec is derived in the property, so counterexamples stay short) */
interface Case {
  readonly shape: Shape
  readonly values: ReadonlyArray<unknown>
}

const caseOf = (shape: fc.Arbitrary<Shape>, junk = false): fc.Arbitrary<Case> =>
  shape.chain((s) =>
    fc.array(valuesOf(s, junk), { maxLength: 12 }).map((values) => ({ shape: s, values })),
  )

// -------------------------------------------------------------------------------------
// the checks
// -------------------------------------------------------------------------------------

/** through IPC: a table written by toTable, read back as other Arrow tools do */
function throughIpc(d: Descriptor, values: ReadonlyArray<unknown>): Array<unknown> {
  const table = tableFromIPC(tableToIPC(toTable([{ name: 'v', descriptor: d, values }])))
  return fromVector(d, table.getChild('v') as Vector)
}

function assertRoundTrip({ shape, values }: Case): void {
  assertCodecRoundTrip(codecOf(shape), values)
}

function assertCodecRoundTrip(codec: t.Mixed, values: ReadonlyArray<unknown>): void {
  const d = describe(codec)
  expect(d.kind).not.toBe('js')
  for (const v of values) {
    expect(codec.is(v)).toBe(true)
    expect(fits(d, v)).toBe(true)
  }
  // toStrictEqual: -0 is not 0, NaN is NaN, an absent key is not an undefined one
  expect(fromVector(d, toVector(d, values))).toStrictEqual(values)
  expect(throughIpc(d, values)).toStrictEqual(values)
}

/** deep equality where a null-prototype object equals a plain one (fits accepts both) */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b)
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => i in b && same(x, b[i]))
    )
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  const rb = b as Record<string, unknown>
  const ra = a as Record<string, unknown>
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && same(ra[k], rb[k]))
}

const numberShape = fc.constant<Shape>({ k: 'number' })
const named: ReadonlyArray<readonly [string, fc.Arbitrary<Shape>]> = [
  ['number (-0, NaN, ±Infinity)', numberShape],
  ['t.Int (refinement)', fc.constant<Shape>({ k: 'int' })],
  ['string (astral Unicode, BOM, empty)', fc.constant<Shape>({ k: 'string' })],
  ['boolean', fc.constant<Shape>({ k: 'boolean' })],
  ['null', fc.constant<Shape>({ k: 'null' })],
  ['literal union', fc.constant<Shape>({ k: 'literals', values: ['red', 'green', '😀'] })],
  ['keyof', fc.constant<Shape>({ k: 'keyof', values: ['a', '__proto__', ''] })],
  ['union with null', fc.constant<Shape>({ k: 'nullable', of: { k: 'string' } })],
  ['array (empty included)', fc.constant<Shape>({ k: 'array', of: { k: 'number' } })],
  [
    'readonlyArray of nullable',
    fc.constant<Shape>({ k: 'readonlyArray', of: { k: 'nullable', of: { k: 'boolean' } } }),
  ],
  ['type', fieldsOf(arbShape, 1).map((fields): Shape => ({ k: 'type', fields }))],
  ['strict', fieldsOf(arbShape).map((fields): Shape => ({ k: 'strict', fields }))],
  [
    'partial (absent fields)',
    fieldsOf(arbShape, 1).map((fields): Shape => ({ k: 'partial', fields })),
  ],
  ['exact(partial)', fieldsOf(arbShape, 1).map((fields): Shape => ({ k: 'exactPartial', fields }))],
  [
    'intersection of type and partial',
    fc.tuple(fieldsOf(arbShape, 1), fieldsOf(arbShape, 1)).map(([required, optional]): Shape => {
      const names = new Set(required.map(([n]) => n))
      return { k: 'intersection', required, optional: optional.filter(([n]) => !names.has(n)) }
    }),
  ],
  ['record', fc.constant<Shape>({ k: 'record', of: { k: 'nullable', of: { k: 'number' } } })],
  [
    'readonly',
    fc.constant<Shape>({ k: 'readonly', of: { k: 'type', fields: [['a', { k: 'string' }]] } }),
  ],
  [
    'list of structs',
    fc.constant<Shape>({
      k: 'array',
      of: {
        k: 'intersection',
        required: [['id', { k: 'int' }]],
        optional: [
          ['tag', { k: 'string' }],
          ['score', { k: 'nullable', of: { k: 'number' } }],
        ],
      },
    }),
  ],
  [
    'struct with lists',
    fc.constant<Shape>({
      k: 'type',
      fields: [
        ['tags', { k: 'array', of: { k: 'string' } }],
        ['m', { k: 'nullable', of: { k: 'array', of: { k: 'array', of: { k: 'number' } } } }],
      ],
    }),
  ],
  ['map of lists', fc.constant<Shape>({ k: 'record', of: { k: 'array', of: { k: 'string' } } })],
  ['any shape', arbShape],
]

suite('codec → Arrow → JS is exact', () => {
  it.each(named)('%s', (_, shape) => {
    fc.assert(fc.property(caseOf(shape), assertRoundTrip))
  })

  it('a Float64Array goes through without a copy and back as numbers', () => {
    fc.assert(
      fc.property(fc.float64Array({ maxLength: 20 }), (f) => {
        const d: Descriptor = { kind: 'float64', nullable: false }
        const v = toVector(d, f)
        expect(v.data[0]?.values.buffer).toBe(f.buffer)
        expect(fromVector(d, v)).toStrictEqual(Array.from(f))
      }),
    )
  })

  it('a discriminated union is one struct and comes back exactly', () => {
    const codec = t.union([
      t.type({ kind: t.literal('circle'), r: t.number }),
      t.type({ kind: t.literal('rect'), w: t.number, label: t.array(t.string) }),
    ])
    const value = fc.oneof(
      fc.record({ kind: fc.constant('circle'), r: fc.double() }, { noNullPrototype: true }),
      fc.record(
        {
          kind: fc.constant('rect'),
          w: fc.double(),
          label: fc.array(fc.string({ unit: 'binary' })),
        },
        { noNullPrototype: true },
      ),
    )
    fc.assert(
      fc.property(fc.array(value, { maxLength: 10 }), (values) =>
        assertCodecRoundTrip(codec, values),
      ),
    )
  })
})

suite('fits is exactly what toVector accepts', () => {
  it('for near misses: fits ⇔ toVector succeeds, and then the round trip is exact', () => {
    let accepted = 0
    let refused = 0
    fc.assert(
      fc.property(caseOf(arbShape, true), ({ shape, values }) => {
        const d = describe(codecOf(shape))
        const ok = values.every((v) => fits(d, v))
        let built: Vector | undefined
        try {
          built = toVector(d, values)
        } catch (e) {
          expect(e).toBeInstanceOf(VectorBuildError)
        }
        expect(built !== undefined).toBe(ok)
        if (built === undefined) refused++
        else {
          accepted++
          expect(same(fromVector(d, built), values)).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
    // both sides were exercised
    expect(accepted).toBeGreaterThan(20)
    expect(refused).toBeGreaterThan(20)
  })
})

suite('inferDescriptor', () => {
  it('infers an Arrow form for the values of any shape; lenient build always works', () => {
    let exact = 0
    fc.assert(
      fc.property(caseOf(arbShape), ({ values }) => {
        const d = inferDescriptor(values)
        expect(d.kind).not.toBe('js')
        const v = toVector(d, values, { exact: false })
        expect(v.length).toBe(values.length)
        if (values.every((x) => fits(d, x))) {
          exact++
          expect(fromVector(d, v)).toStrictEqual(values)
          expect(throughIpc(d, values)).toStrictEqual(values)
        }
      }),
      { numRuns: 200 },
    )
    expect(exact).toBeGreaterThan(50)
  })

  it('for anything: the inferred descriptor (when not js) accepts the values leniently, unpaired surrogates aside', () => {
    fc.assert(
      fc.property(fc.array(junkValues, { maxLength: 6 }), (values) => {
        const d = inferDescriptor(values)
        if (d.kind === 'js') return
        let v: ReturnType<typeof toVector>
        try {
          v = toVector(d, values, { exact: false })
        } catch (e) {
          // the one value lenient mode still refuses: it would come back as U+FFFD
          expect(String((e as { got?: unknown }).got)).toContain('unpaired surrogate')
          return
        }
        if (values.every((x) => fits(d, x))) expect(same(fromVector(d, v), values)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
