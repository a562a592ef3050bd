/**
 * Alternatives as prose, for messages: `.jsonl`, `.jsonl or .arrow`, `.jsonl, .json or .arrow`.
 *
 * @since 0.3.0
 */

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * `words` joined as a reader writes alternatives: commas, then "or" before the last one.
 * `orList(['.jsonl', '.json', '.arrow'])` is `.jsonl, .json or .arrow`.
 *
 * @category constructors
 */
export function orList(words: ReadonlyArray<string>): string {
  if (words.length <= 1) return words[0] ?? ''
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] ?? ''}`
}
