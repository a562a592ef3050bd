/**
 * Graph text for pictures: Mermaid flowcharts and Graphviz DOT. Inputs are drawn as rounded
 * boxes (dashed when bound), nodes as boxes (a subroutine shape in Mermaid and a double border
 * in DOT when they run once per item), and edges go from each producer or input to its consumers.
 *
 * @since 0.1.0
 */
import type { AnyNode } from './node.js'

/** @internal what rendering needs of a pipeline */
export interface RenderablePipeline {
  readonly nodes: ReadonlyArray<AnyNode>
  readonly inputs: ReadonlyArray<string>
  readonly bound: Readonly<Record<string, unknown>>
}

interface Shape {
  readonly inputs: ReadonlyArray<{ readonly id: string; readonly label: string; readonly bound: boolean }>
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly label: string; readonly perItem: boolean }>
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string }>
}

function shape(p: RenderablePipeline): Shape {
  const nodeId = new Map<string, string>()
  p.nodes.forEach((n, i) => nodeId.set(n.output, `n${i}`))
  const inputId = new Map<string, string>()
  const inputs: Array<Shape['inputs'][number]> = []
  const addInput = (name: string, bound: boolean) => {
    if (inputId.has(name)) return
    const id = `i${inputId.size}`
    inputId.set(name, id)
    inputs.push({ id, label: bound ? `${name} (bound)` : name, bound })
  }
  for (const i of p.inputs) addInput(i, false)
  for (const b of Object.keys(p.bound)) addInput(b, true)
  const nodes = p.nodes.map((n, i) => ({
    id: `n${i}`,
    label: n.name === n.output ? n.name : `${n.name} → ${n.output}`,
    perItem: n.mapAxis !== undefined,
  }))
  const edges = p.nodes.flatMap((n, i) =>
    n.deps.map((d) => ({ from: nodeId.get(d) ?? inputId.get(d) ?? d, to: `n${i}` })),
  )
  return { inputs, nodes, edges }
}

/** Mermaid quoted text: `#` and `"` as entity codes, line breaks as spaces. */
const mermaidText = (s: string) =>
  `"${s.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/[\r\n]+/g, ' ')}"`

/** @internal */
export function toMermaid(p: RenderablePipeline): string {
  const s = shape(p)
  const lines = ['flowchart TD']
  for (const i of s.inputs) lines.push(`  ${i.id}([${mermaidText(i.label)}])`)
  for (const n of s.nodes) {
    lines.push(n.perItem ? `  ${n.id}[[${mermaidText(n.label)}]]` : `  ${n.id}[${mermaidText(n.label)}]`)
  }
  for (const e of s.edges) lines.push(`  ${e.from} --> ${e.to}`)
  return `${lines.join('\n')}\n`
}

const dotText = (s: string) => JSON.stringify(s)

/** @internal */
export function toDot(p: RenderablePipeline): string {
  const s = shape(p)
  const lines = ['digraph dagflow {', '  rankdir=TB;', '  node [fontname="Helvetica"];']
  for (const i of s.inputs) {
    lines.push(
      `  ${i.id} [label=${dotText(i.label)}, shape=box, style="rounded${i.bound ? ',dashed' : ''}"];`,
    )
  }
  for (const n of s.nodes) {
    lines.push(`  ${n.id} [label=${dotText(n.label)}, shape=box${n.perItem ? ', peripheries=2' : ''}];`)
  }
  for (const e of s.edges) lines.push(`  ${e.from} -> ${e.to};`)
  lines.push('}')
  return `${lines.join('\n')}\n`
}
