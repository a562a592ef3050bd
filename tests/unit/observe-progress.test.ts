import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import * as t from 'io-ts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LocalExecutor, NodeError, node, pipeline, type DagflowEvent } from 'dagflow'
import { progress, tee, type ProgressStream } from 'dagflow/observe'
import { executors } from '../event-fixture.js'

/** A stream that collects what is written; `isTTY` as given, 80 columns, readline's stubs. */
function fakeStream(
  isTTY: boolean,
  write?: () => void,
): { stream: ProgressStream; text: () => string } {
  const chunks: Array<string> = []
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      write?.()
      chunks.push(String(chunk))
      cb()
    },
  })
  Object.assign(w, {
    isTTY,
    columns: 80,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  })
  return { stream: w, text: () => chunks.join('') }
}

/** how often `s` occurs in `text` */
const count = (text: string, s: string): number => text.split(s).length - 1
// cli-progress saves the cursor when a bar starts (ESC 7) and restores it when it stops (ESC 8)
const SAVE = '\x1B7'
const RESTORE = '\x1B8'
const RATE = /\d+(\.\d+)?[kM]? items\/s/

const step = node(
  {
    output: 'stepOne',
    mapAxis: 'x',
    inputs: { x: t.number },
    batch: ({ x }) => Float64Array.from(x, (v) => v + 1),
  },
  ({ x }) => x + 1,
)
const twice = node(
  { output: 'stepTwo', mapAxis: 'stepOne' },
  async ({ stepOne }: { stepOne: number }) => stepOne * 2,
)
const summary = node({ output: 'summary' }, ({ stepTwo }: { stepTwo: ReadonlyArray<number> }) =>
  stepTwo.reduce((s, v) => s + v, 0),
)
const p = pipeline(step, twice, summary)
const xs = Array.from({ length: 300 }, (_, i) => i)
const expected = xs.reduce((s, x) => s + (x + 1) * 2, 0)

afterEach(() => {
  vi.useRealTimers()
})

for (const [name, make] of executors) {
  describe(`progress() (${name})`, () => {
    it('writes nothing at all where the stream is not a TTY', async () => {
      const { stream, text } = fakeStream(false)
      const onEvent = progress({ stream })
      const r = await make().map(p, { x: xs }, { onEvent })
      expect(r.outputs.summary).toBe(expected)
      const bad = node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => {
        if (x === 2) throw new Error('boom')
        return x
      })
      const failed = make().map(pipeline(bad), { x: [1, 2, 3] }, { onEvent })
      await expect(failed).rejects.toBeInstanceOf(NodeError)
      expect(text()).toBe('')
    })

    it('draws one bar on a TTY that ends at items/items, with the node and a rate', async () => {
      const { stream, text } = fakeStream(true)
      const r = await make().map(p, { x: xs }, { onEvent: progress({ stream, label: 'job' }) })
      expect(r.outputs.summary).toBe(expected)
      const out = text()
      // (each check shows the whole output when it fails: this test once failed under load)
      const shown = JSON.stringify(out)
      expect(count(out, SAVE), shown).toBe(1)
      expect(count(out, RESTORE), shown).toBe(1)
      // the last drawing: the full bar, the done count, a rate and the last node
      const last = out.slice(out.lastIndexOf('job ['))
      expect(last, shown).toContain('100%')
      expect(last, shown).toContain('300/300 items')
      expect(last, shown).toMatch(RATE)
      expect(last, shown).toContain('summary')
      // the first drawing: nothing done yet
      expect(out, shown).toContain('0/300 items')
      // trimmed to the terminal's width
      for (const l of out.split(/\x1B\[\d*[GKA-F]|\n|\r/)) expect(l.length, shown).toBeLessThan(80)
    })

    it('draws one bar per run: two runs in sequence, two bars', async () => {
      const { stream, text } = fakeStream(true)
      const onEvent = progress({ stream })
      await make().map(p, { x: xs }, { onEvent })
      await make().map(p, { x: xs.slice(0, 100) }, { onEvent })
      const out = text()
      expect(count(out, SAVE)).toBe(2)
      expect(count(out, RESTORE)).toBe(2)
      expect(count(out, '\n')).toBe(2)
      expect(out).toContain('300/300 items')
      expect(out).toContain('100/100 items')
    })

    it('leaves a failed run\'s bar where it stopped, naming the code and the node', async () => {
      const { stream, text } = fakeStream(true)
      const bad = node({ output: 'brittle', mapAxis: 'x' }, ({ x }: { x: number }) => {
        if (x === 250) throw new Error('boom')
        return x
      })
      await expect(
        make().map(pipeline(step, bad), { x: xs }, { onEvent: progress({ stream }) }),
      ).rejects.toBeInstanceOf(NodeError)
      const out = text()
      expect(out).toContain('failed: NODE_FAILED at brittle')
      expect(out).not.toContain('300/300')
      expect(count(out, RESTORE)).toBe(1)
    })

    it('counts the items that failed in collect mode: 300/300 items, 2 failed', async () => {
      const { stream, text } = fakeStream(true)
      const bad = node({ output: 'brittle', mapAxis: 'x' }, ({ x }: { x: number }) => {
        if (x === 7 || x === 250) throw new Error('boom')
        return x
      })
      const r = await make().map(pipeline(step, bad), { x: xs }, {
        onEvent: progress({ stream }),
        onError: 'collect',
      })
      expect(r.errors?.length).toBe(2)
      const out = text()
      const last = out.slice(out.lastIndexOf('] 100%'))
      expect(last).toMatch(/^\] 100% \| 300\/300 items, 2 failed \| /)
      expect(out).not.toContain('3 failed')
    })

    it('never throws into the run, even when the stream does', async () => {
      const { stream } = fakeStream(true, () => {
        throw new Error('disk full')
      })
      const events: Array<string> = []
      const r = await make().map(p, { x: xs }, {
        onEvent: tee(progress({ stream }), (e: DagflowEvent) => events.push(e.type)),
      })
      expect(r.outputs.summary).toBe(expected)
      expect(events[events.length - 1]).toBe('run:end')
    })
  })
}

