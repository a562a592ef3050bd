/**
 * `pipeline(...)` composes nodes (and other pipelines) into an immutable graph value. Nothing
 * runs: executors interpret the value. The compiler checks the graph; construction checks it
 * again at run time, for JavaScript callers and for what types cannot see.
 *
 * @since 0.1.0
 */
import {
  CycleError,
  DuplicateOutputError,
  GraphError,
} from './errors.js'
import { ancestors, topoOrder } from './graph.js'
import { isNode, type AnyNode, type Node } from './node.js'
import { toDot, toMermaid } from './render.js'
import type { DagflowTypeError, IsUnion, Simplify, UnionToIntersection } from './type-utils.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The key of the phantom slot that carries a pipeline's types.
 *
 * @category models
 * @since 0.1.0
 */
export const PipelineTypeId: unique symbol = Symbol.for('dagflow/Pipeline') as never
/**
 * @category models
 * @since 0.1.0
 */
export type PipelineTypeId = typeof PipelineTypeId

/**
 * An immutable graph of nodes. Every method returns a new pipeline.
 *
 * @typeParam N - the union of its nodes
 * @typeParam B - the names of the inputs fixed by {@link Pipeline.bind}
 * @category models
 * @since 0.1.0
 */
export interface Pipeline<N extends AnyNode, B extends string = never> {
  readonly [PipelineTypeId]: { readonly _N: () => N; readonly _B: () => B }
  /** the nodes, in topological order */
  readonly nodes: ReadonlyArray<AnyNode>
  /** node names, topologically sorted (stable: ties keep declaration order) */
  readonly order: ReadonlyArray<string>
  /** free parameter names: consumed, produced by no node, not bound */
  readonly inputs: ReadonlyArray<string>
  /** output names, in topological order */
  readonly outputs: ReadonlyArray<string>
  /** the map-axis parameter, if any node declares one */
  readonly mapAxis: string | undefined
  /** the key attribute of the map-axis items, if any node declares one */
  readonly keyAttr: string | undefined
  /** the values fixed by `bind` */
  readonly bound: Readonly<Record<string, unknown>>
  /**
   * A new pipeline with only what the given outputs need.
   *
   * @example
   * import { node, pipeline } from 'dagflow'
   * const a = node({ output: 'a' }, ({ x }: { x: number }) => x + 1)
   * const b = node({ output: 'b' }, ({ a }: { a: number }) => a * 2)
   * const c = node({ output: 'c' }, ({ x }: { x: number }) => -x)
   * pipeline(a, b, c).select('b').order // => ['a', 'b']
   */
  select<const Os extends ReadonlyArray<N['output']>>(
    ...outputs: Os
  ): Pipeline<Needed<N, Os[number]>, Extract<B, InputNames<Needed<N, Os[number]>>>>
  /**
   * A new pipeline with some inputs fixed. Bound inputs disappear from `inputs` and from the
   * types of `run`/`map`. The map axis cannot be bound.
   *
   * @example
   * import { node, pipeline } from 'dagflow'
   * const scale = node({ output: 'y' }, ({ x, k }: { x: number; k: number }) => x * k)
   * pipeline(scale).bind({ k: 10 }).inputs // => ['x']
   */
  bind<const V extends Partial<ConstInputs<N, B>>>(
    values: V & Record<Exclude<keyof V, keyof ConstInputs<N, B>>, never>,
  ): Pipeline<N, B | (keyof V & string)>
  /**
   * The graph as Mermaid flowchart text.
   *
   * @example
   * import { node, pipeline } from 'dagflow'
   * const y = node({ output: 'y' }, ({ x }: { x: number }) => x)
   * pipeline(y).toMermaid().startsWith('flowchart') // => true
   */
  toMermaid(): string
  /**
   * The graph as Graphviz DOT text.
   *
   * @example
   * import { node, pipeline } from 'dagflow'
   * const y = node({ output: 'y' }, ({ x }: { x: number }) => x)
   * pipeline(y).toDot().startsWith('digraph') // => true
   */
  toDot(): string
}

/**
 * Any pipeline. Every `Pipeline<N, B>` is assignable to it.
 *
 * @category models
 * @since 0.1.0
 */
export interface AnyPipeline {
  readonly [PipelineTypeId]: { readonly _N: () => AnyNode; readonly _B: () => string }
}

