import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { context, trace, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { LocalExecutor, NodeError, node, pipeline, type DagflowEvent } from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'
import { otel, tee } from 'dagflow/observe'
import { executors, p, xs } from '../event-fixture.js'

/** A provider exporting to memory, and a count of spans started and ended. */
function setup() {
  const exporter = new InMemorySpanExporter()
  const counts = { started: 0, ended: 0 }
  const counter: SpanProcessor = {
    onStart: () => void counts.started++,
    onEnd: () => void counts.ended++,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  }
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter), counter],
  })
  return { tracer: provider.getTracer('t'), spans: () => exporter.getFinishedSpans(), counts }
}

const byName = (spans: ReadonlyArray<ReadableSpan>, name: string) =>
  spans.filter((s) => s.name === name)
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId
const idOf = (s: ReadableSpan): string => s.spanContext().spanId
/** an HrTime in nanoseconds */
const ns = ([sec, nano]: readonly [number, number]): bigint =>
  BigInt(sec) * 1_000_000_000n + BigInt(nano)

for (const [name, make] of executors) {
  describe(`otel() (${name})`, () => {
    it('makes a run span, a child span per node and a grandchild span per batch', async () => {
      const { tracer, spans, counts } = setup()
      const r = await make().map(p, { x: xs }, { onEvent: otel(tracer) })
      const all = spans()
      expect(counts.ended).toBe(counts.started)
      const [run, ...moreRuns] = byName(all, 'dagflow.run')
      if (run === undefined) throw new Error('no run span')
      expect(moreRuns).toStrictEqual([])
      expect(parentOf(run)).toBe(undefined)
      expect(run.attributes).toMatchObject({
        'dagflow.executor': name,
        'dagflow.items': 300,
        'dagflow.node_count': 3,
        'dagflow.nodes': ['a', 'b', 'total'],
        'dagflow.ms': r.stats.ms,
        'dagflow.calls': Object.values(r.stats.nodes).reduce((s, n) => s + n.calls, 0),
        'dagflow.cached': 0,
      })
      expect(run.status.code).toBe(SpanStatusCode.UNSET)

      const nodes = byName(all, 'dagflow.node')
      const nodeNames = nodes.map((s) => s.attributes['dagflow.node']).sort()
      expect(nodeNames).toStrictEqual(['a', 'b', 'total'])
      for (const n of nodes) {
        expect(parentOf(n)).toBe(idOf(run))
        expect(n.spanContext().traceId).toBe(run.spanContext().traceId)
        const stats = r.stats.nodes[n.attributes['dagflow.node'] as string]
        expect(n.attributes).toMatchObject({
          'dagflow.items': stats?.items,
          'dagflow.calls': stats?.calls,
          'dagflow.ms': stats?.ms,
          'dagflow.cached': 0,
        })
      }
      const nodeSpan = (n: string) =>
        nodes.find((s) => s.attributes['dagflow.node'] === n) as ReadableSpan
      expect(nodeSpan('a').attributes['dagflow.calls']).toBe(name === 'arrow' ? 5 : 300)
      // node spans end at their node:end, not at run:end: a before b, b before total
      expect(ns(nodeSpan('a').endTime)).toBeLessThanOrEqual(ns(nodeSpan('b').startTime))
      expect(ns(nodeSpan('b').endTime)).toBeLessThanOrEqual(ns(nodeSpan('total').startTime))
      expect(ns(nodeSpan('total').endTime)).toBeLessThanOrEqual(ns(run.endTime))

      const batches = byName(all, 'dagflow.batch')
      for (const n of ['a', 'b']) {
        const own = batches.filter((s) => s.attributes['dagflow.node'] === n)
        expect(own.length).toBeGreaterThan(1)
        for (const s of own) {
          expect(parentOf(s)).toBe(idOf(nodeSpan(n)))
          expect(s.attributes['dagflow.executor']).toBe(name)
          expect(typeof s.attributes['dagflow.ms']).toBe('number')
        }
        // the batches cover every item once
        const covered = own
          .map((s) => [s.attributes['dagflow.batch.start'], s.attributes['dagflow.batch.size']])
          .map(([start, size]) => [start as number, size as number] as const)
          .sort(([x], [y]) => x - y)
        let next = 0
        for (const [start, size] of covered) {
          expect(start).toBe(next)
          next += size
        }
        expect(next).toBe(300)
      }
      if (name === 'arrow') {
        const sizes = batches
          .filter((s) => s.attributes['dagflow.node'] === 'a')
          .map((s) => s.attributes['dagflow.batch.size'])
        expect(sizes).toStrictEqual([64, 64, 64, 64, 44])
      }
      expect(batches.some((s) => s.attributes['dagflow.node'] === 'total')).toBe(false)
    })

    it('marks a failed run and node as errors; item:error is an event with the key', async () => {
      const { tracer, spans, counts } = setup()
      const ok = node(
        { output: 'ok', mapAxis: 'q', keyAttr: 'id' },
        ({ q }: { q: { id: string } }) => q.id,
      )
      const bad = node({ output: 'y', mapAxis: 'ok' }, async ({ ok }: { ok: string }) => {
        if (ok === 'c') throw new Error('boom')
        return ok
      })
      const q = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }]
      const error = await make()
        .map(pipeline(ok, bad), { q }, { onEvent: otel(tracer) })
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(error).toBeInstanceOf(NodeError)
      const all = spans()
      // every span is ended, also those of the node that failed
      expect(counts.ended).toBe(counts.started)
      const [run] = byName(all, 'dagflow.run')
      const message = (error as NodeError).message
      expect(run?.status).toStrictEqual({ code: SpanStatusCode.ERROR, message })
      expect(run?.attributes['dagflow.error.code']).toBe('NODE_FAILED')
      expect(run?.events.map((e) => e.name)).toStrictEqual(['exception'])
      expect(run?.events[0]?.attributes?.['exception.message']).toBe((error as NodeError).message)
      // semantic conventions: the exception's type is its class; the code is dagflow.error.code
      expect(run?.events[0]?.attributes?.['exception.type']).toBe('NodeError')

      const nodes = byName(all, 'dagflow.node')
      const okSpan = nodes.find((s) => s.attributes['dagflow.node'] === 'ok')
      const ySpan = nodes.find((s) => s.attributes['dagflow.node'] === 'y')
      expect(okSpan?.status.code).toBe(SpanStatusCode.UNSET)
      expect(ySpan?.status.code).toBe(SpanStatusCode.ERROR)
      expect(ySpan?.events.map((e) => [e.name, e.attributes])).toStrictEqual([
        [
          'dagflow.item.error',
          {
            'dagflow.node': 'y',
            'dagflow.key': 'c',
            'dagflow.index': 2,
            'dagflow.error.code': 'NODE_FAILED',
            'dagflow.error.message': (error as NodeError).message,
          },
        ],
      ])
    })

    it('parents the run span on the given context; runs in sequence share a listener', async () => {
      const { tracer, spans } = setup()
      const outer = tracer.startSpan('outer')
      const parent = trace.setSpan(context.active(), outer)
      const onEvent = otel(tracer, { parent, attributes: { job: 'j1' } })
      await make().map(p, { x: xs.slice(0, 10) }, { onEvent })
      await make().run(p, { x: 1 }, { onEvent })
      outer.end()
      const runs = byName(spans(), 'dagflow.run')
      expect(runs.length).toBe(2)
      for (const r of runs) {
        expect(parentOf(r)).toBe(outer.spanContext().spanId)
        expect(r.attributes['job']).toBe('j1')
      }
      expect(runs.map((r) => r.attributes['dagflow.items'])).toStrictEqual([10, 1])
      expect(byName(spans(), 'dagflow.node').length).toBe(6)
    })
  })
}

