/**
 * Fused segments: consecutive per-item nodes with batch forms run batch by batch together in
 * ArrowBatchExecutor. Results must equal LocalExecutor's whatever the order of calls; these tests
 * pin the order itself, the events, the switch to node-by-node running when a call returns a
 * promise (at any batch of any node of the segment), errors naming the right item, and outputs
 * read after the segment.
 */
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { rejection, sleep } from '../helpers.js'
import {
  LocalExecutor,
  NodeError,
  ValidationError,
  node,
  pipeline,
  type Column,
  type DagflowEvent,
} from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'

const Item = t.type({ id: t.string, v: t.number })
type Item = t.TypeOf<typeof Item>
const items = (n: number): Array<Item> => Array.from({ length: n }, (_, i) => ({ id: `k${i}`, v: i * 1.5 }))

/**
 * a(item) → b(a, offset) → c(b, a): batch forms that log `node@start` per call. `asyncAt` makes
 * the batch form of node `node` return a promise from batch start `from` on (sync before).
 */
function chain(log: Array<string>, asyncAt?: { readonly node: 'a' | 'b' | 'c'; readonly from: number }) {
  const maybeAsync = <R>(name: 'a' | 'b' | 'c', start: number, r: R): R | Promise<R> =>
    asyncAt !== undefined && asyncAt.node === name && start >= asyncAt.from ? sleep(1).then(() => r) : r
  let seenA = 0
  let seenB = 0
  let seenC = 0
  const a = node(
    {
      output: 'a',
      mapAxis: 'item',
      keyAttr: 'id',
      inputs: { item: Item },
      returns: t.number,
      batch: ({ item }) => {
        log.push(`a@${seenA}`)
        const start = seenA
        seenA += item.length
        return maybeAsync('a', start, Float64Array.from(item, (x) => x.v + 1))
      },
    },
    ({ item }) => item.v + 1,
  )
  const b = node(
    {
      output: 'b',
      mapAxis: 'a',
      inputs: { a: t.number, offset: t.number },
      batch: ({ a, offset }) => {
        log.push(`b@${seenB}`)
        const start = seenB
        seenB += a.length
        return maybeAsync('b', start, Array.from(a, (x, i) => x * 2 + (offset[i] as number)))
      },
    },
    ({ a, offset }) => a * 2 + offset,
  )
  const c = node(
    {
      output: 'c',
      mapAxis: 'b',
      batch: ({ a, b }: { a: Column<number>; b: Column<number> }) => {
        log.push(`c@${seenC}`)
        const start = seenC
        seenC += b.length
        return maybeAsync('c', start, Array.from(b, (x, i) => `${x}/${a[i]}`))
      },
    },
    ({ a, b }: { a: number; b: number }) => `${b}/${a}`,
  )
  return pipeline(a, b, c)
}

const local = new LocalExecutor()
/** what must agree between the executors: outputs and keys */
const seen = (r: { readonly outputs: unknown; readonly keys: unknown }) => ({ outputs: r.outputs, keys: r.keys })

