/**
 * A typed client for `POST /v3/invites` on undici that maps every answer the way Kong's generated
 * SDK does (201 success; 400/409/429 problem+json as typed errors; everything else an SDKError),
 * checks every error body against its contract, and retries 429 and 5XX answers on request.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { request, type Dispatcher } from 'undici'
import { bodyViolations, formatViolation, mediaTypeOf, normalizeHeaders, type ResponseViolation } from './assert.js'
import {
  contracts, PROBLEM_JSON,
  type BadRequestError as BadRequestBody, type ConflictError as ConflictBody, type RateLimitedError as RateLimitedBody
} from './schemas.js'

/** Statuses retried when retries are on, as the SDK does. */
export const RETRY_STATUSES: readonly number[] = [429, 500, 502, 503, 504]

export interface RetryOptions {
  /** Attempts after the first one (default 2). */
  retries?: number
  /** First backoff wait, in ms, when the answer has no usable Retry-After (default 500). */
  initialIntervalMs?: number
  /** Growth of the backoff wait per attempt (default 1.5). */
  exponent?: number
  /** Cap on any single wait, Retry-After included, in ms (default 60 000). */
  maxIntervalMs?: number
  /** Also retry when the connection fails (default false, as in the SDK). */
  retryConnectionErrors?: boolean
  /** How to wait (tests pass a fake one); default `timers/promises` setTimeout honouring the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>
  /** The clock used to read an HTTP-date Retry-After (default Date.now). */
  now?: () => number
}

export interface InviteUserOptions {
  /** Where the API lives, e.g. `https://global.api.konghq.com` or `http://127.0.0.1:8080`. */
  baseUrl: string | URL
  /** Bearer token; omit to send no Authorization header. */
  token?: string | undefined
  email: string
  /** Extra request headers (e.g. `X-Mock-Scenario`). */
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Retry 429 and 5XX answers: a number of retries, or the full options. Off by default. */
  retries?: number | RetryOptions
  /** Route the request through this undici Dispatcher (an Agent, a MockAgent, an in-process dispatcher). */
  dispatcher?: Dispatcher
}

/** A 201: the invitation was sent. */
export interface InviteUserResult {
  statusCode: 201
  headers: Record<string, string>
  /** How many requests it took (1 without retries). */
  attempts: number
}

/** Fields every error of an answer carries. */
abstract class AnswerError extends Error {
  constructor (
    message: string,
    readonly statusCode: number,
    readonly headers: Record<string, string>,
    readonly contentType: string | undefined
  ) {
    super(message)
    this.name = new.target.name
  }
}

/**
 * Any answer the contract does not map to a typed error: an undocumented status, or a documented
 * one with another content type. `message` starts with "API error occurred", "unknown content-type
 * received" or "unknown status code returned", as in the SDK.
 */
export class SDKError extends AnswerError {
  constructor (message: string, statusCode: number, headers: Record<string, string>, contentType: string | undefined, readonly body: string) {
    super(`${message}: status ${statusCode}, content type ${contentType ?? '(none)'}`, statusCode, headers, contentType)
  }
}

/** A documented problem+json error, with its contract-checked body. */
abstract class ProblemError<Body> extends AnswerError {
  constructor (statusCode: number, headers: Record<string, string>, contentType: string, readonly body: Body) {
    const title = (body as { title?: unknown }).title
    const detail = (body as { detail?: unknown }).detail
    super(`${statusCode} ${typeof title === 'string' ? title : 'error'}${typeof detail === 'string' && detail !== '' ? `: ${detail}` : ''}`, statusCode, headers, contentType)
  }
}

/** 400 with a BadRequestError body. */
export class BadRequestError extends ProblemError<BadRequestBody> {}
/** 409 with a ConflictError body (the user is already active). */
export class ConflictError extends ProblemError<ConflictBody> {}
/** 429 with the RateLimited body; `retryAfterMs` is read from Retry-After when present. */
export class RateLimitedError extends ProblemError<RateLimitedBody> {
  get retryAfterMs (): number | undefined {
    return parseRetryAfter(this.headers['retry-after'], Date.now())
  }
}

/** An answer whose body breaks its contract; `violations` lists every path. */
export class ContractViolationError extends AnswerError {
  constructor (
    readonly contract: string,
    statusCode: number,
    headers: Record<string, string>,
    contentType: string | undefined,
    readonly violations: ResponseViolation[],
    readonly body: string
  ) {
    const first = violations[0]!
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : ''
    super(`${statusCode} body breaks ${contract} at ${formatViolation({ ...first, path: first.path || '/' })}${more}`, statusCode, headers, contentType)
  }
}

/** The request never got an answer (refused, reset, timed out). `code` is the system or undici code. */
export class ConnectionError extends Error {
  readonly code: string | undefined
  constructor (readonly url: string, cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code
    super(`no answer from ${url}: ${code ?? cause.message}`, { cause })
    this.name = 'ConnectionError'
    this.code = code
  }
}

