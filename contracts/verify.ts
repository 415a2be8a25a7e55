/**
 * Verification after the fact: how many requests of a kind the mock received (`GET
 * /__mock/requests/count`), held against what a test expects, and, when it does not hold, the
 * matching requests themselves, so a failure reads as what was expected next to what was sent.
 * Used by tests (`expectRequests`) and by the command line (`verify`).
 */
import type { Dispatcher } from 'undici'
import { RequestsCountResponse, RequestsResponse, type JournalEntry } from './admin.js'
import { adminGet, client, RunnerError, type Client } from './internal/http.js'
import { parseJson } from './internal/json.js'
import { truncate } from './internal/text.js'
import { bodyEmail, describeFilter, filterValues, readRequestsFilter, type RequestsFilter } from './requests-filter.js'
import { checkSchema } from './validate.js'

/** How many requests are expected: exactly `n`, or at least `min` and at most `max`. */
export type RequestsExpected = number | { min?: number | undefined, max?: number | undefined }

export interface VerifyOptions {
  /** `X-Mock-Admin-Token` for a mock started with `--admin-token`. */
  adminToken?: string | undefined
  /** Route the admin calls through this undici Dispatcher. */
  dispatcher?: Dispatcher | undefined
}

/** What a verification found. */
export interface RequestsVerdict {
  filter: RequestsFilter
  expected: RequestsExpected
  /** Requests matching the filter. */
  count: number
  ok: boolean
  /** The newest matching requests (the first ones after `filter.after` when given; at most SHOWN_REQUESTS), newest last; when none match, the newest of the journal. */
  shown: JournalEntry[]
  /** One line: the filter, what was expected and what was found. */
  summary: string
  /** The summary and, when it does not hold, the requests shown, one line each. */
  message: string
}

/** Matching requests a failed verification lists at most. */
export const SHOWN_REQUESTS = 20
/** Requests of the whole journal listed when nothing matched. */
const CONTEXT_REQUESTS = 5

/** A verification that does not hold: `message` lists the matching requests; `verdict` has them all. */
export class RequestsExpectationError extends Error {
  constructor (readonly verdict: RequestsVerdict) {
    super(verdict.message)
    this.name = new.target.name
  }
}

/**
 * `expected` in words, or what is wrong with it.
 * @example describeExpected({ min: 1 }) // 'at least 1'
 */
export function describeExpected (expected: RequestsExpected): string {
  const whole = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0
  if (typeof expected === 'number') {
    if (!whole(expected)) throw new RunnerError(`expected: the count must be a whole number, got ${String(expected)}`)
    return `exactly ${expected}`
  }
  const { min, max } = expected
  if (min === undefined && max === undefined) throw new RunnerError('expected: give a count, or a min, a max or both')
  for (const [name, value] of [['min', min], ['max', max]] as const) {
    if (value !== undefined && !whole(value)) throw new RunnerError(`expected: ${name} must be a whole number, got ${String(value)}`)
  }
  if (min !== undefined && max !== undefined) {
    if (min > max) throw new RunnerError(`expected: min ${min} is more than max ${max}`)
    return min === max ? `exactly ${min}` : `from ${min} to ${max}`
  }
  return min === undefined ? `at most ${max!}` : `at least ${min}`
}

function holds (count: number, expected: RequestsExpected): boolean {
  if (typeof expected === 'number') return count === expected
  return (expected.min === undefined || count >= expected.min) && (expected.max === undefined || count <= expected.max)
}

/** The address an entry invited, as the journal shows it. */
function emailOf (entry: JournalEntry): string {
  const email = bodyEmail(entry.body)
  return email === undefined ? '-' : truncate(JSON.stringify(email), 60)
}

