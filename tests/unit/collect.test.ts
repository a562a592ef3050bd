import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { rejection } from '../helpers.js'
import {
  LocalExecutor,
  NodeError,
  memoryCache,
  type Column,
  ValidationError,
  node,
  pipeline,
  type DagflowEvent,
  type Executor,
} from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'

const Item = t.type({ id: t.string, x: t.number })
const items = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, x) => ({ id, x }))

const executors: ReadonlyArray<[string, () => Executor]> = [
  ['local', () => new LocalExecutor({ concurrency: 3 })],
  ['arrow', () => new ArrowBatchExecutor({ batchSize: 2, concurrency: 3 })],
]

for (const [name, make] of executors) {
  describe(`onError: 'collect' (${name})`, () => {
    const first = node(
      { output: 'first', mapAxis: 'item', keyAttr: 'id', inputs: { item: Item } },
      ({ item }) => {
        if (item.id === 'b') throw new Error('b breaks in first')
        return item.x * 10
      },
    )
    const second = node({ output: 'second', mapAxis: 'first' }, async ({ first }: { first: number }) => {
      if (first === 40) throw new Error('e breaks in second')
      return first + 1
    })
    const total = node({ output: 'total' }, ({ second }: { second: ReadonlyArray<number> }) => second.join(','))
    const p = pipeline(first, second, total)

    it('drops failed items from every output and keys, lists them in input order', async () => {
      const events: Array<DagflowEvent> = []
      const r = await make().map(p, { item: items }, { onError: 'collect', onEvent: (e) => events.push(e) })
      expect(r.keys).toStrictEqual(['a', 'c', 'd', 'f'])
      expect(r.outputs.first).toStrictEqual([0, 20, 30, 50])
      expect(r.outputs.second).toStrictEqual([1, 21, 31, 51])
      // the reduce sees only the items that succeeded, in input order
      expect(r.outputs.total).toBe('1,21,31,51')
      expect(r.errors?.map((f) => [f.key, f.index, f.node])).toStrictEqual([
        ['b', 1, 'first'],
        ['e', 4, 'second'],
      ])
      expect(r.errors?.[0]?.error).toBeInstanceOf(NodeError)
      expect((r.errors?.[1]?.error as NodeError).cause).toMatchObject({ message: 'e breaks in second' })
      const itemErrors = events.filter((e) => e.type === 'item:error')
      expect(itemErrors.map((e) => (e.type === 'item:error' ? e.key : undefined)).sort()).toStrictEqual(['b', 'e'])
    })

    it('collects items whose values fail their codecs', async () => {
      const bad = [...items.slice(0, 2), { id: 'z', x: 'oops' as unknown as number }, ...items.slice(3)]
      const r = await make().map(p, { item: bad }, { onError: 'collect' })
      expect(r.keys).toStrictEqual(['a', 'd', 'f'])
      expect(r.errors?.map((f) => [f.key, f.node, f.error.code])).toStrictEqual([
        ['b', 'first', 'NODE_FAILED'],
        ['z', 'first', 'VALIDATION'],
        ['e', 'second', 'NODE_FAILED'],
      ])
      expect(r.errors?.[1]?.error).toBeInstanceOf(ValidationError)
    })

    it('still rejects when a once-only node fails, and in fail mode', async () => {
      const boom = node({ output: 'total' }, ({ second }: { second: ReadonlyArray<number> }) => {
        throw new Error(`reduce over ${second.length}`)
      })
      const e = await rejection(make().map(pipeline(first, second, boom), { item: items }, { onError: 'collect' }))
      expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'total' })
      const failFast = await rejection(make().map(p, { item: items }))
      expect(failFast).toMatchObject({ code: 'NODE_FAILED', node: 'first', key: 'b' })
    })

    it('does not apply to run, which always rejects', async () => {
      const e = await rejection(make().run(p, { item: items[1] as { id: string; x: number } }, { onError: 'collect' }))
      expect(e).toMatchObject({ code: 'NODE_FAILED', key: 'b' })
    })

    it('collects failures of a plain sync node (no codecs), more than one, and goes on', async () => {
      const inverse = node({ output: 'inv', mapAxis: 'x' }, ({ x }: { x: number }) => {
        if (x % 2 === 0) throw new Error(`even ${x}`)
        return 1 / x
      })
      const r = await make().map(pipeline(inverse), { x: [1, 2, 3, 4, 5] }, { onError: 'collect' })
      expect(r.outputs.inv).toStrictEqual([1, 1 / 3, 1 / 5])
      expect(r.keys).toStrictEqual([0, 2, 4])
      expect(r.errors?.map((f) => f.index)).toStrictEqual([1, 3])
    })

    it('returns an empty errors list when nothing fails', async () => {
      const ok = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x)
      const r = await make().map(pipeline(ok), { x: [1, 2] }, { onError: 'collect' })
      expect(r.errors).toStrictEqual([])
      expect(r.outputs.y).toStrictEqual([1, 2])
    })
  })
}

