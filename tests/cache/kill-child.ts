// A long cached map, run as a child process by sqlite-cache.test.ts and killed halfway.
// argv: cache file, number of items, ms per item. Prints "call <x>" for each computed item.
import { LocalExecutor, node, pipeline } from 'dagflow'
import { sqliteCache } from 'dagflow/cache'

const [file, count, ms] = [process.argv[2] as string, Number(process.argv[3]), Number(process.argv[4])]
const slow = node({ output: 'y', mapAxis: 'x' }, async ({ x }: { x: number }) => {
  await new Promise((r) => setTimeout(r, ms))
  process.stdout.write(`call ${x}\n`)
  return { x, sq: x * x }
})
const cache = sqliteCache(file)
const r = await new LocalExecutor({ concurrency: 4 }).map(pipeline(slow), { x: Array.from({ length: count }, (_, i) => i) }, { cache })
cache.close()
process.stdout.write(`done ${JSON.stringify(r.outputs.y.map((v) => v.sq))}\n`)
