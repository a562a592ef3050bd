import { describe, it, expect } from 'vitest'
import { thrown } from '../helpers.js'
import * as t from 'io-ts'
import {
  DagflowError,
  GraphError,
  isNode,
  node,
  NodeTypeId,
  UnreadableParamsError,
  type AnyNode,
} from '../../src/index.js'

/** node() without its compile-time checks, to reach the run-time ones (JavaScript callers). */
const untypedNode = node as unknown as (spec: unknown, fn: unknown) => AnyNode

/** Builds a function from exact source text (the test file itself is transformed before it runs). */
const fromSource = (src: string): Function => new Function(`return (${src}\n)`)() as Function

/** Runs `f`, which must throw; returns what it threw. */

/** Asserts a GraphError about `field` of node `name`. */
function expectSpecError(f: () => unknown, name: string | undefined, field: string): GraphError {
  const e = thrown(f)
  expect(e).toBeInstanceOf(GraphError)
  const g = e as GraphError
  expect(g.code).toBe('INVALID_GRAPH')
  expect(g.nodes).toEqual(name === undefined ? [] : [name])
  // the field is only in the message: it is what the user must change
  expect(g.message).toContain(field)
  if (name !== undefined) expect(g.message).toContain(`"${name}"`)
  return g
}

describe('node(): dependencies', () => {
  it('reads deps from the destructuring pattern, in source order', () => {
    const n = node({ output: 'y' }, ({ b, a }: { a: number; b: number }) => a + b)
    expect(n.deps).toEqual(['b', 'a'])
    expect(n.optionalDeps).toEqual([])
    expect(n.inputs).toBeUndefined()
  })

  it('reads renamed and defaulted entries by their property name', () => {
    const n = node(
      { output: 'y' },
      ({ alpha: a, beta: b = 2, gamma = 3 }: { alpha: number; beta?: number; gamma?: number }) =>
        a + b + gamma,
    )
    expect(n.deps).toEqual(['alpha', 'beta', 'gamma'])
    expect(n.optionalDeps).toEqual(['beta', 'gamma'])
  })

  it('reads deps from `inputs` keys and ignores the function shape', () => {
    // an undestructured parameter would be unreadable; `inputs` makes that irrelevant
    const n = node({ output: 'y', inputs: { x: t.number, k: t.number } }, (d) => d.x * d.k)
    expect(n.deps).toEqual(['x', 'k'])
    expect(n.optionalDeps).toEqual([])
    expect(Object.keys(n.inputs ?? {})).toEqual(['x', 'k'])
    expect(n.fn({ x: 2, k: 5 })).toBe(10)
  })

  it('accepts a node without dependencies', () => {
    expect(node({ output: 'one' }, () => 1).deps).toEqual([])
    expect(node({ output: 'one', inputs: {} }, () => 1).deps).toEqual([])
  })

  it('reads minified sources', () => {
    const n = untypedNode({ output: 'y' }, fromSource('({a:t,b:s={x:"}"}})=>t+s'))
    expect(n.deps).toEqual(['a', 'b'])
    expect(n.optionalDeps).toEqual(['b'])
  })
})