describe("onError: 'collect' with batch forms (arrow)", () => {
  it('splits a batch whose call fails after its retries until the failing item is alone', async () => {
    const calls: Array<string> = []
    const embed = node(
      {
        output: 'v',
        mapAxis: 'item',
        keyAttr: 'id',
        inputs: { item: Item },
        retry: { attempts: 2 },
        batch: ({ item }) => {
          const its = Array.from(item)
          calls.push(its.map((i) => i.id).join(''))
          if (its.some((i) => i.id === 'c')) throw new Error('model rejects c')
          return its.map((i) => i.x)
        },
      },
      ({ item }) => {
        if (item.id === 'c') throw new Error('model rejects c')
        return item.x
      },
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(embed), { item: items }, { onError: 'collect' })
    expect(r.keys).toStrictEqual(['a', 'b', 'd', 'e', 'f'])
    expect(r.outputs.v).toStrictEqual([0, 1, 3, 4, 5])
    expect(r.errors?.map((f) => [f.key, f.index, f.node])).toStrictEqual([['c', 2, 'v']])
    const e = r.errors?.[0]?.error
    expect(e).toBeInstanceOf(NodeError)
    expect(e?.message).toContain('on its batch of 1 item from item 2 (key "c"): model rejects c')
    // each call twice when it fails (retry); the failing batch's halves after the other batches
    expect(calls).toStrictEqual(['ab', 'cd', 'cd', 'ef', 'c', 'c', 'd'])
    // every item was processed (item c failed here), as LocalExecutor counts them
    expect(r.stats.nodes['v']).toMatchObject({ calls: 7, items: 6 })
    // the items LocalExecutor's per-item calls keep and fail
    const local = await new LocalExecutor().map(pipeline(embed), { item: items }, { onError: 'collect' })
    expect({ keys: r.keys, outputs: r.outputs }).toStrictEqual({ keys: local.keys, outputs: local.outputs })
    expect(r.errors?.map((f) => f.key)).toStrictEqual(local.errors?.map((f) => f.key))
  })

  it('finds every failing item of a batch, async and on the worker pool too', async () => {
    const many = Array.from({ length: 16 }, (_, x) => ({ id: `k${x}`, x }))
    const bad = new Set(['k3', 'k4', 'k13'])
    let calls = 0
    const embed = node(
      {
        output: 'v',
        mapAxis: 'item',
        keyAttr: 'id',
        inputs: { item: Item },
        batch: async ({ item }) => {
          calls++
          await new Promise((r) => setTimeout(r, 1))
          if (Array.from(item).some((i) => bad.has(i.id))) throw new Error('bad item in batch')
          return Array.from(item, (i) => i.x * 10)
        },
      },
      ({ item }) => item.x * 10,
    )
    const events: Array<DagflowEvent> = []
    const r = await new ArrowBatchExecutor({ batchSize: 8, concurrency: 4 }).map(
      pipeline(embed),
      { item: many },
      { onError: 'collect', onEvent: (ev) => events.push(ev) },
    )
    expect(r.errors?.map((f) => f.key)).toStrictEqual(['k3', 'k4', 'k13'])
    expect(r.outputs.v).toStrictEqual(many.filter((i) => !bad.has(i.id)).map((i) => i.x * 10))
    // 2 batches of 8, then the halves of each failing batch (4, then 6 of 2, then 6 of 1)
    expect(calls).toBe(18)
    expect(events.filter((ev) => ev.type === 'item:error').map((ev) => (ev as { key: unknown }).key).sort()).toStrictEqual([
      'k13',
      'k3',
      'k4',
    ])
  })

  it('runs a chain of batch forms fused until an item fails, then goes on without calling a batch twice', async () => {
    // a: item 5's result fails `returns` (t.Int); b: item 6's value fails its `inputs` codec;
    // c: the batch holding item 7 throws, until item 7 is alone
    const calls: Array<string> = []
    const log = (name: string, xs: ArrayLike<number>): void => {
      calls.push(`${name}:${Array.from(xs, (v) => (name === 'a' ? v : name === 'b' ? v / 2 : (v - 1) / 2)).join(',')}`)
    }
    const NotTwelve = t.refinement(t.number, (v) => v !== 12, 'NotTwelve')
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        inputs: { x: t.number },
        returns: t.Int,
        batch: ({ x }) => (log('a', x), Array.from(x, (v) => (v === 5 ? 10.5 : v * 2) as t.Int)),
      },
      ({ x }) => (x === 5 ? 10.5 : x * 2) as t.Int,
    )
    const b = node(
      { output: 'b', mapAxis: 'a', inputs: { a: NotTwelve }, batch: ({ a }) => (log('b', a), Array.from(a, (v) => v + 1)) },
      ({ a }) => a + 1,
    )
    const c = node(
      {
        output: 'c',
        mapAxis: 'b',
        batch: ({ b }: { b: Column<number> }) => {
          log('c', b)
          if (Array.from(b).includes(15)) throw new Error('c rejects 15')
          return Array.from(b, (v) => v * 10)
        },
      },
      ({ b }: { b: number }) => {
        if (b === 15) throw new Error('c rejects 15')
        return b * 10
      },
    )
    const p = pipeline(a, b, c)
    const x = Array.from({ length: 12 }, (_, i) => i)
    const r = await new ArrowBatchExecutor({ batchSize: 4 }).map(p, { x }, { onError: 'collect' })
    const local = await new LocalExecutor().map(p, { x }, { onError: 'collect' })
    expect({ keys: r.keys, outputs: r.outputs }).toStrictEqual({ keys: local.keys, outputs: local.outputs })
    expect(r.errors?.map((f) => [f.key, f.node, f.error.code])).toStrictEqual([
      [5, 'a', 'VALIDATION'],
      [6, 'b', 'VALIDATION'],
      [7, 'c', 'NODE_FAILED'],
    ])
    expect(r.errors?.map((f) => [f.key, f.node])).toStrictEqual(local.errors?.map((f) => [f.key, f.node]))
    // fused for batch 0; then a's failing batch is taken as it came back, never called again,
    // and each node goes on over the items still alive (b's batch from item 4 drops item 6)
    expect(calls).toStrictEqual([
      'a:0,1,2,3',
      'b:0,1,2,3',
      'c:0,1,2,3',
      'a:4,5,6,7',
      'a:8,9,10,11',
      'b:4,7,8',
      'b:9,10,11',
      'c:4,7,8,9',
      'c:10,11',
      'c:4,7',
      'c:8,9',
      'c:4',
      'c:7',
    ])
    // items each node processed, as LocalExecutor counts them (a result that fails `returns` too)
    for (const name of ['a', 'b', 'c']) expect(r.stats.nodes[name]?.items).toBe(local.stats.nodes[name]?.items)
    expect(r.stats.nodes['a']?.calls).toBe(3)
    expect(r.stats.nodes['c']?.calls).toBe(7)
  })

  it('keeps typed columns typed after the fused run stops at a promise', async () => {
    const seen: Array<string> = []
    const a = node(
      { output: 'a', mapAxis: 'x', batch: ({ x }: { x: Column<number> }) => Float64Array.from(x, (v) => v + 1) },
      ({ x }: { x: number }) => x + 1,
    )
    const b = node(
      {
        output: 'b',
        mapAxis: 'a',
        batch: ({ a }: { a: Column<number> }) => {
          const r = Float64Array.from(a, (v) => v * 2)
          return (a[0] as number) >= 3 ? Promise.resolve(r) : r
        },
      },
      ({ a }: { a: number }) => a * 2,
    )
    const c = node(
      {
        output: 'c',
        mapAxis: 'b',
        batch: ({ b }: { b: Column<number> }) => (seen.push(b.constructor.name), Array.from(b, (v) => v + 1)),
      },
      ({ b }: { b: number }) => b + 1,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(a, b, c), { x: [0, 1, 2, 3] }, { onError: 'collect' })
    expect(r.outputs.c).toStrictEqual([3, 5, 7, 9])
    expect(seen).toStrictEqual(['Float64Array', 'Float64Array'])
  })

  it('fails every item of a batch whose form returns the wrong number of results, without splitting it', async () => {
    let calls = 0
    const embed = node(
      {
        output: 'v',
        mapAxis: 'item',
        keyAttr: 'id',
        inputs: { item: Item },
        batch: ({ item }) => {
          calls++
          const its = Array.from(item, (i) => i.x)
          return its.includes(2) ? its.slice(1) : its
        },
      },
      ({ item }) => item.x,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(embed), { item: items }, { onError: 'collect' })
    expect(r.keys).toStrictEqual(['a', 'b', 'e', 'f'])
    expect(r.errors?.map((f) => f.key)).toStrictEqual(['c', 'd'])
    expect(calls).toBe(3)
  })

  it('drops only the item whose value fails its codec from a batch', async () => {
    const sizes: Array<number> = []
    const embed = node(
      {
        output: 'v',
        mapAxis: 'item',
        keyAttr: 'id',
        inputs: { item: Item },
        batch: ({ item }) => {
          sizes.push(item.length)
          return Array.from(item, (i) => i.x)
        },
      },
      ({ item }) => item.x,
    )
    const bad = [...items.slice(0, 1), { id: 'z', x: 'no' as unknown as number }, ...items.slice(2, 4)]
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(embed), { item: bad }, { onError: 'collect' })
    expect(r.keys).toStrictEqual(['a', 'c', 'd'])
    expect(r.outputs.v).toStrictEqual([0, 2, 3])
    expect(r.errors?.map((f) => [f.key, f.error.code])).toStrictEqual([['z', 'VALIDATION']])
    expect(sizes).toStrictEqual([1, 2])
  })
})

