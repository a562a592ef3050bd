import { describe, it, expect } from 'vitest'
import { thrown } from '../helpers.js'
import * as t from 'io-ts'
import {
  CycleError,
  DagflowError,
  DuplicateOutputError,
  GraphError,
  isPipeline,
  node,
  pipeline,
  PipelineTypeId,
  type AnyNode,
  type Pipeline,
} from '../../src/index.js'

type AnyPipe = Pipeline<AnyNode, string>

/** pipeline() without its compile-time checks, to reach the run-time ones. */
const untypedPipeline = pipeline as unknown as (...xs: ReadonlyArray<unknown>) => AnyPipe

/** Runs `f`, which must throw; returns what it threw. */

function graphError(f: () => unknown): GraphError {
  const e = thrown(f)
  expect(e).toBeInstanceOf(GraphError)
  expect((e as GraphError).code).toBe('INVALID_GRAPH')
  return e as GraphError
}

/** A node producing `output` from the named number inputs (explicit deps through codecs). */
const step = (
  output: string,
  deps: ReadonlyArray<string>,
  extra: { mapAxis?: string; name?: string } = {},
) =>
  untypedNode({
    output,
    ...extra,
    inputs: Object.fromEntries(deps.map((d) => [d, t.unknown])),
  })

const untypedNode = (spec: Record<string, unknown>): AnyNode =>
  (node as unknown as (s: unknown, f: unknown) => AnyNode)(spec, () => 0)

const double = node({ output: 'doubled' }, ({ x }: { x: number }) => x * 2)
const inc = node({ output: 'y' }, ({ doubled }: { doubled: number }) => doubled + 1)

describe('pipeline(): order, inputs, outputs', () => {
  it('sorts topologically whatever the declaration order', () => {
    const p = pipeline(inc, double)
    expect(p.order).toEqual(['doubled', 'y'])
    expect(p.outputs).toEqual(['doubled', 'y'])
    expect(p.inputs).toEqual(['x'])
    expect(p.nodes).toEqual([double, inc])
    expect(p.mapAxis).toBeUndefined()
    expect(p.keyAttr).toBeUndefined()
    expect(p.bound).toEqual({})
  })

  it('orders by node name and lists outputs by output name', () => {
    const a = node({ output: 'hits', name: 'retrieve' }, ({ q }: { q: string }) => q)
    const b = node({ output: 'top', name: 'rerank' }, ({ hits }: { hits: string }) => hits)
    const p = pipeline(b, a)
    expect(p.order).toEqual(['retrieve', 'rerank'])
    expect(p.outputs).toEqual(['hits', 'top'])
  })

  it('keeps declaration order among independent nodes', () => {
    const p = untypedPipeline(step('c', ['x']), step('b', ['x']), step('a', ['x']))
    expect(p.order).toEqual(['c', 'b', 'a'])
  })

  it('is stable: always takes the earliest-declared ready node', () => {
    // d waits on a; once a is done, d (declared first) goes before b and c
    const p = untypedPipeline(step('d', ['a']), step('a', []), step('b', []), step('c', []))
    expect(p.order).toEqual(['a', 'd', 'b', 'c'])
  })

  it('lists free inputs in order of first use, each once', () => {
    const p = untypedPipeline(step('m', ['z', 'x']), step('n', ['m', 'x', 'w']))
    expect(p.inputs).toEqual(['z', 'x', 'w'])
  })

  it('an empty pipeline is valid', () => {
    const p = untypedPipeline()
    expect(p.order).toEqual([])
    expect(p.inputs).toEqual([])
    expect(p.mapAxis).toBeUndefined()
  })

  it('records the map axis and key attribute', () => {
    const a = node(
      { output: 'a', mapAxis: 'q', keyAttr: 'id' },
      ({ q }: { q: { id: string; v: number } }) => q.v,
    )
    const b = node({ output: 'b', mapAxis: 'q' }, ({ q }: { q: { id: string; v: number } }) => q.v)
    const c = node({ output: 'c', mapAxis: 'a' }, ({ a }: { a: number }) => a)
    const p = pipeline(a, b, c)
    expect(p.mapAxis).toBe('q')
    expect(p.keyAttr).toBe('id')
    expect(p.inputs).toEqual(['q'])
  })

  it('isPipeline recognises pipelines, across package copies', () => {
    expect(isPipeline(pipeline(double))).toBe(true)
    expect(isPipeline(double)).toBe(false)
    expect(isPipeline({ nodes: [] })).toBe(false)
    expect(PipelineTypeId).toBe(Symbol.for('dagflow/Pipeline'))
  })
})

