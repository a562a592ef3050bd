import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as t from 'io-ts'
import { ancestors, topoOrder, type Producers } from '../../src/graph.js'
import { LocalExecutor, node, pipeline, type AnyNode, type Pipeline } from '../../src/index.js'

// -------------------------------------------------------------------------------------
// random DAGs
// -------------------------------------------------------------------------------------

/**
 * A random DAG: edges only run from a lower to a higher original index (so it is acyclic), then
 * the nodes are declared in a shuffled order. `producers` is in declaration-index space.
 */
interface Dag {
  readonly n: number
  /** declared[k] = the original index of the node declared k-th (it names the node) */
  readonly declared: ReadonlyArray<number>
  readonly producers: Producers
}

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

const arbDag: fc.Arbitrary<Dag> = fc.integer({ min: 0, max: 24 }).chain((n) =>
  fc
    .record({
      // about one pair in four is an edge
      edgeDraws: fc.array(fc.integer({ min: 0, max: 3 }), {
        minLength: (n * (n - 1)) / 2,
        maxLength: (n * (n - 1)) / 2,
      }),
      declared: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }),
    })
    .map(({ edgeDraws, declared }) => {
      const position = new Map(declared.map((orig, k) => [orig, k]))
      const producers: Array<Array<number>> = range(n).map(() => [])
      let draw = 0
      for (let hi = 0; hi < n; hi++) {
        for (let lo = 0; lo < hi; lo++) {
          if (edgeDraws[draw++] === 0) {
            producers[position.get(hi) as number]?.push(position.get(lo) as number)
          }
        }
      }
      return { n, declared, producers }
    }),
)

// -------------------------------------------------------------------------------------
// references
// -------------------------------------------------------------------------------------

/** Repeatedly takes the earliest-declared node whose producers are all done. */
function referenceOrder(producers: Producers): ReadonlyArray<number> {
  const n = producers.length
  const done = new Array<boolean>(n).fill(false)
  const order: Array<number> = []
  while (order.length < n) {
    const next = range(n).find((k) => !done[k] && (producers[k] ?? []).every((p) => done[p]))
    if (next === undefined) throw new Error('reference order on a cyclic graph')
    done[next] = true
    order.push(next)
  }
  return order
}

/** Breadth-first search over producers. */
function referenceAncestors(producers: Producers, targets: ReadonlyArray<number>): Set<number> {
  const seen = new Set<number>(targets)
  const queue = [...targets]
  for (let i = 0; i < queue.length; i++) {
    for (const p of producers[queue[i] as number] ?? []) {
      if (!seen.has(p)) {
        seen.add(p)
        queue.push(p)
      }
    }
  }
  return seen
}

/** The nodes reachable from `from` along data flow, `from` included. */
function descendants(producers: Producers, from: number): ReadonlyArray<number> {
  const consumers = producers.map(() => [] as Array<number>)
  producers.forEach((ps, k) => ps.forEach((p) => consumers[p]?.push(k)))
  return [...referenceAncestors(consumers, [from])]
}

/** A DAG, some targets, and a back edge: `to` consumes `from`, which is downstream of `to`. */
const arbCase = arbDag
  .filter((d) => d.n > 0)
  .chain((dag) =>
    fc.record({
      dag: fc.constant(dag),
      targets: fc.uniqueArray(fc.integer({ min: 0, max: dag.n - 1 }), { maxLength: 4 }),
      backEdge: fc.integer({ min: 0, max: dag.n - 1 }).chain((to) => {
        const below = descendants(dag.producers, to)
        return fc.record({ to: fc.constant(to), from: fc.constantFrom(...below) })
      }),
    }),
  )

// -------------------------------------------------------------------------------------
// properties of src/graph.ts
// -------------------------------------------------------------------------------------