describe('progress() counting', () => {
  it('shows the current node while a run goes', async () => {
    const { stream, text } = fakeStream(true)
    const slow = node({ output: 'slowStep', mapAxis: 'x' }, async ({ x }: { x: number }) => {
      await new Promise((resolve) => setTimeout(resolve, 3))
      return x
    })
    const last = node(
      { output: 'lastStep' },
      ({ slowStep }: { slowStep: ReadonlyArray<number> }) => slowStep.length,
    )
    await new LocalExecutor({ concurrency: 1 }).map(pipeline(slow, last), { x: xs.slice(0, 100) }, {
      onEvent: progress({ stream }),
    })
    const out = text()
    // drawn while slowStep ran (a redraw every 100 ms, the node takes ≥ 300 ms), and at the end
    expect(out).toMatch(/ \d{1,2}\/100 items \|.*\| slowStep/)
    expect(out).toContain('100/100 items')
    expect(out).toContain('lastStep')
  })

  it('counts items through per-item nodes and ignores once-only nodes', () => {
    vi.useFakeTimers()
    const { stream, text } = fakeStream(true)
    const onEvent = progress({ stream })
    const tick = () => vi.advanceTimersByTime(500)
    const batch = (node: string, start: number, size: number): Array<DagflowEvent> => [
      { type: 'batch:start', node, start, size, executor: 'local' },
      { type: 'batch:end', node, start, size, ms: 1, executor: 'local' },
    ]
    const events: Array<DagflowEvent> = [
      { type: 'run:start', executor: 'local', items: 10, nodes: ['load', 'a', 'b'], perItem: ['a', 'b'] },
      { type: 'node:start', node: 'load', items: 1 },
      { type: 'node:end', node: 'load', items: 1, ms: 1 },
      { type: 'node:start', node: 'a', items: 10 },
      ...batch('a', 0, 5),
    ]
    for (const e of events) {
      onEvent(e)
      tick()
    }
    // `load` ran once: the work is 10 items × 2 per-item nodes, and 5 of 20 are done
    expect(text()).toContain('2/10 items')
    const rest: Array<DagflowEvent> = [
      ...batch('a', 5, 5),
      { type: 'node:end', node: 'a', items: 10, ms: 1 },
    ]
    for (const e of rest) {
      onEvent(e)
      tick()
    }
    expect(text()).toContain('5/10 items')
    expect(text()).toMatch(/\| a\b/)
    onEvent({ type: 'run:end', executor: 'local', stats: { ms: 5, nodes: {} } })
    expect(text()).toContain('10/10 items')
    expect(count(text(), RESTORE)).toBe(1)
  })

  it('stops drawing, without an uncaught error, when the stream fails between events', async () => {
    let writes = 0
    const { stream, text } = fakeStream(true, () => {
      // the bar starts (4 writes: save the cursor, move, draw, clear); its redraws fail
      if (++writes > 4) throw new Error('EPIPE')
    })
    const slow = node({ output: 'slowStep', mapAxis: 'x' }, async ({ x }: { x: number }) => {
      await new Promise((resolve) => setTimeout(resolve, 3))
      return x
    })
    const one = new LocalExecutor({ concurrency: 1 })
    const r = await one.map(pipeline(slow), { x: xs.slice(0, 80) }, { onEvent: progress({ stream }) })
    expect(r.outputs.slowStep.length).toBe(80)
    expect(writes).toBeGreaterThan(4)
    expect(text()).toContain('0/80 items')
    expect(text()).not.toContain('80/80 items')
  })

  it('counts nodes for a pipeline without a map axis', async () => {
    const { stream, text } = fakeStream(true)
    const half = node({ output: 'half' }, ({ n }: { n: number }) => n / 2)
    await new LocalExecutor().run(pipeline(half), { n: 3 }, { onEvent: progress({ stream }) })
    expect(text()).toContain('1/1 nodes')
  })

  it('tee() hands each event to every listener and rethrows the first error', () => {
    const seen: Array<string> = []
    const listener = tee(
      () => {
        seen.push('first')
        throw new Error('one')
      },
      undefined,
      () => {
        seen.push('second')
        throw new Error('two')
      },
      () => seen.push('third'),
    )
    expect(() => listener({ type: 'node:start', node: 'n', items: 1 })).toThrow('one')
    expect(seen).toStrictEqual(['first', 'second', 'third'])
  })
})

