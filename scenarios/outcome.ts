/**
 * What a resolver returns: a status, headers and a serialized body, or an instruction to drop the
 * connection. One builder makes every problem document, in the key order the published examples use.
 */
import { PROBLEM_JSON, type BadRequestError, type BaseError, type InvalidParameter } from '../contracts/schemas.js'
import { traceId } from './catalogue.js'

export interface Outcome {
  status: number
  /** The id reported in `X-Mock-Scenario-Served`. */
  served: string
  /** The documented example this answer is, for coverage. */
  example?: string
  headers?: Record<string, string>
  contentType?: string
  payload?: string
  /** The payload's length in UTF-8 bytes, when known before it is rendered. */
  bytes?: number
  /** Close the socket without answering. */
  reset?: boolean
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable'
}

/**
 * A problem document in the BaseError shape.
 * @example problem(404, 'Route GET /nope not found') // { status: 404, title: 'Not Found', ... }
 */
export function problem (status: number, detail: string, title = TITLES[status] ?? 'Error'): BaseError {
  return { status, title, type: `https://httpstatuses.com/${status}`, instance: traceId(), detail }
}

/**
 * A BadRequestError in the published key order (status, title, detail, instance, invalid_parameters).
 * @example badRequest([{ field: 'email', reason: 'cannot be blank' }])
 */
export function badRequest (invalidParameters: [InvalidParameter, ...InvalidParameter[]], detail = ''): BadRequestError {
  return { status: 400, title: 'Bad Request', detail, instance: traceId(), invalid_parameters: invalidParameters }
}

/** An outcome carrying a problem document. */
export function problemOutcome (body: BaseError | BadRequestError, served: string, headers?: Record<string, string>): Outcome {
  return { status: body.status, served, contentType: PROBLEM_JSON, payload: JSON.stringify(body), ...(headers === undefined ? {} : { headers }) }
}
