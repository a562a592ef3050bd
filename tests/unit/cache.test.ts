import * as t from 'io-ts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalExecutor, memoryCache, node, pipeline, type Column, type Executor } from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'
import { rejection } from '../helpers.js'

const executors: ReadonlyArray<[string, () => Executor]> = [
  ['local', () => new LocalExecutor({ concurrency: 4 })],
  ['arrow', () => new ArrowBatchExecutor({ batchSize: 2, concurrency: 4 })],
]

/** Counts calls per node name. */
function counter() {
  const calls: Record<string, number> = {}
  const hit = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1
  }
  return { calls, hit }
}

const warnings: Array<Error & { code?: string }> = []
const onWarning = (w: Error) => warnings.push(w)
beforeEach(() => {
  warnings.length = 0
  process.on('warning', onWarning)
})
afterEach(() => {
  process.off('warning', onWarning)
})

for (const [name, make] of executors) {
  describe(`cache (${name})`, () => {
    const build = (c: ReturnType<typeof counter>, variant: 'times' | 'plus' = 'times') => {
      const parse = node({ output: 'v', mapAxis: 'item', keyAttr: 'id' }, ({ item }: { item: { id: string; x: number } }) => {
        c.hit('parse')
        return item.x
      })
      const scaled =
        variant === 'times'
          ? node({ output: 'w', mapAxis: 'v' }, ({ v, k }: { v: number; k: number }) => {
              c.hit('scaled')
              return v * k
            })
          : node({ output: 'w', mapAxis: 'v' }, ({ v, k }: { v: number; k: number }) => {
              c.hit('scaled')
              return v * k + 1
            })
      const total = node({ output: 'total' }, ({ w }: { w: ReadonlyArray<number> }) => {
        c.hit('total')
        return w.reduce((a, b) => a + b, 0)
      })
      return pipeline(parse, scaled, total)
    }
    const items = [
      { id: 'a', x: 1 },
      { id: 'b', x: 2 },
      { id: 'c', x: 3 },
    ]

    it('reruns nothing when nothing changed, and returns the same values', async () => {
      const cache = memoryCache()
      const c = counter()
      const first = await make().map(build(c), { item: items, k: 10 }, { cache })
      expect(c.calls).toStrictEqual({ parse: 3, scaled: 3, total: 1 })
      const again = await make().map(build(c), { item: items, k: 10 }, { cache })
      expect(c.calls).toStrictEqual({ parse: 3, scaled: 3, total: 1 })
      expect(again.outputs).toStrictEqual(first.outputs)
      // (nodes are named by their outputs: v, w, total)
      expect(again.stats.nodes['v']).toMatchObject({ cached: 3, calls: 0 })
      expect(again.stats.nodes['total']).toMatchObject({ cached: 1, calls: 0 })
    })

    it('recomputes exactly the changed item, through its chain, and the reduce', async () => {
      const cache = memoryCache()
      const c = counter()
      await make().map(build(c), { item: items, k: 10 }, { cache })
      const changed = [items[0], { id: 'b', x: 20 }, items[2]] as typeof items
      const r = await make().map(build(c), { item: changed, k: 10 }, { cache })
      expect(c.calls).toStrictEqual({ parse: 4, scaled: 4, total: 2 })
      expect(r.outputs.w).toStrictEqual([10, 200, 30])
    })

    it('recomputes what reads a changed constant, and nothing upstream of it', async () => {
      const cache = memoryCache()
      const c = counter()
      await make().map(build(c), { item: items, k: 10 }, { cache })
      const r = await make().map(build(c), { item: items, k: 100 }, { cache })
      expect(c.calls).toStrictEqual({ parse: 3, scaled: 6, total: 2 })
      expect(r.outputs.total).toBe(600)
    })

    it('recomputes a node whose code changed, and what depends on it', async () => {
      const cache = memoryCache()
      const c = counter()
      await make().map(build(c, 'times'), { item: items, k: 10 }, { cache })
      // the same names, a different function source for `scaled`
      await make().map(build(c, 'plus'), { item: items, k: 10 }, { cache })
      expect(c.calls).toStrictEqual({ parse: 3, scaled: 6, total: 2 })
    })

    it('recomputes when version is bumped, and never caches a node with cache: false', async () => {
      const cache = memoryCache()
      const c = counter()
      const mk = (version: string) =>
        pipeline(
          node({ output: 'y', mapAxis: 'x', version }, ({ x }: { x: number }) => (c.hit('y'), x + 1)),
          node({ output: 'z', mapAxis: 'y', cache: false }, ({ y }: { y: number }) => (c.hit('z'), y * 2)),
          node({ output: 'q', mapAxis: 'z' }, ({ z }: { z: number }) => (c.hit('q'), z - 1)),
        )
      await make().map(mk('1'), { x: [1, 2] }, { cache })
      await make().map(mk('1'), { x: [1, 2] }, { cache })
      // z always runs; q is keyed on z's (hashed) outputs, which did not change
      expect(c.calls).toStrictEqual({ y: 2, z: 4, q: 2 })
      await make().map(mk('2'), { x: [1, 2] }, { cache })
      expect(c.calls).toStrictEqual({ y: 4, z: 6, q: 2 })
    })

    it('hashes structurally: key order does not matter, -0 and 0 differ', async () => {
      const cache = memoryCache()
      const c = counter()
      const p = pipeline(
        node({ output: 'y', mapAxis: 'o' }, ({ o }: { o: { a: number; b: number } }) => (c.hit('y'), o.a + o.b)),
      )
      await make().map(p, { o: [{ a: 1, b: 2 }] }, { cache })
      await make().map(p, { o: [{ b: 2, a: 1 }] }, { cache })
      expect(c.calls['y']).toBe(1)
      await make().map(p, { o: [{ a: -0, b: 2 }] }, { cache })
      await make().map(p, { o: [{ a: 0, b: 2 }] }, { cache })
      expect(c.calls['y']).toBe(3)
    })

    it('returns exactly the value the node returned', async () => {
      const cache = memoryCache()
      const p = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => ({ x, at: [x] })))
      const first = await make().map(p, { x: [1] }, { cache })
      const again = await make().map(p, { x: [1] }, { cache })
      expect(again.outputs.y[0]).toBe(first.outputs.y[0])
    })

    it('leaves a node uncached, with one warning naming node and parameter, when a value cannot be hashed', async () => {
      class Client {
        readonly url: string
        constructor(url: string) {
          this.url = url
        }
      }
      const cache = memoryCache()
      const c = counter()
      const p = pipeline(
        node({ output: 'y', mapAxis: 'x' }, ({ x, client }: { x: number; client: Client }) => (c.hit('y'), `${client.url}/${x}`)),
      )
      await make().map(p, { x: [1, 2], client: new Client('db') }, { cache })
      await make().map(p, { x: [1, 2], client: new Client('db') }, { cache })
      expect(c.calls['y']).toBe(4)
      await new Promise((r) => setImmediate(r)) // warnings are emitted on the next tick
      const ours = warnings.filter((w) => w.code === 'DAGFLOW_UNCACHEABLE')
      expect(ours.length).toBe(1) // once per process, not once per run
      expect(ours[0]?.message).toContain('"y"')
      expect(ours[0]?.message).toContain('"client"')
      // with a cache key of its own, it is cached
      class Keyed extends Client {
        [Symbol.for('dagflow.cacheKey')]() {
          return this.url
        }
      }
      await make().map(p, { x: [1, 2], client: new Keyed('db') }, { cache })
      await make().map(p, { x: [1, 2], client: new Keyed('db') }, { cache })
      expect(c.calls['y']).toBe(6)
    })

    it('never stores a failed call, and stores the successes of a collect-mode run', async () => {
      const cache = memoryCache()
      const c = counter()
      const p = pipeline(
        node({ output: 'y', mapAxis: 'x', timeoutMs: 15 }, async ({ x }: { x: number }) => {
          c.hit('y')
          if (x === 2) await new Promise((r) => setTimeout(r, 60))
          return x * 10
        }),
      )
      const e = await rejection(make().map(p, { x: [1, 2] }, { cache }))
      expect(e).toMatchObject({ code: 'NODE_FAILED' })
      const r = await make().map(p, { x: [1, 2, 3] }, { cache, onError: 'collect' })
      expect(r.outputs.y).toStrictEqual([10, 30])
      await new Promise((r2) => setTimeout(r2, 80)) // late results arrive and are dropped
      const calls = c.calls['y'] ?? 0
      await make().map(p, { x: [1, 3] }, { cache })
      expect(c.calls['y']).toBe(calls)
      expect(cache.size).toBe(2)
    })
  })
}

