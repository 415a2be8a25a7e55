/**
 * Assertions for users' own tests: check one HTTP answer against the documented contract of a status
 * (or a named contract) and get every violation with its JSON path, what was expected and what was
 * found. Works with plain `node:assert`, tap, `app.inject()` responses, undici and `fetch`.
 */
import { AssertionError } from 'node:assert'
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import { contractForStatus, contracts, PROBLEM_JSON, type ContractName } from './schemas.js'
import { compile } from './validate.js'
import { isObject as isRecord } from './internal/object.js'
import { isJsonType } from './internal/json.js'

/** One way an answer breaks its contract; the admin API lists them in this shape too. */
export const ResponseViolationSchema = Type.Object({
  /** JSON pointer into `{ status, headers, body }`: `/status`, `/headers/retry-after`, `/body/invalid_parameters/0/rule`. */
  path: Type.String(),
  expected: Type.String(),
  got: Type.String()
})
export type ResponseViolation = Static<typeof ResponseViolationSchema>

/** Headers as `app.inject()`, undici (`IncomingHttpHeaders`) or `fetch` (`Headers`) give them. */
export type HeadersLike = Headers | Record<string, string | string[] | number | undefined>

/**
 * An HTTP answer: `status` or `statusCode`, headers, and the body as text, bytes or already parsed.
 * An `app.inject()` response is one as it is.
 */
export interface ResponseLike {
  status?: number
  statusCode?: number
  headers?: HeadersLike
  body?: unknown
}

/** A named error contract an answer can be checked against (every contract but the request's). */
export type ResponseContract = Exclude<ContractName, 'InviteUserRequest'>

/** What an answer must look like. Build one with `expectationFor`, or by hand for an unusual answer. */
export interface Expectation {
  /** The exact status, or `'error'` for any 4XX or 5XX. */
  status: number | 'error'
  /** The media type (parameters ignored); undefined means any. */
  mediaType?: string
  /** The contract the JSON body must meet. */
  contract?: ContractName
  /** The body must be empty. */
  emptyBody?: boolean
  /** The body must not be empty (for a non-JSON answer such as an HTML error page). */
  nonEmptyBody?: boolean
  /** Headers that must be present, and how each value must read. */
  headers?: Readonly<Record<string, HeaderRule>>
}

/** How a required header must read: whole seconds or an HTTP date, or a non-negative integer. */
type HeaderRule = 'seconds-or-date' | 'integer'

const RATE_LIMIT_HEADERS: Record<string, HeaderRule> = {
  'retry-after': 'seconds-or-date',
  'ratelimit-limit': 'integer',
  'ratelimit-remaining': 'integer',
  'ratelimit-reset': 'integer'
}

const statusOfContract: Readonly<Record<ResponseContract, number | 'error'>> = {
  BaseError: 'error',
  BadRequestError: 400,
  ConflictError: 409,
  RateLimitedError: 429,
  UnauthorizedError: 401,
  ForbiddenError: 403
}

/**
 * The documented expectation for a status or a named contract: 201 with an empty body; any 4XX or
 * 5XX as `application/problem+json` meeting the contract of its status (BaseError when none is
 * documented); `Retry-After` and `RateLimit-*` on 429; `Retry-After` on 503.
 * @example expectationFor(429) // { status: 429, mediaType: 'application/problem+json', contract: 'RateLimitedError', headers: { 'retry-after': … } }
 */
export function expectationFor (what: number | ResponseContract): Expectation {
  if (typeof what === 'string') {
    const status = statusOfContract[what]
    if (status === undefined) throw new TypeError(`unknown response contract "${String(what)}"; valid: ${Object.keys(statusOfContract).join(', ')}`)
    if (status === 'error') return { status, mediaType: PROBLEM_JSON, contract: what }
    return { ...expectationFor(status), contract: what }
  }
  if (!Number.isInteger(what) || what < 100 || what > 599) throw new TypeError(`not an HTTP status: ${String(what)}`)
  if (what < 400) return what === 201 ? { status: what, emptyBody: true } : { status: what }
  const expectation: Expectation = { status: what, mediaType: PROBLEM_JSON, contract: contractForStatus[what] ?? 'BaseError' }
  if (what === 429) expectation.headers = RATE_LIMIT_HEADERS
  if (what === 503) expectation.headers = { 'retry-after': 'seconds-or-date' }
  return expectation
}

/**
 * The media type of a Content-Type value, lower-cased and without parameters.
 * @example mediaTypeOf('Application/Problem+JSON; charset=utf-8') // 'application/problem+json'
 */
export function mediaTypeOf (contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined
  return contentType.split(';', 1)[0]!.trim().toLowerCase()
}

/**
 * Headers as a plain record with lower-case names and single string values.
 * @example normalizeHeaders(new Headers({ 'Retry-After': '1' })) // { 'retry-after': '1' }
 */
