/**
 * `dagflow graph`: a pipeline's graph as Mermaid, DOT, or SVG laid out by Graphviz compiled to
 * WebAssembly (`@hpcc-js/wasm-graphviz`, an optional peer; the WebAssembly is inside the
 * package, so nothing is downloaded).
 *
 * @since 0.3.0
 */
import { runError, usageError } from './cli-error.js'
import { unknownValueMessage } from './did-you-mean.js'
import { errorText, importPeer, type CliPipeline } from './load-pipeline.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg'] as const
/** @category models */
export type GraphFormat = (typeof GRAPH_FORMATS)[number]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The format named by `--format`, or a usage error. */
export function graphFormat(value: string | undefined): GraphFormat {
  const format = value ?? 'mermaid'
  const found = GRAPH_FORMATS.find((f) => f === format)
  if (found === undefined) {
    throw usageError(unknownValueMessage('--format', format, GRAPH_FORMATS))
  }
  return found
}

/** The graph text of `p` in `format`. */
export async function graphText(p: CliPipeline, format: GraphFormat): Promise<string> {
  switch (format) {
    case 'mermaid':
      return p.toMermaid()
    case 'dot':
      return p.toDot()
    case 'svg':
      return toSvg(p.toDot())
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

async function toSvg(dot: string): Promise<string> {
  const graphviz = await importPeer(
    () => import('@hpcc-js/wasm-graphviz'),
    '@hpcc-js/wasm-graphviz',
    '--format svg lays the graph out with Graphviz compiled to WebAssembly, from the optional peer dependency ' +
      '@hpcc-js/wasm-graphviz, which is not installed. Install it with `npm install -D @hpcc-js/wasm-graphviz`, ' +
      'or use --format dot and your own Graphviz.',
  )
  try {
    const gv = await graphviz.Graphviz.load()
    const svg = gv.dot(dot, 'svg')
    return svg.endsWith('\n') ? svg : `${svg}\n`
  } catch (e) {
    throw runError(`Graphviz could not lay out the graph: ${errorText(e)}`, e)
  }
}