describe('pipeline(): nesting', () => {
  it('flattens nested pipelines, exposing their inputs and outputs', () => {
    const inner = pipeline(double)
    const p = pipeline(inner, inc)
    expect(p.nodes).toEqual([double, inc])
    expect(p.inputs).toEqual(['x'])
    expect(p.outputs).toEqual(['doubled', 'y'])
  })

  it('dedupes the same node object reached twice (a diamond of pipelines)', () => {
    const left = node({ output: 'l' }, ({ doubled }: { doubled: number }) => doubled - 1)
    const right = node({ output: 'r' }, ({ doubled }: { doubled: number }) => doubled + 1)
    const p = pipeline(pipeline(double, left), pipeline(double, right), double)
    expect(p.order).toEqual(['doubled', 'l', 'r'])
    expect(p.nodes.filter((n) => n === double)).toHaveLength(1)
  })

  it('rejects two different node objects with one output, even when equal', () => {
    const again = node({ output: 'doubled' }, ({ x }: { x: number }) => x * 2)
    const e = thrown(() => untypedPipeline(pipeline(double), pipeline(again)))
    expect(e).toBeInstanceOf(DuplicateOutputError)
    expect((e as DuplicateOutputError).output).toBe('doubled')
  })

  it('merges bound values of nested pipelines', () => {
    const scale = node({ output: 's' }, ({ x, k }: { x: number; k: number }) => x * k)
    const shift = node({ output: 'h' }, ({ s, d }: { s: number; d: number }) => s + d)
    const p = pipeline(pipeline(scale).bind({ k: 2 }), pipeline(shift).bind({ d: 1 }))
    expect(p.bound).toEqual({ k: 2, d: 1 })
    expect(p.inputs).toEqual(['x'])
  })

  it('accepts one input bound to the same value twice (Object.is)', () => {
    const a = node({ output: 'a' }, ({ k }: { k: number }) => k)
    const b = node({ output: 'b' }, ({ k }: { k: number }) => k)
    const p = pipeline(pipeline(a).bind({ k: Number.NaN }), pipeline(b).bind({ k: Number.NaN }))
    expect(p.bound['k']).toBeNaN()
    expect(p.inputs).toEqual([])
  })

  it('rejects one input bound to different values', () => {
    const a = node({ output: 'a' }, ({ k }: { k: number }) => k)
    const b = node({ output: 'b' }, ({ k }: { k: number }) => k)
    const e = graphError(() =>
      untypedPipeline(pipeline(a).bind({ k: 1 }), pipeline(b).bind({ k: 2 })),
    )
    expect(e.message).toContain('"k"')
    // +0 and -0 are different values
    graphError(() => untypedPipeline(pipeline(a).bind({ k: 0 }), pipeline(b).bind({ k: -0 })))
  })

  it('rejects an argument that is neither a node nor a pipeline', () => {
    graphError(() => untypedPipeline(double, { output: 'z', deps: [] }))
    graphError(() => untypedPipeline(undefined))
  })
})

