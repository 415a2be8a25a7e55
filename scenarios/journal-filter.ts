/**
 * Which journal entries a verification asks about. Kept apart from the journal's storage so the
 * predicate reads only the fields every entry has (never `step`), and a filter costs no copy: the
 * journal walks its stored numbers and strings with a prepared filter, and decodes an entry's body
 * only when an address is asked about.
 */
import type { ParsedRequestsFilter } from '../contracts/requests-filter.js'

/** What a verification matches on; every field given must hold (`after` is the journal's own page cursor). */
export type JournalFilter = Omit<ParsedRequestsFilter, 'after'>

/** A filter with its case folded once, for a walk over many entries. */
export interface PreparedFilter {
  /** Whether the filter asks anything at all. */
  any: boolean
  status: number | undefined
  scenario: string | undefined
  /** Upper case. */
  method: string | undefined
  session: string | undefined
  since: number | undefined
  /** Lower case. */
  email: string | undefined
}

/**
 * Folds a filter's case once, so each entry is compared without building a string.
 * @example prepareFilter({ method: 'post' }).method // 'POST'
 */
export function prepareFilter (filter: JournalFilter): PreparedFilter {
  const { status, scenario, session, since } = filter
  const method = filter.method?.toUpperCase()
  const email = filter.email?.toLowerCase()
  const any = status !== undefined || scenario !== undefined || method !== undefined || session !== undefined || since !== undefined || email !== undefined
  return { any, status, scenario, method, session, since, email }
}

/**
 * Whether an entry's stored fields hold for `filter` (all but the address, which needs its body).
 * `at` is the time of the answer in ms since the epoch.
 * @example matchesFields(prepareFilter({ status: 201 }), 201, 'default', 'POST', null, Date.now()) // true
 */
export function matchesFields (filter: PreparedFilter, status: number, scenario: string, method: string, session: string | null, at: number): boolean {
  if (filter.status !== undefined && status !== filter.status) return false
  if (filter.scenario !== undefined && scenario !== filter.scenario) return false
  // Node hands most methods over in upper case already: only another spelling is folded.
  if (filter.method !== undefined && method !== filter.method && method.toUpperCase() !== filter.method) return false
  if (filter.session !== undefined && session !== filter.session) return false
  if (filter.since !== undefined && at < filter.since) return false
  return true
}
