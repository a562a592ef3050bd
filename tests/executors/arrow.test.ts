import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { rejection } from '../helpers.js'
import {
  GraphError,
  LocalExecutor,
  NodeError,
  ValidationError,
  memoryCache,
  node,
  pipeline,
  type Column,
} from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'
import { executorSuite } from '../conformance/executor-suite.js'

executorSuite('arrow', () => new ArrowBatchExecutor({ batchSize: 2, concurrency: 4 }))

const Q = t.type({ id: t.string, text: t.string })

describe('ArrowBatchExecutor: batch forms', () => {
  it('calls the batch form once per batch of at most batchSize items, in order', async () => {
    const sizes: Array<number> = []
    const len = node(
      {
        output: 'len',
        mapAxis: 'q',
        keyAttr: 'id',
        inputs: { q: Q },
        batch: ({ q }) => {
          sizes.push(q.length)
          return Array.from(q, (x) => x.text.length)
        },
      },
      ({ q }) => q.text.length,
    )
    const qs = Array.from({ length: 7 }, (_, i) => ({ id: `q${i}`, text: 'x'.repeat(i) }))
    const r = await new ArrowBatchExecutor({ batchSize: 3 }).map(pipeline(len), { q: qs })
    expect(sizes).toStrictEqual([3, 3, 1])
    expect(r.outputs.len).toStrictEqual([0, 1, 2, 3, 4, 5, 6])
    expect(r.keys).toStrictEqual(qs.map((q) => q.id))
    expect(r.executor).toBe('arrow')
  })

  it('hands t.number columns over as Float64Arrays and constants as repeated columns', async () => {
    const seen: Array<{ x: string; k: string; kValues: Array<number> }> = []
    const scale = node(
      {
        output: 'y',
        mapAxis: 'x',
        inputs: { x: t.number, k: t.number, label: t.string },
        batch: ({ x, k, label }) => {
          seen.push({ x: x.constructor.name, k: k.constructor.name, kValues: Array.from(k) })
          expect(Array.from(label)).toStrictEqual(Array.from({ length: x.length }, () => 'L'))
          return Float64Array.from(x, (v, i) => v * (k[i] as number))
        },
      },
      ({ x, k }) => x * k,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(scale), {
      x: [1, -0, 3],
      k: 2,
      label: 'L',
    })
    expect(seen).toStrictEqual([
      { x: 'Float64Array', k: 'Float64Array', kValues: [2, 2] },
      { x: 'Float64Array', k: 'Float64Array', kValues: [2] },
    ])
    // per-item outputs are plain arrays, never typed arrays, and -0 survives
    expect(Array.isArray(r.outputs.y)).toBe(true)
    expect(r.outputs.y).toStrictEqual([2, -0, 6])
  })

  it('gives every batch its own t.number column: one a batch form keeps is not overwritten', async () => {
    // the executor checks a plain column of numbers into one buffer per run, a view per batch;
    // the views must not overlap, whether calls run in order or on the pool, and a retried
    // call must see its batch again
    for (const async of [false, true]) {
      const kept: Array<Float64Array> = []
      let failOnce = true
      const keep = node(
        {
          output: 'y',
          mapAxis: 'x',
          inputs: { x: t.number },
          retry: { attempts: 2, backoffMs: 0 },
          batch: ({ x }) => {
            kept.push(x as Float64Array)
            if (failOnce && x[0] === 4) {
              failOnce = false
              throw new Error('flaky')
            }
            const out = Float64Array.from(x, (v) => v * 10)
            return async ? Promise.resolve(out) : out
          },
        },
        ({ x }) => x * 10,
      )
      const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      const r = await new ArrowBatchExecutor({ batchSize: 4, concurrency: 3 }).map(pipeline(keep), { x: xs })
      expect(r.outputs.y).toStrictEqual(xs.map((v) => v * 10))
      expect(kept.every((c) => c instanceof Float64Array)).toBe(true)
      const seen = kept.map((c) => Array.from(c)).sort((p, q) => (p[0] as number) - (q[0] as number))
      expect(seen).toStrictEqual([[0, 1, 2, 3], [4, 5, 6, 7], [4, 5, 6, 7], [8, 9]])
    }
  })

  it('gives a t.number column made from plain numbers a buffer of its own (transfer, WebAssembly)', async () => {
    // a batch form may transfer its column's buffer to a worker, or read the buffer from 0
    const viaBuffer = node(
      {
        output: 'y',
        mapAxis: 'x',
        inputs: { x: t.number },
        batch: ({ x }) => {
          const own = x as Float64Array
          expect([own.byteOffset, own.buffer.byteLength]).toStrictEqual([0, own.length * 8])
          const moved = structuredClone(own, { transfer: [own.buffer as ArrayBuffer] })
          return Array.from(new Float64Array(moved.buffer), (v) => v * 2)
        },
      },
      ({ x }) => x * 2,
    )
    for (const onError of ['fail', 'collect'] as const) {
      const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(viaBuffer), { x: [1, 2, 3, 4, 5] }, { onError })
      expect(r.outputs.y).toStrictEqual([2, 4, 6, 8, 10])
    }
  })

  it('passes Float64Array results on to the next batch form without copying', async () => {
    let produced: Float64Array | undefined
    let received: ArrayLike<number> | undefined
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        inputs: { x: t.number },
        returns: t.number,
        batch: ({ x }) => (produced = Float64Array.from(x, (v) => v + 1)),
      },
      ({ x }) => x + 1,
    )
    const b = node(
      {
        output: 'b',
        mapAxis: 'a',
        inputs: { a: t.number },
        batch: ({ a }) => {
          received = a
          return Array.from(a, (v) => v * 2)
        },
      },
      ({ a }) => a * 2,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 10 }).map(pipeline(a, b), { x: [1, 2] })
    expect(r.outputs.b).toStrictEqual([4, 6])
    expect((received as Float64Array).buffer).toBe((produced as Float64Array).buffer)
  })

  it('runs nodes without a batch form per item, like LocalExecutor', async () => {
    let calls = 0
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => {
      calls++
      return x + 1
    })
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(n), { x: [1, 2, 3] })
    expect(calls).toBe(3)
    expect(r.outputs.y).toStrictEqual([2, 3, 4])
  })

  it('bounds in-flight async batch calls by concurrency', async () => {
    let inFlight = 0
    let most = 0
    const slow = node(
      {
        output: 'y',
        mapAxis: 'x',
        batch: async ({ x }: { readonly x: Column<number> }) => {
          inFlight++
          most = Math.max(most, inFlight)
          await new Promise((r) => setTimeout(r, 5))
          inFlight--
          return Array.from(x, (v) => v * 10)
        },
      },
      async ({ x }: { x: number }) => x * 10,
    )
    const xs = Array.from({ length: 20 }, (_, i) => i)
    const r = await new ArrowBatchExecutor({ batchSize: 2, concurrency: 3 }).map(pipeline(slow), { x: xs })
    expect(most).toBe(3)
    expect(r.outputs.y).toStrictEqual(xs.map((x) => x * 10))
  })

  it('reports a wrong number of results as a NodeError naming the batch’s first key', async () => {
    const bad = node(
      {
        output: 'y',
        mapAxis: 'q',
        keyAttr: 'id',
        inputs: { q: Q },
        batch: ({ q }) => Array.from(q, () => 1).slice(1),
      },
      () => 1,
    )
    const qs = ['a', 'b', 'c', 'd'].map((id) => ({ id, text: id }))
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(bad), { q: qs }))
    expect(e).toBeInstanceOf(NodeError)
    expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'y', key: 'a', index: 0 })
    expect((e as Error).message).toContain('it returned 1 result for items 0–1')
    // a bare value is not a count
    const count = node({ output: 'n', mapAxis: 'q', batch: ({ q }: { q: Column<string> }) => q.length as never }, ({ q }: { q: string }) => q.length)
    const bare = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(count), { q: ['a', 'b', 'c'] }))
    expect((bare as Error).message).toContain('it returned the number 2, not an array of results, for items 0–1')
  })

  it('reports a throwing batch form as a NodeError naming the batch’s first key, with its cause', async () => {
    const boom = new Error('model down')
    const bad = node(
      {
        output: 'y',
        mapAxis: 'q',
        keyAttr: 'id',
        inputs: { q: Q },
        batch: ({ q }) => {
          if (Array.from(q).some((x) => x.id === 'c')) throw boom
          return Array.from(q, () => 1)
        },
      },
      () => 1,
    )
    const qs = ['a', 'b', 'c', 'd'].map((id) => ({ id, text: id }))
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(bad), { q: qs }))
    expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'y', key: 'c', index: 2, cause: boom })
  })

  it('names the failing item’s own key and index when a value in a batch fails its codec', async () => {
    const n = node(
      {
        output: 'y',
        mapAxis: 'q',
        keyAttr: 'id',
        inputs: { q: Q },
        returns: t.number,
        batch: ({ q }) => Array.from(q, (x) => (x.id === 'c' ? ('oops' as unknown as number) : 1)),
      },
      () => 1,
    )
    const qs = ['a', 'b', 'c', 'd'].map((id) => ({ id, text: id }))
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(n), { q: qs }))
    expect(e).toBeInstanceOf(ValidationError)
    expect(e).toMatchObject({ node: 'y', param: '(result)', key: 'c', index: 2 })
    const input = await rejection(
      new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(n), {
        q: [...qs.slice(0, 3), { id: 'd', text: 4 as unknown as string }],
      }),
    )
    expect(input).toMatchObject({ code: 'VALIDATION', node: 'y', param: 'q', key: 'd', index: 3 })
  })

  it('gives the same results as LocalExecutor for a reduce fed by a typed column', async () => {
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        inputs: { x: t.number },
        batch: ({ x }) => Float64Array.from(x, (v) => v * 2),
      },
      ({ x }) => x * 2,
    )
    const total = node({ output: 'total' }, ({ a }: { a: ReadonlyArray<number> }) => {
      // a reduce receives a plain array, whichever executor ran
      expect(Array.isArray(a)).toBe(true)
      return a.map(String).join(',')
    })
    const p = pipeline(a, total)
    const [x, y] = await Promise.all([
      new ArrowBatchExecutor({ batchSize: 2 }).map(p, { x: [1, 2, 3] }),
      new LocalExecutor().map(p, { x: [1, 2, 3] }),
    ])
    expect(x.outputs).toStrictEqual(y.outputs)
    expect(x.outputs.total).toBe('2,4,6')
  })
})

