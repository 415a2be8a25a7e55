/**
 * What a resolver returns: a status, headers and a serialized body, or an instruction to drop the
 * connection. One builder makes every problem document, in the key order the published examples use.
 */
import { PROBLEM_JSON, type BadRequestError, type BaseError, type InvalidParameter } from '../contracts/schemas.js'
import { STATUS_CODES } from 'node:http'
import { traceId } from './trace-id.js'
import { MOCK_ERROR_ID } from '../contracts/headers.js'

export interface Outcome {
  status: number
  /** The id reported in `X-Mock-Scenario-Served`. */
  served: string
  /** The documented example this answer is, for coverage. */
  example?: string
  /** More headers; a list sends the header once per value (an upstream's `Set-Cookie`). */
  headers?: Record<string, string | readonly string[]>
  /** The `Content-Type` as sent (compiled once, never worked out per answer); none, none is sent. */
  contentType?: string
  /** The body: text, or the bytes of an answer passed through unchanged. */
  payload?: string | Buffer
  /** The payload's length in bytes, when known before it is rendered. */
  bytes?: number
  /** Close the socket without answering. */
  reset?: boolean
  /** Break the answer on the wire instead of sending it whole (a transport fault). */
  fault?: TransportFault
}

/** The ways an answer can break on the wire, after the request was read (a reset is `reset`). */
export type TransportFaultKind = 'truncated-body' | 'empty-reply' | 'slow-body' | 'headers-never-finish'

/** A transport fault and its time: the drip of a slow body, how long unfinished headers hold the socket. */
export interface TransportFault {
  kind: TransportFaultKind
  ms: number
}

/** The faults that take their time from the delay (`X-Mock-Delay`, `delayMs`) instead of being held back by it. */
export const PACED_FAULTS: ReadonlySet<string> = new Set<TransportFaultKind>(['slow-body', 'headers-never-finish'])

/** The `Content-Type` of every problem document, as it goes on the wire. */
export const PROBLEM_TYPE = `${PROBLEM_JSON}; charset=utf-8`

/**
 * A problem document in the BaseError shape.
 * @example problem(404, 'Route GET /nope not found') // { status: 404, title: 'Not Found', ... }
 */
export function problem (status: number, detail: string, title = STATUS_CODES[status] ?? 'Error'): BaseError {
  return { status, title, type: `https://httpstatuses.com/${status}`, instance: traceId(), detail }
}

/**
 * A BadRequestError in the published key order (status, title, detail, instance, invalid_parameters).
 * @example badRequest([{ field: 'email', reason: 'cannot be blank' }])
 */
export function badRequest (invalidParameters: [InvalidParameter, ...InvalidParameter[]], detail = ''): BadRequestError {
  return { status: 400, title: 'Bad Request', detail, instance: traceId(), invalid_parameters: invalidParameters }
}

/**
 * An outcome carrying a problem document.
 * @example problemOutcome(problem(404, 'No route for GET /x'), 'default').contentType // 'application/problem+json; charset=utf-8'
 */
export function problemOutcome (body: BaseError | BadRequestError, served: string, headers?: Record<string, string>): Outcome {
  return { status: body.status, served, contentType: PROBLEM_TYPE, payload: JSON.stringify(body), ...(headers === undefined ? {} : { headers }) }
}

/** The start of the `type` of the mock's own errors; the kind ends it. */
const MOCK_PROBLEM_TYPE = 'urn:konnect-invites-mock:problem:'

/**
 * The kinds of mistake the mock reports about its own controls, and what each means: the end of
 * the problem's `type` (listed in docs/admin-api.md, which a test keeps in step with this table).
 */
export const MOCK_PROBLEM_KINDS = {
  'admin-request': 'an admin call whose body, query or path the mock cannot use: not JSON (with the position), empty, of the wrong media type or size, breaking the call\'s schema, naming no scenario',
  'admin-route': 'no admin route has this path, or not for this method (404, 405 with Allow)',
  'admin-token': 'X-Mock-Admin-Token is missing or does not match --admin-token (401)',
  'admin-guard': 'the admin API and the dashboard answer no Host but this server\'s and no other page\'s Origin (403)',
  'admin-limit': 'a cap of the admin API is reached: sessions with a scenario, active users (409)',
  'not-enabled': 'the call needs a feature the mock was started without (GET /__mock/ca.pem without --proxy)',
  'mock-header': 'an X-Mock-Scenario, X-Mock-Delay or X-Mock-Session value the mock cannot use',
  prefer: 'a Prefer header whose code or example no scenario answers with'
} as const

export type MockProblemKind = keyof typeof MOCK_PROBLEM_KINDS

/**
 * An outcome carrying a problem about the mock's own controls: its `type` is the mock's
 * (`urn:konnect-invites-mock:problem:<kind>`, after `title` as in the published examples) and it
 * is served as `mock-error`, so a client under test never takes it for Konnect's.
 * @example mockProblemOutcome('prefer', badRequest([{ field: 'prefer', reason: 'must name a status a scenario answers with' }], 'Prefer: code=418 …')).served // 'mock-error'
 */
export function mockProblemOutcome (kind: MockProblemKind, body: BaseError | BadRequestError, headers?: Record<string, string>): Outcome {
  const { status, title, type: _, ...rest } = body
  return problemOutcome({ status, title, type: `${MOCK_PROBLEM_TYPE}${kind}`, ...rest }, MOCK_ERROR_ID, headers)
}