// -------------------------------------------------------------------------------------
// a real terminal: tmux runs a script that uses progress() on its stderr
// -------------------------------------------------------------------------------------

const root = fileURLToPath(new URL('../..', import.meta.url))
const hasTmux = spawnSync('tmux', ['-V']).status === 0

const SCRIPT = (src: string) => `
import { LocalExecutor, node, pipeline } from '${join(src, 'index.ts')}'
import { progress } from '${join(src, 'observe/index.ts')}'
const embed = node({ output: 'embedding', mapAxis: 'x' }, async ({ x }: { x: number }) => {
  await new Promise((resolve) => setTimeout(resolve, 10))
  return x
})
const total = node({ output: 'total' }, ({ embedding }: { embedding: ReadonlyArray<number> }) =>
  embedding.length,
)
const xs = Array.from({ length: 300 }, (_, i) => i)
const r = await new LocalExecutor({ concurrency: 2 }).map(pipeline(embed, total), { x: xs }, {
  onEvent: progress(),
})
process.stdout.write('DONE ' + r.outputs.total + '\\n')
`

// Skipped only where tmux is not installed (it is on CI: .ci/run installs it).
describe.skipIf(!hasTmux)('progress() in a real terminal (tmux)', () => {
  it('redraws one line in place while the run goes, and ends at 300/300', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dagflow-observe-'))
    const script = join(dir, 'script.mts')
    writeFileSync(script, SCRIPT(join(root, 'src')))
    // a tmux server of its own, so the test never touches anyone's sessions
    const tmux = (...args: Array<string>) =>
      spawnSync('tmux', ['-L', `dagflow-observe-${process.pid}`, ...args], { encoding: 'utf8' })
    const tsx = join(root, 'node_modules/.bin/tsx')
    const command = `${tsx} --conditions=dagflow:source ${script}; sleep 60`
    try {
      const started = tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '10', command)
      expect(started.status).toBe(0)
      const screens: Array<string> = []
      const deadline = Date.now() + 25_000
      while (Date.now() < deadline) {
        const screen = tmux('capture-pane', '-p', '-t', 'run').stdout
        screens.push(screen)
        if (screen.includes('DONE')) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const last = screens[screens.length - 1] ?? ''
      expect(last).toContain('DONE 300')
      // mid-run: a partial count, with the node that runs
      const running = (s: string) =>
        /\| \d{1,3}\/300 items \|.*\| embedding/.test(s) && !s.includes('300/300')
      expect(screens.some(running)).toBe(true)
      // the end: one bar line, drawn over in place, complete
      const bars = last.split('\n').filter((l) => l.startsWith('dagflow ['))
      expect(bars.length).toBe(1)
      expect(bars[0]).toContain('100% | 300/300 items')
      expect(bars[0]).toMatch(RATE)
      expect(bars[0]).toContain('| total')
    } finally {
      tmux('kill-server')
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