describe('otel() with batches in flight', () => {
  it('ends the spans of batches still running when another batch fails', async () => {
    const { tracer, spans, counts } = setup()
    const slow = node(
      {
        output: 'y',
        mapAxis: 'x',
        inputs: { x: t.number },
        batch: async ({ x }) => {
          await new Promise((resolve) => setTimeout(resolve, x[0] === 128 ? 1 : 20))
          if (x[0] === 128) throw new Error('bad batch')
          return Array.from(x)
        },
      },
      ({ x }) => x,
    )
    const arrow = new ArrowBatchExecutor({ batchSize: 64, concurrency: 4 })
    const run = arrow.map(pipeline(slow), { x: xs }, { onEvent: otel(tracer) })
    await expect(run).rejects.toBeInstanceOf(NodeError)
    const atRunEnd = spans().length
    expect(counts.ended).toBe(counts.started)
    const batches = byName(spans(), 'dagflow.batch')
    // four batches started together; the failing one and the three still running are ended
    const starts = batches.map((s) => s.attributes['dagflow.batch.start'] as number)
    expect(starts.sort((x, y) => x - y)).toStrictEqual([0, 64, 128, 192])
    // the batches that finish after the run failed add nothing
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(spans().length).toBe(atRunEnd)
    const [nodeSpan] = byName(spans(), 'dagflow.node')
    expect(nodeSpan?.events[0]?.attributes).toMatchObject({
      'dagflow.index': 128,
      'dagflow.key': 128,
    })
  })
})