describe('Pipeline.select', () => {
  const a = step('a', ['x'])
  const b = step('b', ['a'])
  const c = step('c', ['y'])
  const d = step('d', ['b', 'c'])
  const e = step('e', ['a', 'z'])
  const p = untypedPipeline(a, b, c, d, e)

  it('keeps exactly the ancestors of the selected outputs', () => {
    expect(p.select('b').order).toEqual(['a', 'b'])
    expect(p.select('d').order).toEqual(['a', 'b', 'c', 'd'])
    expect(p.select('c', 'e').order).toEqual(['a', 'c', 'e'])
    expect(p.select('a').order).toEqual(['a'])
  })

  it('narrows inputs to what the kept nodes need', () => {
    expect(p.inputs).toEqual(['x', 'y', 'z'])
    expect(p.select('b').inputs).toEqual(['x'])
    expect(p.select('e').inputs).toEqual(['x', 'z'])
  })

  it('keeps only the bound values still needed', () => {
    const bound = p.bind({ y: 1, z: 2 } as never)
    expect(bound.select('e').bound).toEqual({ z: 2 })
    expect(bound.select('b').bound).toEqual({})
  })

  it('keeps the map axis of a per-item chain', () => {
    const m = node({ output: 'm', mapAxis: 'q' }, ({ q }: { q: number }) => q)
    const n = node({ output: 'n', mapAxis: 'm' }, ({ m }: { m: number }) => m)
    const o = node({ output: 'o' }, ({ k }: { k: number }) => k)
    const q = pipeline(m, n, o)
    expect(q.select('n').mapAxis).toBe('q')
    expect(q.select('o').mapAxis).toBeUndefined()
  })

  it('rejects an unknown output (including an input name)', () => {
    const g = graphError(() => p.select('nope' as never))
    expect(g.message).toContain('"nope"')
    graphError(() => p.select('x' as never))
  })

  it('returns a new pipeline and leaves the original unchanged', () => {
    const s = p.select('b')
    expect(s).not.toBe(p)
    expect(p.order).toEqual(['a', 'b', 'c', 'd', 'e'])
  })
})

describe('Pipeline.bind', () => {
  const scale = node({ output: 's', mapAxis: 'x' }, ({ x, k }: { x: number; k: number }) => x * k)
  const shift = node(
    { output: 'h' },
    ({ s, d }: { s: ReadonlyArray<number>; d: number }) => s.length + d,
  )
  const p = pipeline(scale, shift)

  it('removes bound inputs from `inputs` and records them', () => {
    const b = p.bind({ k: 10 })
    expect(b.inputs).toEqual(['x', 'd'])
    expect(b.bound).toEqual({ k: 10 })
    const bb = b.bind({ d: 1 })
    expect(bb.inputs).toEqual(['x'])
    expect(bb.bound).toEqual({ k: 10, d: 1 })
  })

  it('keeps the bound value by reference', () => {
    const k = { big: 'object' }
    const b = untypedPipeline(step('y', ['k'])).bind({ k } as never)
    expect(b.bound['k']).toBe(k)
  })

  it('rejects binding the map axis, naming the nodes that map over it', () => {
    const g = graphError(() => p.bind({ x: [1] } as never))
    expect(g.nodes).toEqual(['s'])
  })

  it('rejects binding a name that is not an input', () => {
    graphError(() => p.bind({ s: 1 } as never))
    graphError(() => p.bind({ nope: 1 } as never))
    graphError(() => p.bind({ k: 1 }).bind({ k: 2 } as never))
    graphError(() => p.bind(null as never))
  })

  it('rejects a nested pipeline whose bound input becomes the map axis', () => {
    const useK = node({ output: 'u' }, ({ q }: { q: number }) => q)
    const axisQ = node({ output: 'v', mapAxis: 'q' }, ({ q }: { q: number }) => q)
    graphError(() => untypedPipeline(pipeline(useK).bind({ q: 1 }), axisQ))
  })

  it('returns a new pipeline and leaves the original unchanged', () => {
    const b = p.bind({ k: 1 })
    expect(b).not.toBe(p)
    expect(p.inputs).toEqual(['x', 'k', 'd'])
    expect(p.bound).toEqual({})
  })

  it('works for inputs named after Object.prototype members', () => {
    const n = node(
      { output: 'y' },
      ({ constructor: c, toString: s }: { constructor: number; toString: number }) => c + s,
    )
    const q = pipeline(n)
    expect(q.inputs).toEqual(['constructor', 'toString'])
    // (as never: every object literal has a `toString`, which the compiler compares with number)
    const b = q.bind({ constructor: 1 } as never)
    expect(b.inputs).toEqual(['toString'])
    expect(b.bound).toEqual({ constructor: 1 })
    expect(pipeline(b).bound).toEqual({ constructor: 1 })
    graphError(() => untypedPipeline(b, pipeline(n).bind({ constructor: 2 } as never)))
  })
})

