import { describe, it, expect } from 'vitest'
import { rejection, sleep, thrown } from '../helpers.js'
import * as t from 'io-ts'
import {
  createRunner,
  GraphError,
  LocalExecutor,
  NodeError,
  node,
  pipeline,
  type AnyNode,
  type Pipeline,
} from '../../src/index.js'
import { executorSuite } from '../conformance/executor-suite.js'

executorSuite('local', () => new LocalExecutor({ concurrency: 4 }))

/** What `f` throws; fails when it does not. */

describe('LocalExecutor: options', () => {
  it('rejects a concurrency that is not a whole number ≥ 1 with a GraphError', () => {
    for (const bad of [0, 1.5, '2', -1, Number.NaN, null]) {
      const e = thrown(() => new LocalExecutor({ concurrency: bad as never }))
      expect(e).toBeInstanceOf(GraphError)
      expect(e).toMatchObject({ code: 'INVALID_GRAPH' })
    }
  })

  it('defaults concurrency to 16 and accepts Infinity', () => {
    expect(new LocalExecutor().concurrency).toBe(16)
    expect(new LocalExecutor({}).concurrency).toBe(16)
    expect(new LocalExecutor({ concurrency: Number.POSITIVE_INFINITY }).concurrency).toBe(
      Number.POSITIVE_INFINITY,
    )
  })

  it('is frozen and named local', () => {
    const ex = new LocalExecutor({ concurrency: 2 })
    expect(ex.name).toBe('local')
    expect(ex.concurrency).toBe(2)
    expect(Object.isFrozen(ex)).toBe(true)
  })

  it('rejects a first argument that is not a pipeline', async () => {
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x)
    await expect(new LocalExecutor().map(n as never, { x: [1] } as never)).rejects.toBeInstanceOf(
      GraphError,
    )
    await expect(new LocalExecutor().run(n as never, { x: 1 } as never)).rejects.toBeInstanceOf(
      GraphError,
    )
  })
})

describe('LocalExecutor: nodes that switch between sync and async results', () => {
  const xs = Array.from({ length: 12 }, (_, i) => i)

  it('sync first, then async: results stay ordered', async () => {
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) =>
      x < 3 ? x * 10 : sleep(12 - x).then(() => x * 10),
    )
    const r = await new LocalExecutor({ concurrency: 3 }).map(pipeline(n), { x: xs })
    expect(r.outputs.y).toStrictEqual(xs.map((x) => x * 10))
  })

  it('async first, then sync, then alternating: results stay ordered', async () => {
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) =>
      x === 0 || x % 3 === 1 ? sleep(5).then(() => -x) : -x,
    )
    const r = await new LocalExecutor({ concurrency: 2 }).map(pipeline(n), { x: xs })
    expect(r.outputs.y).toStrictEqual(xs.map((x) => -x))
  })

  it('the same with codecs (the checked path)', async () => {
    const n = node(
      { output: 'y', mapAxis: 'x', inputs: { x: t.number }, returns: t.number },
      ({ x }) => (x % 2 === 1 ? sleep(x % 5).then(() => x + 0.5) : x + 0.5),
    )
    const r = await new LocalExecutor({ concurrency: 3 }).map(pipeline(n), { x: xs })
    expect(r.outputs.y).toStrictEqual(xs.map((x) => x + 0.5))
  })

  it('keeps the concurrency bound once a node turns async', async () => {
    let inFlight = 0
    let most = 0
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => {
      if (x < 2) return x
      inFlight++
      most = Math.max(most, inFlight)
      return sleep(2).then(() => (inFlight--, x))
    })
    const r = await new LocalExecutor({ concurrency: 3 }).map(pipeline(n), { x: xs })
    expect(r.outputs.y).toStrictEqual(xs)
    expect(most).toBe(3)
  })

  it('a sync throw after the switch is a NodeError for that item', async () => {
    const boom = new Error('boom')
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => {
      if (x === 7) throw boom
      return x < 2 ? x : Promise.resolve(x)
    })
    const e = await new LocalExecutor().map(pipeline(n), { x: xs }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(NodeError)
    expect(e).toMatchObject({ node: 'y', index: 7, key: 7, cause: boom })
  })

  it('decodes a constant once per run, even when the node turns async', async () => {
    let decodes = 0
    const Counted = new t.Type<{ k: number }, { k: number }, unknown>(
      'Counted',
      (u): u is { k: number } => typeof u === 'object' && u !== null,
      (u) => (decodes++, t.success({ k: (u as { k: number }).k })),
      (a) => a,
    )
    const seen = new Set<unknown>()
    const n = node(
      { output: 'y', mapAxis: 'x', inputs: { x: t.number, c: Counted } },
      ({ x, c }) => (seen.add(c), x < 2 ? x * c.k : Promise.resolve(x * c.k)),
    )
    const r = await new LocalExecutor().map(pipeline(n), { x: [0, 1, 2, 3], c: { k: 2 } })
    expect(r.outputs.y).toStrictEqual([0, 2, 4, 6])
    expect(decodes).toBe(1)
    expect(seen.size).toBe(1)
  })
})

