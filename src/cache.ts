/**
 * Cache stores for `run`/`map`: with `cache: store`, every node is cached per item unless it
 * says `cache: false`. A key covers the node's identity (name, function and batch source,
 * codecs, `version`) and the values it receives (hashed once per item, with downstream keys
 * derived from upstream keys).
 *
 * @since 0.4.0
 */

/**
 * Where cached results live. `get` returns `{ value }` for a hit (so `undefined` results can be
 * cached too), `undefined` for a miss.
 *
 * @category models
 * @since 0.4.0
 */
export interface CacheStore {
  get(key: string): { readonly value: unknown } | undefined
  set(key: string, value: unknown): void
}

/**
 * An in-process store: a Map from key to the very value the node returned.
 *
 * @example
 * import { LocalExecutor, memoryCache, node, pipeline } from 'dagflow'
 * let calls = 0
 * const square = node({ output: 'sq', mapAxis: 'x' }, ({ x }: { x: number }) => (calls++, x * x))
 * const cache = memoryCache()
 * const local = new LocalExecutor()
 * await local.map(pipeline(square), { x: [1, 2, 3] }, { cache })
 * const again = await local.map(pipeline(square), { x: [1, 2, 3, 4] }, { cache })
 * again.outputs.sq // => [1, 4, 9, 16]
 * calls // => 4
 * again.stats.nodes['sq']?.cached // => 3
 * @category constructors
 * @since 0.4.0
 */
export function memoryCache(): CacheStore & { readonly size: number; clear(): void } {
  const map = new Map<string, { readonly value: unknown }>()
  return {
    get: (key) => map.get(key),
    set: (key, value) => {
      map.set(key, { value })
    },
    get size() {
      return map.size
    },
    clear: () => map.clear(),
  }
}
