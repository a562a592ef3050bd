import fc from 'fast-check'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { LocalExecutor, node, pipeline, type AnyNode } from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'

// The two executors are interchangeable interpreters of one pipeline value: for generated
// pipelines (random DAG shapes over a menu of node kinds, with and without codecs and batch
// forms, sync and async) and generated items, arrow.map deep-equals local.map, -0 and NaN
// included (toStrictEqual compares numbers with Object.is).

class Box {
  readonly value: number
  constructor(value: number) {
    this.value = value
  }
}

const Item = t.type({ id: t.string, x: t.number, s: t.string, tags: t.array(t.string) })
type Item = t.TypeOf<typeof Item>

const double = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
)
const items = fc
  .uniqueArray(
    fc.record({
      id: fc.string({ unit: 'binary', maxLength: 4 }),
      x: double,
      s: fc.string({ unit: 'binary', maxLength: 5 }),
      tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
    }),
    { selector: (i) => i.id, maxLength: 40 },
  )

/** How a generated node reads a per-item number and what it makes of it. */
interface Step {
  readonly kind: 'number' | 'string' | 'struct' | 'box' | 'async' | 'scaled'
  readonly codecs: boolean
  readonly batch: 'none' | 'array' | 'typed'
}

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('number', 'string', 'struct', 'box', 'async', 'scaled'),
  codecs: fc.boolean(),
  batch: fc.constantFrom('none', 'array', 'typed'),
})

/**
 * A function whose destructuring pattern names `dep` and `item` (so nodes without `inputs`
 * codecs have readable parameters), calling `impl(value, item)`.
 */
const reading = (dep: string, impl: (v: number, item: Item) => unknown) =>
  new Function('impl', `return ({ ${dep}, item }) => impl(${dep}, item)`)(impl) as (d: unknown) => unknown

/** Every per-item node reads the item and one earlier per-item number (or the item's x). */
function build(steps: ReadonlyArray<Step>, parents: ReadonlyArray<number>, keyed: boolean) {
  const nodes: Array<AnyNode> = []
  const numbers: Array<string> = [] // outputs holding one number per item
  nodes.push(
    node(
      keyed
        ? { output: 'n0', mapAxis: 'item', keyAttr: 'id', inputs: { item: Item }, returns: t.number }
        : { output: 'n0', mapAxis: 'item', inputs: { item: Item }, returns: t.number },
      ({ item }) => item.x,
    ) as AnyNode,
  )
  numbers.push('n0')
  steps.forEach((st, i) => {
    const dep = numbers[(parents[i] ?? 0) % numbers.length] as string
    const output = `v${i}`
    const f = (v: number): number => (i % 2 === 0 ? v * -1 : v + i)
    const add = (
      impl: (v: number, item: Item) => unknown,
      batchImpl: (vs: ReadonlyArray<number>, its: ReadonlyArray<Item>) => unknown,
      returns: t.Mixed | undefined,
      produces: 'number' | 'other',
    ) => {
      const spec = {
        output,
        mapAxis: dep,
        ...(st.codecs ? { inputs: { [dep]: t.number, item: Item } } : {}),
        ...(st.codecs && returns !== undefined ? { returns } : {}),
        ...(st.batch === 'none'
          ? {}
          : {
              batch: (d: Record<string, ArrayLike<unknown>>) =>
                batchImpl(Array.from(d[dep] as ArrayLike<number>), Array.from(d['item'] as ArrayLike<Item>)),
            }),
      }
      nodes.push(node(spec as never, reading(dep, impl) as never) as AnyNode)
      if (produces === 'number') numbers.push(output)
    }
    const typed = (vs: ReadonlyArray<number>) => (st.batch === 'typed' ? Float64Array.from(vs) : vs)
    switch (st.kind) {
      case 'number':
        add((v) => f(v), (vs) => typed(vs.map(f)), t.number, 'number')
        break
      case 'scaled': {
        const g = (v: number, it: Item) => v * it.tags.length - it.s.length
        add(g, (vs, its) => typed(vs.map((v, j) => g(v, its[j] as Item))), t.number, 'number')
        break
      }
      case 'string':
        add((v) => `${String(v)}|`, (vs) => vs.map((v) => `${String(v)}|`), t.string, 'other')
        break
      case 'struct': {
        const g = (v: number) =>
          Number.isNaN(v) ? { v, list: [] as Array<number> } : { v, list: [v, -v], note: null }
        add(g, (vs) => vs.map(g), undefined, 'other')
        break
      }
      case 'box':
        add((v) => new Box(v), (vs) => vs.map((v) => new Box(v)), undefined, 'other')
        break
      case 'async':
        add(async (v) => f(v), async (vs) => typed(vs.map(f)), t.number, 'number')
        break
    }
  })
  // a reduce over the last number, and a per-item node reading it back
  const last = numbers[numbers.length - 1] as string
  nodes.push(
    node({ output: 'total', inputs: { [last]: t.readonlyArray(t.number) } }, (d) =>
      (d[last] as ReadonlyArray<number>).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0),
    ) as AnyNode,
  )
  nodes.push(
    node(
      {
        output: 'centred',
        mapAxis: last,
        inputs: { [last]: t.number, total: t.number },
        batch: (d: Record<string, ArrayLike<number>>) => {
          const xs = d[last] as ArrayLike<number>
          const ts = d['total'] as ArrayLike<number>
          return Array.from(xs, (v, j) => v - (ts[j] as number))
        },
      } as never,
      ((d: Record<string, number>) => (d[last] as number) - (d['total'] as number)) as never,
    ) as AnyNode,
  )
  return pipeline(...(nodes as [AnyNode]))
}

describe('arrow.map ≡ local.map', () => {
  it('holds for generated pipelines, items and batch sizes', async () => {
    const local = new LocalExecutor({ concurrency: 3 })
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat({ max: 10 }), { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        items,
        fc.constantFrom(1, 2, 3, 7, 1000),
        async (steps, parents, keyed, its, batchSize) => {
          const p = build(steps, parents, keyed)
          const arrow = new ArrowBatchExecutor({ batchSize, concurrency: 2 })
          const [a, l] = await Promise.all([
            arrow.map(p as never, { item: its } as never),
            local.map(p as never, { item: its } as never),
          ])
          expect({ outputs: a.outputs, keys: a.keys }).toStrictEqual({ outputs: l.outputs, keys: l.keys })
          expect(a.executor).toBe('arrow')
          expect(l.executor).toBe('local')
        },
      ),
      { numRuns: 150 },
    )
  })
})
