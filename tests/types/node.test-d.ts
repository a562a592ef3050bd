import * as t from 'io-ts'
import { describe, expectTypeOf, it } from 'vitest'
import { node, type Node } from 'dagflow'

describe('node() types', () => {
  it('infers output, dependency record and result from an annotated destructuring', () => {
    const double = node({ output: 'doubled' }, ({ x }: { x: number }) => x * 2)
    expectTypeOf(double).toEqualTypeOf<Node<'doubled', { x: number }, number, never>>()
    expectTypeOf(double.output).toEqualTypeOf<'doubled'>()
    expectTypeOf(double.fn).parameter(0).toEqualTypeOf<{ x: number }>()
  })

  it('unwraps the result of an async function', () => {
    const n = node({ output: 'y' }, async ({ x }: { x: number }) => String(x))
    expectTypeOf(n).toEqualTypeOf<Node<'y', { x: number }, string, never>>()
  })

  it('takes parameter types from `inputs` codecs and types the function from them', () => {
    const Query = t.type({ query_uuid: t.string, text: t.string })
    const retrieve = node(
      {
        output: 'hits',
        mapAxis: 'query',
        keyAttr: 'query_uuid',
        inputs: { query: Query, top_k: t.number },
      },
      ({ query, top_k }) => {
        expectTypeOf(query).toEqualTypeOf<{ query_uuid: string; text: string }>()
        expectTypeOf(top_k).toEqualTypeOf<number>()
        return [query.text]
      },
    )
    expectTypeOf(retrieve).toEqualTypeOf<
      Node<
        'hits',
        { readonly query: { query_uuid: string; text: string }; readonly top_k: number },
        string[],
        'query'
      >
    >()
  })

  it('takes the result type from `returns`', () => {
    const n = node(
      { output: 'n', inputs: { s: t.string }, returns: t.number },
      ({ s }) => s.length,
    )
    expectTypeOf(n).toEqualTypeOf<Node<'n', { readonly s: string }, number, never>>()
    // @ts-expect-error the function returns a string where `returns` says number
    node({ output: 'n', inputs: { s: t.string }, returns: t.number }, ({ s }) => s)
    // with `inputs` too, a codec may narrow a result typed `unknown`, and an async result counts
    const parsed = node({ output: 'p', inputs: { s: t.string }, returns: t.number }, ({ s }): unknown => JSON.parse(s))
    expectTypeOf(parsed).toEqualTypeOf<Node<'p', { readonly s: string }, number, never>>()
    const later = node({ output: 'l', inputs: { s: t.string }, returns: t.number }, async ({ s }) => s.length)
    expectTypeOf(later).toEqualTypeOf<Node<'l', { readonly s: string }, number, never>>()
    // @ts-expect-error an async function returning strings fits `returns: t.number` no better
    node({ output: 'n', inputs: { s: t.string }, returns: t.number }, async ({ s }) => s)
  })

  it('rejects a parameter the function reads that `inputs` leaves out', () => {
    // @ts-expect-error "k" has no codec in `inputs`: it would never be passed
    node({ output: 'top', inputs: { hits: t.array(t.number) } }, ({ hits, k }: { hits: ReadonlyArray<number>; k: number }) => hits.slice(0, k))
    // @ts-expect-error the same, unannotated
    node({ output: 'top', inputs: { hits: t.array(t.number) } }, ({ hits, k }) => hits.slice(0, k))
  })

  it('rejects a `returns` codec that cannot accept what an annotated function returns', () => {
    const n = node({ output: 'n', returns: t.number }, async ({ s }: { s: string }) => s.length)
    expectTypeOf(n).toEqualTypeOf<Node<'n', { s: string }, number, never>>()
    // a codec may narrow a result typed `unknown` (it checks it at run time)
    const parsed = node({ output: 'p', returns: t.number }, ({ s }: { s: string }): unknown => JSON.parse(s))
    expectTypeOf(parsed).toEqualTypeOf<Node<'p', { s: string }, number, never>>()
    // @ts-expect-error the function returns strings: every call would fail `returns: t.number`
    node({ output: 'n', returns: t.number }, ({ s }: { s: string }) => s.toUpperCase())
  })

  it('records the map axis as the fourth type parameter', () => {
    const n = node({ output: 'y', mapAxis: 'item' }, ({ item }: { item: { id: string } }) => item.id)
    expectTypeOf(n).toEqualTypeOf<Node<'y', { item: { id: string } }, string, 'item'>>()
  })

  it('rejects a mapAxis that is not a parameter', () => {
    // @ts-expect-error "qq" is not a parameter: the error lists the valid name "q"
    node({ output: 'k', mapAxis: 'qq' }, ({ q }: { q: { id: string } }) => q.id)
  })

  it('rejects a keyAttr that is not a key of the map-axis item', () => {
    node({ output: 'k', mapAxis: 'q', keyAttr: 'id' }, ({ q }: { q: { id: string } }) => q.id)
    // @ts-expect-error "uuid" is not a key of the item type { id: string }
    node({ output: 'k', mapAxis: 'q', keyAttr: 'uuid' }, ({ q }: { q: { id: string } }) => q.id)
  })

  it('accepts as keyAttr only fields whose values can be keys, on object items', () => {
    type Q = { id: string; n?: number; tags: Array<string> }
    node({ output: 'k', mapAxis: 'q', keyAttr: 'n' }, ({ q }: { q: Q }) => q.id)
    // @ts-expect-error a key must be a string or a number, and "tags" holds arrays
    node({ output: 'k', mapAxis: 'q', keyAttr: 'tags' }, ({ q }: { q: Q }) => q.id)
    // @ts-expect-error a string item has no fields to key by ("length" is not a key)
    node({ output: 'k', mapAxis: 'q', keyAttr: 'length' }, ({ q }: { q: string }) => q)
    // @ts-expect-error the same with a function that takes ctx (typed from context)
    node({ output: 'k', mapAxis: 'q', keyAttr: 'tags' }, ({ q }: { q: Q }, ctx) => q.id + ctx.index)
  })

  it('rejects keyAttr without mapAxis', () => {
    // @ts-expect-error keyAttr requires mapAxis
    node({ output: 'k', keyAttr: 'id' }, ({ q }: { q: { id: string } }) => q.id)
  })

  it('types the batch form over columns and rejects it without mapAxis', () => {
    node(
      {
        output: 'y',
        mapAxis: 'x',
        batch: ({ x, k }) => {
          expectTypeOf(x).toEqualTypeOf<ArrayLike<number> & Iterable<number>>()
          expectTypeOf(k).toEqualTypeOf<ArrayLike<number> & Iterable<number>>()
          return Array.from(x, (v) => v * 2)
        },
      },
      ({ x, k }: { x: number; k: number }) => x * k,
    )
    node(
      {
        output: 'y',
        // @ts-expect-error batch requires mapAxis
        batch: ({ x }: { x: ArrayLike<number> }) => Array.from(x),
      },
      ({ x }: { x: number }) => x,
    )
  })

  it('rejects a batch form whose results have the wrong type', () => {
    node(
      {
        output: 'y',
        mapAxis: 'x',
        // @ts-expect-error the batch form returns strings, fn returns numbers
        batch: ({ x }) => Array.from(x, String),
      },
      ({ x }: { x: number }) => x,
    )
  })

  it('keeps the output name literal without `as const`', () => {
    const n = node({ output: 'literal_name' }, () => 1)
    expectTypeOf(n.output).toEqualTypeOf<'literal_name'>()
  })

  it('types ctx, the second parameter, from context while deps come from the annotation', () => {
    const n = node(
      { output: 'answer', mapAxis: 'q', keyAttr: 'id' },
      async ({ q, model }: { q: { id: string; text: string }; model: string }, ctx) => {
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>()
        expectTypeOf(ctx.attempt).toEqualTypeOf<number>()
        expectTypeOf(ctx.key).toEqualTypeOf<string | number | undefined>()
        return `${model}:${q.text}`
      },
    )
    expectTypeOf(n).toEqualTypeOf<
      Node<'answer', { q: { id: string; text: string }; model: string }, string, 'q'>
    >()
    // @ts-expect-error keyAttr must be a key of the item, also when fn takes ctx
    node({ output: 'a', mapAxis: 'q', keyAttr: 'nope' }, ({ q }: { q: { id: string } }, ctx) => q.id + ctx.attempt)
  })

  it('checks the reliability options', () => {
    node({ output: 'y', retry: { attempts: 3, backoffMs: 10, factor: 2 }, timeoutMs: 50, concurrency: 2 }, ({ x }: { x: number }) => x)
    // @ts-expect-error retry needs attempts
    node({ output: 'y', retry: { backoffMs: 10 } }, ({ x }: { x: number }) => x)
    // @ts-expect-error timeoutMs is a number
    node({ output: 'y', timeoutMs: '50' }, ({ x }: { x: number }) => x)
  })
})
