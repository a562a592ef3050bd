import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { rejection, thrown, sleep } from '../helpers.js'
import {
  GraphError,
  LocalExecutor,
  NodeError,
  TimeoutError,
  node,
  pipeline,
  type DagflowEvent,
  type Executor,
  type NodeContext,
} from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'

describe('node(): retry, timeoutMs and concurrency are checked', () => {
  const fn = ({ x }: { x: number }) => x
  const bad: ReadonlyArray<[string, Record<string, unknown>]> = [
    ['retry.attempts', { retry: { attempts: 0 } }],
    ['retry.attempts', { retry: { attempts: 1.5 } }],
    ['retry.backoffMs', { retry: { attempts: 2, backoffMs: -1 } }],
    ['retry.factor', { retry: { attempts: 2, factor: 0 } }],
    ['retry.retryOn', { retry: { attempts: 2, retryOn: 'yes' } }],
    ['retry.tries', { retry: { attempts: 2, tries: 3 } }],
    ['retry', { retry: 3 }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: -5 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['concurrency', { concurrency: 0 }],
    ['concurrency', { concurrency: 2.5 }],
    ['cache', { cache: 'no' }],
    ['version', { version: 2 }],
  ]
  for (const [field, extra] of bad) {
    it(`rejects a bad ${field} (${JSON.stringify(extra)}) naming node and field`, () => {
      const e = thrown(() => node({ output: 'y', name: 'ask', ...extra } as never, fn))
      expect(e).toBeInstanceOf(GraphError)
      expect(e).toMatchObject({ code: 'INVALID_GRAPH', nodes: ['ask'] })
      expect((e as Error).message).toContain('"ask"')
      expect((e as Error).message).toContain(field)
    })
  }

  it('accepts good values and exposes them on the node', () => {
    const n = node(
      { output: 'y', retry: { attempts: 3, backoffMs: 5, factor: 2 }, timeoutMs: 100, concurrency: 2, version: 'v2' },
      fn,
    )
    expect([n.retry?.attempts, n.timeoutMs, n.concurrency, n.version, n.cache]).toStrictEqual([3, 100, 2, 'v2', true])
    expect(n.usesContext).toBe(false)
    expect(node({ output: 'y' }, ({ x }: { x: number }, ctx: NodeContext) => x + ctx.attempt).usesContext).toBe(true)
  })
})

const executors: ReadonlyArray<[string, () => Executor]> = [
  ['local', () => new LocalExecutor({ concurrency: 8 })],
  ['arrow', () => new ArrowBatchExecutor({ batchSize: 3, concurrency: 8 })],
]

for (const [name, make] of executors) {
  describe(`reliability (${name})`, () => {
    it('passes ctx with signal, key, index and attempt; once-only nodes get no key', async () => {
      const seen: Array<[unknown, unknown, number, boolean]> = []
      const each = node(
        { output: 'y', mapAxis: 'q', keyAttr: 'id' },
        ({ q }: { q: { id: string } }, ctx) => {
          seen.push([ctx.key, ctx.index, ctx.attempt, ctx.signal instanceof AbortSignal])
          return q.id
        },
      )
      const once = node({ output: 'z' }, ({ y }: { y: ReadonlyArray<string> }, ctx) => [y.length, ctx.key, ctx.index])
      const r = await make().map(pipeline(each, once), { q: [{ id: 'a' }, { id: 'b' }] })
      expect(seen).toStrictEqual([
        ['a', 0, 1, true],
        ['b', 1, 1, true],
      ])
      expect(r.outputs.z).toStrictEqual([2, undefined, undefined])
    })

    it('retries a failing call, reports each retry, and counts retries in calls', async () => {
      const failures = new Map<number, number>([[1, 2]]) // item 1 fails twice
      const flaky = node(
        { output: 'y', mapAxis: 'x', retry: { attempts: 3, backoffMs: 1, factor: 2 } },
        async ({ x }: { x: number }, ctx) => {
          const left = failures.get(x) ?? 0
          if (left > 0) {
            failures.set(x, left - 1)
            throw new Error(`flaky ${x} attempt ${ctx.attempt}`)
          }
          return x * 10
        },
      )
      const events: Array<DagflowEvent> = []
      const r = await make().map(pipeline(flaky), { x: [0, 1, 2] }, { onEvent: (e) => events.push(e) })
      expect(r.outputs.y).toStrictEqual([0, 10, 20])
      const retries = events.filter((e) => e.type === 'call:retry')
      expect(retries.map((e) => (e.type === 'call:retry' ? [e.index, e.attempt] : []))).toStrictEqual([
        [1, 1],
        [1, 2],
      ])
      expect(r.stats.nodes['y']?.calls).toBe(5)
    })

    it('fails with the last error when attempts run out, and respects retryOn', async () => {
      let calls = 0
      const always = node({ output: 'y', mapAxis: 'x', retry: { attempts: 2 } }, ({ x }: { x: number }) => {
        calls++
        throw new Error(`no ${x}`)
      })
      const e = await rejection(make().map(pipeline(always), { x: [7] }))
      expect(e).toBeInstanceOf(NodeError)
      expect((e as NodeError).cause).toBeInstanceOf(Error)
      expect(((e as NodeError).cause as Error).message).toBe('no 7')
      expect(calls).toBe(2)
      calls = 0
      const picky = node(
        { output: 'y', mapAxis: 'x', retry: { attempts: 5, retryOn: (err) => !String(err).includes('fatal') } },
        ({ x }: { x: number }) => {
          calls++
          throw new Error(`fatal ${x}`)
        },
      )
      await rejection(make().map(pipeline(picky), { x: [1] }))
      expect(calls).toBe(1)
    })

    it('times out a slow call with a TimeoutError cause, aborting its signal and discarding the late result', async () => {
      let reason: unknown
      const slow = node(
        { output: 'y', mapAxis: 'x', keyAttr: 'id', timeoutMs: 20 },
        async ({ x }: { x: { id: string; ms: number } }, ctx) => {
          if (x.id === 'slow') ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason))
          await sleep(x.ms)
          return x.id
        },
      )
      const e = await rejection(
        make().map(pipeline(slow), { x: [{ id: 'fast', ms: 1 }, { id: 'slow', ms: 200 }] }),
      )
      expect(e).toBeInstanceOf(NodeError)
      expect(e).toMatchObject({ node: 'y', key: 'slow', index: 1 })
      const cause = (e as NodeError).cause
      expect(cause).toBeInstanceOf(TimeoutError)
      expect(cause).toMatchObject({ code: 'TIMEOUT', node: 'y', timeoutMs: 20, key: 'slow', index: 1, attempt: 1 })
      expect(reason).toBe(cause)
      // the timeout's advice once, not followed by "fix the function"
      expect(String(e)).toContain('or add retry: { attempts } to try again')
      expect(String(e)).not.toContain('fix it, or the input it was given')
    })

    it('advises raising retry.attempts, not adding retry, when the node has one', async () => {
      const slow = node(
        { output: 'y', mapAxis: 'x', timeoutMs: 10, retry: { attempts: 2 } },
        async ({ x }: { x: number }) => (await sleep(100), x),
      )
      const e = await rejection(make().map(pipeline(slow), { x: [1] }))
      expect((e as NodeError).cause).toMatchObject({ code: 'TIMEOUT', attempt: 2 })
      expect(String(e)).toContain('or raise retry.attempts')
      expect(String(e)).not.toContain('add retry')
    })

    it('retries after a timeout, and succeeds when a later attempt is fast', async () => {
      const timed = node(
        { output: 'y', mapAxis: 'x', timeoutMs: 20, retry: { attempts: 2 } },
        async ({ x }: { x: number }, ctx) => {
          await sleep(ctx.attempt === 1 ? 200 : 1)
          return x + ctx.attempt
        },
      )
      const r = await make().map(pipeline(timed), { x: [1, 2] })
      expect(r.outputs.y).toStrictEqual([3, 4])
    })

    it('bounds in-flight calls of a node by its own concurrency, beneath the executor’s', async () => {
      let inFlight = 0
      let most = 0
      const limited = node({ output: 'y', mapAxis: 'x', concurrency: 2 }, async ({ x }: { x: number }) => {
        inFlight++
        most = Math.max(most, inFlight)
        await sleep(3)
        inFlight--
        return x
      })
      const r = await make().map(pipeline(limited), { x: Array.from({ length: 12 }, (_, i) => i) })
      expect(most).toBe(2)
      expect(r.outputs.y).toHaveLength(12)
    })
  })
}