describe('topoOrder and ancestors over random DAGs', () => {
  it('gives a valid topological order: a permutation where producers come first', () => {
    fc.assert(
      fc.property(arbDag, ({ n, producers }) => {
        const r = topoOrder(producers)
        expect(r._tag).toBe('Order')
        if (r._tag !== 'Order') return
        expect([...r.order].sort((a, b) => a - b)).toEqual(range(n))
        const at = new Map(r.order.map((k, i) => [k, i]))
        producers.forEach((ps, k) => {
          for (const p of ps) expect(at.get(p) as number).toBeLessThan(at.get(k) as number)
        })
      }),
      { numRuns: 300 },
    )
  })

  it('is stable: equals taking the earliest-declared ready node each time', () => {
    fc.assert(
      fc.property(arbDag, ({ producers }) => {
        const r = topoOrder(producers)
        expect(r._tag === 'Order' ? r.order : r.cycle).toEqual(referenceOrder(producers))
      }),
      { numRuns: 300 },
    )
  })

  it('ancestors equals a reference breadth-first search', () => {
    fc.assert(
      fc.property(arbCase, ({ dag, targets }) => {
        expect(ancestors(dag.producers, targets)).toEqual(
          referenceAncestors(dag.producers, targets),
        )
      }),
      { numRuns: 300 },
    )
  })

  it('any back edge yields a Cycle whose path is a real cycle', () => {
    fc.assert(
      fc.property(arbCase, ({ dag, backEdge: { from, to } }) => {
        const producers = dag.producers.map((ps, k) => (k === to ? [...ps, from] : ps))
        const r = topoOrder(producers)
        expect(r._tag).toBe('Cycle')
        if (r._tag !== 'Cycle') return
        const c = r.cycle
        expect(c.length).toBeGreaterThan(0)
        expect(new Set(c).size).toBe(c.length)
        c.forEach((p, i) => {
          const k = c[(i + 1) % c.length] as number
          expect(producers[k]).toContain(p)
        })
      }),
      { numRuns: 300 },
    )
  })
})

// -------------------------------------------------------------------------------------
// the same properties through pipeline()
// -------------------------------------------------------------------------------------

const nameOf = (dag: Dag, k: number) => `n${dag.declared[k] as number}`

/**
 * Real nodes for the DAG, declared in its shuffled order. Each consumes `x` and its producers
 * (explicit deps through `inputs` codecs) and returns 1 + x + the sum of what it consumes.
 */
function nodesOf(dag: Dag): ReadonlyArray<AnyNode> {
  return range(dag.n).map((k) => {
    const deps = (dag.producers[k] ?? []).map((p) => nameOf(dag, p))
    const inputs = Object.fromEntries([['x', t.number], ...deps.map((d) => [d, t.number])])
    return node({ output: nameOf(dag, k), inputs }, (d) =>
      Object.values(d).reduce((sum, v) => sum + v, 1),
    ) as AnyNode
  })
}

/** Evaluates the DAG by hand, in the reference order. */
function referenceValues(dag: Dag, x: number): Record<string, number> {
  const values: Record<string, number> = {}
  for (const k of referenceOrder(dag.producers)) {
    values[nameOf(dag, k)] = (dag.producers[k] ?? []).reduce(
      (sum, p) => sum + (values[nameOf(dag, p)] as number),
      1 + x,
    )
  }
  return values
}

const untypedPipeline = pipeline as unknown as (
  ...xs: ReadonlyArray<unknown>
) => Pipeline<AnyNode, string>

describe('pipeline() over random DAGs', () => {
  const local = new LocalExecutor()

  it('orders stably, selects exactly the ancestors, and runs to the reference values', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, fc.integer({ min: -5, max: 5 }), async ({ dag, targets }, x) => {
        const p = untypedPipeline(...nodesOf(dag))
        const names = (ks: Iterable<number>) => [...ks].map((k) => nameOf(dag, k))
        const reference = referenceOrder(dag.producers)
        expect(p.order).toEqual(names(reference))
        expect(p.inputs).toEqual(['x'])

        const wanted = names(targets)
        const keep = referenceAncestors(dag.producers, targets)
        const selected = p.select(...(wanted as Array<never>))
        expect(selected.order).toEqual(names(reference.filter((k) => keep.has(k))))

        const out = (await local.run(p as never, { x } as never)) as Record<string, number>
        expect(out).toEqual(referenceValues(dag, x))
        if (wanted.length > 0) {
          const some = (await local.run(p as never, { x } as never, {
            outputs: wanted as never,
          })) as Record<string, number>
          const all = referenceValues(dag, x)
          expect(some).toEqual(Object.fromEntries(wanted.map((w) => [w, all[w]])))
        }
      }),
      { numRuns: 150 },
    )
  })

  it('any back edge makes pipeline() throw a CycleError along real edges', () => {
    fc.assert(
      fc.property(arbCase, ({ dag, backEdge: { from, to } }) => {
        const producers = dag.producers.map((ps, k) => (k === to ? [...ps, from] : ps))
        const cyclic = { ...dag, producers }
        let error: unknown
        try {
          untypedPipeline(...nodesOf(cyclic))
        } catch (e) {
          error = e
        }
        expect(error).toMatchObject({ code: 'CYCLE' })
        const path = (error as { path: ReadonlyArray<string> }).path
        const consumes = new Map(range(dag.n).map((k) => [nameOf(dag, k), producers[k] ?? []]))
        path.forEach((from, i) => {
          const to = path[(i + 1) % path.length] as string
          expect((consumes.get(to) ?? []).map((p) => nameOf(dag, p))).toContain(from)
        })
      }),
      { numRuns: 150 },
    )
  })
})
