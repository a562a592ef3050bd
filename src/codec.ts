/**
 * io-ts checks at node boundaries: a failure becomes a ValidationError naming node, parameter,
 * item key and the io-ts path of each failure.
 *
 * @internal
 */
import * as t from 'io-ts'
import { ValidationError } from './errors.js'

/**
 * The primitive `c` decodes to itself, when it is io-ts's own `t.number`, `t.string` or
 * `t.boolean` (or a copy with their validation): then a `typeof` test is its whole check. A
 * codec with the same `_tag` but its own validation (io-ts-types' `withValidate`, a subclass) is
 * not one of them: it may narrow or transform.
 */
export function primitiveOf(c: unknown): 'number' | 'string' | 'boolean' | undefined {
  if (typeof c !== 'object' || c === null) return undefined
  const validate = (c as { readonly validate?: unknown }).validate
  return validate === NUMBER ? 'number' : validate === STRING ? 'string' : validate === BOOLEAN ? 'boolean' : undefined
}

// read once: a property of a module namespace can cost a getter call on every read
const NUMBER: unknown = t.number.validate
const STRING: unknown = t.string.validate
const BOOLEAN: unknown = t.boolean.validate

/** @internal where a value is being checked */
export interface Site {
  readonly node: string | undefined
  readonly param: string
  readonly key: string | number | undefined
  readonly index: number | undefined
}

/** Decodes `value` with `codec`, returning the decoded value or throwing a ValidationError. */
export function decodeAt(codec: t.Mixed, value: unknown, site: Site): unknown {
  const result = codec.decode(value)
  if (result._tag === 'Right') return result.right
  throw validationError(result.left, site)
}

function validationError(errors: t.Errors, site: Site): ValidationError {
  // one entry per place in the value: the members of a union fail at the same place, and what
  // they expect is joined (`expected number | null`)
  const places = new Map<string, { expected: Array<string>; messages: Array<string>; value: unknown }>()
  for (const e of errors) {
    const path = pathOf(e.context)
    let place = places.get(path)
    if (place === undefined) places.set(path, (place = { expected: [], messages: [], value: e.value }))
    if (e.message !== undefined) place.messages.push(e.message)
    else {
      const expected = e.context[e.context.length - 1]?.type.name ?? 'a valid value'
      if (!place.expected.includes(expected)) place.expected.push(expected)
    }
  }
  const paths: Array<string> = []
  const details: Array<string> = []
  for (const [path, place] of [...places].slice(0, 10)) {
    const at = path === '' ? '(value)' : path
    paths.push(path)
    for (const m of place.messages) details.push(path === '' ? m : `${path}: ${m}`)
    if (place.expected.length > 0) details.push(`${at}: expected ${place.expected.join(' | ')}, got ${show(place.value)}`)
  }
  if (places.size > 10) details.push(`… and ${places.size - 10} more`)
  return new ValidationError({ ...site, paths, details })
}

/**
 * The path of a failure in the value: field names and positions, without the member indices
 * that io-ts puts in the context of a union's or an intersection's members (they would read as
 * array positions).
 */
function pathOf(context: t.Context): string {
  const keys: Array<string> = []
  for (let j = 0; j < context.length; j++) {
    const key = (context[j] as t.ContextEntry).key
    if (key === '') continue
    const parent = (context[j - 1]?.type as { readonly _tag?: unknown } | undefined)?._tag
    if (parent === 'UnionType' || parent === 'IntersectionType') continue
    keys.push(key)
  }
  return keys.join('.')
}

function show(u: unknown): string {
  if (u === undefined) return 'undefined'
  if (typeof u === 'number' || typeof u === 'bigint') return String(u)
  if (typeof u === 'function') return 'a function'
  try {
    const s = JSON.stringify(u)
    return s.length > 60 ? `${s.slice(0, 57)}…` : s
  } catch {
    return 'an unprintable value'
  }
}