/** @internal the union of nodes of a pipeline, or the node itself */
export type NodesOf<X> = X extends {
  readonly [PipelineTypeId]: { readonly _N: () => infer N }
}
  ? N
  : X
/** @internal */
export type BoundOf<X> = X extends {
  readonly [PipelineTypeId]: { readonly _B: () => infer B extends string }
}
  ? B
  : never

// --- type-level reading of a union of nodes ---------------------------------------------

/** @internal output names of the nodes that run once per item */
export type PerItemOutputs<N> =
  N extends Node<infer O, never, unknown, infer M, never> ? ([M] extends [never] ? never : O) : never
type DeclaredAxes<N> = N extends Node<string, never, unknown, infer M, never> ? M : never
/**
 * @internal the map axis: the input that nodes declare as `mapAxis` (a node whose `mapAxis` is
 * the output of a per-item node runs on the same axis). A union of two or more is a type error.
 */
export type AxisOf<N> = Exclude<DeclaredAxes<N>, OutputNames<N>>
/** @internal the result type of output K */
export type ResultOf<N, K> = N extends Node<infer O, never, infer R, string, never>
  ? O extends K
    ? R
    : never
  : never
type DepNames<N> = N extends Node<string, infer D, unknown, string, never> ? keyof D & string : never
/** @internal names consumed but produced by no node (bound ones included) */
export type InputNames<N> = Exclude<DepNames<N>, OutputNames<N>>

/** The parameter record of inputs: a consumer's optional parameter stays optional unless another requires it. */
type InputRecord<N, Free extends string, Axis extends string> = UnionToIntersection<
  N extends Node<string, infer D, unknown, infer M, never>
    ? Pick<D, Extract<keyof D, [M] extends [never] ? Exclude<Free, Axis> : Free>>
    : never
>

/** the map-axis parameter as the per-item nodes declare it */
type AxisRecord<N, Axis> = UnionToIntersection<
  N extends Node<string, infer D, unknown, infer M, never>
    ? [Extract<M, Axis>] extends [never]
      ? never
      : Pick<D, Extract<keyof D, Axis>>
    : never
>
type ItemInputs<N, B extends string, Os extends string> = InputRecord<
  Needed<N, Os>,
  Exclude<InputNames<Needed<N, Os>>, B>,
  AxisOf<N>
> &
  AxisRecord<N, AxisOf<N>>

/**
 * The inputs of `run` for outputs `Os`: one item of the map axis (always required when the
 * pipeline has one: it defines the item), and the other inputs those outputs need.
 *
 * @category models
 * @since 0.1.0
 */
export type RunInputs<N, B extends string, Os extends string = string> = Simplify<
  ItemInputs<N, B, Os>
>
/**
 * The inputs of `map` for outputs `Os`: the map-axis input is an array of items.
 *
 * @category models
 * @since 0.1.0
 */
export type MapInputs<N, B extends string, Os extends string = string> = MapAxisArray<
  ItemInputs<N, B, Os>,
  AxisOf<N>
>
type MapAxisArray<I, Axis> = Simplify<{
  [K in keyof I]: K extends Axis ? ReadonlyArray<I[K]> : I[K]
}>
/** @internal the inputs `bind` may fix: everything but the map axis */
export type ConstInputs<N, B extends string> = Simplify<
  InputRecord<N, Exclude<InputNames<N>, B | AxisOf<N>>, AxisOf<N>>
>

/** @internal outputs of `run`: per-item outputs unwrapped */
export type RunOutputs<N, Os extends string> = Simplify<{ readonly [K in Os]: ResultOf<N, K> }>
/** @internal outputs of `map`: per-item outputs as arrays in input order */
export type MapOutputs<N, Os extends string> = Simplify<{
  readonly [K in Os]: K extends PerItemOutputs<N> ? ReadonlyArray<ResultOf<N, K>> : ResultOf<N, K>
}>

/** @internal the nodes that outputs W need (a fixed point over dependencies) */
export type Needed<N, W extends string> = NeededLoop<N, W>
type Producing<N, W> = N extends AnyNode ? (N['output'] extends W ? N : never) : never
type NeededLoop<N, W extends string> = [W | DepNames<Producing<N, W>>] extends [W]
  ? Producing<N, W>
  : NeededLoop<N, W | DepNames<Producing<N, W>>>