/** The requests as aligned rows under a header: seq, time, method, email, status, scenario, session. */
function table (entries: readonly JournalEntry[]): string[] {
  const rows = [['seq', 'time', 'method', 'email', 'status', 'scenario', 'session']]
  for (const entry of entries) {
    const { step, steps } = entry as { step?: unknown, steps?: unknown }
    const progress = step === undefined ? '' : ` (step ${String(step)}${steps === undefined ? '' : ` of ${String(steps)}`})`
    rows.push([`#${entry.seq}`, entry.time, entry.method, emailOf(entry), String(entry.status),
      entry.scenario + progress, entry.session === null ? '-' : truncate(entry.session, 40)])
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}`)
}

/** The filter as a query string, refused before sending when a value is one the mock would refuse. */
function filterQuery (filter: RequestsFilter): URLSearchParams {
  const values = filterValues(filter)
  const read = readRequestsFilter(Object.fromEntries(values))
  if ('problem' in read) throw new RunnerError(`filter ${read.problem.field}: ${read.problem.reason}`)
  return new URLSearchParams(values)
}

/** A GET on the journal, read against its schema; the mock's refusal of a filter is said in its own words. */
async function journalGet<T> (http: Client, path: string, schema: Parameters<typeof checkSchema>[0], options: VerifyOptions): Promise<T> {
  const answer = await adminGet(http, path, options)
  const body = parseJson(answer.text) as { invalid_parameters?: Array<{ field?: unknown, reason?: unknown, choices?: unknown }> } | undefined
  const refused = answer.statusCode === 400 ? body?.invalid_parameters?.[0] : undefined
  if (refused !== undefined) {
    const choices = Array.isArray(refused.choices) ? ` (${truncate(refused.choices.join(', '), 1000)})` : ''
    throw new RunnerError(`filter ${String(refused.field)}: ${String(refused.reason)}${choices}`)
  }
  if (answer.statusCode !== 200 || checkSchema(schema, body).length > 0) {
    throw new RunnerError(`${http.baseUrl}${path.split('?')[0]!} answered ${answer.statusCode} without a journal: is it this mock, with its admin API on?`)
  }
  return body as T
}

/**
 * Counts the requests the mock received that match `filter` and holds the count against
 * `expected`, without throwing when it does not hold. Throws a RunnerError when the question cannot
 * be asked (a bad filter or expectation, a server that is not this mock, a refused admin API).
 * @example
 * const verdict = await checkRequests('http://127.0.0.1:8080', { email: 'ada@example.com' }, 1)
 * verdict.ok // true when exactly one request invited ada@example.com
 */
export async function checkRequests (baseUrl: string, filter: RequestsFilter, expected: RequestsExpected, options: VerifyOptions = {}): Promise<RequestsVerdict> {
  const wanted = describeExpected(expected)
  const query = filterQuery(filter)
  const http = client(baseUrl, options.dispatcher)
  const { count } = await journalGet<RequestsCountResponse>(http, `/__mock/requests/count?${query.toString()}`, RequestsCountResponse, options)
  const ok = holds(count, expected)
  const described = describeFilter(filter)
  const summary = `${count} request${count === 1 ? '' : 's'} matching ${described}: expected ${wanted}${ok ? '' : `, got ${count}`}`
  let shown: JournalEntry[] = []
  const lines = [summary]
  if (!ok) {
    if (count > 0) {
      query.set('limit', String(SHOWN_REQUESTS))
      shown = (await journalGet<RequestsResponse>(http, `/__mock/requests?${query.toString()}`, RequestsResponse, options)).requests
      // With `after`, the journal pages forward from that entry: the first matching ones come back, not the newest.
      const which = filter.after === undefined ? 'the newest' : `the first after #${filter.after},`
      lines.push(`the matching requests, newest last${count > shown.length ? ` (${which} ${shown.length} of ${count})` : ''}:`, ...table(shown))
    } else {
      shown = (await journalGet<RequestsResponse>(http, `/__mock/requests?limit=${CONTEXT_REQUESTS}`, RequestsResponse, options)).requests
      lines.push(shown.length === 0 ? 'the journal is empty' : 'none matched; the newest requests of the journal, newest last:', ...(shown.length === 0 ? [] : table(shown)))
    }
  }
  return { filter, expected, count, ok, shown, summary, message: lines.join('\n') }
}

/**
 * Asserts how many requests the mock received that match `filter`: `expected` is a count or
 * `{ min, max }`. Throws a RequestsExpectationError whose message lists the matching requests
 * (seq, time, method, email, status, scenario, session; newest last) when it does not hold.
 * @example
 * await expectRequests(mockUrl, { email: 'ada@example.com', method: 'POST' }, 1)
 * await expectRequests(mockUrl, { status: 429 }, { min: 2 })
 */
export async function expectRequests (baseUrl: string, filter: RequestsFilter, expected: RequestsExpected, options: VerifyOptions = {}): Promise<RequestsVerdict> {
  const verdict = await checkRequests(baseUrl, filter, expected, options)
  if (!verdict.ok) throw new RequestsExpectationError(verdict)
  return verdict
}
