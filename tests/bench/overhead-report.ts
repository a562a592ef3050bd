/**
 * Measures LocalExecutor's overhead against hand-written loops, interleaved: after a warm-up,
 * each round times the loop and the executor back to back (alternating which goes first), and
 * the report takes medians over the rounds. Prints a markdown table; `--write` also puts it
 * into docs/performance.md between the `overhead:begin`/`overhead:end` markers.
 *
 *   npm run bench:report                    # 3 runs (processes), print
 *   npm run bench:report -- --write         # 3 runs, print and update docs/performance.md
 *   npx tsx tests/bench/overhead-report.ts --rounds 15 --only sync-600k   # one run
 *   node --expose-gc --import tsx tests/bench/overhead-report.ts   # GC between samples
 *
 * With `--runs N` the script measures in N fresh processes (JIT and heap layout differ between
 * processes) and reports, per case, the median over runs of each run's medians, with the range of
 * the runs' ratios.
 *
 * Exits 1 when a gated case (the 600,000-item sync chain) exceeds the 1.6× bound.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { cases, type Case } from './cases.js'

const BOUND = 1.6
const SAMPLE_MS = 60
const WARMUP_MS = 400

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.lastIndexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const rounds = Number(flag('--rounds') ?? 7)
const only = flag('--only')?.split(',')
const write = args.includes('--write')
const json = args.includes('--json')
const runs = Number(flag('--runs') ?? 1)

const gc = (globalThis as { gc?: () => void }).gc

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** Mean milliseconds per call of `f` over `reps` back-to-back calls. */
async function sample(f: () => unknown, reps: number): Promise<number> {
  gc?.()
  const t0 = performance.now()
  for (let r = 0; r < reps; r++) await f()
  return (performance.now() - t0) / reps
}

interface Row {
  readonly c: Case
  readonly reps: number
  /** how many runs the figures are medians over (1: the rounds of this process) */
  readonly runs: number
  readonly loopMs: number
  readonly execMs: number
  readonly ratio: number
  readonly ratioMin: number
  readonly ratioMax: number
}

async function measure(c: Case): Promise<Row> {
  const expected = c.check(await c.baseline())
  const actual = c.check(await c.executor())
  if (expected !== actual) throw new Error(`${c.id}: executor computed ${actual}, loop ${expected}`)
  // warm-up, alternating, until both sides have run for WARMUP_MS in total
  let spent = 0
  let calls = 0
  while (spent < WARMUP_MS || calls < 6) {
    spent += await sample(c.baseline, 1)
    spent += await sample(c.executor, 1)
    calls += 2
  }
  const reps = Math.max(1, Math.ceil(SAMPLE_MS / (spent / calls)))
  const loop: Array<number> = []
  const exec: Array<number> = []
  const ratios: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    let l: number
    let e: number
    if (r % 2 === 0) {
      l = await sample(c.baseline, reps)
      e = await sample(c.executor, reps)
    } else {
      e = await sample(c.executor, reps)
      l = await sample(c.baseline, reps)
    }
    loop.push(l)
    exec.push(e)
    ratios.push(e / l)
  }
  return {
    c,
    reps,
    runs: 1,
    loopMs: median(loop),
    execMs: median(exec),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
  }
}

const range = (r: Row): string => `${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}`
const ns = (ms: number, calls: number): string => ((ms * 1e6) / calls).toFixed(1)
const ms = (x: number): string => (x < 1 ? x.toFixed(3) : x.toFixed(1))

function table(rows: ReadonlyArray<Row>): string {
  const cpu = cpus()
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ` +
      `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `${process.platform}/${process.arch}; ${rounds} interleaved rounds per case, medians` +
      (gc === undefined ? '' : ', GC between samples') +
      (runs > 1
        ? `; median of ${runs} runs (separate processes), ratio range across the runs.`
        : '; ratio range across the rounds.'),
    '',
    '| case | loop (ms) | LocalExecutor (ms) | ratio (median, range) ' +
      '| ns per node-call: executor / loop |',
    '| --- | ---: | ---: | ---: | ---: |',
  ]
  for (const r of rows) {
    const gate = r.c.gated ? (r.ratio <= BOUND ? ` ✅ ≤ ${BOUND}×` : ` ❌ > ${BOUND}×`) : ''
    lines.push(
      `| ${r.c.title} | ${ms(r.loopMs)} | ${ms(r.execMs)} | ` +
        `**${r.ratio.toFixed(2)}×** (${range(r)})${gate} | ` +
        `${ns(r.execMs, r.c.calls)} / ${ns(r.loopMs, r.c.calls)} |`,
    )
  }
  return lines.join('\n')
}

interface Measured {
  readonly id: string
  readonly reps: number
  readonly loopMs: number
  readonly execMs: number
  readonly ratio: number
  readonly ratioMin: number
  readonly ratioMax: number
}

const selected = cases().filter((c) => only === undefined || only.includes(c.id))
const rows: Array<Row> = []
if (runs > 1) {
  // measure in fresh processes, then take medians across them
  const script = fileURLToPath(import.meta.url)
  const passed = args.filter(
    (a, i) => a !== '--write' && a !== '--runs' && args[i - 1] !== '--runs',
  )
  const perRun: Array<ReadonlyArray<Measured>> = []
  for (let r = 0; r < runs; r++) {
    const child = spawnSync(process.execPath, [...process.execArgv, script, ...passed, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    if (child.status !== 0 && child.status !== 1) {
      throw new Error(`run ${r + 1} failed (status ${String(child.status)})`)
    }
    perRun.push(JSON.parse(child.stdout) as ReadonlyArray<Measured>)
  }
  for (const c of selected) {
    const each = perRun.map((run) => run.find((m) => m.id === c.id) as Measured)
    const ratios = each.map((m) => m.ratio)
    rows.push({
      c,
      reps: each[0]?.reps ?? 0,
      runs,
      loopMs: median(each.map((m) => m.loopMs)),
      execMs: median(each.map((m) => m.execMs)),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
    })
  }
} else {
  for (const c of selected) {
    const row = await measure(c)
    rows.push(row)
    process.stderr.write(
      `${c.id}: loop ${ms(row.loopMs)} ms, executor ${ms(row.execMs)} ms, ` +
        `ratio ${row.ratio.toFixed(2)}× (${range(row)}), ` +
        `${ns(row.execMs, c.calls)} ns/node-call (loop ${ns(row.loopMs, c.calls)}), ` +
        `${row.reps} calls/sample\n`,
    )
  }
}
if (json) {
  const out: Array<Measured> = rows.map(({ c, runs: _, ...m }) => ({ id: c.id, ...m }))
  process.stdout.write(JSON.stringify(out))
  process.exit(rows.some((r) => r.c.gated && r.ratio > BOUND) ? 1 : 0)
}
const md = table(rows)
process.stdout.write(`${md}\n`)

if (write) {
  const doc = fileURLToPath(new URL('../../docs/performance.md', import.meta.url))
  const text = readFileSync(doc, 'utf8')
  const begin = '<!-- overhead:begin -->'
  const end = '<!-- overhead:end -->'
  const i = text.indexOf(begin)
  const j = text.indexOf(end)
  if (i === -1 || j < i) throw new Error(`${doc}: markers ${begin} … ${end} not found`)
  writeFileSync(doc, `${text.slice(0, i + begin.length)}\n${md}\n${text.slice(j)}`)
  process.stderr.write(`updated ${doc}\n`)
}

if (rows.some((r) => r.c.gated && r.ratio > BOUND)) process.exitCode = 1
