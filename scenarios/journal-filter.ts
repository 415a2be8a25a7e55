/**
 * Which journal entries a verification asks about. Kept apart from the journal's storage so the
 * predicate reads only the fields every entry has (never `step`), and a filter costs no copy.
 */
import type { JournalEntry } from './journal.js'

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

/**
 * Whether `entry` is one that `filter` asks about.
 *
 * @example
 * matchesFilter(entry, { email: 'a@example.com', status: 201 })
 */
export function matchesFilter (entry: JournalEntry, filter: JournalFilter): boolean {
  if (filter.status !== undefined && entry.status !== filter.status) return false
  if (filter.scenario !== undefined && entry.scenario !== filter.scenario) return false
  if (filter.method !== undefined && entry.method.toUpperCase() !== filter.method.toUpperCase()) return false
  if (filter.session !== undefined && entry.session !== filter.session) return false
  if (filter.since !== undefined && Date.parse(entry.time) < filter.since) return false
  if (filter.email !== undefined) {
    const body = entry.body
    const email = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined
    if (typeof email !== 'string' || email.toLowerCase() !== filter.email.toLowerCase()) return false
  }
  return true
}