export function normalizeHeaders (headers: HeadersLike | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (headers === undefined) return out
  const entries = typeof (headers as Headers).entries === 'function' && typeof (headers as Headers).get === 'function'
    ? [...(headers as Headers).entries()]
    : Object.entries(headers)
  for (const [name, value] of entries) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}

/**
 * A short, one-line rendering of a value found in an answer.
 * @example preview(undefined) // '(missing)'
 */
export function preview (value: unknown): string {
  if (value === undefined) return '(missing)'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

function describeAll (parts: string[]): string {
  if (parts.length === 1) return parts[0]!
  const shown = parts.length > 4 ? [...parts.slice(0, 3), `… (${parts.length} values in all)`] : parts
  return `one of ${shown.join(', ')}`
}

function leaves (schema: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(schema.anyOf) ? (schema.anyOf as Array<Record<string, unknown>>).flatMap(leaves) : [schema]
}

/**
 * What a schema accepts, in a few words.
 * @example describeSchema(InvalidRules) // 'one of "required", "is_array", "is_base64", … (23 values in all)'
 */
export function describeSchema (schema: TSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const)
  if (Array.isArray(schema.anyOf)) {
    const parts = leaves(schema).map((leaf) => describeSchema(leaf as TSchema))
    return describeAll(parts)
  }
  switch (schema.type) {
    case 'integer': return 'an integer'
    case 'number': return 'a number'
    case 'string': return typeof schema.format === 'string' ? `a string in ${schema.format} format` : 'a string'
    case 'boolean': return 'a boolean'
    case 'null': return 'null'
    case 'array': return typeof schema.minItems === 'number' && schema.minItems > 0 ? 'a non-empty array' : 'an array'
    case 'object': return typeof schema.$id === 'string' ? `an object (${schema.$id})` : 'an object'
  }
  return 'any value'
}

function expectedOf (error: ValueError): string {
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty: return `${describeSchema(error.schema)} (required)`
    case ValueErrorType.ObjectAdditionalProperties: return 'no such property (none beyond the documented ones)'
    case ValueErrorType.ArrayMinItems: return `at least ${String(error.schema.minItems)} item(s)`
    case ValueErrorType.ArrayUniqueItems: return 'unique items'
  }
  return describeSchema(error.schema)
}

function gotOf (error: ValueError): string {
  if (error.type === ValueErrorType.ArrayMinItems) return `${(error.value as unknown[]).length} item(s)`
  if (error.type === ValueErrorType.ArrayUniqueItems) return 'duplicate items'
  return preview(error.value)
}

/** How far a value is from a variant: a missing property counts less than a present, wrong one. */
function weight (errors: ValueError[]): number {
  const paths = new Map<string, number>()
  for (const error of errors) {
    paths.set(error.path, Math.min(paths.get(error.path) ?? 2, error.type === ValueErrorType.ObjectRequiredProperty ? 1 : 2))
  }
  return [...paths.values()].reduce((sum, value) => sum + value, 0)
}

/** Flattens union errors into the errors of the variant the value comes closest to. */
function explain (errors: Iterable<ValueError>): ValueError[] {
  const out: ValueError[] = []
  for (const error of errors) {
    if (error.type !== ValueErrorType.Union) {
      out.push(error)
      continue
    }
    const variants = error.errors.map((iterator) => explain(iterator))
    const leaf = variants.every((variant) => variant.every((inner) => inner.path === error.path))
    if (leaf) {
      out.push(error)
      continue
    }
    out.push(...variants.reduce((best, variant) => weight(variant) < weight(best) ? variant : best))
  }
  return out
}

/**
 * Every way a value breaks a schema, with JSON paths under `base` and what was expected there.
 * @example bodyViolations(BadRequestError, { status: 400 }, '/body')[0] // { path: '/body/title', expected: 'a string (required)', got: '(missing)' }
 */
export function bodyViolations (schema: TSchema, value: unknown, base = ''): ResponseViolation[] {
  const check = compile(schema)
  if (check.Check(value)) return []
  const seen = new Set<string>()
  const violations: ResponseViolation[] = []
  for (const error of explain(check.Errors(value))) {
    if (seen.has(error.path)) continue
    seen.add(error.path)
    violations.push({ path: `${base}${error.path}`, expected: expectedOf(error), got: gotOf(error) })
  }
  return violations
}

function headerViolation (name: string, rule: HeaderRule, value: string | undefined): ResponseViolation | undefined {
  const path = `/headers/${name}`
  if (value === undefined) return { path, expected: rule === 'integer' ? 'a non-negative integer' : 'whole seconds or an HTTP date', got: '(missing)' }
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return undefined
  if (rule === 'seconds-or-date' && /[a-z]/i.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) return undefined
  return { path, expected: rule === 'integer' ? 'a non-negative integer' : 'whole seconds or an HTTP date', got: preview(value) }
}

function bodyText (body: unknown): string | undefined {
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8')
  return undefined
}

