/**
 * The executor-agnostic plan: which values are per item and which are computed once, where each
 * parameter of each node comes from, which inputs are needed, how items are keyed, and what the
 * `outputs` option prunes. Compiled once per (pipeline, outputs) and cached; executors only
 * evaluate it, so every executor shares these semantics.
 *
 * @internal
 */
import type * as t from 'io-ts'
import {
  DuplicateKeyError,
  GraphError,
  MissingInputError,
  MissingKeyError,
  ValidationError,
} from './errors.js'
import { closestName } from './internal/closest-name.js'
import type { AnyNode } from './node.js'
import type { Pipeline } from './pipeline.js'

/** A key of an item of a map: the `keyAttr` value, or the item's index. */
export type Key = string | number

/**
 * Where a parameter's value comes from, as seen by its consumer:
 * - `item`: a per-item value, read at the current item;
 * - `const`: one value for every call;
 * - `all`: a per-item value passed whole, as an array in input order (a reduce).
 */
export type ParamKind = 'item' | 'const' | 'all'

export interface PlanParam {
  readonly name: string
  readonly slot: number
  readonly kind: ParamKind
  readonly codec: t.Mixed | undefined
}

export interface PlanNode {
  readonly node: AnyNode
  readonly perItem: boolean
  readonly slot: number
  readonly params: ReadonlyArray<PlanParam>
  /** whether calls take the general path: codecs to check, ctx, retries or a timeout */
  readonly checked: boolean
  /** whether each call goes through the retry/timeout/ctx machinery */
  readonly guarded: boolean
}

export interface PlanInput {
  readonly name: string
  readonly slot: number
  /** false when every consumer gives the parameter a default */
  readonly required: boolean
  readonly consumers: ReadonlyArray<string>
}

export interface PlanOutput {
  readonly name: string
  readonly slot: number
  readonly perItem: boolean
  /** the producing node's name and `returns` codec */
  readonly node: string
  readonly codec: t.Mixed | undefined
}

export interface Plan {
  readonly nodes: ReadonlyArray<PlanNode>
  readonly inputs: ReadonlyArray<PlanInput>
  readonly outputs: ReadonlyArray<PlanOutput>
  readonly mapAxis: string | undefined
  readonly keyAttr: string | undefined
  readonly bound: Readonly<Record<string, unknown>>
  readonly slotCount: number
  /** whether some node declares a `batch` form */
  readonly hasBatch: boolean
  /** every node of the pipeline, also those `outputs` pruned (for suggestions in errors) */
  readonly allNodes: ReadonlyArray<AnyNode>
}

type AnyPipeline = Pipeline<AnyNode, string>

const cache = new WeakMap<AnyPipeline, Map<string, Plan>>()

/** The plan for `p` limited to `outputs` (all outputs when undefined). Cached. */
export function planOf(p: AnyPipeline, outputs: ReadonlyArray<string> | undefined): Plan {
  if (outputs !== undefined && !Array.isArray(outputs)) {
    throw new GraphError('The `outputs` option must be an array of output names.')
  }
  const unknown = outputs?.filter((o) => !p.outputs.includes(o)) ?? []
  if (unknown.length > 0) {
    const names = (xs: ReadonlyArray<string>) => xs.map((o) => `"${o}"`).join(', ')
    throw new GraphError(
      `The \`outputs\` option names ${names(unknown)}, which no node produces. Outputs are: ${names(p.outputs)}.`,
    )
  }
  const id = outputs === undefined ? '' : `\u0000${outputs.join('\u0000')}`
  let byPipeline = cache.get(p)
  if (byPipeline === undefined) cache.set(p, (byPipeline = new Map()))
  let plan = byPipeline.get(id)
  if (plan === undefined) byPipeline.set(id, (plan = compile(p, outputs)))
  return plan
}

