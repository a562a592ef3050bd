/**
 * Measures the Arrow executor against LocalExecutor, hand-written typed-array loops and the auto
 * runner (cases 1–3 of `arrow-cases.ts`), and sweeps item count and batch size on the numeric
 * chain to find where Arrow starts to pay (case 4). Interleaved: after a warm-up, each round
 * times every side of a case back to back (rotating which goes first), and a process reports
 * medians over its rounds. Each case, and each sweep, runs in a fresh process (JIT feedback left
 * by other pipelines changes the per-item path by up to 3×); with `--runs N`, N times over, and
 * the report takes the median across them.
 *
 *   npm run bench:arrow                       # 3 runs, print the tables
 *   npm run bench:arrow -- --write            # … and update docs/performance.md and the charts
 *   npm run bench:arrow -- --runs 1 --only numeric,struct      # some cases, one run
 *   npm run bench:arrow -- --from /tmp/dagflow-arrow-bench.json --write   # re-render, no timing
 *
 * `--only` takes id prefixes: `numeric`, `final`, `collect`, `struct`, `model`, `sweep-codecs`, `sweep-bare`,
 * `batch-codecs`, or a full id such as `sweep-codecs-4096-1024` (items, batch size). `--clock
 * wall` times by wall clock instead of CPU time. `--inline` measures in this process. Every run
 * saves its figures to `--save` (default: dagflow-arrow-bench.json in the OS temp directory).
 * `--svg` writes the charts without touching the doc.
 *
 * Exits 1 when a bound of cases 1–3 fails.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { lineChart, type Series } from './arrow-chart.js'
import {
  caseFactories,
  SWEEP_BATCH_ITEMS,
  SWEEP_BATCH_SIZES,
  SWEEP_ITEMS,
  sweepPoint,
  type Bound,
  type Case,
} from './arrow-cases.js'

const SAMPLE_MS = 60
const WARMUP_MS = 400
const SWEEP_WARMUP_MS = 200

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.lastIndexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const rounds = Number(flag('--rounds') ?? 7)
const runs = Number(flag('--runs') ?? 1)
const only = flag('--only')?.split(',')
const from = flag('--from')
const save = flag('--save') ?? join(tmpdir(), 'dagflow-arrow-bench.json')
const write = args.includes('--write')
const svg = write || args.includes('--svg')
const json = args.includes('--json')
const inline = args.includes('--inline')
/** the clock of cases without their own: CPU time of the process (default) or wall time */
const clock = (flag('--clock') ?? 'cpu') as 'cpu' | 'wall'
if (clock !== 'cpu' && clock !== 'wall') throw new Error('--clock must be cpu or wall')

const gc = (globalThis as { gc?: () => void }).gc
const root = new URL('../../', import.meta.url)

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** `commit abc1234` (`+ uncommitted changes in src/` when src/ differs), or undefined outside git. */
function gitLabel(): string | undefined {
  const cwd = fileURLToPath(root)
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' })
  if (head.status !== 0) return undefined
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd, encoding: 'utf8' })
  return `commit ${head.stdout.trim()}${dirty.stdout.trim() === '' ? '' : ' + uncommitted changes in src/'}`
}

// --- what is measured ------------------------------------------------------------------------

interface Entry {
  /** cases of one group are measured in one process; each group gets a fresh one */
  readonly group: string
  readonly make: () => Case
}

/**
 * Every case and sweep point, by id: `sweep-<kind>-<items>-1024` by item count,
 * `batch-codecs-65536-<batchSize>` by batch size.
 */
function allCases(): Map<string, Entry> {
  const m = new Map<string, Entry>()
  for (const [id, make] of caseFactories) m.set(id, { group: id, make })
  for (const kind of ['codecs', 'bare'] as const) {
    for (const n of SWEEP_ITEMS) {
      m.set(`sweep-${kind}-${n}-1024`, { group: `sweep-${kind}`, make: () => sweepPoint(kind, n, 1024) })
    }
  }
  for (const b of SWEEP_BATCH_SIZES) {
    m.set(`batch-codecs-${SWEEP_BATCH_ITEMS}-${b}`, {
      group: 'batch-codecs',
      make: () => ({
        ...sweepPoint('codecs', SWEEP_BATCH_ITEMS, b),
        id: `batch-codecs-${SWEEP_BATCH_ITEMS}-${b}`,
      }),
    })
  }
  return m
}