describe('LocalExecutor: runs', () => {
  it('counts the calls a failing run made in the stats run:end carries', async () => {
    type End = { readonly stats: { readonly nodes: Record<string, { calls: number; items: number }> } }
    const endOf = async (n: AnyNode, x: ReadonlyArray<number>): Promise<End['stats']['nodes'][string]> => {
      let end: End | undefined
      await rejection(
        new LocalExecutor().map(pipeline(n) as never, { x } as never, {
          onEvent: (e) => {
            if (e.type === 'run:end') end = e as End
          },
        }),
      )
      return end?.stats.nodes['y'] as End['stats']['nodes'][string]
    }
    let invoked = 0
    // synchronous: items 0 and 1 called, item 1 threw
    const sync = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => {
      invoked++
      if (x === 2) throw new Error('no')
      return x
    })
    expect(await endOf(sync as AnyNode, [1, 2, 3])).toMatchObject({ calls: 2, items: 2 })
    // asynchronous: both calls in flight when the first timed out
    invoked = 0
    const slow = node({ output: 'y', mapAxis: 'x', timeoutMs: 5 }, async ({ x }: { x: number }) => {
      invoked++
      await sleep(30)
      return x
    })
    expect(await endOf(slow as AnyNode, [1, 2])).toMatchObject({ calls: invoked, items: invoked })
    expect(invoked).toBe(2)
    // a value that fails its codec was not called, before or after a call went async
    const checked = node({ output: 'y', mapAxis: 'x', inputs: { x: t.number } }, ({ x }) => x)
    expect(await endOf(checked as AnyNode, [1, 'two' as unknown as number, 3])).toMatchObject({ calls: 1, items: 2 })
    const checkedAsync = node({ output: 'y', mapAxis: 'x', inputs: { x: t.number } }, async ({ x }) => x)
    expect(await endOf(checkedAsync as AnyNode, [1, 'two' as unknown as number])).toMatchObject({ calls: 1 })
  })

  it("counts no call for a value that failed its codec with onError: 'collect'", async () => {
    let invoked = 0
    const Positive = t.refinement(t.number, (v) => v > 0, 'Positive')
    const sync = node({ output: 'y', mapAxis: 'x', inputs: { x: Positive } }, ({ x }) => (invoked++, x * 2))
    const r = await new LocalExecutor().map(pipeline(sync), { x: [1, -1, 2] }, { onError: 'collect' })
    expect(r.stats.nodes['y']).toMatchObject({ calls: invoked, items: 3 })
    invoked = 0
    const later = node({ output: 'y', mapAxis: 'x', inputs: { x: Positive } }, async ({ x }) => (invoked++, x * 2))
    const q = await new LocalExecutor().map(pipeline(later), { x: [1, -1, 2, -3] }, { onError: 'collect' })
    expect(q.stats.nodes['y']).toMatchObject({ calls: invoked, items: 4 })
    expect(invoked).toBe(2)
  })

  it('reads inputs inherited from a prototype of the caller (a defaults object)', async () => {
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x, k }: { x: number; k: number }) => x * k)
    const defaults = { k: 3 }
    const inputs = Object.assign(Object.create(defaults) as { k: number }, { x: [1, 2] })
    const r = await new LocalExecutor().map(pipeline(n), inputs as never)
    expect(r.outputs.y).toStrictEqual([3, 6])
  })

  it('runs many pipelines at once on one executor', async () => {
    const ex = new LocalExecutor({ concurrency: 2 })
    const n = node({ output: 'y', mapAxis: 'x' }, async ({ x, k }: { x: number; k: number }) => {
      await sleep(1)
      return x * k
    })
    const p = pipeline(n)
    const runs = await Promise.all([1, 2, 3].map((k) => ex.map(p, { x: [1, 2, 3], k })))
    expect(runs.map((r) => r.outputs.y)).toStrictEqual([
      [1, 2, 3],
      [2, 4, 6],
      [3, 6, 9],
    ])
  })

  it('reruns a pipeline with new constants and items (nothing stale is reused)', async () => {
    const n = node({ output: 'y', mapAxis: 'x' }, ({ x, k }: { x: number; k: number }) => x + k)
    const once = node({ output: 'z' }, ({ y }: { y: ReadonlyArray<number> }) => y.length)
    const p = pipeline(n, once)
    const ex = new LocalExecutor()
    expect((await ex.map(p, { x: [1, 2], k: 10 })).outputs).toStrictEqual({ y: [11, 12], z: 2 })
    expect((await ex.map(p, { x: [5], k: 0 })).outputs).toStrictEqual({ y: [5], z: 1 })
    expect((await ex.map(p, { x: [5], k: 0 }, { outputs: ['z'] })).outputs).toStrictEqual({ z: 1 })
    expect((await ex.map(p, { x: [7, 8, 9], k: 1 })).outputs).toStrictEqual({ y: [8, 9, 10], z: 3 })
  })
})