// --- compile-time graph checks ----------------------------------------------------------

/** the outputs produced by two different nodes, given the args of `pipeline(...)` */
type DupOutputs<Xs, Seen = never, Dups extends string = never> = Xs extends readonly [
  infer H,
  ...infer T,
]
  ? DupOutputs<T, Seen | NodesOf<H>, Dups | Clashes<NodesOf<H>, Seen>>
  : Dups
type Clashes<New, Seen> = New extends AnyNode
  ? [Producing<Seen, New['output']>] extends [never]
    ? never
    : [Producing<Seen, New['output']>] extends [New]
      ? [New] extends [Producing<Seen, New['output']>]
        ? never // the same node reached twice (e.g. through two nested pipelines)
        : New['output']
      : New['output']
  : never

/** what a consumer's parameter K must accept from the producer of K */
type Expected<N, K, M> = [M] extends [never]
  ? K extends PerItemOutputs<N>
    ? ReadonlyArray<ResultOf<N, K>>
    : ResultOf<N, K>
  : ResultOf<N, K>
type OutputNames<All> = All extends AnyNode ? All['output'] : never
type ReduceHint<All, K, M> = [M] extends [never]
  ? K extends PerItemOutputs<All>
    ? ' (a node without mapAxis receives a per-item output as a ReadonlyArray)'
    : ''
  : ''
type Mismatch<All, O extends string, K extends string, M> =
  `parameter "${K}" of the node producing "${O}" does not accept the type of output "${K}"${ReduceHint<All, K, M>}`
/** the item type of the map axis, as the per-item nodes declare it */
type AxisItem<All, Axis extends string> = AxisRecord<All, Axis> extends infer R
  ? Axis extends keyof R
    ? R[Axis]
    : never
  : never
type AxisMismatch<O extends string, K extends string> =
  `parameter "${K}" of the node producing "${O}" does not accept the map-axis input "${K}" (a node without mapAxis receives it as a ReadonlyArray of items)`
type PerItemAxisMismatch<O extends string, K extends string> =
  `parameter "${K}" of the node producing "${O}" is an array, but the node runs per item and receives one item of the map-axis input "${K}": declare the item type`
/** whether a per-item node's parameter is typed as an array where the map axis holds non-array items */
type ArrayForItem<Item, P> = 0 extends 1 & P
  ? false // any
  : [P] extends [ReadonlyArray<unknown>]
    ? 0 extends 1 & Item
      ? false
      : [Item] extends [ReadonlyArray<unknown>]
        ? false
        : unknown extends Item
          ? false
          : true
    : false
type ParamMismatches<N, All> =
  N extends Node<infer O, infer D, unknown, infer M, never>
    ? [D] extends [never]
      ? string extends O
        ? never // an untyped node (AnyNode, e.g. from a list built at run time): nothing to check
        : `the node producing "${O}" has an unannotated parameter record: annotate it, e.g. ({ x }: { x: number }) => …, or give inputs codecs`
      : {
          [K in keyof D & string]: K extends OutputNames<All>
            ? [Expected<All, K, M>] extends [D[K]]
              ? never
              : Mismatch<All, O, K, M>
            : K extends AxisOf<All>
              ? [M] extends [never]
                ? [ReadonlyArray<AxisItem<All, K>>] extends [D[K]]
                  ? never
                  : AxisMismatch<O, K>
                : ArrayForItem<AxisItem<All, K>, D[K]> extends true
                  ? PerItemAxisMismatch<O, K>
                  : never
              : never
        }[keyof D & string]
    : never

/** a `mapAxis` that names an output computed once (its node has no `mapAxis`) */
type OnceAxes<N, All> =
  N extends Node<infer O, never, unknown, infer M, never>
    ? [M] extends [never]
      ? never
      : M extends OutputNames<All>
        ? M extends PerItemOutputs<All>
          ? never
          : `the node producing "${O}" maps over "${M}", which is computed once (its node has no mapAxis): map over a pipeline input or a per-item output`
        : never
    : never

