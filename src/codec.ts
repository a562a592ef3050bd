/**
 * io-ts checks at node boundaries: a failure becomes a ValidationError naming node, parameter,
 * item key and the io-ts path of each failure.
 *
 * @internal
 */
import type * as t from 'io-ts'
import { ValidationError } from './errors.js'

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
  const paths: Array<string> = []
  const details: Array<string> = []
  for (const e of errors.slice(0, 10)) {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.')
    const expected = e.context[e.context.length - 1]?.type.name ?? 'a valid value'
    paths.push(path)
    details.push(
      e.message ?? `${path === '' ? '(value)' : path}: expected ${expected}, got ${show(e.value)}`,
    )
  }
  if (errors.length > 10) details.push(`… and ${errors.length - 10} more`)
  return new ValidationError({ ...site, paths, details })
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