/** A measurement: median ms per run of each side, and each bound's ratio. */
interface Measured {
  readonly id: string
  readonly title: string
  readonly n: number
  readonly sweep: boolean
  readonly labels: Readonly<Record<string, string>>
  /** the side names of bound sentences */
  readonly briefs: Readonly<Record<string, string>>
  /** which clock `ms` and the ratios use */
  readonly clock: 'cpu' | 'wall'
  /** median ms per run, by `clock` */
  readonly ms: Readonly<Record<string, number>>
  /** median wall-clock ms per run (the same as `ms` when `clock` is wall) */
  readonly wallMs: Readonly<Record<string, number>>
  /** the 1-minute load average when the case finished, per run */
  readonly load: ReadonlyArray<number>
  readonly bounds: ReadonlyArray<Bound & { readonly ratio: number; readonly lo: number; readonly hi: number }>
  /** 1: a single process (ranges across rounds); N: medians of N processes (ranges across them) */
  readonly runs: number
  readonly rounds: number
}

interface Sample {
  readonly wall: number
  /** user + system time of the whole process (GC and compiler threads included) */
  readonly cpu: number
}

/** Mean milliseconds per call of `f` over `reps` back-to-back calls, by both clocks. */
async function sample(f: () => unknown, reps: number): Promise<Sample> {
  gc?.()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let r = 0; r < reps; r++) await f()
  const wall = (performance.now() - t0) / reps
  const c = process.cpuUsage(c0)
  return { wall, cpu: (c.user + c.system) / 1000 / reps }
}

/**
 * Each round's ratio of a bound. Against several sides, "the faster" is the side with the lowest
 * median over the rounds, and every round is divided by that side's time in the same round (the
 * faster side per round would be biased low: the minimum of two noisy times).
 */
function ratiosOf(b: Bound, perRound: ReadonlyArray<Readonly<Record<string, number>>>): Array<number> {
  const faster = [...b.over].sort(
    (x, y) => median(perRound.map((ms) => ms[x] as number)) - median(perRound.map((ms) => ms[y] as number)),
  )[0] as string
  return perRound.map((ms) => (ms[b.side] as number) / (ms[faster] as number))
}

async function measure(id: string, c: Case): Promise<Measured> {
  // every side computes the same thing
  const expected = c.check(await c.sides[0]?.run())
  for (const s of c.sides.slice(1)) {
    const got = c.check(await s.run())
    if (got !== expected) throw new Error(`${c.id}: ${s.id} computed ${got}, ${c.sides[0]?.id} ${expected}`)
  }
  // warm-up, alternating, until every side has run for its share of the warm-up
  const warmup = c.sweep === true ? SWEEP_WARMUP_MS : WARMUP_MS
  const spent = new Map(c.sides.map((s) => [s.id, { ms: 0, calls: 0 }]))
  for (let total = 0, k = 0; total < warmup || k < 3; k++) {
    for (const s of c.sides) {
      const t0 = performance.now()
      await s.run()
      const ms = performance.now() - t0
      const e = spent.get(s.id) as { ms: number; calls: number }
      e.ms += ms
      e.calls++
      total += ms
    }
  }
  const reps = new Map(
    c.sides.map((s) => {
      const e = spent.get(s.id) as { ms: number; calls: number }
      return [s.id, Math.max(1, Math.ceil(SAMPLE_MS / (e.ms / e.calls)))]
    }),
  )
  const n = c.rounds ?? rounds
  const by = c.clock ?? clock
  const times = new Map<string, Array<number>>(c.sides.map((s) => [s.id, []]))
  const walls = new Map<string, Array<number>>(c.sides.map((s) => [s.id, []]))
  const perRound: Array<Record<string, number>> = []
  for (let r = 0; r < n; r++) {
    const ms: Record<string, number> = {}
    for (let k = 0; k < c.sides.length; k++) {
      const s = c.sides[(r + k) % c.sides.length] as Case['sides'][number]
      const t = await sample(s.run, reps.get(s.id) as number)
      ms[s.id] = t[by]
      times.get(s.id)?.push(t[by])
      walls.get(s.id)?.push(t.wall)
    }
    perRound.push(ms)
  }
  const ratios = c.bounds.map((b) => ratiosOf(b, perRound))
  if (c.id !== id) throw new Error(`case ${id} calls itself ${c.id}`)
  const result: Measured = {
    id: c.id,
    title: c.title,
    n: c.n,
    sweep: c.sweep === true,
    labels: Object.fromEntries(c.sides.map((s) => [s.id, s.label])),
    briefs: Object.fromEntries(c.sides.map((s) => [s.id, s.brief ?? short(s.label)])),
    clock: by,
    ms: Object.fromEntries(c.sides.map((s) => [s.id, median(times.get(s.id) ?? [])])),
    wallMs: Object.fromEntries(c.sides.map((s) => [s.id, median(walls.get(s.id) ?? [])])),
    load: [loadavg()[0] as number],
    bounds: c.bounds.map((b, j) => ({
      ...b,
      ratio: median(ratios[j] ?? []),
      lo: Math.min(...(ratios[j] ?? [])),
      hi: Math.max(...(ratios[j] ?? [])),
    })),
    runs: 1,
    rounds: n,
  }
  const sides = c.sides.map(
    (s) =>
      `${s.id} ${fmtMs(result.ms[s.id] as number)} ms ` +
      `(wall ${fmtMs(result.wallMs[s.id] as number)}) ×${reps.get(s.id)}`,
  )
  const bounds = result.bounds.map(
    (b) =>
      `${b.side}/${b.over.join('|')} ${b.ratio.toFixed(3)} (${b.lo.toFixed(3)}–${b.hi.toFixed(3)})`,
  )
  process.stderr.write(`${c.id} (${by}): ${sides.join(', ')}; ${bounds.join(', ')}\n`)
  return result
}