function compile(full: AnyPipeline, wanted: ReadonlyArray<string> | undefined): Plan {
  const p = wanted === undefined ? full : (full.select(...wanted) as AnyPipeline)
  const mapAxis = full.mapAxis
  let slotCount = 0
  const slotOf = new Map<string, number>()
  const perItemSlot = new Set<number>()
  const inputs: Array<PlanInput> = []
  const consumers = new Map<string, { names: Array<string>; required: boolean }>()
  const produced = new Set(p.outputs)
  for (const n of p.nodes) {
    for (const d of n.deps) {
      if (produced.has(d)) continue
      const c = consumers.get(d) ?? { names: [], required: false }
      c.names.push(n.name)
      c.required ||= !n.optionalDeps.includes(d)
      consumers.set(d, c)
    }
  }
  // the map axis is always an input of a map, even when the selected outputs do not read it:
  // it defines the items and their keys
  if (mapAxis !== undefined && !consumers.has(mapAxis)) {
    consumers.set(mapAxis, { names: [], required: true })
  }
  for (const [name, c] of consumers) {
    const slot = slotCount++
    slotOf.set(name, slot)
    if (name === mapAxis) perItemSlot.add(slot)
    inputs.push({ name, slot, required: c.required, consumers: c.names })
  }
  const nodes: Array<PlanNode> = p.nodes.map((node) => {
    const perItem = node.mapAxis !== undefined
    const params = node.deps.map((name): PlanParam => {
      const slot = slotOf.get(name) as number
      const source = perItemSlot.has(slot)
      return {
        name,
        slot,
        kind: source ? (perItem ? 'item' : 'all') : 'const',
        codec: node.inputs?.[name],
      }
    })
    const slot = slotCount++
    slotOf.set(node.output, slot)
    if (perItem) perItemSlot.add(slot)
    return {
      node,
      perItem,
      slot,
      params,
      guarded: node.retry !== undefined || node.timeoutMs !== undefined || node.usesContext,
      checked:
        node.inputs !== undefined ||
        node.returns !== undefined ||
        node.retry !== undefined ||
        node.timeoutMs !== undefined ||
        node.usesContext,
    }
  })
  const producer = new Map(p.nodes.map((n) => [n.output, n]))
  const outputs = (wanted ?? p.outputs).map((name) => {
    const slot = slotOf.get(name) as number
    const node = producer.get(name) as AnyNode
    return { name, slot, perItem: perItemSlot.has(slot), node: node.name, codec: node.returns }
  })
  return {
    nodes,
    inputs,
    outputs,
    mapAxis,
    keyAttr: full.keyAttr,
    bound: full.bound,
    slotCount,
    hasBatch: nodes.some((n) => n.node.batch !== undefined),
    allNodes: full.nodes,
  }
}

/**
 * Lays the inputs into slots: bound values, then the caller's. Rejects a bound input passed
 * again and reports every missing input at once.
 */
export function loadInputs(
  plan: Plan,
  given: Readonly<Record<string, unknown>>,
  slots: Array<unknown>,
): void {
  if (typeof given !== 'object' || given === null) {
    throw new ValidationError({
      node: undefined,
      param: '(inputs)',
      key: undefined,
      index: undefined,
      paths: [''],
      details: [`expected a record of inputs, got ${given === null ? 'null' : typeof given}`],
      hint: 'Pass the inputs as one object, e.g. run(p, { x: 1 }).',
    })
  }
  const missing: Array<string> = []
  const consumers: Record<string, ReadonlyArray<string>> = {}
  for (const input of plan.inputs) {
    if (Object.hasOwn(plan.bound, input.name)) {
      if (Object.prototype.hasOwnProperty.call(given, input.name)) {
        throw new GraphError(
          `Input "${input.name}" is fixed by pipeline.bind(); do not pass it to run/map (or bind it to another value).`,
          input.consumers,
        )
      }
      slots[input.slot] = plan.bound[input.name]
    } else if (isGiven(given, input.name)) {
      slots[input.slot] = given[input.name]
    } else if (input.required) {
      missing.push(input.name)
      consumers[input.name] = input.consumers
    }
  }
  if (missing.length > 0) {
    throw new MissingInputError(missing, consumers, suggestOutputs(plan, missing, consumers))
  }
}