/** inputs that two nodes take with types no value has (their intersection is `never`) */
type InputConflicts<N> =
  InputRecord<N, InputNames<N>, AxisOf<N>> & AxisRecord<N, AxisOf<N>> extends infer I
    ? {
        [K in keyof I & string]: [I[K]] extends [never]
          ? `input "${K}" has no value that fits every node taking it; one of them is the node producing ${TakerNames<N, K>}`
          : never
      }[keyof I & string]
    : never
type TakerNames<N, K extends string> = `"${N extends Node<infer O, infer D, unknown, string, never> ? (K extends keyof D ? O : never) : never}"`

/** The checks of the graph after duplicates and parameters: one axis, axes not computed once, inputs that agree. */
type CheckAxesAndInputs<N> =
  IsUnion<AxisOf<N>> extends true
    ? DagflowTypeError<`nodes declare different map axes: ${AxisOf<N> & string}`>
    : [OnceAxes<N, N>] extends [never]
      ? [InputConflicts<N>] extends [never]
        ? unknown
        : DagflowTypeError<InputConflicts<N>>
      : DagflowTypeError<OnceAxes<N, N>>

/**
 * The compile-time checks of `pipeline(...)`: `unknown` when the graph is fine, else a
 * {@link DagflowTypeError} whose text names the output or parameter.
 *
 * @category models
 * @since 0.1.0
 */
export type CheckPipeline<Xs extends ReadonlyArray<unknown>> = [DupOutputs<Xs>] extends [never]
  ? [ParamMismatches<NodesOf<Xs[number]>, NodesOf<Xs[number]>>] extends [never]
    ? CheckAxesAndInputs<NodesOf<Xs[number]>>
    : DagflowTypeError<ParamMismatches<NodesOf<Xs[number]>, NodesOf<Xs[number]>>>
  : DagflowTypeError<`output "${DupOutputs<Xs>}" is produced by more than one node`>

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Composes nodes and pipelines into an immutable graph. A pipeline may stand where a node is
 * expected: its nodes, inputs, outputs and bound values join the new pipeline.
 *
 * Checked by the compiler: two nodes with one output, a parameter that does not accept its
 * producer's result (or a reduce the map-axis input), two map axes, a map axis computed once, an
 * input two nodes take with types no value has. Checked at construction (a {@link GraphError}
 * subclass naming the nodes): cycles, duplicate outputs, two map axes or key attributes, a
 * produced map axis.
 *
 * @example
 * import { node, pipeline } from 'dagflow'
 * const double = node({ output: 'doubled' }, ({ x }: { x: number }) => x * 2)
 * const inc = node({ output: 'y' }, ({ doubled }: { doubled: number }) => doubled + 1)
 * const p = pipeline(inc, double)
 * p.order // => ['doubled', 'y']
 * p.inputs // => ['x']
 * p.outputs // => ['doubled', 'y']
 * @category constructors
 * @since 0.1.0
 */
export function pipeline<const Xs extends ReadonlyArray<AnyNode | AnyPipeline>>(
  ...nodes: Xs & CheckPipeline<Xs>
): Pipeline<NodesOf<Xs[number]>, BoundOf<Xs[number]>> {
  return build(nodes as ReadonlyArray<unknown>, 'pipeline') as never
}

// -------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------

/**
 * Whether `u` is a pipeline (made by any copy of the package).
 *
 * @example
 * import { isPipeline, node, pipeline } from 'dagflow'
 * isPipeline(pipeline(node({ output: 'y' }, ({ x }: { x: number }) => x))) // => true
 * isPipeline({}) // => false
 * @category guards
 * @since 0.1.0
 */
export const isPipeline = (u: unknown): u is Pipeline<AnyNode, string> =>
  typeof u === 'object' && u !== null && PipelineTypeId in u

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const phantom = Object.freeze({}) as Pipeline<AnyNode>[PipelineTypeId]

const quote = (names: Iterable<string>) => [...names].map((n) => `"${n}"`).join(', ')

/** Sets an own property, even for names like `__proto__` (inputs may have any name). */
const setOwn = (o: Record<string, unknown>, k: string, v: unknown): void => {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}