/** Medians across runs; each bound's range is the lowest and highest of the runs' medians. */
function combine(perRun: ReadonlyArray<ReadonlyArray<Measured>>): Array<Measured> {
  const first = perRun[0] ?? []
  return first.map((m) => {
    const each = perRun.map((run) => run.find((x) => x.id === m.id) as Measured)
    return {
      ...m,
      ms: Object.fromEntries(Object.keys(m.ms).map((k) => [k, median(each.map((e) => e.ms[k] as number))])),
      wallMs: Object.fromEntries(
        Object.keys(m.wallMs).map((k) => [k, median(each.map((e) => e.wallMs[k] as number))]),
      ),
      load: each.flatMap((e) => e.load),
      bounds: m.bounds.map((b, j) => {
        const rs = each.map((e) => (e.bounds[j] as { ratio: number }).ratio)
        return { ...b, ratio: median(rs), lo: Math.min(...rs), hi: Math.max(...rs) }
      }),
      runs: perRun.length,
    }
  })
}

// --- the report -------------------------------------------------------------------------------

/** A side's label without its parenthesised detail, for the bound sentences. */
const short = (label: string): string => label.replace(/ \(.*\)$/, '')

const fmtMs = (x: number): string => (x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(2) : x.toFixed(1))
const nsPerItem = (m: Measured, side: string): number => ((m.ms[side] as number) * 1e6) / m.n
const fmtNs = (x: number): string =>
  x < 10 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')
const fmtN = (n: number): string => n.toLocaleString('en-US')

type MeasuredBound = Measured['bounds'][number]

/** A bound: speed-ups read "k× faster" (higher is better), other ratios "r×" (lower is better). */
function boundRow(m: Measured, b: MeasuredBound): [string, string, string] {
  const side = m.briefs[b.side] as string
  const over =
    b.over.length === 1
      ? (m.briefs[b.over[0] as string] as string)
      : `the faster of ${b.over.map((o) => m.briefs[o]).join(' and ')}`
  const verdict = b.ratio <= b.max ? '✅' : '❌'
  if (b.speedup === true) {
    return [
      `${side} at least ${1 / b.max}× faster than ${over}`,
      `**${(1 / b.ratio).toFixed(1)}×** faster (${(1 / b.hi).toFixed(1)}–${(1 / b.lo).toFixed(1)})`,
      verdict,
    ]
  }
  return [
    `${side} at most ${b.max}× ${over}`,
    `**${b.ratio.toFixed(2)}×** (${b.lo.toFixed(2)}–${b.hi.toFixed(2)})`,
    verdict,
  ]
}

