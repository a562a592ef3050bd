/**
 * "Did you mean": the known name closest to a misspelled one.
 *
 * @internal
 */

/**
 * The name among `candidates` closest to `name`, when one is close enough to be a misspelling of
 * it (`hitz` → `hits`); undefined otherwise. Close means an edit distance (insertions, deletions,
 * substitutions and swaps of neighbours, case ignored) of at most 40% of the longer name's
 * length, so names of one or two letters get none. Ties go to the first candidate; `name`
 * itself is never suggested.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const c of candidates) {
    if (c === name) continue
    const limit = Math.floor(Math.max(name.length, c.length) * 0.4)
    if (Math.abs(c.length - name.length) > limit) continue
    const d = distance(name.toLowerCase(), c.toLowerCase())
    if (d <= limit && d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

/** optimal string alignment distance: Levenshtein plus swaps of neighbouring characters */
function distance(a: string, b: string): number {
  const width = b.length + 1
  // three rows of the (a.length + 1) × (b.length + 1) table
  let before = new Array<number>(width).fill(0)
  let previous = Array.from({ length: width }, (_, j) => j)
  let current = new Array<number>(width).fill(0)
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (before[j - 2] as number) + 1)
      }
      current[j] = d
    }
    ;[before, previous, current] = [previous, current, before]
  }
  return previous[b.length] as number
}
