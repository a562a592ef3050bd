/**
 * What the event, otel and progress tests run on: both executors (Arrow with batches of 64, so
 * 300 items make 5 batches), and a chain with a batch form, an async node and a reduce.
 */
import * as t from 'io-ts'
import { LocalExecutor, node, pipeline, type Executor } from 'dagflow'
import { ArrowBatchExecutor } from 'dagflow/arrow'

export const executors: ReadonlyArray<[string, () => Executor]> = [
  ['local', () => new LocalExecutor({ concurrency: 4 })],
  ['arrow', () => new ArrowBatchExecutor({ batchSize: 64, concurrency: 4 })],
]

const a = node(
  {
    output: 'a',
    mapAxis: 'x',
    inputs: { x: t.number },
    batch: ({ x }) => Float64Array.from(x, (v) => v + 1),
  },
  ({ x }) => x + 1,
)
const b = node({ output: 'b', mapAxis: 'a' }, async ({ a }: { a: number }) => a * 2)
const total = node({ output: 'total' }, ({ b }: { b: ReadonlyArray<number> }) =>
  b.reduce((s, v) => s + v, 0),
)
/** a (batch form) → b (async) → total (reduce) */
export const p = pipeline(a, b, total)
export const xs = Array.from({ length: 300 }, (_, i) => i)