function casesTables(ms: ReadonlyArray<Measured>): Array<string> {
  const lines = [
    '| case | side | ms per run | ns per item | wall ms per run |',
    '| --- | --- | ---: | ---: | ---: |',
  ]
  for (const m of ms) {
    Object.keys(m.ms).forEach((side, i) => {
      lines.push(
        `| ${i === 0 ? m.title : ''} | ${m.labels[side]} | ` +
          `${fmtMs(m.ms[side] as number)}${m.clock === 'wall' ? ' (wall)' : ''} | ` +
          `${fmtNs(nsPerItem(m, side))} | ${fmtMs(m.wallMs[side] as number)} |`,
      )
    })
  }
  lines.push('', '| case | bound | measured: median (range) | |', '| --- | --- | ---: | :---: |')
  for (const m of ms) {
    m.bounds.forEach((b, i) => {
      const [what, value, verdict] = boundRow(m, b)
      lines.push(`| ${i === 0 ? m.title.replace(/\..*$/, '') : ''} | ${what} | ${value} | ${verdict} |`)
    })
  }
  return lines
}

interface Point {
  readonly x: number
  readonly m: Measured
}

/** The sweep points of one kind, ordered by x. */
function sweepOf(ms: ReadonlyArray<Measured>, kind: string, by: 'items' | 'batch'): Array<Point> {
  const points: Array<Point> = []
  for (const m of ms) {
    const match = /^(sweep|batch)-(\w+)-(\d+)-(\d+)$/.exec(m.id)
    if (match === null || match[2] !== kind) continue
    if (by === 'items' && match[1] === 'sweep') points.push({ x: Number(match[3]), m })
    if (by === 'batch' && match[1] === 'batch') points.push({ x: Number(match[4]), m })
  }
  return points.sort((p, q) => p.x - q.x)
}

const ratioBound = (m: Measured): MeasuredBound => m.bounds[0] as MeasuredBound

/**
 * The auto threshold: the smallest item count from which Arrow is at least as fast as local at
 * that count and every larger one, by the upper end of the ratio's range (every run, or every
 * round with one run). `undefined` if Arrow never reliably is.
 */
function threshold(points: ReadonlyArray<Point>): number | undefined {
  let t: number | undefined
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i] as Point
    if (ratioBound(p.m).hi > 1) break
    t = p.x
  }
  return t
}

function sweepTable(points: ReadonlyArray<Point>, head: string): Array<string> {
  const lines = [
    `| ${head} | LocalExecutor, ns per item | ArrowBatchExecutor, ns per item ` +
      '| Arrow / local: median (range) |',
    '| ---: | ---: | ---: | ---: |',
  ]
  for (const p of points) {
    const b = ratioBound(p.m)
    const mark = b.hi <= 1 ? ' ✓' : b.lo > 1 ? '' : ' ~'
    lines.push(
      `| ${fmtN(p.x)} | ${fmtNs(nsPerItem(p.m, 'local'))} | ${fmtNs(nsPerItem(p.m, 'arrow'))} | ` +
        `${b.ratio.toFixed(2)}× (${b.lo.toFixed(2)}–${b.hi.toFixed(2)})${mark} |`,
    )
  }
  return lines
}

/** What a saved file records besides the figures. */
interface Meta {
  /** what was measured (default: the git commit, if any) */
  readonly label: string | undefined
  readonly date: string
  readonly gc: boolean
  /** Node version, cores and CPU, platform */
  readonly machine: string
}

function machine(): string {
  const cpu = cpus()
  return (
    `Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ` +
    `${process.platform}/${process.arch}`
  )
}

function header(ms: ReadonlyArray<Measured>, meta: Meta): string {
  const r = ms[0]?.runs ?? 1
  const counts = [...new Set(ms.map((m) => m.rounds))].sort((x, y) => y - x)
  const roundsText =
    counts.length <= 1
      ? `${counts[0] ?? rounds} interleaved rounds per case`
      : `${counts[0]} interleaved rounds per case (${counts.slice(1).join(', ')} for the slowest)`
  const loads = ms.flatMap((m) => m.load)
  const clocks = [...new Set(ms.map((m) => m.clock))]
  const clockText =
    clocks.length === 1 && clocks[0] === 'wall'
      ? 'Times are wall-clock time'
      : clocks.length === 1
        ? 'Times are CPU time of the process (user + system, all threads)'
        : 'Times are CPU time of the process (user + system, all threads), except where marked (wall)'
  return (
    `Measured ${meta.date}${meta.label === undefined ? '' : ` (${meta.label})`} on ${meta.machine}` +
    (loads.length === 0
      ? '; '
      : `, 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; `) +
    `each case and each sweep in a fresh process; ${roundsText}, medians` +
    (meta.gc ? ', GC between samples' : '') +
    (r > 1
      ? `; median of ${r} runs (separate processes), ranges across the runs.`
      : '; one run, ranges across the rounds.') +
    ` ${clockText}; ratios and bounds use these times.`
  )
}

