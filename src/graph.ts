/**
 * Pure graph algorithms over node indices: stable topological order, cycle path, ancestors.
 * Iterative throughout, so a 10,000-node chain does not overflow the stack.
 *
 * @internal
 */

/** `producers[i]` lists the indices of the nodes whose outputs node `i` consumes. */
export type Producers = ReadonlyArray<ReadonlyArray<number>>

export type TopoResult =
  | { readonly _tag: 'Order'; readonly order: ReadonlyArray<number> }
  | { readonly _tag: 'Cycle'; readonly cycle: ReadonlyArray<number> }

/**
 * Kahn's algorithm with a min-heap on declaration index: among the nodes that are ready, the one
 * declared first goes first, so ties keep declaration order.
 */
export function topoOrder(producers: Producers): TopoResult {
  const n = producers.length
  const indegree = new Int32Array(n)
  const consumers: Array<Array<number>> = Array.from({ length: n }, () => [])
  for (let i = 0; i < n; i++) {
    const ps = producers[i] ?? []
    indegree[i] = ps.length
    for (const p of ps) consumers[p]?.push(i)
  }
  const heap = new MinHeap()
  for (let i = 0; i < n; i++) if (indegree[i] === 0) heap.push(i)
  const order: Array<number> = []
  while (heap.size > 0) {
    const i = heap.pop()
    order.push(i)
    for (const c of consumers[i] ?? []) {
      indegree[c] = (indegree[c] ?? 0) - 1
      if (indegree[c] === 0) heap.push(c)
    }
  }
  if (order.length === n) return { _tag: 'Order', order }
  return { _tag: 'Cycle', cycle: findCycle(producers, indegree) }
}

/**
 * Every node left after Kahn has a producer that is also left, so walking producers from any of
 * them must revisit a node; the walk between the two visits is a cycle. Returned in data-flow
 * order (each node feeds the next, the last feeds the first).
 */
function findCycle(producers: Producers, indegree: Int32Array): ReadonlyArray<number> {
  const left = (i: number) => (indegree[i] ?? 0) > 0
  let start = 0
  while (!left(start)) start++
  const position = new Map<number, number>()
  const walk: Array<number> = []
  let at = start
  while (!position.has(at)) {
    position.set(at, walk.length)
    walk.push(at)
    const next = (producers[at] ?? []).find(left)
    if (next === undefined) break // unreachable: a left node always has a left producer
    at = next
  }
  return walk.slice(position.get(at) ?? 0).reverse()
}

/** The nodes that `targets` need, themselves included, as a set of indices. */
export function ancestors(producers: Producers, targets: Iterable<number>): Set<number> {
  const seen = new Set<number>()
  const stack = [...targets]
  while (stack.length > 0) {
    const i = stack.pop() as number
    if (seen.has(i)) continue
    seen.add(i)
    for (const p of producers[i] ?? []) if (!seen.has(p)) stack.push(p)
  }
  return seen
}

class MinHeap {
  private readonly items: Array<number> = []
  get size(): number {
    return this.items.length
  }
  push(x: number): void {
    const a = this.items
    a.push(x)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((a[parent] as number) <= x) break
      a[i] = a[parent] as number
      i = parent
    }
    a[i] = x
  }
  pop(): number {
    const a = this.items
    const top = a[0] as number
    const last = a.pop() as number
    if (a.length > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= a.length) break
        const r = l + 1
        const c = r < a.length && (a[r] as number) < (a[l] as number) ? r : l
        if ((a[c] as number) >= last) break
        a[i] = a[c] as number
        i = c
      }
      a[i] = last
    }
    return top
  }
}
