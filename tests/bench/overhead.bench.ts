/**
 * LocalExecutor overhead against hand-written loops (`npm run bench`). The bound: `map`
 * on a 3-node chain of trivial sync nodes over 600,000 items costs at most 1.6× a loop that
 * calls the same node functions with the same argument records. Vitest reports hz per side;
 * `npm run bench:report` measures the same cases interleaved and prints the ratio and ns per
 * node-call (docs/performance.md).
 */
import { bench, describe } from 'vitest'
import { cases } from './cases.js'

for (const c of cases()) {
  describe(`${c.title} (${c.calls.toLocaleString('en-US')} node-calls)`, () => {
    bench('hand-written loop', async () => {
      await c.baseline()
    })
    bench('LocalExecutor.map', async () => {
      await c.executor()
    })
  })
}