/** Flattens nodes and nested pipelines, dedupes identical node objects, merges bound values. */
function build(items: ReadonlyArray<unknown>, where: string): PipelineImpl {
  const nodes: Array<AnyNode> = []
  const seen = new Set<AnyNode>()
  const bound: Record<string, unknown> = {}
  // where each node came from, for errors that must tell apart nodes of one name
  const origins = new Map<AnyNode, string>()
  const add = (n: AnyNode, i: number, nested: boolean) => {
    if (seen.has(n)) return
    seen.add(n)
    nodes.push(n)
    const fn = typeof n.fn === 'function' && n.fn.name !== '' ? `, function ${n.fn.name}` : ''
    origins.set(n, `${ordinal(i + 1)} argument of ${where}()${nested ? ', in a nested pipeline' : ''}${fn}`)
  }
  items.forEach((item, i) => {
    if (isPipeline(item)) {
      for (const n of item.nodes) add(n, i, true)
      for (const [k, v] of Object.entries(item.bound)) {
        if (Object.hasOwn(bound, k) && !Object.is(bound[k], v)) {
          throw new GraphError(
            `${where}: two nested pipelines bind input "${k}" to different values. Bind it once, on the outer pipeline.`,
          )
        }
        setOwn(bound, k, v)
      }
    } else if (isNode(item)) {
      add(item, i, false)
    } else {
      throw new GraphError(
        `${where}: argument ${i} is neither a node nor a pipeline. Make steps with node(spec, fn).`,
      )
    }
  })
  return new PipelineImpl(nodes, bound, origins)
}