describe('node(): fields', () => {
  it('defaults name to output and keeps every spec field', () => {
    const batch = (cols: { readonly q: ArrayLike<string> }) => Array.from(cols.q, (s) => s.length)
    const n = node(
      { output: 'len', mapAxis: 'q', inputs: { q: t.string }, returns: t.number, batch },
      ({ q }) => q.length,
    )
    expect(n.name).toBe('len')
    expect(n.output).toBe('len')
    expect(n.mapAxis).toBe('q')
    expect(n.keyAttr).toBeUndefined()
    expect(n.returns).toBe(t.number)
    expect(n.batch).toBe(batch)
    expect(n.inputs?.['q']).toBe(t.string)
  })

  it('keeps an explicit name and keyAttr', () => {
    const n = node(
      { output: 'hits', name: 'retrieve', mapAxis: 'query', keyAttr: 'id' },
      ({ query }: { query: { id: string } }) => query.id,
    )
    expect(n.name).toBe('retrieve')
    expect(n.output).toBe('hits')
    expect(n.keyAttr).toBe('id')
  })

  it('exposes fn for direct calls', () => {
    const fn = ({ x }: { x: number }) => x * 2
    const n = node({ output: 'y' }, fn)
    expect(n.fn).toBe(fn)
    expect(n.fn({ x: 4 })).toBe(8)
  })

  it('is frozen, deps and inputs included', () => {
    const n = node({ output: 'y', inputs: { x: t.number } }, ({ x }) => x)
    expect(Object.isFrozen(n)).toBe(true)
    expect(Object.isFrozen(n.deps)).toBe(true)
    expect(Object.isFrozen(n.optionalDeps)).toBe(true)
    expect(Object.isFrozen(n.inputs)).toBe(true)
    expect(() => {
      ;(n as { output: string }).output = 'z'
    }).toThrow(TypeError)
    expect(() => {
      ;(n.deps as Array<string>).push('w')
    }).toThrow(TypeError)
    expect(n.output).toBe('y')
    expect(n.deps).toEqual(['x'])
  })

  it('copies `inputs`: changing the caller’s record later does not change the node', () => {
    const inputs: Record<string, t.Mixed> = { x: t.number }
    const n = node({ output: 'y', inputs }, (d) => d['x'])
    inputs['z'] = t.string
    expect(n.deps).toEqual(['x'])
    expect(Object.keys(n.inputs ?? {})).toEqual(['x'])
  })

  it('isNode recognises nodes, across package copies (Symbol.for brand)', () => {
    expect(isNode(node({ output: 'y' }, ({ x }: { x: number }) => x))).toBe(true)
    expect(isNode({ output: 'y', deps: [] })).toBe(false)
    expect(isNode(null)).toBe(false)
    expect(isNode({ [Symbol.for('dagflow/Node')]: {} })).toBe(true)
    expect(NodeTypeId).toBe(Symbol.for('dagflow/Node'))
  })
})

describe('node(): spec misuse is a GraphError naming node and field', () => {
  const fn = ({ x }: { x: number }) => x

  it('keyAttr without mapAxis', () => {
    expectSpecError(() => untypedNode({ output: 'y', keyAttr: 'id' }, fn), 'y', 'keyAttr')
  })

  it('names the node by spec.name when given', () => {
    expectSpecError(
      () => untypedNode({ output: 'y', name: 'step', keyAttr: 'id' }, fn),
      'step',
      'keyAttr',
    )
  })

  it('batch without mapAxis', () => {
    expectSpecError(() => untypedNode({ output: 'y', batch: () => [] }, fn), 'y', 'batch')
  })

  it('name: null, and inputs given as an array (which would name a parameter "0")', () => {
    expectSpecError(() => untypedNode({ output: 'y', name: null }, fn), 'y', 'spec.name')
    expect(expectSpecError(() => untypedNode({ output: 'y', inputs: [t.number] }, fn), 'y', 'inputs').message).toContain('by parameter name')
  })

  it('batch that is not a function', () => {
    expectSpecError(() => untypedNode({ output: 'y', mapAxis: 'x', batch: 42 }, fn), 'y', 'batch')
  })

  it('mapAxis that is not a parameter', () => {
    const g = expectSpecError(() => untypedNode({ output: 'y', mapAxis: 'q' }, fn), 'y', 'mapAxis')
    expect(g.message).toContain('"q"')
  })

  it('mapAxis that is not a parameter named by inputs', () => {
    expectSpecError(
      () => untypedNode({ output: 'y', mapAxis: 'q', inputs: { x: t.number } }, fn),
      'y',
      'mapAxis',
    )
  })

  it('mapAxis or keyAttr that is not a non-empty string', () => {
    expectSpecError(() => untypedNode({ output: 'y', mapAxis: '' }, fn), 'y', 'mapAxis')
    expectSpecError(() => untypedNode({ output: 'y', mapAxis: 3 }, fn), 'y', 'mapAxis')
    expectSpecError(
      () => untypedNode({ output: 'y', mapAxis: 'x', keyAttr: 7 }, fn),
      'y',
      'keyAttr',
    )
  })

  it('an unknown spec key (a typo)', () => {
    expectSpecError(() => untypedNode({ output: 'y', mapaxis: 'x' }, fn), 'y', 'mapaxis')
  })

  it('inputs that are not a record of codecs', () => {
    expectSpecError(() => untypedNode({ output: 'y', inputs: { x: 5 } }, fn), 'y', 'inputs.x')
    expectSpecError(
      () => untypedNode({ output: 'y', inputs: { x: t.number, k: { decode: 1 } } }, fn),
      'y',
      'inputs.k',
    )
    expectSpecError(() => untypedNode({ output: 'y', inputs: 'x' }, fn), 'y', 'inputs')
    expectSpecError(() => untypedNode({ output: 'y', inputs: null }, fn), 'y', 'inputs')
  })

  it('a parameter the function reads that `inputs` leaves out (it would read undefined)', () => {
    const g = expectSpecError(
      () => untypedNode({ output: 'top', inputs: { hits: t.array(t.number) } }, ({ hits, k }: { hits: number[]; k: number }) => hits.slice(0, k)),
      'top',
      'inputs',
    )
    expect(g.message).toContain('has no codec for "k", which the function reads')
    expect(g.message).toContain('k: <codec>')
    // a default does not make it passed either
    expectSpecError(
      () => untypedNode({ output: 'top', inputs: { hits: t.unknown } }, ({ hits, k = 3 }: { hits: number[]; k?: number }) => hits.slice(0, k)),
      'top',
      'inputs',
    )
  })

  it('a column the batch form reads that is not a parameter', () => {
    const g = expectSpecError(
      () =>
        untypedNode(
          { output: 'y', mapAxis: 'x', batch: ({ x, scale }: { x: number[]; scale: number[] }) => x.map((v, i) => v * (scale[i] ?? 1)) },
          fn,
        ),
      'y',
      'batch',
    )
    expect(g.message).toContain('reads "scale", which is not a parameter of the node ("x")')
    // with `inputs`, the parameters are its keys
    expectSpecError(
      () => untypedNode({ output: 'y', mapAxis: 'x', inputs: { x: t.number }, batch: ({ v }: { v: number[] }) => v }, fn),
      'y',
      'batch',
    )
    // a batch form over fewer columns, or one whose names cannot be read, is fine
    expect(untypedNode({ output: 'y', mapAxis: 'x', batch: (cols: { x: number[] }) => cols.x }, fn).deps).toEqual(['x'])
  })

  it('returns that is not a codec', () => {
    expectSpecError(() => untypedNode({ output: 'y', returns: 'number' }, fn), 'y', 'returns')
  })

  it('an empty or missing output', () => {
    expectSpecError(() => untypedNode({ output: '' }, fn), undefined, 'output')
    expectSpecError(() => untypedNode({}, fn), undefined, 'output')
    expectSpecError(() => untypedNode({ output: 3 }, fn), undefined, 'output')
  })

  it('an empty name', () => {
    expectSpecError(() => untypedNode({ output: 'y', name: '' }, fn), 'y', 'name')
  })

  it('a spec that is not an object', () => {
    expect(thrown(() => untypedNode(null, fn))).toBeInstanceOf(GraphError)
    expect(thrown(() => untypedNode('y', fn))).toBeInstanceOf(GraphError)
  })

  it('fn that is not a function', () => {
    expectSpecError(() => untypedNode({ output: 'y' }, 'x => x'), 'y', 'fn')
  })

  it('every spec error is a DagflowError', () => {
    const e = thrown(() => untypedNode({ output: 'y', keyAttr: 'id' }, fn))
    expect(e).toBeInstanceOf(DagflowError)
  })
})