describe('pipeline(): immutability', () => {
  const p = pipeline(double, inc)

  it('is frozen, with frozen fields', () => {
    expect(Object.isFrozen(p)).toBe(true)
    expect(Object.isFrozen(p.nodes)).toBe(true)
    expect(Object.isFrozen(p.order)).toBe(true)
    expect(Object.isFrozen(p.inputs)).toBe(true)
    expect(Object.isFrozen(p.outputs)).toBe(true)
    expect(Object.isFrozen(p.bound)).toBe(true)
    expect(Object.isFrozen(p.bind({ x: 1 }).bound)).toBe(true)
  })

  it('rejects writes', () => {
    expect(() => {
      ;(p as { order: unknown }).order = []
    }).toThrow(TypeError)
    expect(() => {
      ;(p.order as Array<string>).push('z')
    }).toThrow(TypeError)
    expect(() => {
      ;(p.bound as Record<string, unknown>)['x'] = 1
    }).toThrow(TypeError)
    expect(p.order).toEqual(['doubled', 'y'])
    expect(p.bound).toEqual({})
  })

  it('does not depend on the argument array', () => {
    const args: Array<AnyNode> = [double, inc]
    const q = untypedPipeline(...args)
    args.pop()
    expect(q.order).toEqual(['doubled', 'y'])
  })
})

describe('pipeline(): construction errors', () => {
  it('a 3-cycle: CycleError with the path in data-flow order', () => {
    const e = thrown(() => untypedPipeline(step('a', ['c']), step('b', ['a']), step('c', ['b'])))
    expect(e).toBeInstanceOf(CycleError)
    const c = e as CycleError
    expect(c.code).toBe('CYCLE')
    expect([...c.path].sort()).toEqual(['a', 'b', 'c'])
    // each node feeds the next, and the last feeds the first: a → b → c → a
    const feeds = new Map([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
    ])
    c.path.forEach((from, i) => {
      expect(feeds.get(from)).toBe(c.path[(i + 1) % c.path.length])
    })
  })

  it('a cycle reached from outside lists only the cycle', () => {
    const e = thrown(() =>
      untypedPipeline(
        step('src', ['x']),
        step('a', ['src', 'b']),
        step('b', ['a']),
        step('z', ['b']),
      ),
    ) as CycleError
    expect(e).toBeInstanceOf(CycleError)
    expect([...e.path].sort()).toEqual(['a', 'b'])
  })

  it('a self-loop: a node that consumes its own output', () => {
    const e = thrown(() => untypedPipeline(step('a', ['a', 'x'])))
    expect(e).toBeInstanceOf(CycleError)
    expect((e as CycleError).path).toEqual(['a'])
  })

  it('names the cycle by node names', () => {
    const e = thrown(() =>
      untypedPipeline(step('a', ['b'], { name: 'A' }), step('b', ['a'], { name: 'B' })),
    ) as CycleError
    expect([...e.path].sort()).toEqual(['A', 'B'])
  })

  it('duplicate outputs: DuplicateOutputError with both nodes', () => {
    const e = thrown(() =>
      untypedPipeline(step('y', ['x'], { name: 'first' }), step('y', ['z'], { name: 'second' })),
    )
    expect(e).toBeInstanceOf(DuplicateOutputError)
    const d = e as DuplicateOutputError
    expect(d.code).toBe('DUPLICATE_OUTPUT')
    expect(d.output).toBe('y')
    expect(d.nodes).toEqual(['first', 'second'])
    expect(d).toBeInstanceOf(DagflowError)
  })

  it('duplicate outputs of nodes named after it: told apart by argument position and function name', () => {
    function triple({ x }: { x: number }) {
      return x * 3
    }
    const first = node({ output: 'y' }, ({ x }: { x: number }) => x + 1)
    const second = node({ output: 'y' }, triple)
    const other = node({ output: 'z' }, ({ x }: { x: number }) => x)
    const d = thrown(() => untypedPipeline(other, first, second)) as DuplicateOutputError
    expect(d).toMatchObject({ code: 'DUPLICATE_OUTPUT', output: 'y', nodes: ['y', 'y'] })
    expect(d.origins).toEqual(['2nd argument of pipeline()', '3rd argument of pipeline(), function triple'])
    expect(d.message).toContain('"y" (2nd argument of pipeline()) and "y" (3rd argument of pipeline(), function triple)')
    const nested = thrown(() => untypedPipeline(untypedPipeline(other, first), second)) as DuplicateOutputError
    expect(nested.origins).toEqual(['1st argument of pipeline(), in a nested pipeline', '2nd argument of pipeline(), function triple'])
  })

  it('two nodes with one name', () => {
    const g = graphError(() =>
      untypedPipeline(step('a', [], { name: 'n' }), step('b', [], { name: 'n' })),
    )
    expect(g.nodes).toEqual(['n'])
  })

  it('two map axes', () => {
    const g = graphError(() =>
      untypedPipeline(step('a', ['p'], { mapAxis: 'p' }), step('b', ['q'], { mapAxis: 'q' })),
    )
    expect([...g.nodes].sort()).toEqual(['a', 'b'])
  })

  it('different keyAttrs on one axis', () => {
    const a = untypedNode({ output: 'a', mapAxis: 'q', keyAttr: 'id', inputs: { q: t.unknown } })
    const b = untypedNode({ output: 'b', mapAxis: 'q', keyAttr: 'uuid', inputs: { q: t.unknown } })
    const g = graphError(() => untypedPipeline(a, b))
    expect([...g.nodes].sort()).toEqual(['a', 'b'])
    // the same keyAttr twice is fine
    const c = untypedNode({ output: 'c', mapAxis: 'q', keyAttr: 'id', inputs: { q: t.unknown } })
    expect(untypedPipeline(a, c).keyAttr).toBe('id')
  })

  it('a node mapping over an output computed once', () => {
    const g = graphError(() =>
      untypedPipeline(step('total', ['x']), step('each', ['total'], { mapAxis: 'total' })),
    )
    expect([...g.nodes].sort()).toEqual(['each', 'total'])
  })

  it('keyAttr on a node whose mapAxis is an upstream output', () => {
    const first = step('a', ['q'], { mapAxis: 'q' })
    const second = untypedNode({
      output: 'b',
      mapAxis: 'a',
      keyAttr: 'id',
      inputs: { a: t.unknown },
    })
    const g = graphError(() => untypedPipeline(first, second))
    expect([...g.nodes].sort()).toEqual(['a', 'b'])
  })

  it('every construction error is a DagflowError', () => {
    for (const f of [
      () => untypedPipeline(step('a', ['a'])),
      () => untypedPipeline(step('a', []), step('a', [])),
      () => untypedPipeline(step('a', ['p'], { mapAxis: 'p' }), step('b', ['q'], { mapAxis: 'q' })),
    ]) {
      expect(thrown(f)).toBeInstanceOf(DagflowError)
    }
  })
})

