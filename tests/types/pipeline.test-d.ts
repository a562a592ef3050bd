import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expectTypeOf, it } from 'vitest'
import {
  LocalExecutor,
  type AnyDagflowError,
  type AnyNode,
  node,
  pipeline,
  type MapInputs,
  type MapOutputs,
  type RunInputs,
  type RunOutputs,
} from 'dagflow'

const Query = t.type({ query_uuid: t.string, text: t.string })
const retrieve = node(
  { output: 'hits', mapAxis: 'query', keyAttr: 'query_uuid', inputs: { query: Query, top_k: t.number } },
  async ({ query, top_k }) => [query.text.slice(0, top_k)],
)
const rerank = node({ output: 'reranked', mapAxis: 'hits' }, ({ hits }: { hits: string[] }) =>
  hits.map((h) => h.length),
)
const evaluate = node(
  { output: 'score' },
  ({ reranked, weight }: { reranked: ReadonlyArray<number[]>; weight: number }) =>
    reranked.length * weight,
)
const p = pipeline(retrieve, rerank, evaluate)
type N = typeof retrieve | typeof rerank | typeof evaluate

describe('pipeline() types', () => {
  it('exposes run inputs: one item of the map axis and the constants', () => {
    expectTypeOf<RunInputs<N, never>>().toEqualTypeOf<{
      readonly query: { query_uuid: string; text: string }
      readonly top_k: number
      weight: number
    }>()
  })

  it('exposes map inputs: the map-axis input is an array', () => {
    expectTypeOf<MapInputs<N, never>>().toEqualTypeOf<{
      readonly query: ReadonlyArray<{ query_uuid: string; text: string }>
      readonly top_k: number
      weight: number
    }>()
  })

  it('types run outputs unwrapped and map outputs as arrays for per-item nodes', () => {
    expectTypeOf<RunOutputs<N, N['output']>>().toEqualTypeOf<{
      readonly hits: string[]
      readonly reranked: number[]
      readonly score: number
    }>()
    expectTypeOf<MapOutputs<N, N['output']>>().toEqualTypeOf<{
      readonly hits: ReadonlyArray<string[]>
      readonly reranked: ReadonlyArray<number[]>
      readonly score: number
    }>()
  })

  it('types executor results', async () => {
    const local = new LocalExecutor()
    const one = await local.run(p, { query: { query_uuid: 'a', text: 'x' }, top_k: 1, weight: 2 })
    expectTypeOf(one).toEqualTypeOf<{
      readonly hits: string[]
      readonly reranked: number[]
      readonly score: number
    }>()
    const many = await local.map(p, { query: [{ query_uuid: 'a', text: 'x' }], top_k: 1, weight: 2 })
    expectTypeOf(many.outputs.hits).toEqualTypeOf<ReadonlyArray<string[]>>()
    expectTypeOf(many.outputs.score).toEqualTypeOf<number>()
    expectTypeOf(many.keys).toEqualTypeOf<ReadonlyArray<string | number>>()
    expectTypeOf(many.executor).toEqualTypeOf<'local' | 'arrow'>()
  })

  it('narrows outputs and required inputs with the `outputs` option', async () => {
    const local = new LocalExecutor()
    const r = await local.map(p, { query: [{ query_uuid: 'a', text: 'x' }], top_k: 1 }, { outputs: ['hits'] })
    expectTypeOf(r.outputs).toEqualTypeOf<{ readonly hits: ReadonlyArray<string[]> }>()
    // @ts-expect-error "nope" is not an output of the pipeline
    await local.map(p, { query: [], top_k: 1, weight: 1 }, { outputs: ['nope'] })
  })

  it('rejects missing and mistyped inputs, naming them', async () => {
    const local = new LocalExecutor()
    // @ts-expect-error Property 'top_k' is missing
    await local.run(p, { query: { query_uuid: 'a', text: 'x' }, weight: 1 })
    // @ts-expect-error top_k must be a number
    await local.run(p, { query: { query_uuid: 'a', text: 'x' }, top_k: '3', weight: 1 })
    // @ts-expect-error map takes an array of queries
    await local.map(p, { query: { query_uuid: 'a', text: 'x' }, top_k: 3, weight: 1 })
  })

  it('removes bound inputs from the types', async () => {
    const b = p.bind({ top_k: 5, weight: 1 })
    expectTypeOf(b.inputs).toEqualTypeOf<ReadonlyArray<string>>()
    const local = new LocalExecutor()
    await local.run(b, { query: { query_uuid: 'a', text: 'x' } })
    // @ts-expect-error binding an input of the wrong type
    p.bind({ top_k: 'five' })
    // @ts-expect-error binding something that is not an input
    p.bind({ nope: 1 })
    // @ts-expect-error the map axis cannot be bound
    p.bind({ query: { query_uuid: 'a', text: 'x' } })
  })

  it('select keeps only what the outputs need', async () => {
    const s = p.select('hits')
    const local = new LocalExecutor()
    const r = await local.map(s, { query: [], top_k: 1 })
    expectTypeOf(r.outputs).toEqualTypeOf<{ readonly hits: ReadonlyArray<string[]> }>()
    // @ts-expect-error "nope" is not an output
    p.select('nope')
  })

  it('reports duplicate outputs, naming the output', () => {
    const a = node({ output: 'y' }, ({ x }: { x: number }) => x)
    const b = node({ output: 'y' }, ({ x }: { x: number }) => String(x))
    // @ts-expect-error output "y" is produced by more than one node
    pipeline(a, b)
  })

  it('reports a parameter that does not accept its producer type, naming it', () => {
    const a = node({ output: 'a' }, ({ x }: { x: number }) => String(x))
    const b = node({ output: 'b' }, ({ a }: { a: number }) => a)
    // @ts-expect-error parameter "a" of the node producing "b" does not accept the type of output "a"
    pipeline(a, b)
  })

  it('expects a reduce to take a ReadonlyArray of the per-item result', () => {
    const each = node({ output: 'v', mapAxis: 'x' }, ({ x }: { x: number }) => x)
    const sum = node({ output: 's' }, ({ v }: { v: ReadonlyArray<number> }) => v.length)
    const wrong = node({ output: 's' }, ({ v }: { v: number }) => v)
    pipeline(each, sum)
    // @ts-expect-error a node without mapAxis receives "v" as a ReadonlyArray
    pipeline(each, wrong)
  })

  it('expects a reduce over the map-axis input to take a ReadonlyArray of items', () => {
    const each = node({ output: 'v', mapAxis: 'x' }, ({ x }: { x: number }) => x)
    const count = node({ output: 'n' }, ({ x }: { x: ReadonlyArray<number> }) => x.length)
    const wrong = node({ output: 'n' }, ({ x }: { x: number }) => x + 1)
    const r = new LocalExecutor().map(pipeline(each, count), { x: [1, 2] })
    expectTypeOf(r).resolves.toHaveProperty('outputs').toEqualTypeOf<{ readonly v: ReadonlyArray<number>; readonly n: number }>()
    // @ts-expect-error a node without mapAxis receives the map-axis input "x" as a ReadonlyArray
    pipeline(each, wrong)
  })

  it('expects a per-item node to take one item of the map-axis input, not an array', () => {
    const each = node({ output: 'v', mapAxis: 'x' }, ({ x }: { x: { id: string } }) => x.id)
    const later = node({ output: 'w', mapAxis: 'v' }, ({ v, x }: { v: string; x: { id: string } }) => v + x.id)
    const wrong = node({ output: 'w', mapAxis: 'v' }, ({ v, x }: { v: string; x: ReadonlyArray<{ id: string }> }) => v + x.length)
    pipeline(each, later)
    // @ts-expect-error "w" runs per item: it receives one item of the map-axis input "x"
    pipeline(each, wrong)
    // items that are arrays themselves, or an untyped parameter, are fine
    const rows = node({ output: 'r', mapAxis: 'row' }, ({ row }: { row: ReadonlyArray<number> }) => row.length)
    const alsoRows = node({ output: 's', mapAxis: 'r' }, ({ r, row }: { r: number; row: ReadonlyArray<number> }) => r + row.length)
    const loose = node({ output: 's', mapAxis: 'r' }, ({ r, row }: { r: number; row: unknown }) => `${r}${String(row)}`)
    pipeline(rows, alsoRows)
    pipeline(rows, loose)
  })

  it('rejects a mapAxis over an output computed once', () => {
    const count = node({ output: 'count' }, ({ x }: { x: ReadonlyArray<number> }) => x.length)
    const each = node({ output: 'each', mapAxis: 'x' }, ({ x }: { x: number }) => x)
    const overCount = node({ output: 'o', mapAxis: 'count' }, ({ count }: { count: number }) => count)
    const overEach = node({ output: 'o', mapAxis: 'each' }, ({ each }: { each: number }) => each)
    pipeline(count, each, overEach)
    // @ts-expect-error "count" is computed once: a node cannot map over it
    pipeline(count, each, overCount)
  })

  it('rejects an input that two nodes take with types no value has', () => {
    const asNumber = node({ output: 'a' }, ({ k }: { k: number }) => k)
    const asString = node({ output: 'b' }, ({ k }: { k: string }) => k)
    const either = node({ output: 'c' }, ({ k }: { k?: number | string }) => k)
    pipeline(asNumber, either)
    // @ts-expect-error input "k" has no value that fits every node taking it
    pipeline(asNumber, asString)
  })

  it('reports two map axes', () => {
    const a = node({ output: 'a', mapAxis: 'x' }, ({ x }: { x: number }) => x)
    const b = node({ output: 'b', mapAxis: 'y' }, ({ y }: { y: number }) => y)
    // @ts-expect-error nodes declare different map axes
    pipeline(a, b)
  })

  it('nests pipelines, exposing their inputs and outputs', async () => {
    const inner = pipeline(retrieve, rerank)
    const outer = pipeline(inner, evaluate)
    const local = new LocalExecutor()
    const r = await local.map(outer, { query: [], top_k: 1, weight: 1 })
    expectTypeOf(r.outputs.score).toEqualTypeOf<number>()
    expectTypeOf(r.outputs.reranked).toEqualTypeOf<ReadonlyArray<number[]>>()
    // the same node reached through two nested pipelines is not a duplicate
    pipeline(inner, pipeline(retrieve, evaluate))
  })

  it('rejects map on a pipeline without a map axis', async () => {
    const local = new LocalExecutor()
    const once = pipeline(node({ output: 'y' }, ({ x }: { x: number }) => x))
    await local.run(once, { x: 1 })
    // @ts-expect-error map() needs a node with mapAxis
    await local.map(once, { x: [1] })
  })

  it('keeps optional parameters optional', async () => {
    const n = node({ output: 'y' }, ({ x, k = 2 }: { x: number; k?: number }) => x * k)
    const local = new LocalExecutor()
    await local.run(pipeline(n), { x: 1 })
    await local.run(pipeline(n), { x: 1, k: 3 })
  })

  it('accepts the encoded side of a converting codec and hands the function the decoded side', async () => {
    const NumberFromString = new t.Type<number, string, unknown>(
      'NumberFromString',
      (u): u is number => typeof u === 'number',
      (u, c) => (typeof u === 'string' && u.trim() !== '' ? t.success(Number(u)) : t.failure(u, c)),
      String,
    )
    const parse = node(
      { output: 'n', mapAxis: 'raw', inputs: { raw: NumberFromString } },
      ({ raw }) => {
        expectTypeOf(raw).toEqualTypeOf<number>()
        return raw * 2
      },
    )
    expectTypeOf(parse.fn).parameter(0).toEqualTypeOf<{ readonly raw: number }>()
    const local = new LocalExecutor()
    const r = await local.map(pipeline(parse), { raw: ['1', '2'] })
    expectTypeOf(r.outputs.n).toEqualTypeOf<ReadonlyArray<number>>()
    // @ts-expect-error the node accepts the encoded form (strings), not numbers
    await local.map(pipeline(parse), { raw: [1, 2] })
    const toText = node({ output: 'text' }, ({ x }: { x: number }) => String(x))
    const fromText = node({ output: 'y', inputs: { text: NumberFromString } }, ({ text }) => text + 1)
    pipeline(toText, fromText)
    const toNumber = node({ output: 'text' }, ({ x }: { x: number }) => x)
    // @ts-expect-error parameter "text" accepts strings, its producer gives numbers
    pipeline(toNumber, fromText)
  })

  it('types runTE failures as the union of error classes, narrowed by code', async () => {
    const local = new LocalExecutor()
    const result = await local.runTE(p, { query: { query_uuid: 'a', text: 'x' }, top_k: 1, weight: 1 })()
    expectTypeOf(result).toEqualTypeOf<
      E.Either<AnyDagflowError, { readonly hits: string[]; readonly reranked: number[]; readonly score: number }>
    >()
    if (E.isLeft(result) && result.left.code === 'MISSING_INPUT') {
      expectTypeOf(result.left.inputs).toEqualTypeOf<ReadonlyArray<string>>()
    }
  })

  it('accepts a dynamically built list of untyped nodes', () => {
    const nodes: ReadonlyArray<AnyNode> = [node({ output: 'y' }, ({ x }: { x: number }) => x) as AnyNode]
    const dynamic = pipeline(...nodes)
    expectTypeOf(dynamic.outputs).toEqualTypeOf<ReadonlyArray<string>>()
  })
})
