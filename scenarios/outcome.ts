/**
 * What a resolver returns: a status, headers and a serialized body, or an instruction to drop the
 * connection. One builder makes every problem document, in the key order the published examples use.
 */
import { PROBLEM_JSON, type BadRequestError, type BaseError, type InvalidParameter } from '../contracts/schemas.js'
import { STATUS_CODES } from 'node:http'
import { traceId } from './trace-id.js'

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