for (const [name, make] of executors) {
  describe(`onError: 'collect', counts and cache keys (${name})`, () => {
    const checked = node({ output: 'a', mapAxis: 'x', inputs: { x: t.number } }, ({ x }) => x)
    const plusOne = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => a + 1)
    const plusOneBatch = node(
      { output: 'b', mapAxis: 'a', batch: ({ a }: { a: Column<number> }) => Array.from(a, (v) => v + 1) },
      ({ a }: { a: number }) => a + 1,
    )

    it('does not count items that failed upstream as calls or items of later nodes', async () => {
      const bad = { x: ['bad' as unknown as number, 5, 6] }
      const perItem = await make().map(pipeline(checked, plusOne), bad, { onError: 'collect' })
      expect(perItem.outputs.b).toStrictEqual([6, 7])
      expect(perItem.stats.nodes['b']).toMatchObject({ calls: 2, items: 2 })
      const batched = await make().map(pipeline(checked, plusOneBatch), bad, { onError: 'collect' })
      expect(batched.outputs.b).toStrictEqual([6, 7])
      expect(batched.stats.nodes['b']).toMatchObject({ items: 2, calls: name === 'arrow' ? 1 : 2 })
    })

    it('keys a reduce over an uncached node by what survived, not by a placeholder', async () => {
      // `a` is uncached and gives typed results; a failed item must not hash like a real 0
      const typed = node(
        {
          output: 'a',
          mapAxis: 'x',
          inputs: { x: t.number },
          cache: false,
          batch: ({ x }) => Float64Array.from(x),
        },
        ({ x }) => x,
      )
      const count = node({ output: 'count' }, ({ a }: { a: ReadonlyArray<number> }) => a.length)
      const cache = memoryCache()
      const first = await make().map(
        pipeline(typed, count),
        { x: [1, 'bad' as unknown as number, 2] },
        { onError: 'collect', cache },
      )
      expect(first.outputs.count).toBe(2)
      const second = await make().map(pipeline(typed, count), { x: [1, 0, 2] }, { onError: 'collect', cache })
      expect(second.outputs.a).toStrictEqual([1, 0, 2])
      expect(second.outputs.count).toBe(3)
    })
  })
}

