/**
 * The warm-cache rerun (issue: at least 20x faster than computing, 100,000 items, 3 nodes of
 * 50 µs an item). Run: `npm run bench:cache` (or with an item count: `-- 10000`).
 * One cold map fills a memoryCache; the median of 5 warm reruns is compared with it.
 */
import { LocalExecutor, memoryCache, node, pipeline } from 'dagflow'

/** A node body that costs `us` microseconds of CPU, like a small model or a parser. */
const busy = (us: number): void => {
  const end = performance.now() + us / 1000
  while (performance.now() < end) {
    // spin
  }
}

const a = node({ output: 'a', mapAxis: 'item' }, ({ item }: { item: { id: string; x: number } }) => {
  busy(50)
  return item.x + 1
})
const b = node({ output: 'b', mapAxis: 'a' }, ({ a }: { a: number }) => {
  busy(50)
  return a * 2
})
const c = node({ output: 'c', mapAxis: 'b' }, ({ b }: { b: number }) => {
  busy(50)
  return b - 3
})
const p = pipeline(a, b, c)
const n = Number(process.argv[2] ?? 100_000)
const items = Array.from({ length: n }, (_, i) => ({ id: `k${i}`, x: i }))
const local = new LocalExecutor()
const cache = memoryCache()

let t0 = performance.now()
const cold = await local.map(p, { item: items }, { cache })
const coldMs = performance.now() - t0
const warm: Array<number> = []
for (let r = 0; r < 5; r++) {
  t0 = performance.now()
  const again = await local.map(p, { item: items }, { cache })
  warm.push(performance.now() - t0)
  if (again.outputs.c[n - 1] !== cold.outputs.c[n - 1] || again.stats.nodes['c']?.cached !== n) {
    throw new Error('the warm run did not serve every item from the cache')
  }
}
warm.sort((x, y) => x - y)
const warmMs = warm[2] as number
const ratio = coldMs / warmMs
process.stdout.write(
  `${n} items, 3 nodes of 50 µs an item: cold ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(1)} ms ` +
    `(${((warmMs * 1000) / n).toFixed(2)} µs an item), ${ratio.toFixed(1)}x ${ratio >= 20 ? '✅' : '❌'} (bound: at least 20x)\n`,
)
process.exitCode = ratio >= 20 ? 0 : 1