/** `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st` */
const ordinal = (n: number): string =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`

class PipelineImpl implements Pipeline<AnyNode, string> {
  readonly [PipelineTypeId] = phantom
  readonly nodes: ReadonlyArray<AnyNode>
  readonly order: ReadonlyArray<string>
  readonly inputs: ReadonlyArray<string>
  readonly outputs: ReadonlyArray<string>
  readonly mapAxis: string | undefined
  readonly keyAttr: string | undefined
  readonly bound: Readonly<Record<string, unknown>>

  /** @param origins - where each node came from in the `pipeline(...)` call, for errors */
  constructor(
    declared: ReadonlyArray<AnyNode>,
    bound: Readonly<Record<string, unknown>>,
    origins?: ReadonlyMap<AnyNode, string>,
  ) {
    // duplicate outputs and names
    const byOutput = new Map<string, AnyNode>()
    const byName = new Map<string, AnyNode>()
    for (const n of declared) {
      const other = byOutput.get(n.output)
      if (other !== undefined) {
        const from = [origins?.get(other), origins?.get(n)]
        throw new DuplicateOutputError(
          n.output,
          [other.name, n.name],
          from.every((o) => o !== undefined) ? (from as Array<string>) : undefined,
        )
      }
      byOutput.set(n.output, n)
      const sameName = byName.get(n.name)
      if (sameName !== undefined) {
        throw new GraphError(
          `Two nodes are named "${n.name}" (outputs "${sameName.output}" and "${n.output}"). Give one a different \`name\`.`,
          [n.name],
        )
      }
      byName.set(n.name, n)
    }
    // edges and order
    const index = new Map<AnyNode, number>(declared.map((n, i) => [n, i]))
    const producers = declared.map((n) =>
      n.deps.flatMap((d) => {
        const p = byOutput.get(d)
        return p === undefined ? [] : [index.get(p) as number]
      }),
    )
    const topo = topoOrder(producers)
    if (topo._tag === 'Cycle') {
      throw new CycleError(topo.cycle.map((i) => (declared[i] as AnyNode).name))
    }
    const nodes = topo.order.map((i) => declared[i] as AnyNode)
    // map axis and key attribute: a node's mapAxis is either the pipeline's axis (an input) or
    // the output of a per-item node (the same axis, carried on)
    const axes = new Map<string, Array<string>>()
    const keyAttrs = new Map<string, Array<string>>()
    for (const n of nodes) {
      if (n.mapAxis === undefined) continue
      const producer = byOutput.get(n.mapAxis)
      if (producer === undefined) {
        axes.set(n.mapAxis, [...(axes.get(n.mapAxis) ?? []), n.name])
      } else if (producer.mapAxis === undefined) {
        throw new GraphError(
          `Node "${n.name}" maps over "${n.mapAxis}", but node "${producer.name}" computes "${n.mapAxis}" once (it has no mapAxis). ` +
            'Map over a pipeline input, or over the output of a node that itself has a mapAxis.',
          [n.name, producer.name],
        )
      }
      if (n.keyAttr !== undefined) {
        if (producer !== undefined) {
          throw new GraphError(
            `Node "${n.name}" declares keyAttr "${n.keyAttr}" on "${n.mapAxis}", which is the output of node "${producer.name}", not the map-axis input. ` +
              'Declare keyAttr on a node that maps over the input items.',
            [n.name, producer.name],
          )
        }
        keyAttrs.set(n.keyAttr, [...(keyAttrs.get(n.keyAttr) ?? []), n.name])
      }
    }
    if (axes.size > 1) {
      const list = [...axes].map(([a, ns]) => `"${a}" (${quote(ns)})`).join(' and ')
      throw new GraphError(
        `A pipeline has one map axis, but nodes declare ${list}. Make every mapAxis name the same parameter.`,
        [...axes.values()].flat(),
      )
    }
    if (keyAttrs.size > 1) {
      const list = [...keyAttrs].map(([a, ns]) => `"${a}" (${quote(ns)})`).join(' and ')
      throw new GraphError(
        `Nodes on one map axis declare different keyAttr: ${list}. Declare the same keyAttr (or only one).`,
        [...keyAttrs.values()].flat(),
      )
    }
    const mapAxis = [...axes.keys()][0]
    if (mapAxis !== undefined && Object.hasOwn(bound, mapAxis)) {
      throw new GraphError(
        `The map axis "${mapAxis}" is bound; pass the items to run/map instead of bind().`,
        axes.get(mapAxis) ?? [],
      )
    }
    // free inputs, in order of first use
    const free = new Set<string>()
    for (const n of nodes) for (const d of n.deps) if (!byOutput.has(d)) free.add(d)
    for (const k of Object.keys(bound)) {
      const producer = byOutput.get(k)
      if (producer !== undefined) {
        throw new GraphError(
          `Input "${k}" is bound by a nested pipeline, but node "${producer.name}" produces it. ` +
            'Remove the bind() or rename the output.',
          [producer.name],
        )
      }
    }
    // a selection keeps only the bound values its nodes still read
    const keptBound: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(bound)) if (free.has(k)) setOwn(keptBound, k, v)

    this.nodes = Object.freeze(nodes)
    this.order = Object.freeze(nodes.map((n) => n.name))
    this.outputs = Object.freeze(nodes.map((n) => n.output))
    this.inputs = Object.freeze([...free].filter((k) => !Object.hasOwn(keptBound, k)))
    this.mapAxis = mapAxis
    this.keyAttr = [...keyAttrs.keys()][0]
    this.bound = Object.freeze(keptBound)
    Object.freeze(this)
  }

  select(...outputs: ReadonlyArray<string>): never {
    const flat = outputs.flat() as ReadonlyArray<string>
    const position = new Map(this.nodes.map((n, i) => [n.output, i]))
    const unknown = flat.filter((o) => !position.has(o))
    if (unknown.length > 0) {
      throw new GraphError(
        `select(): no node produces ${quote(unknown)}. Outputs are: ${quote(this.outputs)}.`,
      )
    }
    const keep = ancestors(
      this.nodes.map((n) => n.deps.flatMap((d) => (position.has(d) ? [position.get(d) as number] : []))),
      flat.map((o) => position.get(o) as number),
    )
    return new PipelineImpl(
      this.nodes.filter((_, i) => keep.has(i)),
      this.bound,
    ) as never
  }

  bind(values: Readonly<Record<string, unknown>>): never {
    if (typeof values !== 'object' || values === null) {
      throw new GraphError('bind(values): `values` must be a record of input values.')
    }
    for (const k of Object.keys(values)) {
      if (k === this.mapAxis) {
        throw new GraphError(
          `bind(): "${k}" is the map axis; pass its items to run/map instead.`,
          this.nodes.filter((n) => n.mapAxis === k).map((n) => n.name),
        )
      }
      if (!this.inputs.includes(k)) {
        throw new GraphError(
          `bind(): "${k}" is not an input of this pipeline${Object.hasOwn(this.bound, k) ? ' (it is already bound)' : ''}. Inputs are: ${quote(this.inputs) || 'none'}.`,
        )
      }
    }
    return new PipelineImpl(this.nodes, { ...this.bound, ...values }) as never
  }

  toMermaid(): string {
    return toMermaid(this)
  }

  toDot(): string {
    return toDot(this)
  }
}