function report(ms: ReadonlyArray<Measured>, meta: Meta): string {
  const out = [header(ms, meta), '']
  const main = ms.filter((m) => !m.sweep)
  if (main.length > 0) out.push(...casesTables(main), '')
  const items = sweepOf(ms, 'codecs', 'items')
  if (items.length > 0) {
    const t = threshold(items)
    out.push(
      '**Case 4, by item count** (the numeric chain of case 1, batchSize 1024; ✓: Arrow at least ' +
        `as fast in every ${items[0]?.m.runs === 1 ? 'round' : 'run'}, ~: in some):`,
      '',
      ...sweepTable(items, 'items'),
      '',
      t === undefined
        ? 'Arrow is not reliably at least as fast as local at any measured item count.'
        : `Arrow is at least as fast as local from **${fmtN(t)} items** on (every larger count too).`,
      '',
    )
  }
  const bare = sweepOf(ms, 'bare', 'items')
  if (bare.length > 0) {
    const t = threshold(bare)
    out.push(
      '**The same chain without codecs** (LocalExecutor’s fastest per-item path), by item count:',
      '',
      ...sweepTable(bare, 'items'),
      '',
      t === undefined
        ? 'Without codecs, Arrow is not reliably at least as fast as local at any measured item count.'
        : `Without codecs, Arrow is at least as fast as local from **${fmtN(t)} items** on.`,
      '',
    )
  }
  const batch = sweepOf(ms, 'codecs', 'batch')
  if (batch.length > 0) {
    out.push(
      `**Case 4, by batch size** (the numeric chain of case 1, ${fmtN(SWEEP_BATCH_ITEMS)} items):`,
      '',
      ...sweepTable(batch, 'batchSize'),
      '',
    )
  }
  return out.join('\n').trimEnd()
}

// --- charts ------------------------------------------------------------------------------------

const medianOf = (points: ReadonlyArray<Point>): string => {
  const runs = points[0]?.m.runs ?? 1
  return runs > 1 ? `medians of ${runs} runs` : 'medians of one run'
}

/** A sweep's points as [x, ns per item] of one side. */
const perItem = (points: ReadonlyArray<Point>, side: string): Array<readonly [number, number]> =>
  points.map((p) => [p.x, nsPerItem(p.m, side)] as const)

const LOCAL = '#1f77b4'
const ARROW = '#d62728'

function charts(ms: ReadonlyArray<Measured>): Array<[string, string]> {
  const files: Array<[string, string]> = []
  const items = sweepOf(ms, 'codecs', 'items')
  const bare = sweepOf(ms, 'bare', 'items')
  if (items.length > 1) {
    const t = threshold(items)
    const series: Array<Series> = [
      { label: 'LocalExecutor', color: LOCAL, points: perItem(items, 'local') },
      { label: 'ArrowBatchExecutor', color: ARROW, points: perItem(items, 'arrow') },
    ]
    if (bare.length > 1) {
      series.push(
        { label: 'LocalExecutor, no codecs', color: LOCAL, dash: '6 5', points: perItem(bare, 'local') },
        {
          label: 'ArrowBatchExecutor, no codecs',
          color: ARROW,
          dash: '6 5',
          points: perItem(bare, 'arrow'),
        },
      )
    }
    files.push([
      'docs/perf-crossover.svg',
      lineChart({
        title: 'Time per item against item count: 3-node numeric chain with batch forms',
        subtitle:
          (bare.length > 1
            ? 't.number codecs on inputs and returns (solid), no codecs (dashed)'
            : 't.number codecs on inputs and returns') + `; batchSize 1024; ${medianOf(items)}`,
        xLabel: 'items per map (log scale; 1k = 1,024)',
        yLabel: 'time per item, ns (log scale; lower is better)',
        series,
        ...(t === undefined
          ? {}
          : { marker: { x: t, label: `solid lines: Arrow at least as fast from ${fmtN(t)} items on` } }),
      }),
    ])
  }
  const batch = sweepOf(ms, 'codecs', 'batch')
  if (batch.length > 1) {
    files.push([
      'docs/perf-batch-size.svg',
      lineChart({
        title: `Time per item against batch size: the same chain, ${fmtN(SWEEP_BATCH_ITEMS)} items`,
        subtitle:
          `t.number codecs; LocalExecutor calls fn per item whatever the batch size; ` +
          medianOf(batch),
        xLabel: 'ArrowBatchExecutor batchSize (log scale; 1k = 1,024)',
        yLabel: 'time per item, ns (log scale; lower is better)',
        series: [
          { label: 'LocalExecutor', color: LOCAL, points: perItem(batch, 'local') },
          { label: 'ArrowBatchExecutor', color: ARROW, points: perItem(batch, 'arrow') },
        ],
      }),
    ])
  }
  return files
}

