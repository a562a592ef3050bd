/**
 * Cache keys for one run. Every input value is hashed once (the map-axis items once each);
 * a node's key for an item is the digest of its identity and the keys of the values it receives,
 * and becomes the key of its output for that item, so downstream keys derive from upstream keys
 * without rehashing outputs. A node with `cache: false` is not cached, and its outputs are hashed
 * so that what depends on them still is. A value that cannot be hashed makes the nodes that read
 * it uncached for the run, with one warning naming node and parameter.
 *
 * @internal
 */
import type { CacheStore } from '../cache.js'
import { describeValue, GraphError } from '../errors.js'
import type { AnyNode } from '../node.js'
import type { Plan, PlanNode } from '../plan.js'
import { canonical, digest, Unhashable } from './hash.js'

/** The keys of a slot: one per item for per-item values, one for a value computed once. */
type SlotKeys = { readonly each: ReadonlyArray<string | undefined> } | { readonly one: string | undefined }

/** What a node found in the store before it runs. */
export interface Lookup {
  readonly keys: ReadonlyArray<string | undefined>
  /** 1 where the store had the item's result */
  readonly hits: Uint8Array
  readonly values: Array<unknown>
  readonly count: number
  /** stores item i's result as soon as it is known (a killed run keeps what it finished) */
  readonly put: (i: number, value: unknown) => void
  /** every hit is a number (a fused run's typed results), so results may stay typed */
  readonly numbers?: boolean
}

const identities = new WeakMap<AnyNode, string>()

/** The node's identity: name, output, function and batch source, codecs, version. */
function identity(node: AnyNode): string {
  let id = identities.get(node)
  if (id === undefined) {
    const codecs = Object.entries(node.inputs ?? {}).map(([k, c]) => `${k}:${c.name}`)
    id = digest(
      JSON.stringify([
        node.name,
        node.output,
        Function.prototype.toString.call(node.fn),
        node.batch === undefined ? null : Function.prototype.toString.call(node.batch),
        codecs,
        node.returns?.name ?? null,
        node.version ?? null,
      ]),
    )
    identities.set(node, id)
  }
  return id
}

/** Hashes a value, or says why it cannot. */
function keyOf(u: unknown): { key: string } | { why: string } {
  try {
    return { key: digest(canonical(u)) }
  } catch (e) {
    if (e instanceof Unhashable) return { why: e.what }
    throw e
  }
}

/** the parameters warned about, by node: one process warning each, not one per run */
const warned = new WeakMap<AnyNode, Set<string>>()

export class Keyring {
  private readonly slots = new Map<number, SlotKeys>()
  private readonly why = new Map<number, string>()
  private readonly store: CacheStore
  private readonly n: number

  constructor(plan: Plan, values: ReadonlyArray<unknown>, n: number, store: CacheStore) {
    this.store = store
    this.n = n
    for (const input of plan.inputs) {
      this.hash(input.slot, values[input.slot], input.name === plan.mapAxis)
    }
  }

  /** Hashes the value of a slot: item by item for a per-item value, else as a whole. */
  private hash(slot: number, value: unknown, perItem: boolean): void {
    if (perItem) {
      const column = value as ArrayLike<unknown>
      const each = new Array<string | undefined>(this.n)
      for (let i = 0; i < this.n; i++) {
        const k = keyOf(column[i])
        if ('key' in k) each[i] = k.key
        else this.why.set(slot, k.why)
      }
      this.slots.set(slot, { each })
    } else {
      const k = keyOf(value)
      if ('why' in k) this.why.set(slot, k.why)
      this.slots.set(slot, { one: 'key' in k ? k.key : undefined })
    }
  }

  /**
   * Looks the node's items up; undefined when the node is not cached in this run. `failed`
   * (collect mode): the items that failed upstream, which a reduce does not see, so its key
   * leaves them out, and which are never served.
   */
  lookup(pn: PlanNode, failed?: Uint8Array): Lookup | undefined {
    if (!pn.node.cache) return undefined
    const id = identity(pn.node)
    const count = pn.perItem ? this.n : 1
    const keys = new Array<string | undefined>(count)
    for (let i = 0; i < count; i++) {
      const parts = [id]
      for (const prm of pn.params) {
        const part = this.part(pn, prm.slot, prm.name, prm.kind === 'item' ? i : undefined, failed)
        if (part === undefined) return undefined // a value that cannot be hashed: warned
        parts.push(part)
      }
      keys[i] = digest(parts.join('|'))
    }
    const hits = new Uint8Array(count)
    const values = new Array<unknown>(count)
    let found = 0
    for (let i = 0; i < count; i++) {
      if (pn.perItem && failed?.[i] === 1) continue
      const hit: unknown = this.store.get(keys[i] as string)
      if (hit === undefined) continue
      // a store whose get is async, or returns the bare value, would give wrong outputs
      if (typeof hit !== 'object' || hit === null || !('value' in hit) || typeof (hit as { then?: unknown }).then === 'function') {
        throw new GraphError(
          `The cache store's get(key) returned ${describeValue(hit)} for node "${pn.node.name}". ` +
            'It must return { value } for a hit or undefined for a miss, ' +
            'synchronously (see CacheStore; memoryCache() and sqliteCache(path) do).',
          [pn.node.name],
        )
      }
      hits[i] = 1
      values[i] = (hit as { value: unknown }).value
      found++
    }
    const store = this.store
    return { keys, hits, values, count: found, put: (i, value) => store.set(keys[i] as string, value) }
  }

  /**
   * After the node ran: records the keys of its output (a per-item node has stored each result
   * as it came, with `put`; a once-only node's result is stored here).
   */
  record(pn: PlanNode, output: unknown, lookup: Lookup | undefined): void {
    if (lookup !== undefined) {
      const { keys, hits } = lookup
      if (pn.perItem) {
        this.slots.set(pn.slot, { each: keys })
      } else {
        if (hits[0] === 0) this.store.set(keys[0] as string, output)
        this.slots.set(pn.slot, { one: keys[0] })
      }
      return
    }
    // not cached: hash what it produced, so that its consumers still can be
    this.hash(pn.slot, output, pn.perItem)
  }

  /** The key part of one parameter (item i of a per-item value, or the whole value). */
  private part(
    pn: PlanNode,
    slot: number,
    param: string,
    i: number | undefined,
    failed: Uint8Array | undefined,
  ): string | undefined {
    const keys = this.slots.get(slot)
    let part: string | undefined
    if (keys === undefined) part = undefined
    else if ('one' in keys) part = keys.one
    else if (i !== undefined) part = keys.each[i]
    else {
      // a whole per-item value (a reduce): the items it receives, those that failed left out
      const each = failed === undefined ? keys.each : keys.each.filter((_, j) => failed[j] !== 1)
      part = each.includes(undefined) ? undefined : digest(each.join(','))
    }
    if (part === undefined) this.warn(pn.node, param, this.why.get(slot) ?? 'a value that cannot be hashed')
    return part
  }

  private warn(node: AnyNode, param: string, why: string): void {
    const done = warned.get(node) ?? new Set<string>()
    if (done.has(param)) return
    done.add(param)
    warned.set(node, done)
    process.emitWarning(
      `dagflow: node "${node.name}" is not cached: its parameter "${param}" receives ${why} ` +
        '(warned once per process).',
      { code: 'DAGFLOW_UNCACHEABLE' },
    )
  }
}