describe('ArrowBatchExecutor: fused batch forms', () => {
  it('runs consecutive batch forms batch by batch, with the results of LocalExecutor', async () => {
    const log: Array<string> = []
    const inputs = { item: items(5), offset: 0.5 }
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(chain(log), inputs)
    expect(log).toStrictEqual(['a@0', 'b@0', 'c@0', 'a@2', 'b@2', 'c@2', 'a@4', 'b@4', 'c@4'])
    expect(seen(r)).toStrictEqual(seen(await local.map(chain([]), inputs)))
    expect(r.outputs.c[4]).toBe(`${(4 * 1.5 + 1) * 2 + 0.5}/${4 * 1.5 + 1}`)
    expect(r.keys).toStrictEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
    expect(r.stats.nodes['b']).toMatchObject({ calls: 3, items: 5 })
  })

  it('reports node starts together, batches interleaved, node ends together', async () => {
    const events: Array<DagflowEvent> = []
    await new ArrowBatchExecutor({ batchSize: 2 }).map(
      chain([]),
      { item: items(3), offset: 0 },
      { onEvent: (e) => events.push(e) },
    )
    const shown = events
      .filter((e) => e.type !== 'run:start' && e.type !== 'run:end')
      .map((e) => `${e.type} ${'node' in e ? e.node : ''}${'start' in e ? `@${e.start}` : ''}`)
    expect(shown).toStrictEqual([
      'node:start a',
      'node:start b',
      'node:start c',
      ...['@0', '@2'].flatMap((at) =>
        ['a', 'b', 'c'].flatMap((n) => [`batch:start ${n}${at}`, `batch:end ${n}${at}`]),
      ),
      'node:end a',
      'node:end b',
      'node:end c',
    ])
  })

  // a promise at the first batch, at a middle one and at the last one, from each node
  for (const at of ['a', 'b', 'c'] as const) {
    for (const from of [0, 4, 8]) {
      it(`goes on node by node when ${at}'s batch at item ${from} returns a promise`, async () => {
        const log: Array<string> = []
        const inputs = { item: items(9), offset: 1 }
        const r = await new ArrowBatchExecutor({ batchSize: 2, concurrency: 3 }).map(
          chain(log, { node: at, from }),
          inputs,
        )
        expect(seen(r)).toStrictEqual(seen(await local.map(chain([]), inputs)))
        // every batch of every node called exactly once
        expect([...log].sort()).toStrictEqual(
          ['a', 'b', 'c'].flatMap((n) => [0, 2, 4, 6, 8].map((s) => `${n}@${s}`)).sort(),
        )
        // fused up to the batch that went async
        const fusedPart = [0, 2, 4, 6, 8]
          .filter((s) => s < from)
          .flatMap((s) => [`a@${s}`, `b@${s}`, `c@${s}`])
        expect(log.slice(0, fusedPart.length)).toStrictEqual(fusedPart)
      })
    }
  }

  it('returns only the asked-for outputs, equal to LocalExecutor', async () => {
    const inputs = { item: items(7), offset: 2 }
    const options = { outputs: ['c'] as const }
    const r = await new ArrowBatchExecutor({ batchSize: 3 }).map(chain([]), inputs, options)
    expect(Object.keys(r.outputs)).toStrictEqual(['c'])
    expect(seen(r)).toStrictEqual(seen(await local.map(chain([]), inputs, options)))
  })

  it('hands intermediate outputs to a node after the segment, and to a reduce', async () => {
    const log: Array<string> = []
    const d = node(
      { output: 'd', mapAxis: 'c' },
      ({ a, c }: { a: number; c: string }) => `${c}|${a}`,
    )
    const total = node({ output: 'total' }, ({ b }: { b: ReadonlyArray<number> }) =>
      b.reduce((s, x) => s + x, 0),
    )
    const p = pipeline(chain(log), d, total)
    const inputs = { item: items(5), offset: 0 }
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(p, inputs, { outputs: ['d', 'total'] })
    expect(seen(r)).toStrictEqual(seen(await local.map(p, inputs, { outputs: ['d', 'total'] })))
    expect(r.outputs.total).toBe(items(5).reduce((s, x) => s + (x.v + 1) * 2, 0))
  })

  it('maps zero items and runs a single item', async () => {
    const arrow = new ArrowBatchExecutor({ batchSize: 2 })
    const empty = await arrow.map(chain([]), { item: [], offset: 0 })
    expect(empty.outputs).toStrictEqual({ a: [], b: [], c: [] })
    const one = await arrow.run(chain([]), { item: { id: 'x', v: 1 }, offset: 0 })
    expect(one).toStrictEqual({ a: 2, b: 4, c: '4/2' })
  })

  it('names the node and the batch’s first key when a fused batch form throws', async () => {
    const a = node(
      { output: 'a', mapAxis: 'item', keyAttr: 'id', inputs: { item: Item }, batch: ({ item }) => Array.from(item, (x) => x.v) },
      ({ item }) => item.v,
    )
    const b = node(
      {
        output: 'b',
        mapAxis: 'a',
        batch: ({ a }: { a: Column<number> }) => {
          if (Array.from(a).includes(4.5)) throw new Error('no 4.5')
          return Array.from(a)
        },
      },
      ({ a }: { a: number }) => a,
    )
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(a, b), { item: items(6) }))
    expect(e).toBeInstanceOf(NodeError)
    // item 3 has v 4.5: its batch starts at item 2, key k2
    expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'b', key: 'k2', index: 2 })
  })

  it('names the item whose value from the previous batch form fails a codec', async () => {
    const a = node(
      {
        output: 'a',
        mapAxis: 'item',
        keyAttr: 'id',
        inputs: { item: Item },
        batch: ({ item }) => Array.from(item, (x): unknown => (x.id === 'k5' ? 'five' : x.v)),
      },
      ({ item }): unknown => (item.id === 'k5' ? 'five' : item.v),
    )
    const b = node(
      { output: 'b', mapAxis: 'a', inputs: { a: t.number }, batch: ({ a }) => Float64Array.from(a, (x) => x * 2) },
      ({ a }) => a * 2,
    )
    // the compiler refuses this pipeline (b does not accept a's unknown); the runtime check is tested here
    // @ts-expect-error parameter "a" of the node producing "b" does not accept the type of output "a"
    const p = pipeline(a, b)
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 4 }).map(p, { item: items(8) }))
    expect(e).toBeInstanceOf(ValidationError)
    expect(e).toMatchObject({ code: 'VALIDATION', node: 'b', param: 'a', key: 'k5', index: 5 })
    // the same failure, the same error, from LocalExecutor
    const l = await rejection(local.map(p, { item: items(8) }))
    expect(l).toMatchObject({ code: 'VALIDATION', node: 'b', param: 'a', key: 'k5', index: 5 })
  })

  it('settles a call that went async before anything else, so a rejection is the run’s error', async () => {
    // a is sync for its first batch, then async; b rejects from its first batch on
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => {
          const r = Array.from(x, (v) => v + 1)
          return x[0] === 0 ? r : sleep(5).then(() => r)
        },
      },
      ({ x }: { x: number }) => x + 1,
    )
    const b = node(
      {
        output: 'b',
        mapAxis: 'a',
        batch: async (_: { a: Column<number> }): Promise<Array<number>> => {
          await sleep(1)
          throw new Error('b failed')
        },
      },
      ({ a }: { a: number }) => a,
    )
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(a, b), { x: [0, 1, 2, 3] }))
    expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'b', index: 0 })
  })

  it('keeps the first node’s async call in flight while its next batches start on the pool', async () => {
    // a model-like first node: its batch 0 must not wait alone before batches 1 and 2 start
    const log: Array<string> = []
    const embed = node(
      {
        output: 'e',
        mapAxis: 'x',
        batch: async ({ x }: { x: Column<number> }) => {
          log.push(`start ${x[0]}`)
          await sleep(5)
          log.push(`end ${x[0]}`)
          return Array.from(x, (v) => v * 10)
        },
      },
      async ({ x }: { x: number }) => x * 10,
    )
    const norm = node(
      { output: 'n', mapAxis: 'e', batch: ({ e }: { e: Column<number> }) => Array.from(e, (v) => v + 1) },
      ({ e }: { e: number }) => e + 1,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2, concurrency: 3 }).map(pipeline(embed, norm), {
      x: [0, 1, 2, 3, 4, 5],
    })
    expect(r.outputs.n).toStrictEqual([1, 11, 21, 31, 41, 51])
    expect(log.slice(0, 3)).toStrictEqual(['start 0', 'start 2', 'start 4'])
  })

  it('keeps a later node’s async call in flight while the nodes before it finish', async () => {
    // prep → embed: the model's batch 0 must not wait alone before its batches 1 and 2 start
    const log: Array<string> = []
    const prep = node(
      {
        output: 'p',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => (log.push(`prep ${x[0]}`), Array.from(x, (v) => v + 1)),
      },
      ({ x }: { x: number }) => x + 1,
    )
    const embed = node(
      {
        output: 'e',
        mapAxis: 'p',
        batch: async ({ p }: { p: Column<number> }) => {
          log.push(`start ${p[0]}`)
          await sleep(5)
          log.push(`end ${p[0]}`)
          return Array.from(p, (v) => v * 10)
        },
      },
      async ({ p }: { p: number }) => p * 10,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2, concurrency: 3 }).map(pipeline(prep, embed), {
      x: [0, 1, 2, 3, 4, 5],
    })
    expect(r.outputs.e).toStrictEqual([10, 20, 30, 40, 50, 60])
    // prep runs its other batches while embed's first call is in flight, then embed's join it
    expect(log.slice(0, 6)).toStrictEqual(['prep 0', 'start 1', 'prep 2', 'prep 4', 'start 3', 'start 5'])
  })

  it('times that call to when it settled, not to when its node took its results', async () => {
    // embed's batch 0 takes about 1 ms; prep's later batches wait 300 ms meanwhile, after which
    // embed's node takes that batch's results
    const prep = node(
      {
        output: 'p',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => (x[0] === 0 ? Array.from(x) : sleep(300).then(() => Array.from(x))),
      },
      ({ x }: { x: number }) => x,
    )
    const embed = node(
      { output: 'e', mapAxis: 'p', batch: async ({ p }: { p: Column<number> }) => (await sleep(1), Array.from(p)) },
      async ({ p }: { p: number }) => p,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(prep, embed), { x: [0, 1, 2, 3, 4, 5] })
    expect(r.outputs.e).toStrictEqual([0, 1, 2, 3, 4, 5])
    expect(r.stats.nodes.p?.ms).toBeGreaterThanOrEqual(300)
    // three calls of about 1 ms each (far less than 200, even on a loaded machine): not the
    // 300 ms the first one's results waited to be taken
    expect(r.stats.nodes.e?.ms).toBeLessThan(200)
  })

  it('ends that call’s batch when it settles: events never show more than `concurrency` open', async () => {
    // a: sync at batch 0, then 30 ms a batch; b: 10 ms at batch 0 (in flight while a finishes)
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => (x[0] === 0 ? Array.from(x) : sleep(30).then(() => Array.from(x))),
      },
      ({ x }: { x: number }) => x,
    )
    const b = node(
      { output: 'b', mapAxis: 'a', batch: ({ a }: { a: Column<number> }) => sleep(a[0] === 0 ? 10 : 1).then(() => Array.from(a)) },
      ({ a }: { a: number }) => a,
    )
    for (const concurrency of [1, 2]) {
      let open = 0
      let most = 0
      const ends: Array<string> = []
      await new ArrowBatchExecutor({ batchSize: 2, concurrency }).map(pipeline(a, b), { x: [0, 1, 2, 3, 4, 5] }, {
        onEvent: (e) => {
          if (e.type === 'batch:start') most = Math.max(most, ++open)
          if (e.type === 'batch:end') {
            open--
            ends.push(`${e.node}@${e.start}`)
          }
        },
      })
      expect(most).toBe(concurrency)
      // b's first batch ends before a's later ones, which take longer
      expect(ends.indexOf('b@0')).toBeLessThan(ends.indexOf('a@2'))
    }
  })

  it('sends no event after run:end, even from a call still in flight when the run failed', async () => {
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => {
          if (x[0] !== 0) throw new Error('a failed')
          return Array.from(x)
        },
      },
      ({ x }: { x: number }) => x,
    )
    const b = node(
      { output: 'b', mapAxis: 'a', batch: ({ a }: { a: Column<number> }) => sleep(10).then(() => Array.from(a)) },
      ({ a }: { a: number }) => a,
    )
    const events: Array<string> = []
    const e = await rejection(
      new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(a, b), { x: [0, 1, 2, 3] }, { onEvent: (ev) => events.push(ev.type) }),
    )
    expect(e).toMatchObject({ node: 'a', index: 2 })
    await sleep(30) // b's call settles meanwhile
    expect(events.at(-1)).toBe('run:end')
    expect(events.filter((t) => t === 'run:end')).toHaveLength(1)
  })

  it('reports the earlier node’s failure, not a later node’s rejection in flight', async () => {
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => {
          if (x[0] !== 0) throw new Error('a failed')
          return Array.from(x)
        },
      },
      ({ x }: { x: number }) => {
        if (x >= 2) throw new Error('a failed')
        return x
      },
    )
    const b = node(
      {
        output: 'b',
        mapAxis: 'a',
        batch: (_: { a: Column<number> }): Promise<Array<number>> => Promise.reject(new Error('b failed')),
      },
      ({ a }: { a: number }): Promise<number> => Promise.reject(new Error(`b failed on ${a}`)),
    )
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(a, b), { x: [0, 1, 2, 3] }))
    // as running node by node would: a fails on its batch from item 2 before b runs at all
    expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'a', index: 2 })
    expect(await rejection(new LocalExecutor().map(pipeline(a, b), { x: [0, 1, 2, 3] }))).toMatchObject({
      node: 'a',
      index: 2,
    })
  })

  it('keeps at most `concurrency` batch calls in flight when the segment goes async', async () => {
    let inFlight = 0
    let most = 0
    const track = async <T>(v: T): Promise<T> => {
      inFlight++
      most = Math.max(most, inFlight)
      await sleep(3)
      inFlight--
      return v
    }
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => {
          const r = Array.from(x, (v) => v + 1)
          return x[0] === 0 ? r : track(r)
        },
      },
      ({ x }: { x: number }) => x + 1,
    )
    const b = node(
      { output: 'b', mapAxis: 'a', batch: ({ a }: { a: Column<number> }) => track(Array.from(a, (v) => v * 2)) },
      ({ a }: { a: number }) => a * 2,
    )
    // b's first call goes async while a still has batches: with room for one call, it settles
    // first; with more, it stays in flight while a's later (async) calls run beside it
    for (const concurrency of [1, 2, 3]) {
      most = 0
      const r = await new ArrowBatchExecutor({ batchSize: 2, concurrency }).map(pipeline(a, b), {
        x: Array.from({ length: 12 }, (_, i) => i),
      })
      expect(r.outputs.b).toStrictEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 2))
      expect(most).toBe(concurrency)
    }
  })

  it('stops at the next call when the caller aborts during a fused run', async () => {
    const calls: Array<string> = []
    const a = node(
      { output: 'a', mapAxis: 'x', batch: ({ x }: { x: Column<number> }) => (calls.push('a'), Array.from(x)) },
      ({ x }: { x: number }) => x,
    )
    const b = node(
      { output: 'b', mapAxis: 'a', batch: ({ a }: { a: Column<number> }) => (calls.push('b'), Array.from(a)) },
      ({ a }: { a: number }) => a,
    )
    const controller = new AbortController()
    const e = await rejection(
      new ArrowBatchExecutor({ batchSize: 2 }).map(
        pipeline(a, b),
        { x: [0, 1, 2, 3, 4, 5] },
        {
          signal: controller.signal,
          onEvent: (ev) => {
            if (ev.type === 'batch:end' && ev.node === 'a') controller.abort(new Error('stop'))
          },
        },
      ),
    )
    expect(e).toMatchObject({ code: 'ABORTED' })
    expect(calls).toStrictEqual(['a'])
  })

  it('reports the failure that running node by node would: the earlier node’s first', async () => {
    // a fails on item 3 (its second batch), b on item 0 (its first): fused, b fails first
    const a = node(
      {
        output: 'a',
        mapAxis: 'x',
        batch: ({ x }: { x: Column<number> }) => {
          if (Array.from(x).includes(3)) throw new Error('a: bad 3')
          return Array.from(x)
        },
      },
      ({ x }: { x: number }) => {
        if (x === 3) throw new Error('a: bad 3')
        return x
      },
    )
    const b = node(
      {
        output: 'b',
        mapAxis: 'a',
        batch: ({ a }: { a: Column<number> }) => {
          if (Array.from(a).includes(0)) throw new Error('b: bad 0')
          return Array.from(a)
        },
      },
      ({ a }: { a: number }) => {
        if (a === 0) throw new Error('b: bad 0')
        return a
      },
    )
    const arrow = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(a, b), { x: [0, 1, 2, 3] }))
    const local = await rejection(new LocalExecutor().map(pipeline(a, b), { x: [0, 1, 2, 3] }))
    expect(local).toMatchObject({ node: 'a', index: 3 })
    // the same node; the key is the failing batch's first, as for any failing batch form
    expect(arrow).toMatchObject({ code: 'NODE_FAILED', node: 'a', index: 2 })
  })

  it('hands a Float64Array to a batch form after the segment, as unfused', async () => {
    const seen: Array<string> = []
    const a = node(
      { output: 'a', mapAxis: 'x', batch: ({ x }: { x: Column<number> }) => Float64Array.from(x, (v) => v + 1) },
      ({ x }: { x: number }) => x + 1,
    )
    const b = node(
      { output: 'b', mapAxis: 'a', batch: ({ a }: { a: Column<number> }) => Float64Array.from(a, (v) => v * 2) },
      ({ a }: { a: number }) => a * 2,
    )
    const c = node({ output: 'c', mapAxis: 'b' }, ({ b }: { b: number }) => b - 1)
    const d = node(
      {
        output: 'd',
        mapAxis: 'c',
        batch: ({ a, c }: { a: Column<number>; c: Column<number> }) => {
          seen.push(a.constructor.name)
          return Array.from(c, (v, i) => v + (a[i] as number))
        },
      },
      ({ a, c }: { a: number; c: number }) => a + c,
    )
    const r = await new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(a, b, c, d), { x: [1, 2, 3] })
    expect(r.outputs.d).toStrictEqual([5, 8, 11])
    expect(r.outputs.a).toStrictEqual([2, 3, 4])
    expect(Array.isArray(r.outputs.a)).toBe(true)
    expect(seen).toStrictEqual(['Float64Array', 'Float64Array'])
  })
})
