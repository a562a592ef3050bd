/**
 * JSON text that carries values exactly, or fails. `JSON.stringify` loses values without a word
 * (`NaN` and `±Infinity` become `null`, `-0` becomes `0`, a `Map` becomes `{}`, an `undefined`
 * array entry becomes `null`); this encoder writes what JSON can carry and throws a
 * {@link JsonTextError} naming the path of anything else.
 *
 * - `-0` is written as `-0`: valid JSON that `JSON.parse` reads back as `-0`.
 * - A property whose value is `undefined` is left out, as `toArrow` does (it reads back absent).
 * - An object with a `toJSON` method (a `Date`) is written as what `toJSON` returns.
 * - `NaN`, `±Infinity`, `undefined` outside a property, `bigint`, functions, symbols, `Map`,
 *   `Set`, typed arrays, class instances without `toJSON`, symbol-keyed properties and cycles
 *   throw.
 *
 * @since 0.3.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A value JSON cannot carry exactly. `path` is where in the value (`.field`, `[index]`),
 * `problem` what the value is.
 *
 * @category errors
 */
export class JsonTextError extends Error {
  readonly path: string
  readonly problem: string
  constructor(path: string, problem: string) {
    super(`${path === '' ? 'the value' : path} is ${problem}, which JSON cannot carry exactly`)
    this.name = 'JsonTextError'
    this.path = path
    this.problem = problem
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The JSON text of `value`, compact, or with `indent` spaces per level:
 * `toJsonText({ a: -0, b: undefined, c: [1, 'x'] })` is `{"a":-0,"c":[1,"x"]}`.
 *
 * @category constructors
 */
export function toJsonText(value: unknown, indent = 0): string {
  return encode(value, '', '', new Set(), indent, '')
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][\w$]*$/
const member = (path: string, key: string) =>
  IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`

function encode(
  value: unknown,
  key: string,
  path: string,
  seen: Set<object>,
  indent: number,
  pad: string,
): string {
  // as JSON.stringify does: an object's toJSON(key) stands for it (a Date's ISO string)
  const v =
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: (key: string) => unknown }).toJSON(key)
      : value
  switch (typeof v) {
    case 'string':
      // lone surrogates are escaped (\udXXX), so they read back as they were
      return JSON.stringify(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'number':
      if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : JSON.stringify(v)
      throw new JsonTextError(path, String(v))
    case 'undefined':
      throw new JsonTextError(path, 'undefined')
    case 'bigint':
      throw new JsonTextError(path, `a bigint (${v}n)`)
    case 'symbol':
      throw new JsonTextError(path, 'a symbol')
    case 'function':
      throw new JsonTextError(path, 'a function')
    case 'object':
      break
  }
  if (v === null) return 'null'
  const o = v as object
  if (seen.has(o)) {
    throw new JsonTextError(path, 'a reference to one of its own containers (a cycle)')
  }
  const inner = indent > 0 ? pad + ' '.repeat(indent) : ''
  const open = indent > 0 ? `\n${inner}` : ''
  const close = indent > 0 ? `\n${pad}` : ''
  const comma = indent > 0 ? `,\n${inner}` : ','
  const colon = indent > 0 ? ': ' : ':'
  seen.add(o)
  try {
    if (Array.isArray(o)) {
      if (o.length === 0) return '[]'
      const parts: Array<string> = []
      for (let i = 0; i < o.length; i++) {
        const at = `${path}[${i}]`
        if (!(i in o)) throw new JsonTextError(at, 'a hole in a sparse array')
        parts.push(encode(o[i], String(i), at, seen, indent, inner))
      }
      return `[${open}${parts.join(comma)}${close}]`
    }
    const proto = Object.getPrototypeOf(o) as object | null
    if (proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name
      throw new JsonTextError(
        path,
        `a ${typeof name === 'string' && name !== '' ? name : 'class'} instance (only plain objects, arrays, strings, finite numbers, booleans and null are written)`,
      )
    }
    const enumerable = (s: symbol) => Object.prototype.propertyIsEnumerable.call(o, s)
    if (Object.getOwnPropertySymbols(o).some(enumerable)) {
      throw new JsonTextError(path, 'an object with symbol-keyed properties')
    }
    const parts: Array<string> = []
    for (const [k, x] of Object.entries(o)) {
      if (x === undefined) continue // an absent property, as toArrow writes it
      const text = encode(x, k, member(path, k), seen, indent, inner)
      parts.push(`${JSON.stringify(k)}${colon}${text}`)
    }
    return parts.length === 0 ? '{}' : `{${open}${parts.join(comma)}${close}}`
  } finally {
    seen.delete(o)
  }
}
