/**
 * The journal filter of `GET /__mock/requests`, `GET /__mock/requests/count`, `expectRequests` and
 * `verify`: one reader of its values, so the route, the kit and the command line accept and refuse
 * the same ones with the same reasons.
 */
import { FORMATS, isSessionName, SCENARIO_ID_PATTERN } from './formats.js'
import { MAX_EMAIL_LENGTH } from './limits.js'
import { truncate } from './internal/text.js'

/** Which requests a verification counts; every field given must hold. */
export interface RequestsFilter {
  /** The invited address (the body's `email`), compared case-insensitively. */
  email?: string | undefined
  /** The status answered (0 for a connection closed with no answer). */
  status?: number | undefined
  /** The scenario that answered: an id, `default`, `upstream` or `mock-error` (the mock refused the request). */
  scenario?: string | undefined
  /** Compared case-insensitively. */
  method?: string | undefined
  /** The `X-Mock-Session` the request carried. */
  session?: string | undefined
  /** Only requests answered at or after this time: ISO 8601 (`2026-01-01T09:00:00Z`), a `Date` or ms since the epoch. */
  since?: string | Date | number | undefined
  /** Only requests newer than this `seq` (a journal page's `next`). */
  after?: number | undefined
}

/** A filter as the journal reads it: `since` in ms since the epoch. */
export type ParsedRequestsFilter = Omit<RequestsFilter, 'since'> & { since?: number | undefined }

/** The filter's names, in the order they are described and sent. */
export const FILTER_FIELDS = ['email', 'status', 'scenario', 'method', 'session', 'since', 'after'] as const
export type FilterField = typeof FILTER_FIELDS[number]

/** A filter value that cannot be used, and why. */
export interface FilterProblem {
  field: FilterField
  reason: string
}

const SCENARIO_ID = new RegExp(SCENARIO_ID_PATTERN)
const METHOD = /^[A-Za-z]{1,20}$/
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)$/i

/**
 * Reads filter values given as text (a query string's, or a command line's) into a filter, or
 * says which one is wrong and why. Absent values (undefined) ask nothing.
 * @example readRequestsFilter({ status: '201', email: 'ada@example.com' }) // { filter: { email: 'ada@example.com', status: 201 } }
 * @example readRequestsFilter({ status: 'ok' }) // { problem: { field: 'status', reason: 'must be a status code from 0 to 599' } }
 */
export function readRequestsFilter (values: Partial<Record<FilterField, string | undefined>>): { filter: ParsedRequestsFilter } | { problem: FilterProblem } {
  const filter: ParsedRequestsFilter = {}
  const { email, status, scenario, method, session, since, after } = values
  if (email !== undefined) {
    if (email === '' || email.length > MAX_EMAIL_LENGTH) return { problem: { field: 'email', reason: `must have 1 to ${MAX_EMAIL_LENGTH} characters` } }
    filter.email = email
  }
  if (status !== undefined) {
    if (!/^\d{1,3}$/.test(status) || Number(status) > 599) return { problem: { field: 'status', reason: 'must be a status code from 0 to 599' } }
    filter.status = Number(status)
  }
  if (scenario !== undefined) {
    if (!SCENARIO_ID.test(scenario)) return { problem: { field: 'scenario', reason: 'must be a scenario id (up to 64 of a-z, 0-9, ., _, -)' } }
    filter.scenario = scenario
  }
  if (method !== undefined) {
    if (!METHOD.test(method)) return { problem: { field: 'method', reason: 'must be an HTTP method such as POST' } }
    filter.method = method.toUpperCase()
  }
  if (session !== undefined && session !== '') {
    if (!isSessionName(session)) return { problem: { field: 'session', reason: FORMATS['session-name'].reason } }
    filter.session = session
  }
  if (since !== undefined) {
    const at = ISO_TIME.test(since) ? Date.parse(since) : Number.NaN
    if (Number.isNaN(at)) return { problem: { field: 'since', reason: 'must be an ISO 8601 time such as 2026-01-01T09:00:00Z' } }
    filter.since = at
  }
  if (after !== undefined) {
    if (!/^\d{1,15}$/.test(after)) return { problem: { field: 'after', reason: 'must be a whole number (a seq)' } }
    filter.after = Number(after)
  }
  return { filter }
}

/** A time as ISO 8601; one that is no time stays as it is written, for the reader to refuse. */
function timeText (time: Date | number): string {
  const at = time instanceof Date ? time.getTime() : time
  return Number.isFinite(at) && Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : String(time)
}

/** A filter's values as text, in FILTER_FIELDS order: what a query string or a command line carries. */
export function filterValues (filter: RequestsFilter): Array<[FilterField, string]> {
  const values: Array<[FilterField, string]> = []
  for (const field of FILTER_FIELDS) {
    const value = filter[field]
    if (value === undefined) continue
    values.push([field, field === 'since' && typeof value !== 'string' ? timeText(value as Date | number) : String(value)])
  }
  return values
}

/**
 * The filter in words for a message: `email=ada@example.com status=201`, or `every request`.
 * @example describeFilter({ method: 'POST', status: 409 }) // 'method=POST status=409'
 */
export function describeFilter (filter: RequestsFilter): string {
  const values = filterValues(filter)
  return values.length === 0 ? 'every request' : values.map(([field, value]) => `${field}=${truncate(value, 80)}`).join(' ')
}

/**
 * The address a parsed request body invites, if it names one (what the `email` filter matches).
 * @example bodyEmail({ email: 'Ada@Example.com' }) // 'Ada@Example.com'
 */
export function bodyEmail (body: unknown): string | undefined {
  const given = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined
  return typeof given === 'string' ? given : undefined
}