describe('ArrowBatchExecutor: options', () => {
  it('rejects a bad batchSize or concurrency with a GraphError', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new ArrowBatchExecutor({ batchSize: bad })).toThrow(GraphError)
    }
    expect(() => new ArrowBatchExecutor({ concurrency: 0 })).toThrow(GraphError)
    expect(new ArrowBatchExecutor({ concurrency: Number.POSITIVE_INFINITY }).concurrency).toBe(
      Number.POSITIVE_INFINITY,
    )
    const e = new ArrowBatchExecutor()
    expect([e.batchSize, e.concurrency, e.name]).toStrictEqual([1024, 16, 'arrow'])
    expect(() => new ArrowBatchExecutor({ batchsize: 8 } as never)).toThrow(
      'ArrowBatchExecutor: `batchsize` is not an option (known: batchSize, concurrency)',
    )
  })
})

describe('ArrowBatchExecutor: column forms in every mode', () => {
  // a batch form sees the same column types whether batches are contiguous (fail mode) or index
  // lists (collect mode, a cache)
  const kinds = (log: Array<string>) =>
    node(
      {
        output: 'y',
        mapAxis: 'x',
        inputs: { x: t.number, label: t.string },
        batch: ({ x, label }) => {
          log.push(`${x.constructor.name}/${label.constructor.name}`)
          return Array.from(x, (v) => v * 2)
        },
      },
      ({ x }) => x * 2,
    )
  const inputs = { x: [1, 2, 3], label: 'l' }
  it.each([
    ['fail mode', {}],
    ['collect mode', { onError: 'collect' as const }],
    ['with a cache', { cache: memoryCache() }],
  ])('hands a t.number column over as a Float64Array (%s)', async (_, options) => {
    const log: Array<string> = []
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(kinds(log)), inputs, options)
    expect(r.outputs.y).toStrictEqual([2, 4, 6])
    expect(log).toStrictEqual(['Float64Array/Array', 'Float64Array/Array'])
  })
})