describe('otel() timing and codes', () => {
  it("makes LocalExecutor's batch spans last their dagflow.ms, inside the node's", async () => {
    const { tracer, spans } = setup()
    const sleepy = node({ output: 'y', mapAxis: 'x' }, async ({ x }: { x: number }) => {
      await new Promise((resolve) => setTimeout(resolve, 20 * x))
      return x
    })
    await new LocalExecutor({ concurrency: 1 }).map(pipeline(sleepy), { x: [1, 2, 3] }, {
      onEvent: otel(tracer),
    })
    const batches = byName(spans(), 'dagflow.batch')
    const [nodeSpan] = byName(spans(), 'dagflow.node')
    if (nodeSpan === undefined) throw new Error('no node span')
    expect(batches.length).toBe(3)
    for (const b of batches) {
      const ms = b.attributes['dagflow.ms'] as number
      expect(ms).toBeGreaterThanOrEqual(15)
      // the span lasts its calls' time (to within a millisecond of clock reads)
      expect(Math.abs(Number(ns(b.duration)) / 1e6 - ms)).toBeLessThan(1)
      expect(ns(b.startTime)).toBeGreaterThanOrEqual(ns(nodeSpan.startTime))
      expect(ns(b.endTime)).toBeLessThanOrEqual(ns(nodeSpan.endTime))
    }
  })

  it('reports a timed-out call as TIMEOUT, as the command does; exception.type is the class', async () => {
    const { tracer, spans } = setup()
    const hang = (signal: AbortSignal) =>
      new Promise((resolve) => signal.addEventListener('abort', resolve))
    const slow = node({ output: 'y', mapAxis: 'x', timeoutMs: 5 }, async ({ x }: { x: number }, ctx) => {
      if (x === 2) await hang(ctx.signal)
      return x
    })
    const error = await new LocalExecutor()
      .map(pipeline(slow), { x: [1, 2] }, { onEvent: otel(tracer) })
      .then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(NodeError)
    const [run] = byName(spans(), 'dagflow.run')
    const [nodeSpan] = byName(spans(), 'dagflow.node')
    const codes = nodeSpan?.events.map((e) => e.attributes?.['dagflow.error.code'])
    expect(codes).toStrictEqual(['TIMEOUT'])
    expect(run?.attributes['dagflow.error.code']).toBe('TIMEOUT')
    expect(run?.events[0]?.attributes?.['exception.type']).toBe('NodeError')
  })
})