describe('LocalExecutor: values and scale', () => {
  it('awaits thenables that are not promises', async () => {
    const thenable = (v: number): PromiseLike<number> => ({
      then: (resolve) => Promise.resolve(resolve?.(v)) as never,
    })
    // (typed as promises: node() types results as R | Promise<R>)
    const perItem = node(
      { output: 'y', mapAxis: 'x' },
      ({ x }: { x: number }) => thenable(x * 3) as Promise<number>,
    )
    const once = node(
      { output: 'z' },
      ({ y }: { y: ReadonlyArray<number> }) => thenable(y.length) as Promise<number>,
    )
    const r = await new LocalExecutor().map(pipeline(perItem, once), { x: [1, 2] })
    expect(r.outputs).toStrictEqual({ y: [3, 6], z: 2 })
  })

  it('methods work detached from the executor', async () => {
    const { run, map, runTE } = new LocalExecutor()
    const p = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1))
    expect(await run(p, { x: 1 })).toStrictEqual({ y: 2 })
    expect((await map(p, { x: [1] })).outputs).toStrictEqual({ y: [2] })
    expect(await runTE(p, { x: 1 })()).toStrictEqual({ _tag: 'Right', right: { y: 2 } })
  })

  it('runs a 10,000-node chain on one axis, then a reduce', async () => {
    const n = 10_000
    const nodes: Array<AnyNode> = [
      node({ output: 'n0', mapAxis: 'x' }, ({ x }: { x: number }) => x) as AnyNode,
    ]
    for (let i = 1; i < n - 1; i++) {
      const prev = `n${i - 1}`
      nodes.push(
        node(
          { output: `n${i}`, mapAxis: prev, inputs: { [prev]: t.unknown } },
          (d) => (d[prev] as number) + 1,
        ) as AnyNode,
      )
    }
    const last = `n${n - 2}`
    nodes.push(
      node({ output: 'total', inputs: { [last]: t.unknown } }, (d) =>
        (d[last] as ReadonlyArray<number>).reduce((a, b) => a + b, 0),
      ) as AnyNode,
    )
    const p = (pipeline as unknown as (...xs: ReadonlyArray<AnyNode>) => Pipeline<AnyNode, string>)(
      ...nodes.reverse(),
    )
    const ex = new LocalExecutor()
    const r = (await ex.map(p as never, { x: [0, 10] } as never)) as {
      outputs: Record<string, unknown>
    }
    expect(Object.keys(r.outputs)).toHaveLength(n)
    expect(r.outputs[last]).toStrictEqual([n - 2, n + 8])
    expect(r.outputs['total']).toBe(2 * (n - 2) + 10)
    const some = (await ex.run(p as never, { x: 1 } as never, { outputs: ['total'] as never })) as {
      total: number
    }
    expect(some).toStrictEqual({ total: n - 1 })
  })
})

