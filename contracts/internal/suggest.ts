/**
 * "Did you mean …?" for a mistyped name (a scenario id, a flag): the closest choice by edit
 * distance, when it is close enough to be what was meant.
 */

/** Edits (insert, delete, replace one character) that turn `a` into `b`. */
function distance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)))
    }
    previous = row
  }
  return previous[b.length]!
}

/**
 * The choice closest to `given` (case aside), or `undefined` when none is within a third of its
 * length in edits (at least one edit, at most three). Long values are not compared: they are no typo.
 * @example closest('rate-limitd', ['created', 'rate-limited']) // 'rate-limited'
 */
export function closest (given: string, choices: readonly string[]): string | undefined {
  if (given.length > 100) return undefined
  const wanted = given.toLowerCase()
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)))
  let found: string | undefined
  let best = limit + 1
  for (const choice of choices) {
    const d = distance(wanted, choice.toLowerCase())
    if (d < best) {
      best = d
      found = choice
    }
  }
  return found
}

/**
 * ` (did you mean "…"?)` naming the closest choice, or nothing when none is close: the one wording
 * of the hint wherever a mistyped id or name is refused.
 * @example `unknown scenario "rate-limitd"${didYouMean('rate-limitd', ['rate-limited'])}` // … (did you mean "rate-limited"?)
 */
export function didYouMean (given: string, choices: readonly string[]): string {
  const near = closest(given, choices)
  return near === undefined ? '' : ` (did you mean "${near}"?)`
}
