/**
 * Fused segments against LocalExecutor, on generated chains of batch-form nodes: each node's
 * results typed or plain, its batch form async from a generated batch on (so a segment switches
 * to node-by-node running at any node and batch), and failing on a generated item (so the error
 * order across nodes is exercised). Without a failure, outputs and keys deep-equal local's; with
 * one, both reject, naming the same node: the first failing node in plan order. With
 * `onError: 'collect'`, both keep and fail the same items, at the same nodes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LocalExecutor, node, pipeline, type Column, type Executor } from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'
import { sleep } from '../helpers.js'

interface Spec {
  readonly typed: boolean
  /** the batch form returns a promise for batches starting at or after this item */
  readonly asyncFrom: number | undefined
  /** the item whose value makes the node throw (fn and batch form alike) */
  readonly failAt: number | undefined
}

const spec: fc.Arbitrary<Spec> = fc.record({
  typed: fc.boolean(),
  asyncFrom: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  failAt: fc.option(fc.integer({ min: 0, max: 12 }), { freq: 4, nil: undefined }),
})

/** Node `j` of a chain: `n{j} = n{j-1} * 2 + j` over the item's running value. */
function chainOf(specs: ReadonlyArray<Spec>) {
  return specs.map((s, j) => {
    const input = j === 0 ? 'x' : `n${j - 1}`
    const output = `n${j}`
    // the item index rides along in the value's fractional part: value = index + k * 1000
    const compute = (v: number): number => {
      if (s.failAt !== undefined && Math.round(v % 1000) === s.failAt) throw new Error(`${output} fails`)
      return v + (j + 1) * 1000
    }
    const batch = (columns: Record<string, Column<number>>): unknown => {
      const column = columns[input] as Column<number>
      const values = Array.from(column, compute)
      const result = s.typed ? Float64Array.from(values) : values
      const first = Math.round((column[0] as number) % 1000)
      return s.asyncFrom !== undefined && first >= s.asyncFrom ? sleep(1).then(() => result) : result
    }
    return node(
      { output, mapAxis: input, batch: batch as never },
      new Function('compute', `return ({ ${input} }) => compute(${input})`)(compute) as (d: never) => number,
    )
  })
}

const outcome = async (ex: Executor, p: never, xs: ReadonlyArray<number>) => {
  try {
    const r = await ex.map(p, { x: xs })
    return { outputs: r.outputs, keys: r.keys }
  } catch (e) {
    return { failed: (e as { node?: string }).node }
  }
}

/** a collect-mode map: what survived, and which node failed which item */
const collected = async (ex: Executor, p: never, xs: ReadonlyArray<number>) => {
  const r = await ex.map(p, { x: xs }, { onError: 'collect' })
  return {
    outputs: r.outputs,
    keys: r.keys,
    errors: r.errors?.map((f) => [f.key, f.node]),
    // items each node processed: computed, or failed there
    items: Object.entries(r.stats.nodes).map(([name, s]) => [name, s.items]),
  }
}

/**
 * The property: on generated chains of 1 … `maxNodes` nodes, items and batch sizes (1 …
 * `maxBatch`), what `observe` sees of an ArrowBatchExecutor map deep-equals LocalExecutor's.
 */
const agreeWithLocal = (
  observe: (ex: Executor, p: never, xs: ReadonlyArray<number>) => Promise<unknown>,
  minNodes: number,
  maxNodes: number,
  maxBatch: number,
) =>
  fc.assert(
    fc.asyncProperty(
      fc.array(spec, { minLength: minNodes, maxLength: maxNodes }),
      fc.integer({ min: 0, max: 12 }),
      fc.integer({ min: 1, max: maxBatch }),
      fc.constantFrom(1, 2, 16),
      async (specs, n, batchSize, concurrency) => {
        const p = pipeline(...(chainOf(specs) as [ReturnType<typeof chainOf>[number]])) as never
        const xs = Array.from({ length: n }, (_, i) => i)
        const local = await observe(new LocalExecutor(), p, xs)
        const arrow = await observe(new ArrowBatchExecutor({ batchSize, concurrency }), p, xs)
        expect(arrow).toStrictEqual(local)
      },
    ),
    { numRuns: 150 },
  )

describe('fused batch forms (property)', () => {
  it('agree with LocalExecutor on results and on which node fails', async () => {
    await agreeWithLocal(outcome, 2, 5, 4)
  })

  it("fail the items LocalExecutor's calls fail, and only those, with onError: 'collect'", async () => {
    // a batch holding a failing item is split until the item is alone: no other item is lost
    await agreeWithLocal(collected, 1, 4, 8)
  })
})
