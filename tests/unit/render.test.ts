import { describe, it, expect } from 'vitest'
import { node, pipeline, type AnyNode, type Pipeline } from '../../src/index.js'

const untypedPipeline = pipeline as unknown as (
  ...xs: ReadonlyArray<unknown>
) => Pipeline<AnyNode, string>

interface Item {
  readonly id: string
  readonly text: string
}

// q (map axis) and k feed a per-item node; a reduce reads it and z; k is bound
const embed = node(
  { output: 'vec', name: 'embed', mapAxis: 'q', keyAttr: 'id' },
  ({ q, k }: { q: Item; k: number }) => q.text.length * k,
)
const total = node(
  { output: 'total' },
  ({ vec, z }: { vec: ReadonlyArray<number>; z: number }) => vec.length + z,
)
const p = pipeline(embed, total).bind({ k: 2 })

// -------------------------------------------------------------------------------------
// tiny parsers: ids → (label, shape), edges as label pairs
// -------------------------------------------------------------------------------------

interface Drawn {
  readonly shapes: ReadonlyMap<string, string>
  readonly edges: ReadonlyArray<readonly [string, string]>
}

function parseMermaid(text: string): Drawn {
  const lines = text.trimEnd().split('\n')
  expect(lines[0]).toBe('flowchart TD')
  const labels = new Map<string, string>()
  const shapes = new Map<string, string>()
  const edges: Array<readonly [string, string]> = []
  for (const line of lines.slice(1)) {
    const decl = /^ {2}(\w+)(\(\[|\[\[|\[)"([^"]*)"(\]\)|\]\]|\])$/.exec(line)
    const edge = /^ {2}(\w+) --> (\w+)$/.exec(line)
    if (decl !== null) {
      const [, id, open, label, close] = decl as unknown as [string, string, string, string, string]
      const shape = `${open}${close}`
      expect(['([])', '[[]]', '[]']).toContain(shape)
      labels.set(id, label)
      shapes.set(label, shape === '([])' ? 'input' : shape === '[[]]' ? 'per-item' : 'once')
    } else if (edge !== null) {
      edges.push([edge[1] as string, edge[2] as string])
    } else {
      throw new Error(`unexpected Mermaid line: ${JSON.stringify(line)}`)
    }
  }
  const label = (id: string) => {
    expect(labels.has(id)).toBe(true)
    return labels.get(id) as string
  }
  return { shapes, edges: edges.map(([a, b]) => [label(a), label(b)] as const) }
}

function parseDot(text: string): Drawn & { readonly attrs: ReadonlyMap<string, string> } {
  const lines = text.trimEnd().split('\n')
  expect(lines[0]).toBe('digraph dagflow {')
  expect(lines[lines.length - 1]).toBe('}')
  const labels = new Map<string, string>()
  const shapes = new Map<string, string>()
  const attrs = new Map<string, string>()
  const edges: Array<readonly [string, string]> = []
  for (const line of lines.slice(1, -1)) {
    if (/^ {2}(rankdir=|node )/.test(line)) continue
    const decl = /^ {2}(\w+) \[label=("(?:[^"\\]|\\.)*"), (.*)\];$/.exec(line)
    const edge = /^ {2}(\w+) -> (\w+);$/.exec(line)
    if (decl !== null) {
      const [, id, quoted, rest] = decl as unknown as [string, string, string, string]
      const label = JSON.parse(quoted) as string
      labels.set(id, label)
      attrs.set(label, rest)
      shapes.set(
        label,
        rest.includes('rounded') ? 'input' : rest.includes('peripheries=2') ? 'per-item' : 'once',
      )
    } else if (edge !== null) {
      edges.push([edge[1] as string, edge[2] as string])
    } else {
      throw new Error(`unexpected DOT line: ${JSON.stringify(line)}`)
    }
  }
  const label = (id: string) => {
    expect(labels.has(id)).toBe(true)
    return labels.get(id) as string
  }
  return { shapes, attrs, edges: edges.map(([a, b]) => [label(a), label(b)] as const) }
}

const sorted = (edges: ReadonlyArray<readonly [string, string]>) =>
  edges.map(([a, b]) => `${a} -> ${b}`).sort()

const expectedShapes = new Map([
  ['q', 'input'],
  ['z', 'input'],
  ['k (bound)', 'input'],
  ['embed → vec', 'per-item'],
  ['total', 'once'],
])
const expectedEdges = [
  'q -> embed → vec',
  'k (bound) -> embed → vec',
  'embed → vec -> total',
  'z -> total',
].sort()

describe('toMermaid', () => {
  it('draws inputs, bound inputs, per-item and once nodes, and every edge', () => {
    const drawn = parseMermaid(p.toMermaid())
    expect(drawn.shapes).toEqual(expectedShapes)
    expect(sorted(drawn.edges)).toEqual(expectedEdges)
  })

  it('lists free inputs before bound ones and nodes in topological order', () => {
    const text = p.toMermaid()
    const at = (s: string) => text.indexOf(s)
    expect(at('"q"')).toBeLessThan(at('"k (bound)"'))
    expect(at('"z"')).toBeLessThan(at('"k (bound)"'))
    expect(at('"embed → vec"')).toBeLessThan(at('"total"'))
    expect(text.endsWith('\n')).toBe(true)
  })

  it('quotes odd names: double quotes become #quot;, brackets stay inside the quotes', () => {
    const odd = node(
      { output: 'out [1]', name: 'say "hi" (x) {y} | z' },
      ({ 'in "a"': a }: { 'in "a"': number }) => a,
    )
    const text = pipeline(odd).toMermaid()
    const drawn = parseMermaid(text)
    expect(drawn.shapes).toEqual(
      new Map([
        ['in #quot;a#quot;', 'input'],
        ['say #quot;hi#quot; (x) {y} | z → out [1]', 'once'],
      ]),
    )
    expect(drawn.edges).toEqual([['in #quot;a#quot;', 'say #quot;hi#quot; (x) {y} | z → out [1]']])
  })

  it('draws an empty pipeline as a bare flowchart', () => {
    expect(untypedPipeline().toMermaid()).toBe('flowchart TD\n')
  })

  it('is deterministic', () => {
    expect(p.toMermaid()).toBe(p.toMermaid())
    expect(pipeline(total, embed).bind({ k: 2 }).toMermaid()).toBe(p.toMermaid())
  })
})

describe('toDot', () => {
  it('draws inputs, bound inputs, per-item and once nodes, and every edge', () => {
    const drawn = parseDot(p.toDot())
    expect(drawn.shapes).toEqual(expectedShapes)
    expect(sorted(drawn.edges)).toEqual(expectedEdges)
  })

  it('marks bound inputs dashed and per-item nodes double-bordered', () => {
    const { attrs } = parseDot(p.toDot())
    expect(attrs.get('k (bound)')).toContain('dashed')
    expect(attrs.get('q')).not.toContain('dashed')
    expect(attrs.get('embed → vec')).toContain('peripheries=2')
    expect(attrs.get('total')).not.toContain('peripheries')
  })

  it('quotes odd names as DOT strings', () => {
    const name = 'say "hi"\\ {x} -> y;\nnext'
    const odd = node({ output: 'o', name }, ({ 'a b': v }: { 'a b': number }) => v)
    const drawn = parseDot(pipeline(odd).toDot())
    expect(drawn.shapes).toEqual(
      new Map([
        ['a b', 'input'],
        [`${name} → o`, 'once'],
      ]),
    )
    expect(drawn.edges).toEqual([['a b', `${name} → o`]])
  })

  it('draws an empty pipeline as an empty digraph', () => {
    expect(parseDot(untypedPipeline().toDot()).edges).toEqual([])
  })
})
