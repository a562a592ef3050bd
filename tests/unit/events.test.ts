import { describe, expect, it } from 'vitest'
import { rejection, sleep } from '../helpers.js'
import { ListenerError, NodeError, node, pipeline, type Column, type DagflowEvent } from 'dagflow'
import { executors, p, xs } from '../event-fixture.js'

for (const [name, make] of executors) {
  describe(`events and stats (${name})`, () => {
    it('emits run:start first, run:end last, node events in order, batches in between', async () => {
      const events: Array<DagflowEvent> = []
      const r = await make().map(p, { x: xs }, { onEvent: (e) => events.push(e) })
      expect(events[0]).toMatchObject({ type: 'run:start', executor: name, items: 300, nodes: ['a', 'b', 'total'] })
      const last = events[events.length - 1]
      expect(last).toMatchObject({ type: 'run:end', executor: name })
      expect(last?.type === 'run:end' && last.error).toBe(undefined)
      const nodeEvents = events.filter((e) => e.type === 'node:start' || e.type === 'node:end')
      expect(nodeEvents.map((e) => `${e.type} ${'node' in e ? e.node : ''}`)).toStrictEqual([
        'node:start a',
        'node:end a',
        'node:start b',
        'node:end b',
        'node:start total',
        'node:end total',
      ])
      // per-item nodes report their items in batches that cover every item exactly once
      for (const n of ['a', 'b']) {
        const ends = events.filter((e) => e.type === 'batch:end' && e.node === n)
        expect(ends.length).toBeGreaterThan(1)
        expect(ends.reduce((s, e) => s + (e.type === 'batch:end' ? e.size : 0), 0)).toBe(300)
        const starts = events.filter((e) => e.type === 'batch:start' && e.node === n)
        expect(starts.length).toBe(ends.length)
      }
      // batch events sit between their node's start and end
      const between = (n: string) => {
        const s = events.findIndex((e) => e.type === 'node:start' && e.node === n)
        const e = events.findIndex((ev) => ev.type === 'node:end' && ev.node === n)
        return events.slice(s + 1, e).every((ev) => 'node' in ev && ev.node === n)
      }
      expect(between('a') && between('b')).toBe(true)
      expect(r.outputs.total).toBe(xs.reduce((s, x) => s + (x + 1) * 2, 0))
    })

    it('reports stats for a node named __proto__ as an own key', async () => {
      const proto = node({ output: '__proto__', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1)
      const r = await make().map(pipeline(proto), { x: [1, 2] })
      expect(Object.keys(r.stats.nodes)).toStrictEqual(['__proto__'])
      expect(Object.getOwnPropertyDescriptor(r.stats.nodes, '__proto__')?.value).toMatchObject({ items: 2, cached: 0 })
    })

    it('reports stats on the result and in run:end: calls, items and time per node', async () => {
      let end: DagflowEvent | undefined
      const r = await make().map(p, { x: xs }, { onEvent: (e) => (e.type === 'run:end' ? (end = e) : undefined) })
      expect(end?.type === 'run:end' && end.stats).toBe(r.stats)
      expect(r.stats.ms).toBeGreaterThanOrEqual(0)
      expect(r.stats.nodes['a']).toMatchObject({ items: 300, cached: 0, calls: name === 'arrow' ? 5 : 300 })
      expect(r.stats.nodes['b']).toMatchObject({ items: 300, cached: 0, calls: 300 })
      expect(r.stats.nodes['total']).toMatchObject({ items: 1, calls: 1, cached: 0 })
      for (const s of Object.values(r.stats.nodes)) expect(s.ms).toBeGreaterThanOrEqual(0)
      // stats are there without a listener too, and are not enumerable
      const quiet = await make().map(p, { x: xs })
      expect(quiet.stats.nodes['b']?.items).toBe(300)
      expect(Object.keys(quiet)).toStrictEqual(['outputs', 'keys', 'executor'])
    })

    it('fires item:error and run:end with the error when a node fails', async () => {
      const events: Array<DagflowEvent> = []
      const bad = node({ output: 'y', mapAxis: 'q', keyAttr: 'id' }, ({ q }: { q: { id: string } }) => {
        if (q.id === 'c') throw new Error('boom')
        return q.id
      })
      const e = await rejection(
        make().map(pipeline(bad), { q: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }, { onEvent: (ev) => events.push(ev) }),
      )
      expect(e).toBeInstanceOf(NodeError)
      const itemError = events.find((ev) => ev.type === 'item:error')
      expect(itemError).toMatchObject({ type: 'item:error', node: 'y', key: 'c', index: 2, error: e })
      const last = events[events.length - 1]
      expect(last?.type).toBe('run:end')
      expect(last?.type === 'run:end' && last.error).toBe(e)
    })

    it('stops the run with a ListenerError naming the event when the listener throws', async () => {
      let calls = 0
      const counted = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => {
        calls++
        return x
      })
      const e = await rejection(
        make().map(pipeline(counted), { x: [1, 2] }, {
          onEvent: (ev) => {
            if (ev.type === 'node:start') throw new Error('listener bug')
          },
        }),
      )
      expect(e).toBeInstanceOf(ListenerError)
      expect(e).toMatchObject({ code: 'LISTENER_FAILED', event: 'node:start' })
      expect(calls).toBe(0)
    })

    it('stops a collect-mode run too, when a batch event listener throws', async () => {
      const slow = node(
        {
          output: 'y',
          mapAxis: 'x',
          batch: async ({ x }: { x: Column<number> }) => (await sleep(1), Array.from(x)),
        },
        async ({ x }: { x: number }) => (await sleep(1), x),
      )
      let ends = 0
      const e = await rejection(
        make().map(pipeline(slow), { x: Array.from({ length: 300 }, (_, i) => i) }, {
          onError: 'collect',
          onEvent: (ev) => {
            if (ev.type === 'batch:end' && ++ends === 2) throw new Error('listener bug')
          },
        }),
      )
      expect(e).toMatchObject({ code: 'LISTENER_FAILED', event: 'batch:end' })
    })

    it('leaves no unhandled rejection when a listener throws while a call is in flight', async () => {
      const unhandled: Array<unknown> = []
      const onUnhandled = (e: unknown) => unhandled.push(e)
      process.on('unhandledRejection', onUnhandled)
      try {
        // item 0 is synchronous, item 1 goes async and rejects: the listener throws between them
        const mixed = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) =>
          x === 0 ? x : sleep(5).then(() => Promise.reject(new Error(`late ${x}`))),
        )
        const e = await rejection(
          make().map(pipeline(mixed), { x: Array.from({ length: 200 }, (_, i) => i) }, {
            onEvent: (ev) => {
              if (ev.type === 'batch:start') throw new Error('listener bug')
            },
          }),
        )
        await sleep(30)
        expect(e).toMatchObject({ code: 'LISTENER_FAILED' })
        expect(unhandled).toStrictEqual([])
      } finally {
        process.off('unhandledRejection', onUnhandled)
      }
    })

    it('emits run:start with one item for run()', async () => {
      const events: Array<DagflowEvent> = []
      await make().run(p, { x: 1 }, { onEvent: (e) => events.push(e) })
      expect(events[0]).toMatchObject({ type: 'run:start', items: 1 })
    })
  })
}
