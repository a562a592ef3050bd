/**
 * Structural equality that compares primitives with `Object.is`, so `-0` differs from `0` and
 * `NaN` equals `NaN`.
 *
 * @internal
 */

/**
 * Whether `a` and `b` are the same value, structurally: primitives by `Object.is`; arrays and
 * typed arrays item by item; Dates by time; Maps and Sets by entries (Set members and Map keys
 * by identity); other objects by prototype and own enumerable keys. Cycles are allowed.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  return equal(a, b, new Map())
}

function equal(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  if (seen.get(a) === b) return true
  seen.set(a, b)
  if (Array.isArray(a)) {
    const bs = b as ReadonlyArray<unknown>
    if (a.length !== bs.length) return false
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in bs || !equal(a[i], bs[i], seen)) return false
    }
    return sameKeys(a, b, seen, true)
  }
  if (ArrayBuffer.isView(a)) {
    const x = bytesOrItems(a)
    const y = bytesOrItems(b as ArrayBufferView)
    if (x.length !== y.length) return false
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false
    return true
  }
  if (a instanceof ArrayBuffer) {
    return equal(new Uint8Array(a), new Uint8Array(b as ArrayBuffer), seen)
  }
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime())
  if (a instanceof RegExp) return String(a) === String(b)
  if (a instanceof Number || a instanceof String || a instanceof Boolean) {
    return Object.is(a.valueOf(), (b as typeof a).valueOf())
  }
  if (a instanceof Map) {
    const bm = b as Map<unknown, unknown>
    if (a.size !== bm.size) return false
    for (const [k, v] of a) if (!bm.has(k) || !equal(v, bm.get(k), seen)) return false
    return true
  }
  if (a instanceof Set) {
    const bs = b as Set<unknown>
    if (a.size !== bs.size) return false
    for (const v of a) if (!bs.has(v)) return false
    return true
  }
  if (a instanceof Error) {
    const be = b as Error
    if (a.name !== be.name || a.message !== be.message) return false
  }
  return sameKeys(a, b, seen, false)
}

/**
 * The same own enumerable keys (strings and symbols), with equal values; for arrays, only the
 * keys that are not indices.
 */
function sameKeys(a: object, b: object, seen: Map<object, object>, skipIndices: boolean): boolean {
  const keep = (k: string | symbol): boolean =>
    !skipIndices || typeof k !== 'string' || !/^\d+$/.test(k)
  const ka = ownEnumerable(a).filter(keep)
  const kb = ownEnumerable(b).filter(keep)
  if (ka.length !== kb.length) return false
  for (const k of ka) {
    if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false
    const x = (a as Record<PropertyKey, unknown>)[k]
    const y = (b as Record<PropertyKey, unknown>)[k]
    if (!equal(x, y, seen)) return false
  }
  return true
}

const ownEnumerable = (o: object): Array<string | symbol> =>
  Reflect.ownKeys(o).filter((k) => Object.prototype.propertyIsEnumerable.call(o, k))

function bytesOrItems(v: ArrayBufferView): ArrayLike<unknown> {
  return v instanceof DataView
    ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    : (v as unknown as ArrayLike<unknown>)
}