/**
 * For each missing input whose name is close to an output's, that output: the input is likely a
 * misspelled parameter (`hitz` for `hits`). A node's own output is never suggested to it.
 */
function suggestOutputs(
  plan: Plan,
  missing: ReadonlyArray<string>,
  consumers: Readonly<Record<string, ReadonlyArray<string>>>,
): Record<string, string> {
  const suggestions: Record<string, string> = {}
  for (const name of missing) {
    const own = consumers[name] ?? []
    const outputs = plan.allNodes.filter((n) => !own.includes(n.name)).map((n) => n.output)
    const near = closestName(name, outputs)
    if (near !== undefined) suggestions[name] = near
  }
  return suggestions
}

/**
 * Whether the caller passed input `name`: an own property, or one inherited from a prototype of
 * the caller's (never from `Object.prototype`, so inputs named `constructor` or `toString` work).
 */
const isGiven = (given: object, name: string): boolean =>
  Object.hasOwn(given, name) || (name in given && !(name in Object.prototype))

/** The map-axis items as an array, or a ValidationError naming the input. */
export function axisItems(plan: Plan, slots: ReadonlyArray<unknown>): ReadonlyArray<unknown> {
  const axis = plan.mapAxis as string
  const input = plan.inputs.find((i) => i.name === axis) as PlanInput
  const items = slots[input.slot]
  if (!Array.isArray(items)) {
    throw new ValidationError({
      node: undefined,
      param: axis,
      key: undefined,
      index: undefined,
      paths: [''],
      details: [
        `expected an array of items, got ${
          items === null ? 'null' : ArrayBuffer.isView(items) ? `a ${items.constructor.name}` : typeof items
        }`,
      ],
      hint: ArrayBuffer.isView(items)
        ? `map() takes the map axis "${axis}" as a plain array: pass Array.from(${axis}).`
        : `map() takes the map axis "${axis}" as an array of items; use run() for a single item.`,
    })
  }
  return items
}

/**
 * Reads every item's key once; rejects duplicate and missing keys before any node runs.
 * Without a `keyAttr` the keys are the indices: `undefined` stands for them, so no per-item
 * work is done until someone reads `result.keys` (see {@link keyAt}, {@link indexKeys}).
 */
export function readKeys(plan: Plan, items: ReadonlyArray<unknown>): ReadonlyArray<Key> | undefined {
  const keyAttr = plan.keyAttr
  if (keyAttr === undefined) return undefined
  const n = items.length
  const keys = new Array<Key>(n)
  const first = new Map<Key, number>()
  for (let i = 0; i < n; i++) {
    const item = items[i]
    const k: unknown =
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[keyAttr] : undefined
    if (typeof k !== 'string' && !(typeof k === 'number' && Number.isFinite(k))) {
      throw new MissingKeyError(i, keyAttr, k, item)
    }
    const previous = first.get(k)
    if (previous !== undefined) throw new DuplicateKeyError(k, [previous, i], keyAttr)
    first.set(k, i)
    keys[i] = k
  }
  return keys
}

/** The key of item `i`: its `keyAttr` value, or `i` itself when keys are indices. */
export const keyAt = (keys: ReadonlyArray<Key> | undefined, i: number): Key =>
  keys === undefined ? i : (keys[i] as Key)

/** The indices `0 … n-1` as keys (a plain loop: `Array.from` with a callback costs more than a node call). */
export function indexKeys(n: number): ReadonlyArray<Key> {
  const keys = new Array<number>(n)
  for (let i = 0; i < n; i++) keys[i] = i
  return keys
}
