/**
 * The options of createRunner, the executors and run/map are typed: a wrong value or a
 * misspelled name is a compile error (and a GraphError at run time, tests/executors).
 */
import { describe, expectTypeOf, it } from 'vitest'
import { createRunner, LocalExecutor, node, pipeline, type MapResult, type Runner } from 'dagflow'
import { ArrowBatchExecutor, toArrow } from 'dagflow/arrow'

const p = pipeline(node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1))

describe('options', () => {
  it('types createRunner options', () => {
    expectTypeOf(createRunner({ mode: 'auto', threshold: 100, batchSize: 256, concurrency: 4 })).toEqualTypeOf<Runner>()
    // @ts-expect-error mode is 'local', 'arrow' or 'auto'
    createRunner({ mode: 'fast' })
    // @ts-expect-error a misspelled option: did you mean 'batchSize'?
    createRunner({ batchsize: 256 })
    // @ts-expect-error threshold is a number
    createRunner({ mode: 'auto', threshold: '100' })
  })

  it('types each executor’s options', () => {
    new LocalExecutor({ concurrency: 2 })
    new ArrowBatchExecutor({ batchSize: 64, concurrency: 2 })
    // one options object configures either executor: LocalExecutor takes (and ignores) batchSize
    const shared = { batchSize: 64, concurrency: 2 }
    new LocalExecutor(shared)
    new ArrowBatchExecutor(shared)
    // @ts-expect-error LocalExecutor has no threshold (that is createRunner's)
    new LocalExecutor({ threshold: 64 })
    // @ts-expect-error batchSize is a number
    new ArrowBatchExecutor({ batchSize: '64' })
  })

  it('types run and map options', () => {
    const local = new LocalExecutor()
    void local.map(p, { x: [1] }, { onError: 'collect', outputs: ['y'] })
    // @ts-expect-error onError is 'fail' or 'collect'
    void local.map(p, { x: [1] }, { onError: 'skip' })
    // @ts-expect-error a misspelled option
    void local.map(p, { x: [1] }, { onerror: 'collect' })
    // @ts-expect-error outputs names outputs of the pipeline
    void local.map(p, { x: [1] }, { outputs: ['z'] })
  })
})

describe('toArrow options', () => {
  const p = pipeline(
    node({ output: 'y', mapAxis: 'x' }, ({ x }: { x: number }) => x + 1),
    node({ output: 'z', mapAxis: 'y' }, ({ y }: { y: number }) => String(y)),
  )
  it('takes the names of the result’s outputs, and refuses others', async () => {
    const r = await new LocalExecutor().map(p, { x: [1] })
    toArrow(r, { outputs: ['y', 'z'], keyColumn: 'key' })
    // @ts-expect-error "yy" is not an output of the result
    toArrow(r, { outputs: ['yy'] })
    const a = await new ArrowBatchExecutor().map(p, { x: [1] })
    a.toArrow({ outputs: ['z'] })
    // @ts-expect-error "zz" is not an output of the result
    a.toArrow({ outputs: ['zz'] })
    // a result typed unknown (from JavaScript, say) takes any name
    const loose = r as Pick<MapResult<unknown>, 'outputs' | 'keys'>
    toArrow(loose, { outputs: ['anything'] })
    expectTypeOf(r.outputs).toEqualTypeOf<{ readonly y: ReadonlyArray<number>; readonly z: ReadonlyArray<string> }>()
  })
})
