/**
 * Which journal entries a verification asks about. Kept apart from the journal's storage so the
 * predicate reads only the fields every entry has (never `step`), and a filter costs no copy: the
 * journal walks its stored numbers and strings with a prepared filter, and decodes an entry's body
 * only when an address is asked about.
 */
import type { JournalEntry } from '../contracts/admin.js'

/** What a verification matches on; every field given must hold. */
export interface JournalFilter {
  /** The invited address, compared case-insensitively with the body's `email`. */
  email?: string | undefined
  status?: number | undefined
  scenario?: string | undefined
  /** Compared case-insensitively. */
  method?: string | undefined
  session?: string | undefined
  /** Only entries answered at or after this time (ms since the epoch). */
  since?: number | undefined
}

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

/**
 * The address a parsed body invites, if it names one.
 * @example bodyEmail({ email: 'Ada@Example.com' }) // 'Ada@Example.com'
 */
export function bodyEmail (body: unknown): string | undefined {
  const given = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined
  return typeof given === 'string' ? given : undefined
}

/**
 * Whether `entry` is one that `filter` asks about.
 *
 * @example
 * matchesFilter(entry, { email: 'a@example.com', status: 201 })
 */
export function matchesFilter (entry: JournalEntry, filter: JournalFilter): boolean {
  const prepared = prepareFilter(filter)
  if (!matchesFields(prepared, entry.status, entry.scenario, entry.method, entry.session, Date.parse(entry.time))) return false
  return prepared.email === undefined || bodyEmail(entry.body)?.toLowerCase() === prepared.email
}