describe('pipeline(): scale', () => {
  it('builds, sorts, selects and renders a 10,000-node chain without overflowing the stack', () => {
    const n = 10_000
    const nodes: Array<AnyNode> = [step('n0', ['x'])]
    for (let i = 1; i < n; i++) nodes.push(step(`n${i}`, [`n${i - 1}`]))
    // declared in reverse, so every node waits on the one declared after it
    const p = untypedPipeline(...[...nodes].reverse())
    expect(p.order).toHaveLength(n)
    expect(p.order[0]).toBe('n0')
    expect(p.order[n - 1]).toBe(`n${n - 1}`)
    expect(p.order.every((name, i) => name === `n${i}`)).toBe(true)
    expect(p.inputs).toEqual(['x'])
    expect(p.select(`n${n - 1}`).order).toHaveLength(n)
    expect(p.select('n1').order).toEqual(['n0', 'n1'])
    expect(p.toMermaid().split('\n').length).toBeGreaterThan(n)
  })

  it('reports a cycle through a 10,000-node chain', () => {
    const n = 10_000
    const nodes: Array<AnyNode> = [step('n0', [`n${n - 1}`])]
    for (let i = 1; i < n; i++) nodes.push(step(`n${i}`, [`n${i - 1}`]))
    const e = thrown(() => untypedPipeline(...nodes)) as CycleError
    expect(e).toBeInstanceOf(CycleError)
    expect(e.path).toHaveLength(n)
  })
})

describe('bound values meeting a producer', () => {
  it('rejects an outer node producing an input a nested pipeline bound', async () => {
    const { node, pipeline } = await import('dagflow')
    const inner = pipeline(node({ output: 'y' }, ({ k }: { k: number }) => k)).bind({ k: 1 })
    const makesK = node({ output: 'k' }, ({ x }: { x: number }) => x)
    let caught: unknown
    try {
      pipeline(inner, makesK)
    } catch (e) {
      caught = e
    }
    expect(caught).toMatchObject({ code: 'INVALID_GRAPH', nodes: ['k'] })
  })
})
