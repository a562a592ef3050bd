/**
 * The overhead cases shared by `overhead.bench.ts` (vitest bench) and `overhead-report.ts`
 * (interleaved medians for docs/performance.md). Each case pairs a LocalExecutor run with a
 * hand-written loop that calls the same node functions with the same argument records and
 * produces the same outputs.
 */
import * as t from 'io-ts'
import { LocalExecutor, node, pipeline } from '../../src/index.js'

export interface Case {
  readonly id: string
  readonly title: string
  /** items per run */
  readonly n: number
  /** node calls per run (items × nodes) */
  readonly calls: number
  /** whether the 1.6× bound applies */
  readonly gated: boolean
  readonly baseline: () => Promise<unknown> | unknown
  readonly executor: () => Promise<unknown>
  /** a cheap fingerprint of a result, to check both sides compute the same thing */
  readonly check: (r: unknown) => string
}

type Fn<D, R> = (d: D) => R

// --- trivial sync chain: a(mapAxis 'x') → b(mapAxis 'a') → c(mapAxis 'b') -----------------

const a = node({ output: 'a', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1)
const b = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => a * 2)
const c = node({ output: 'c', mapAxis: 'b' }, ({ b }: { b: number }) => b - 3)
const chain = pipeline(a, b, c)

const fa = a.fn as Fn<{ x: number }, number>
const fb = b.fn as Fn<{ a: number }, number>
const fc = c.fn as Fn<{ b: number }, number>

interface ChainOut {
  readonly a: ReadonlyArray<number>
  readonly b: ReadonlyArray<number>
  readonly c: ReadonlyArray<number>
}

/** The hand-written loop: per item, a then b then c, each result stored in its own array. */
export function chainLoop(xs: ReadonlyArray<number>): ChainOut {
  const n = xs.length
  const as = new Array<number>(n)
  const bs = new Array<number>(n)
  const cs = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const av = fa({ x: xs[i] as number })
    as[i] = av
    const bv = fb({ a: av })
    bs[i] = bv
    cs[i] = fc({ b: bv })
  }
  return { a: as, b: bs, c: cs }
}

const checkChain = (r: unknown): string => {
  const o = ((r as { outputs?: ChainOut }).outputs ?? r) as ChainOut
  const n = o.c.length
  return `${n}:${o.a[n - 1]}:${o.b[n - 1]}:${o.c[0]}:${o.c[n - 1]}`
}

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

function syncChain(id: string, n: number, gated: boolean): Case {
  const xs = range(n)
  const local = new LocalExecutor()
  return {
    id,
    title: `3-node sync chain, ${n.toLocaleString('en-US')} items`,
    n,
    calls: 3 * n,
    gated,
    baseline: () => chainLoop(xs),
    executor: () => local.map(chain, { x: xs }),
    check: checkChain,
  }
}

// --- async chain at concurrency 16 ------------------------------------------------------------

const aa = node({ output: 'a', mapAxis: 'x' }, ({ x }: { x: number }) => Promise.resolve(x + 1))
const ab = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => Promise.resolve(a * 2))
const ac = node({ output: 'c', mapAxis: 'b' }, ({ b }: { b: number }) => Promise.resolve(b - 3))
const asyncChain = pipeline(aa, ab, ac)

const afa = aa.fn as Fn<{ x: number }, Promise<number>>
const afb = ab.fn as Fn<{ a: number }, Promise<number>>
const afc = ac.fn as Fn<{ b: number }, Promise<number>>

/**
 * The hand-written async loop: `concurrency` workers take the next item, await a, b and c in
 * turn, and store each result.
 */
export async function asyncChainLoop(
  xs: ReadonlyArray<number>,
  concurrency: number,
): Promise<ChainOut> {
  const n = xs.length
  const as = new Array<number>(n)
  const bs = new Array<number>(n)
  const cs = new Array<number>(n)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++
      const av = await afa({ x: xs[i] as number })
      as[i] = av
      const bv = await afb({ a: av })
      bs[i] = bv
      cs[i] = await afc({ b: bv })
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  return { a: as, b: bs, c: cs }
}

function asyncCase(n: number): Case {
  const xs = range(n)
  const local = new LocalExecutor({ concurrency: 16 })
  return {
    id: `async-${n / 1000}k`,
    title: `3-node async chain, ${n.toLocaleString('en-US')} items, concurrency 16`,
    n,
    calls: 3 * n,
    gated: false,
    baseline: () => asyncChainLoop(xs, 16),
    executor: () => local.map(asyncChain, { x: xs }),
    check: checkChain,
  }
}

// --- keyAttr + io-ts codecs on the first node -------------------------------------------------

const Item = t.type({ id: t.string, x: t.number })
type Item = t.TypeOf<typeof Item>

const ka = node(
  { output: 'a', mapAxis: 'item', keyAttr: 'id', inputs: { item: Item } },
  ({ item }) => item.x + 1,
)
const keyed = pipeline(ka, b, c)
const fka = ka.fn as Fn<{ item: Item }, number>

/**
 * The hand-written keyed loop: reads each item's key and rejects duplicates (a Map, as a keyed
 * result needs), decodes the item with the same codec, then calls a, b and c.
 */
export function keyedLoop(
  items: ReadonlyArray<unknown>,
): ChainOut & { keys: ReadonlyArray<string> } {
  const n = items.length
  const keys = new Array<string>(n)
  const seen = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const k = (items[i] as { id: string }).id
    if (seen.has(k)) throw new Error(`duplicate key ${k}`)
    seen.set(k, i)
    keys[i] = k
  }
  const as = new Array<number>(n)
  const bs = new Array<number>(n)
  const cs = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const d = Item.decode(items[i])
    if (d._tag === 'Left') throw new Error(`invalid item ${i}`)
    const av = fka({ item: d.right })
    as[i] = av
    const bv = fb({ a: av })
    bs[i] = bv
    cs[i] = fc({ b: bv })
  }
  return { a: as, b: bs, c: cs, keys }
}

function keyedCase(n: number): Case {
  const items: Array<Item> = range(n).map((i) => ({ id: `item-${i}`, x: i }))
  const local = new LocalExecutor()
  return {
    id: `keyed-codec-${n / 1000}k`,
    title: `3-node chain, keyAttr + io-ts codec on node 1, ${n.toLocaleString('en-US')} items`,
    n,
    calls: 3 * n,
    gated: false,
    baseline: () => keyedLoop(items),
    executor: () => local.map(keyed, { item: items }),
    check: checkChain,
  }
}

/** Every case, in report order. Built lazily: the inputs are large. */
export const cases = (): ReadonlyArray<Case> => [
  syncChain('sync-600k', 600_000, true),
  syncChain('sync-10k', 10_000, false),
  asyncCase(100_000),
  keyedCase(100_000),
]