describe('createRunner', () => {
  const p = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1))

  it("mode 'local' runs locally", async () => {
    const runner = createRunner({ mode: 'local', concurrency: 3 })
    expect(runner.mode).toBe('local')
    const r = await runner.map(p, { x: [1, 2] })
    expect(r).toStrictEqual({ outputs: { y: [2, 3] }, keys: [0, 1], executor: 'local' })
  })

  it('defaults to local', async () => {
    const runner = createRunner()
    expect(runner.mode).toBe('local')
    expect(await runner.run(p, { x: 1 })).toStrictEqual({ y: 2 })
  })

  it('rejects unknown modes, bad thresholds and bad concurrency with a GraphError', () => {
    for (const mode of ['Local', 'gpu', 42]) {
      expect(thrown(() => createRunner({ mode: mode as never }))).toBeInstanceOf(GraphError)
    }
    expect(thrown(() => createRunner({ mode: 'auto', threshold: -1 }))).toBeInstanceOf(GraphError)
    expect(thrown(() => createRunner({ mode: 'local', concurrency: 0 }))).toBeInstanceOf(GraphError)
  })

  it('rejects a bad batchSize at once, in every mode (not at the first Arrow map)', () => {
    for (const mode of ['local', 'arrow', 'auto'] as const) {
      const e = thrown(() => createRunner({ mode, batchSize: 0 }))
      expect(e).toBeInstanceOf(GraphError)
      expect(String(e)).toContain('`batchSize` must be a whole number ≥ 1, got 0')
    }
  })
})

describe('options', () => {
  const p = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1))

  it('rejects a misspelled option, naming it and the known ones, rather than ignoring it', async () => {
    const message = (f: () => unknown) => String(thrown(f))
    expect(message(() => createRunner({ mode: 'local', bogus: 1 } as never))).toContain(
      'createRunner: `bogus` is not an option (known: mode, threshold, batchSize, concurrency)',
    )
    expect(message(() => new LocalExecutor({ threshold: 10 } as never))).toContain(
      'LocalExecutor: `threshold` is not an option (known: concurrency, batchSize)',
    )
    // batchSize is accepted, so one options object configures either executor, and checked
    expect(new LocalExecutor({ batchSize: 256, concurrency: 2 }).concurrency).toBe(2)
    expect(message(() => new LocalExecutor({ batchSize: 0 }))).toContain('`batchSize` must be a whole number ≥ 1')
    // no options at all, as null from JavaScript, is no options
    expect((await new LocalExecutor().map(p, { x: [1] }, null as never)).outputs.y).toStrictEqual([2])
    const local = new LocalExecutor()
    const e = await rejection(local.map(p, { x: [1] }, { onerror: 'collect' } as never))
    expect(e).toBeInstanceOf(GraphError)
    expect(String(e)).toContain('map(): `onerror` is not an option')
    expect(await rejection(local.run(p, { x: 1 }, { output: ['y'] } as never))).toBeInstanceOf(GraphError)
  })

  it('names the `outputs` option, not select(), for an output no node produces', async () => {
    const e = await rejection(new LocalExecutor().map(p, { x: [1] }, { outputs: ['zz'] as never }))
    expect(e).toBeInstanceOf(GraphError)
    expect(String(e)).toContain('The `outputs` option names "zz", which no node produces. Outputs are: "y".')
  })
})
