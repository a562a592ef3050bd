/**
 * The Arrow executor's cases (`npm run bench`): the numeric chain with batch forms against
 * typed-array loops and LocalExecutor, per-item struct nodes, a model-like node with a fixed
 * latency per call, and a few points of the item-count crossover. Vitest reports hz per side;
 * `npm run bench:arrow` measures the same cases interleaved, checks the bounds and draws the
 * crossover (docs/performance.md).
 */
import { bench, describe } from 'vitest'
import { cases, sweepPoint } from './arrow-cases.js'

/** Sides that take seconds per call run a couple of times, not for tinybench's default 500 ms. */
const slow = { time: 0, iterations: 2, warmupTime: 0, warmupIterations: 1 }

for (const c of cases()) {
  describe(c.title, () => {
    for (const s of c.sides) {
      bench(s.label, async () => {
        await s.run()
      }, c.id.startsWith('model') ? slow : {})
    }
  })
}

for (const n of [16, 256, 4096, 65536]) {
  const c = sweepPoint('codecs', n, 1024)
  describe(`4. crossover: ${c.title}`, () => {
    for (const s of c.sides) {
      bench(s.label, async () => {
        await s.run()
      })
    }
  })
}
