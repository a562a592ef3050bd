/**
 * Messages for a misspelled option or option value: what was given, the closest known one
 * ("did you mean --progress?"), and what is accepted.
 *
 * @since 0.4.0
 */
import { closestName } from '../internal/closest-name.js'
import { orList } from './or-list.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * `Unknown option --progres: did you mean --progress?` for an option `raw` (as typed, dashes
 * and all) that is none of `known` (long names, without dashes).
 *
 * @category constructors
 */
export function unknownOptionMessage(raw: string, known: Iterable<string>): string {
  const near = raw.startsWith('--') ? closestName(raw.slice(2), known) : undefined
  return `Unknown option ${raw}${near === undefined ? '.' : `: did you mean --${near}?`}`
}

/**
 * `Unknown --format "svgg": did you mean svg? Use mermaid, dot or svg.` for a `value` of `flag`
 * that is none of `valid`.
 *
 * @category constructors
 */
export function unknownValueMessage(
  flag: string,
  value: string,
  valid: ReadonlyArray<string>,
): string {
  const near = closestName(value, valid)
  const use = orList(valid)
  return near === undefined
    ? `Unknown ${flag} "${value}": use ${use}.`
    : `Unknown ${flag} "${value}": did you mean ${near}? Use ${use}.`
}
