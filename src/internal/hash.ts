/**
 * Structural hashing for cache keys: equal values give equal keys, whatever their key order
 * (objects, Maps, Sets); -0, NaN, undefined and holes are told apart. An object may give its own
 * key with `[Symbol.for('dagflow.cacheKey')]()`. Functions, symbols, class instances without
 * that method and cycles cannot be hashed.
 *
 * @internal
 */
import { createHash } from 'node:crypto'

export const CacheKeyId: unique symbol = Symbol.for('dagflow.cacheKey') as never

/** Thrown for a value that cannot be hashed; `what` says what it is. */
export class Unhashable extends Error {
  readonly what: string
  constructor(what: string) {
    super(`cannot hash ${what}`)
    this.what = what
  }
}

const typedArray = (u: object): u is ArrayLike<number | bigint> & { constructor: { name: string } } =>
  ArrayBuffer.isView(u) && !(u instanceof DataView)

/** A canonical text of `u`: equal values, equal text. */
export function canonical(u: unknown, seen: Set<object> = new Set()): string {
  switch (typeof u) {
    case 'undefined':
      return 'u'
    case 'boolean':
      return u ? 't' : 'f'
    case 'number':
      return Object.is(u, -0) ? 'd-0' : `d${String(u)}`
    case 'bigint':
      return `b${u.toString()}`
    case 'string':
      return `s${JSON.stringify(u)}`
    case 'function':
      throw new Unhashable(`a function (${u.name || 'anonymous'})`)
    case 'symbol':
      throw new Unhashable('a symbol')
    case 'object':
      break
  }
  if (u === null) return 'n'
  if (seen.has(u)) throw new Unhashable('a value that contains itself')
  seen.add(u)
  try {
    const own = (u as { [CacheKeyId]?: unknown })[CacheKeyId]
    if (typeof own === 'function') return `K${canonical((own as () => unknown).call(u), seen)}`
    if (Array.isArray(u)) {
      const parts: Array<string> = []
      for (let i = 0; i < u.length; i++) parts.push(i in u ? canonical(u[i], seen) : 'h')
      return `[${parts.join(',')}]`
    }
    if (typedArray(u)) return `T${u.constructor.name}:${Array.from(u, String).join(',')}`
    if (u instanceof Date) return `D${String(u.getTime())}`
    if (u instanceof Map) {
      const entries = [...u].map(([k, v]) => `${canonical(k, seen)}=>${canonical(v, seen)}`)
      return `M{${entries.sort().join(',')}}`
    }
    if (u instanceof Set) return `S{${[...u].map((v) => canonical(v, seen)).sort().join(',')}}`
    const proto = Object.getPrototypeOf(u) as unknown
    if (proto !== Object.prototype && proto !== null) {
      const name = (u as { constructor?: { name?: string } }).constructor?.name ?? 'an object'
      throw new Unhashable(`an instance of ${name} (give it a [Symbol.for('dagflow.cacheKey')]() method)`)
    }
    const keys = Object.keys(u).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((u as Record<string, unknown>)[k], seen)}`).join(',')}}`
  } finally {
    seen.delete(u)
  }
}

/** A short, fixed-length digest of a text. */
export const digest = (text: string): string => createHash('sha256').update(text).digest('base64url')
