import { describe, it, expect } from 'vitest'
import { ancestors, topoOrder, type Producers } from '../../src/graph.js'

/** The order of a graph that must be acyclic. */
function order(producers: Producers): ReadonlyArray<number> {
  const r = topoOrder(producers)
  if (r._tag !== 'Order') throw new Error(`expected an order, got the cycle ${r.cycle.join(',')}`)
  return r.order
}

/** The cycle of a graph that must be cyclic. */
function cycle(producers: Producers): ReadonlyArray<number> {
  const r = topoOrder(producers)
  if (r._tag !== 'Cycle') throw new Error(`expected a cycle, got the order ${r.order.join(',')}`)
  return r.cycle
}

/** Each element feeds the next, and the last feeds the first. */
function expectRealCycle(producers: Producers, c: ReadonlyArray<number>): void {
  expect(c.length).toBeGreaterThan(0)
  expect(new Set(c).size).toBe(c.length)
  const notEdges = c.flatMap((from, i) => {
    const to = c[(i + 1) % c.length] as number
    return producers[to]?.includes(from) === true ? [] : [[from, to]]
  })
  expect(notEdges).toEqual([])
}

describe('topoOrder', () => {
  it('orders an empty graph', () => {
    expect(order([])).toEqual([])
  })

  it('keeps declaration order among independent nodes', () => {
    expect(order([[], [], [], []])).toEqual([0, 1, 2, 3])
  })

  it('puts producers first', () => {
    // 0 needs 2, 2 needs 1
    expect(order([[2], [], [1]])).toEqual([1, 2, 0])
  })

  it('takes the earliest-declared ready node at every step', () => {
    // 0 needs 3; 1, 2, 3 are free: 3 must precede 0, but 1 and 2 keep their places after 0
    expect(order([[3], [], [], []])).toEqual([1, 2, 3, 0])
    // 0 needs 1: once 1 runs, 0 (declared first) goes before 2 and 3
    expect(order([[1], [], [], []])).toEqual([1, 0, 2, 3])
  })

  it('handles a diamond and duplicate edges', () => {
    // 3 needs 1 and 2; 1 and 2 need 0; 3 lists 1 twice
    expect(order([[], [0], [0], [1, 2, 1]])).toEqual([0, 1, 2, 3])
  })

  it('finds a self-loop', () => {
    const producers = [[], [1], []]
    expect(cycle(producers)).toEqual([1])
  })

  it('finds a 2-cycle and a 3-cycle in data-flow order', () => {
    const two = [[1], [0]]
    expectRealCycle(two, cycle(two))
    // 0 → 1 → 2 → 0
    const three = [[2], [0], [1]]
    const c = cycle(three)
    expect([...c].sort()).toEqual([0, 1, 2])
    expectRealCycle(three, c)
  })

  it('lists only the cycle, not the nodes leading into or out of it', () => {
    // 0 free; 1 needs 0 and 3; 2 needs 1; 3 needs 2 (cycle 1 → 2 → 3 → 1); 4 needs 3
    const producers = [[], [0, 3], [1], [2], [3]]
    const c = cycle(producers)
    expect([...c].sort()).toEqual([1, 2, 3])
    expectRealCycle(producers, c)
  })

  it('finds the cycle in a graph whose first node is acyclic but downstream of it', () => {
    // node 0 consumes node 1, which sits on the 1 ↔ 2 cycle
    const producers = [[1], [2], [1]]
    const c = cycle(producers)
    expect([...c].sort()).toEqual([1, 2])
    expectRealCycle(producers, c)
  })

  it('sorts a 100,000-node chain declared backwards, iteratively', () => {
    const n = 100_000
    // node i needs node i + 1: the reverse of declaration order
    const producers = Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : []))
    const o = order(producers)
    expect(o[0]).toBe(n - 1)
    expect(o[n - 1]).toBe(0)
  })

  it('finds a 100,000-node cycle iteratively', () => {
    const n = 100_000
    const producers = Array.from({ length: n }, (_, i) => [(i + n - 1) % n])
    const c = cycle(producers)
    expect(c).toHaveLength(n)
    expectRealCycle(producers, c)
  })
})

describe('ancestors', () => {
  // 0 ← 1 ← 2, 3 ← 2, 4 free, 5 ← 4 and 1
  const producers: Producers = [[], [0], [1, 3], [], [], [4, 1]]

  it('includes the targets themselves', () => {
    expect([...ancestors(producers, [0])]).toEqual([0])
    expect(ancestors(producers, [4])).toEqual(new Set([4]))
  })

  it('collects every transitive producer', () => {
    expect(ancestors(producers, [2])).toEqual(new Set([0, 1, 2, 3]))
    expect(ancestors(producers, [5])).toEqual(new Set([0, 1, 4, 5]))
  })

  it('unions several targets', () => {
    expect(ancestors(producers, [2, 5])).toEqual(new Set([0, 1, 2, 3, 4, 5]))
    expect(ancestors(producers, [])).toEqual(new Set())
  })

  it('terminates on cycles', () => {
    expect(ancestors([[1], [0]], [0])).toEqual(new Set([0, 1]))
  })

  it('walks a 100,000-node chain iteratively', () => {
    const n = 100_000
    const chain = Array.from({ length: n }, (_, i) => (i > 0 ? [i - 1] : []))
    expect(ancestors(chain, [n - 1]).size).toBe(n)
  })
})