describe('otel() safety', () => {
  it('never throws into the run, even when the tracer does', async () => {
    const broken = {
      startSpan: () => {
        throw new Error('exporter down')
      },
    } as unknown as Tracer
    const seen: Array<DagflowEvent['type']> = []
    const r = await new LocalExecutor().map(p, { x: [1, 2] }, {
      onEvent: tee(otel(broken), (e: DagflowEvent) => seen.push(e.type)),
    })
    expect(r.outputs.total).toBe(10)
    expect(seen[seen.length - 1]).toBe('run:end')
  })

  it('works with the API\'s no-op tracer (no SDK registered)', async () => {
    const noop: Tracer = trace.getTracer('noop')
    const r = await new LocalExecutor().map(p, { x: [1, 2] }, { onEvent: otel(noop) })
    expect(r.outputs.total).toBe(10)
  })

  it('records a call:retry as an event on the node span, with the attempt', () => {
    const { tracer, spans } = setup()
    const onEvent = otel(tracer)
    const flaky = Object.assign(new Error('rate limited'), { code: 'E429' })
    onEvent({ type: 'run:start', executor: 'local', items: 2, nodes: ['ask'], perItem: ['ask'] })
    onEvent({ type: 'node:start', node: 'ask', items: 2 })
    onEvent({ type: 'call:retry', node: 'ask', key: 'q1', index: 0, attempt: 1, error: flaky })
    onEvent({ type: 'node:end', node: 'ask', items: 2, ms: 3 })
    const stats = { ms: 4, nodes: { ask: { calls: 3, items: 2, cached: 0, ms: 3 } } }
    onEvent({ type: 'run:end', executor: 'local', stats })
    const ask = byName(spans(), 'dagflow.node')[0]
    expect(ask?.attributes['dagflow.calls']).toBe(3)
    expect(ask?.events.map((e) => [e.name, e.attributes])).toStrictEqual([
      [
        'dagflow.call.retry',
        {
          'dagflow.node': 'ask',
          'dagflow.attempt': 1,
          'dagflow.error.message': 'rate limited',
          'dagflow.error.code': 'E429',
          'dagflow.key': 'q1',
          'dagflow.index': 0,
        },
      ],
    ])
  })

  it('without @opentelemetry/api: a GraphError naming the version to install (1.9, as README pins)', () => {
    // a preloaded hook makes require() fail to find the package, as where it is not installed
    const script = [
      "import { GraphError } from 'dagflow'",
      "import { otel } from 'dagflow/observe'",
      'let error',
      'try { otel({ startSpan() {} }) } catch (e) { error = e }',
      'console.log(JSON.stringify({ graph: error instanceof GraphError, message: error?.message }))',
    ].join('\n')
    const root = fileURLToPath(new URL('../..', import.meta.url))
    const hook = join(root, 'tests/cli/fixtures/hide-peers.cjs')
    const args = ['--require', hook, '--import', 'tsx', '--conditions=dagflow:source']
    const r = spawnSync(process.execPath, [...args, '--input-type=module', '--eval', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DAGFLOW_HIDE_PEERS: '@opentelemetry/api' },
    })
    expect(r.status, r.stderr).toBe(0)
    const { graph, message } = JSON.parse(r.stdout) as { graph: boolean; message: string }
    expect(graph).toBe(true)
    expect(message).toContain('`npm install @opentelemetry/api@1.9`')
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(readme).toContain('npm install @opentelemetry/api@1.9 ')
  })

  it('ignores events that come without a run (after run:end, or before run:start)', () => {
    const { tracer, spans, counts } = setup()
    const onEvent = otel(tracer)
    onEvent({ type: 'node:start', node: 'n', items: 1 })
    onEvent({ type: 'batch:end', node: 'n', start: 0, size: 1, ms: 0, executor: 'arrow' })
    expect(counts.started).toBe(0)
    expect(spans()).toStrictEqual([])
  })
})