/**
 * Checks an answer against an expectation and lists every violation (empty when it conforms).
 * A wrong status is reported alone: the rest of the answer is not compared with another status's contract.
 * @example checkAgainst({ statusCode: 502, headers: { 'content-type': 'text/html' }, body: '<html>' }, { status: 502, mediaType: 'text/html', nonEmptyBody: true }) // []
 */
export function checkAgainst (response: ResponseLike, expectation: Expectation): ResponseViolation[] {
  const status = response.statusCode ?? response.status
  const violations: ResponseViolation[] = []
  const wanted = expectation.status
  if (wanted === 'error' ? status === undefined || status < 400 || status > 599 : status !== wanted) {
    return [{ path: '/status', expected: wanted === 'error' ? 'a 4XX or 5XX status' : String(wanted), got: status === undefined ? '(missing)' : String(status) }]
  }
  const headers = normalizeHeaders(response.headers)
  const mediaType = mediaTypeOf(headers['content-type'])
  for (const [name, rule] of Object.entries(expectation.headers ?? {})) {
    const violation = headerViolation(name, rule, headers[name])
    if (violation !== undefined) violations.push(violation)
  }
  const text = bodyText(response.body)
  const empty = response.body === undefined || text === ''
  if (expectation.emptyBody === true) {
    if (!empty) violations.push({ path: '/body', expected: 'an empty body', got: preview(text ?? response.body) })
    return violations
  }
  const typeMatches = expectation.mediaType === undefined || mediaType === expectation.mediaType
  if (!typeMatches) violations.push({ path: '/headers/content-type', expected: expectation.mediaType!, got: mediaType ?? '(missing)' })
  if (expectation.nonEmptyBody === true && empty) violations.push({ path: '/body', expected: 'a non-empty body', got: '(empty)' })
  if (expectation.contract === undefined) return violations
  let body = response.body
  if (text !== undefined) {
    if (!typeMatches && !isJsonType(mediaType)) return violations
    try {
      body = JSON.parse(text)
    } catch {
      violations.push({ path: '/body', expected: `a JSON document (${expectation.contract})`, got: empty ? '(empty)' : preview(text) })
      return violations
    }
  }
  violations.push(...bodyViolations(contracts[expectation.contract], body, '/body'))
  if (isRecord(body) && typeof body.status === 'number' && body.status !== status) {
    violations.push({ path: '/body/status', expected: `${status} (the HTTP status)`, got: String(body.status) })
  }
  return violations
}

/**
 * Checks an answer against the documented contract of a status or a named contract, and lists every
 * violation with its path. An empty list means the answer conforms, so `t.same(violations, [])`
 * shows every difference at once in tap.
 * @example
 * const res = await app.inject({ method: 'POST', url: '/v3/invites', payload: {}, headers: { authorization: 'Bearer t' } })
 * checkResponse(res, 400) // []
 * checkResponse(res, 'ConflictError') // [{ path: '/status', expected: '409', got: '400' }]
 */
export function checkResponse (response: ResponseLike, what: number | ResponseContract): ResponseViolation[] {
  return checkAgainst(response, expectationFor(what))
}

/**
 * One line for a violation: `path: expected …, got …`.
 * @example formatViolation({ path: '/status', expected: '201', got: '200' }) // '/status: expected 201, got 200'
 */
export function formatViolation (violation: ResponseViolation): string {
  return `${violation.path}: expected ${violation.expected}, got ${violation.got}`
}

/**
 * Throws a `node:assert` AssertionError listing every violation when the answer breaks its contract.
 * @example
 * import { assertResponse } from 'konnect-invites-mock/contracts'
 * assertResponse(await app.inject({ method: 'POST', url: '/v3/invites', payload: { email: 'a@example.com' } }), 'UnauthorizedError')
 */
export function assertResponse (response: ResponseLike, what: number | ResponseContract, message?: string): void {
  const violations = checkResponse(response, what)
  if (violations.length === 0) return
  const head = message ?? `the answer breaks the ${what} contract (${violations.length} violation${violations.length === 1 ? '' : 's'})`
  throw new AssertionError({
    message: [head, ...violations.map((violation) => `  ${formatViolation(violation)}`)].join('\n'),
    actual: violations,
    expected: [],
    operator: 'checkResponse'
  })
}

/** The part of a tap test (or anything alike) `conforms` needs. */
export interface DeepEqualTester {
  same (found: unknown, wanted: unknown, ...message: [string]): unknown
}

/**
 * A tap assertion: passes when the answer meets its contract, and otherwise fails showing the list
 * of violations as the diff. Returns whether it conformed.
 * @example
 * import t from 'tap'
 * t.test('blank email', async (t) => {
 *   conforms(t, await app.inject({ method: 'POST', url: '/v3/invites', payload: { email: '' }, headers: { authorization: 'Bearer t' } }), 400)
 * })
 */
export function conforms (t: DeepEqualTester, response: ResponseLike, what: number | ResponseContract, message?: string): boolean {
  const violations = checkResponse(response, what)
  t.same(violations, [], message ?? `the answer meets the ${what} contract`)
  return violations.length === 0
}
