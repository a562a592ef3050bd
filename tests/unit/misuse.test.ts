/**
 * Mistakes a user makes with the options, the cache store and the inputs: each is a
 * DagflowError that says what was wrong and how to fix it, never a wrong output, a silent
 * default, or a failure blamed on a node's function. Found by an audit of every error code.
 */
import { describe, expect, it } from 'vitest'
import { rejection, thrown } from '../helpers.js'
import {
  GraphError,
  LocalExecutor,
  MissingInputError,
  MissingKeyError,
  node,
  pipeline,
  type CacheStore,
} from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'

const times10 = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x * 10))

for (const [name, make] of [
  ['local', () => new LocalExecutor()],
  ['arrow', () => new ArrowBatchExecutor({ batchSize: 2 })],
] as const) {
  describe(`misuse (${name})`, () => {
    it('refuses a cache store whose get is async or returns the bare value, naming the node', async () => {
      const asyncStore = { get: async () => undefined, set() {} } as unknown as CacheStore
      const e = await rejection(make().map(times10, { x: [1, 2] }, { cache: asyncStore }))
      expect(e).toBeInstanceOf(GraphError)
      expect(String(e)).toContain('returned a promise for node "y"')
      const bare = { get: () => 5, set() {} } as unknown as CacheStore
      expect(String(await rejection(make().map(times10, { x: [1] }, { cache: bare })))).toContain(
        'returned 5 for node "y"',
      )
      // a store that works: { value } for a hit, undefined for a miss
      const map = new Map<string, unknown>()
      const good: CacheStore = { get: (k) => (map.has(k) ? { value: map.get(k) } : undefined), set: (k, v) => void map.set(k, v) }
      await make().map(times10, { x: [1, 2] }, { cache: good })
      expect((await make().map(times10, { x: [1, 2] }, { cache: good })).outputs.y).toStrictEqual([10, 20])
    })

    it('refuses option values of the wrong kind before running anything', async () => {
      let calls = 0
      const counted = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => (calls++, x)))
      for (const [options, says] of [
        [{ cache: {} }, 'the cache option must be a CacheStore'],
        [{ cache: true }, 'the cache option must be a CacheStore'],
        [{ onEvent: 5 }, 'the onEvent option must be a function'],
        [{ signal: 'stop' }, 'the signal option must be an AbortSignal'],
      ] as const) {
        const e = await rejection(make().map(counted, { x: [1] }, options as never))
        expect(e).toBeInstanceOf(GraphError)
        expect(String(e)).toContain(says)
      }
      expect(calls).toBe(0)
    })

    it('says an item is not an object when its key cannot be read', async () => {
      const keyed = pipeline(node({ output: 'y', mapAxis: 'q', keyAttr: 'id' }, ({ q }: { q: { id: string } }) => q.id))
      const e = await rejection(make().map(keyed, { q: [{ id: 'a' }, null as never] }))
      expect(e).toBeInstanceOf(MissingKeyError)
      expect(String(e)).toContain('Item 1 has no usable key: it is null, not an object with a "id" field')
    })

    it('says run takes one item when run is given an array of items on a keyed pipeline', async () => {
      const keyed = pipeline(node({ output: 'y', mapAxis: 'q', keyAttr: 'id' }, ({ q }: { q: { id: string } }) => q.id))
      const e = await rejection(make().run(keyed, { q: [{ id: 'a' }] as never }))
      expect(e).toMatchObject({ code: 'MISSING_KEY', index: 0, keyAttr: 'id' })
      expect(String(e)).toContain('it is an array, not an object with a "id" field')
      expect(String(e)).toContain('`run` takes one item and `map` takes an array of items')
    })

    it('suggests the output a misspelled parameter meant, never a node its own output', async () => {
      const hits = node({ output: 'hits', mapAxis: 'q' }, ({ q }: { q: string }) => q.length)
      const score = node({ output: 'score', mapAxis: 'hits' }, ({ hits, hitz }: { hits: number; hitz: number }) => hits + hitz)
      for (const outputs of [undefined, ['score'] as const]) {
        const e = await rejection(make().map(pipeline(hits, score), { q: ['a'] } as never, outputs && { outputs }))
        expect(e).toBeInstanceOf(MissingInputError)
        expect(e).toMatchObject({ inputs: ['hitz'], suggestions: { hitz: 'hits' } })
        expect(String(e)).toContain('"hitz" (needed by "score"): did you mean the output "hits"?')
      }
      // no output is close to "k", and "sizes" is the consuming node's own output
      const sizes = node({ output: 'sizes', mapAxis: 'q' }, ({ q, size }: { q: string; size: number }) => q.length * size)
      const e = await rejection(make().map(pipeline(sizes), { q: ['a'] } as never))
      expect(e).toMatchObject({ inputs: ['size'], suggestions: {} })
      expect(String(e)).not.toContain('did you mean')
    })

    it('names the map axis among missing inputs when no node that runs reads it', async () => {
      const p = pipeline(
        node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x),
        node({ output: 'c' }, ({ k }: { k: number }) => k),
      )
      const e = await rejection(make().map(p, { k: 1 } as never, { outputs: ['c'] }))
      expect(String(e)).toContain('"x" (the map axis: the items to map over)')
    })
  })
}

describe('misuse: messages', () => {
  it('quotes a string where a number was expected, rather than printing it as one', () => {
    expect(String(thrown(() => node({ output: 'y', timeoutMs: '100' as never }, ({ x }: { x: number }) => x)))).toContain(
      'got "100"',
    )
    expect(String(thrown(() => new LocalExecutor({ concurrency: '4' as never })))).toContain('got "4"')
  })

  it('reports a throwing batch form as its batch’s failure, with the batch’s size', async () => {
    const half = node(
      {
        output: 'y',
        mapAxis: 'x',
        keyAttr: 'id',
        batch: ({ x }) => {
          if (x.length > 1) throw new Error('batch has two')
          return [1]
        },
      },
      ({ x }: { x: { id: string } }) => x.id.length,
    )
    const e = await rejection(new ArrowBatchExecutor({ batchSize: 2 }).map(pipeline(half), { x: [{ id: 'a' }, { id: 'b' }] }))
    expect(e).toMatchObject({ code: 'NODE_FAILED', node: 'y', key: 'a', index: 0 })
    expect(String(e)).toContain('Node "y" failed on its batch of 2 items from item 0 (key "a"): batch has two')
    expect(String(e)).toContain("The error came from the node's `batch` form")
  })
})