for (const [name, make] of executors) {
  describe(`cache and onError: 'collect' (${name})`, () => {
    // y (not cached, so it runs every time) fails item 2 while `failing` holds; sum reduces
    // what survived
    let failing = false
    const y = node(
      { output: 'y', mapAxis: 'x', cache: false, batch: ({ x }: { x: Column<number> }) => Array.from(x, must) },
      ({ x }: { x: number }) => must(x),
    )
    const must = (x: number): number => {
      if (failing && x === 2) throw new Error('flaky service')
      return x
    }
    const sum = node({ output: 'sum' }, ({ y }: { y: ReadonlyArray<number> }) => y.reduce((a, b) => a + b, 0))
    const p = pipeline(y, sum)

    it('keys a reduce by the items it received: an item that failed before is not left out later', async () => {
      const cache = memoryCache()
      failing = true
      const first = await make().map(p, { x: [1, 2, 3] }, { cache, onError: 'collect' })
      expect(first.outputs.sum).toBe(4)
      failing = false
      const second = await make().map(p, { x: [1, 2, 3] }, { cache, onError: 'collect' })
      expect(second.outputs).toStrictEqual({ y: [1, 2, 3], sum: 6 })
      expect(second.stats.nodes['sum']?.cached).toBe(0)
      // and the other way round: the reduce over every item is not served when one fails; the
      // one over the items that survived is
      failing = true
      const third = await make().map(p, { x: [1, 2, 3] }, { cache, onError: 'collect' })
      expect(third.outputs).toStrictEqual({ y: [1, 3], sum: 4 })
      expect(third.stats.nodes['sum']?.cached).toBe(1)
      // the same surviving items, from a run where none failed: served
      failing = false
      const fourth = await make().map(p, { x: [1, 3] }, { cache, onError: 'collect' })
      expect(fourth.outputs.sum).toBe(4)
      expect(fourth.stats.nodes['sum']?.cached).toBe(1)
    })
  })
}

describe('cache with batch forms (arrow)', () => {
  it('computes only the items that missed', async () => {
    const sizes: Array<number> = []
    const embed = node(
      {
        output: 'v',
        mapAxis: 's',
        inputs: { s: t.string },
        batch: ({ s }) => {
          sizes.push(s.length)
          return Array.from(s, (x) => x.length)
        },
      },
      ({ s }) => s.length,
    )
    const cache = memoryCache()
    const arrow = new ArrowBatchExecutor({ batchSize: 2 })
    await arrow.map(pipeline(embed), { s: ['a', 'bb', 'ccc'] }, { cache })
    const r = await arrow.map(pipeline(embed), { s: ['a', 'dddd', 'bb', 'ccc', 'eeeee'] }, { cache })
    expect(r.outputs.v).toStrictEqual([1, 4, 2, 3, 5])
    expect(sizes).toStrictEqual([2, 1, 2])
    expect(r.stats.nodes['v']).toMatchObject({ cached: 3, calls: 1 })
  })
})