describe('reliability of batch forms (arrow)', () => {
  it('gives a batch form keys, indices and attempt, and retries a failing batch as a whole', async () => {
    const seen: Array<[ReadonlyArray<string | number>, ReadonlyArray<number>, number]> = []
    let failOnce = true
    const embed = node(
      {
        output: 'v',
        mapAxis: 'q',
        keyAttr: 'id',
        inputs: { q: t.type({ id: t.string }) },
        retry: { attempts: 2 },
        batch: async ({ q }, ctx) => {
          seen.push([ctx.keys, ctx.indices, ctx.attempt])
          if (failOnce && ctx.indices[0] === 2) {
            failOnce = false
            throw new Error('model busy')
          }
          return Array.from(q, (x) => x.id.length)
        },
      },
      ({ q }) => q.id.length,
    )
    const qs = ['a', 'bb', 'ccc', 'dddd'].map((id) => ({ id }))
    const r = await new ArrowBatchExecutor({ batchSize: 2, concurrency: 1 }).map(pipeline(embed), { q: qs })
    expect(r.outputs.v).toStrictEqual([1, 2, 3, 4])
    expect(seen).toStrictEqual([
      [['a', 'bb'], [0, 1], 1],
      [['ccc', 'dddd'], [2, 3], 1],
      [['ccc', 'dddd'], [2, 3], 2],
    ])
    expect(r.stats.nodes['v']?.calls).toBe(3)
  })
})