describe('node(): unreadable parameters', () => {
  function expectUnreadable(fn: unknown, name = 'y'): UnreadableParamsError {
    const e = thrown(() => untypedNode({ output: 'y', ...(name === 'y' ? {} : { name }) }, fn))
    expect(e).toBeInstanceOf(UnreadableParamsError)
    const u = e as UnreadableParamsError
    expect(u.code).toBe('UNREADABLE_PARAMS')
    expect(u.name).toBe('UnreadableParamsError')
    expect(u.node).toBe(name)
    expect(u.reason.length).toBeGreaterThan(0)
    // the fix: pass `inputs`
    expect(u.message).toContain('inputs')
    return u
  }

  it('a rest element', () => {
    const u = expectUnreadable(fromSource('({ a, ...rest }) => a + rest.b'))
    expect(u.reason).toContain('...rest')
    expect(u.source).toContain('...rest')
  })

  it('an identifier parameter', () => {
    const u = expectUnreadable(fromSource('(deps) => deps.x'), 'custom')
    expect(u.reason).toContain('deps')
  })

  it('a native function', () => {
    expectUnreadable(Math.max)
  })

  it('a bound function (its source is native code)', () => {
    expectUnreadable(fromSource('({ x }) => x').bind(null))
  })

  it('an ES5 down-levelled function', () => {
    expectUnreadable(fromSource('function (_a) { var a = _a.a, b = _a.b; return a + b }'))
  })

  it('is not raised when `inputs` names the dependencies', () => {
    const n = untypedNode({ output: 'y', inputs: { a: t.number } }, fromSource('(d) => d.a'))
    expect(n.deps).toEqual(['a'])
  })
})