// --- main --------------------------------------------------------------------------------------

let measured: Array<Measured>
let meta: Meta = {
  label: flag('--label') ?? gitLabel(),
  date: new Date().toISOString().slice(0, 10),
  gc: gc !== undefined,
  machine: machine(),
}
if (from !== undefined) {
  const saved = JSON.parse(readFileSync(from, 'utf8')) as { meta: Meta; measured: Array<Measured> }
  measured = saved.measured
  meta = saved.meta
} else {
  const table = allCases()
  const exact = flag('--ids')?.split(',')
  const ids = [...table.keys()].filter((id) =>
    exact !== undefined ? exact.includes(id) : only === undefined || only.some((o) => id.startsWith(o)),
  )
  if (json || inline) {
    // measure here, in this process
    measured = []
    for (const id of ids) measured.push(await measure(id, (table.get(id) as Entry).make()))
  } else {
    // each group in a fresh process (a process that ran other pipelines first has other JIT
    // feedback), `runs` times over; then medians across the runs
    const groups = new Map<string, Array<string>>()
    for (const id of ids) {
      const g = (table.get(id) as Entry).group
      groups.set(g, [...(groups.get(g) ?? []), id])
    }
    const script = fileURLToPath(import.meta.url)
    const passed = ['--rounds', String(rounds), '--clock', clock]
    const perRun: Array<Array<Measured>> = []
    for (let r = 0; r < runs; r++) {
      const run: Array<Measured> = []
      for (const [g, members] of groups) {
        process.stderr.write(`— run ${r + 1} of ${runs}: ${g}\n`)
        const child = spawnSync(
          process.execPath,
          [...process.execArgv, script, ...passed, '--ids', members.join(','), '--json'],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
        )
        if (child.status !== 0 && child.status !== 1) {
          throw new Error(`run ${r + 1}, ${g}: failed (status ${String(child.status)})`)
        }
        run.push(...(JSON.parse(child.stdout) as Array<Measured>))
      }
      perRun.push(run)
    }
    measured = runs === 1 ? (perRun[0] ?? []) : combine(perRun)
  }
  if (!json) {
    writeFileSync(save, JSON.stringify({ meta, measured }, null, 1))
    process.stderr.write(`saved ${save}\n`)
  }
}

const failed = measured.some((m) => !m.sweep && m.bounds.some((b) => b.ratio > b.max))
if (json) {
  process.stdout.write(JSON.stringify(measured))
  process.exit(failed ? 1 : 0)
}

const md = report(measured, meta)
process.stdout.write(`${md}\n`)

if (svg) {
  for (const [file, text] of charts(measured)) {
    writeFileSync(new URL(file, root), text)
    process.stderr.write(`wrote ${file}\n`)
  }
}
if (write) {
  const doc = fileURLToPath(new URL('docs/performance.md', root))
  const text = readFileSync(doc, 'utf8')
  const begin = '<!-- arrow:begin -->'
  const end = '<!-- arrow:end -->'
  const i = text.indexOf(begin)
  const j = text.indexOf(end)
  if (i === -1 || j < i) throw new Error(`${doc}: markers ${begin} … ${end} not found`)
  writeFileSync(doc, `${text.slice(0, i + begin.length)}\n${md}\n${text.slice(j)}`)
  process.stderr.write(`updated ${doc}\n`)
}

if (failed) process.exitCode = 1