const typedErrors = {
  400: { contract: 'BadRequestError', ErrorClass: BadRequestError },
  409: { contract: 'ConflictError', ErrorClass: ConflictError },
  429: { contract: 'RateLimitedError', ErrorClass: RateLimitedError }
} as const

/**
 * Reads Retry-After (whole seconds or an HTTP date) as milliseconds from `now`; undefined when absent or unreadable.
 * @example parseRetryAfter('2', Date.now()) // 2000
 */
export function parseRetryAfter (value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (!/[a-z]/i.test(trimmed) || Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

interface Answer { statusCode: number, headers: Record<string, string>, text: string }

async function send (url: string, options: InviteUserOptions): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: `${PROBLEM_JSON}, application/json`, ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  let response: Dispatcher.ResponseData
  try {
    response = await request(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: options.email }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher })
    })
  } catch (error) {
    if (options.signal?.aborted === true) throw error
    throw new ConnectionError(url, error as Error)
  }
  return { statusCode: response.statusCode, headers: normalizeHeaders(response.headers), text: await response.body.text() }
}

/** Maps an answer to the result or the error the SDK would give. */
function mapAnswer (answer: Answer, attempts: number): InviteUserResult {
  const { statusCode, headers, text } = answer
  const contentType = headers['content-type']
  if (statusCode === 201) return { statusCode, headers, attempts }
  const typed = typedErrors[statusCode as keyof typeof typedErrors]
  if (typed !== undefined) {
    if (mediaTypeOf(contentType) !== PROBLEM_JSON) throw new SDKError('unknown content-type received', statusCode, headers, contentType, text)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new ContractViolationError(typed.contract, statusCode, headers, contentType,
        [{ path: '', expected: 'a JSON document', got: text === '' ? '(empty)' : JSON.stringify(text.slice(0, 60)) }], text)
    }
    const violations = bodyViolations(contracts[typed.contract], body)
    if (violations.length > 0) throw new ContractViolationError(typed.contract, statusCode, headers, contentType, violations, text)
    throw new typed.ErrorClass(statusCode, headers, contentType!, body as never)
  }
  if (statusCode >= 400 && statusCode < 600) throw new SDKError('API error occurred', statusCode, headers, contentType, text)
  throw new SDKError('unknown status code returned', statusCode, headers, contentType, text)
}

function retryOptions (retries: InviteUserOptions['retries']): Required<RetryOptions> {
  const given: RetryOptions = typeof retries === 'number' ? { retries } : retries ?? { retries: 0 }
  return {
    retries: given.retries ?? 2,
    initialIntervalMs: given.initialIntervalMs ?? 500,
    exponent: given.exponent ?? 1.5,
    maxIntervalMs: given.maxIntervalMs ?? 60_000,
    retryConnectionErrors: given.retryConnectionErrors ?? false,
    sleep: given.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
    now: given.now ?? Date.now
  }
}

/**
 * Invites a user. Resolves on 201; rejects with `BadRequestError`, `ConflictError` or
 * `RateLimitedError` for the documented problem+json answers (bodies checked against their
 * contracts, `ContractViolationError` when one breaks it), `SDKError` for anything else, and
 * `ConnectionError` when no answer came. With `retries`, 429/500/502/503/504 answers are retried,
 * waiting as Retry-After says (capped) or with exponential backoff.
 * @example
 * import { inviteUser, ConflictError } from 'konnect-invites-mock/dist/contracts/index.js'
 * try {
 *   await inviteUser({ baseUrl: 'http://127.0.0.1:8080', token: 'kpat_x', email: 'ada@example.com', retries: 2 })
 * } catch (error) {
 *   if (error instanceof ConflictError) console.log(error.body.detail) // 'User is already active'
 *   else throw error
 * }
 */
export async function inviteUser (options: InviteUserOptions): Promise<InviteUserResult> {
  const url = new URL('/v3/invites', options.baseUrl).href
  const retry = retryOptions(options.retries)
  let attempts = 0
  for (;;) {
    attempts++
    let answer: Answer
    try {
      answer = await send(url, options)
    } catch (error) {
      if (!(error instanceof ConnectionError) || !retry.retryConnectionErrors || attempts > retry.retries) throw error
      await retry.sleep(backoff(retry, attempts), options.signal)
      continue
    }
    if (!RETRY_STATUSES.includes(answer.statusCode) || attempts > retry.retries) return mapAnswer(answer, attempts)
    const advised = parseRetryAfter(answer.headers['retry-after'], retry.now())
    await retry.sleep(Math.min(advised ?? backoff(retry, attempts), retry.maxIntervalMs), options.signal)
  }
}

function backoff (retry: Required<RetryOptions>, attempt: number): number {
  return Math.min(retry.initialIntervalMs * retry.exponent ** (attempt - 1), retry.maxIntervalMs)
}
