/**
 * A typed client for `POST /v3/invites` on undici that maps every answer the way Kong's generated
 * SDK does (201 success; 400/409/429 problem+json as typed errors; everything else an SDKError),
 * checks every error body against its contract, and retries 429 and 5XX answers on request as the SDK does.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { request, type Dispatcher } from 'undici'
import { bodyViolations, formatViolation, mediaTypeOf, normalizeHeaders, type ResponseContract, type ResponseViolation } from './assert.js'
import { INVITES_PATH } from './headers.js'
import type { Exchange } from './internal/exchange.js'
import {
  contractForStatus, contracts, PROBLEM_JSON,
  type BadRequestError as BadRequestBody, type ConflictError as ConflictBody, type RateLimitedError as RateLimitedBody
} from './schemas.js'

/** Statuses retried when retries are on, as the SDK does. */
export const RETRY_STATUSES: readonly number[] = [429, 500, 502, 503, 504]

/** The SDK's `retry.BackoffStrategy`, in milliseconds. */
export interface BackoffStrategy {
  /** Base of the computed wait: `initialIntervalMs × (attempt + 1) ^ exponent`, attempt counting from 0. */
  initialIntervalMs: number
  /** No computed wait is longer (a header's wait is used as given). */
  maxIntervalMs: number
  exponent: number
  /** No retry once this long has passed since the first attempt (checked after a failed attempt). */
  maxElapsedTimeMs: number
}

/** The SDK's `retry.Config`, plus what tests inject to pin every wait. */
export interface RetryConfig {
  /** `backoff` retries; `none` (or a `backoff` strategy without `backoff`) sends once, as in the SDK. */
  strategy: 'backoff' | 'none'
  backoff?: BackoffStrategy
  /** Also retry failed connections; on a POST only timeouts and temporary failures, never a reset or an EOF. */
  retryConnectionErrors?: boolean
  /** How to wait; default `timers/promises` setTimeout honouring the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>
  /** The clock for the time budget and HTTP-date headers (default Date.now). */
  now?: () => number
  /** The jitter's randomness, in [0, 1): drawn twice per computed wait, size then sign (default Math.random). */
  random?: () => number
}

/** Backoff values for `retries: 'backoff'`, the short form: 0.5 s growing ×(n+1)^1.5, at most 60 s, for up to 1 hour. */
export const DEFAULT_BACKOFF: Readonly<BackoffStrategy> = { initialIntervalMs: 500, maxIntervalMs: 60_000, exponent: 1.5, maxElapsedTimeMs: 3_600_000 }

export interface InviteUserOptions {
  /** Where the API lives, e.g. `https://global.api.konghq.com` or `http://127.0.0.1:8080`. */
  baseUrl: string | URL
  /** Bearer token; omit to send no Authorization header. */
  token?: string | undefined
  email: string
  /** Extra request headers (e.g. `X-Mock-Scenario`). */
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Retry 429, 500, 502, 503 and 504 answers as the SDK does; off by default. `'backoff'` is `{ strategy: 'backoff', backoff: DEFAULT_BACKOFF }`. */
  retries?: RetryConfig | 'backoff'
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

/**
 * An answer whose body did not arrive whole: the connection closed before its Content-Length was
 * reached, or the body stalled past the client's body timeout. Never retried, as the SDK reads a body
 * only after its retries are done. `code` is the system or undici code.
 */
export class IncompleteAnswerError extends AnswerError {
  readonly code: string | undefined
  constructor (readonly url: string, statusCode: number, headers: Record<string, string>, readonly receivedBytes: number, cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code
    const promised = headers['content-length'] === undefined ? '' : ` of ${headers['content-length']}`
    super(`${statusCode} answer from ${url} cut short: ${receivedBytes}${promised} body bytes received (${code ?? cause.message})`, statusCode, headers, headers['content-type'])
    this.code = code
    this.cause = cause
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

/** The statuses the SDK has a typed error for; their contracts are `contractForStatus`'s. */
const typedErrors: Readonly<Record<number, typeof BadRequestError | typeof ConflictError | typeof RateLimitedError>> = {
  400: BadRequestError,
  409: ConflictError,
  429: RateLimitedError
}

const RFC1123 = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) [A-Z]{3,5}$/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const INTEGER = /^[+-]?\d+$/

/**
 * Reads Retry-After as the SDK does: integer seconds, or an RFC 1123 date (its zone read as UTC),
 * in milliseconds from `now`; a negative number or a past date gives 0, anything else undefined.
 * @example parseRetryAfter('2', Date.now()) // 2000
 */
export function parseRetryAfter (value: string | undefined, now: number): number | undefined {
  const trimmed = value?.trim() ?? ''
  if (INTEGER.test(trimmed)) return Math.max(0, Number(trimmed) * 1000)
  const date = RFC1123.exec(trimmed)
  if (date === null) return undefined
  const [, day, month, year, hours, minutes, seconds] = date
  return Math.max(0, Date.UTC(Number(year), MONTHS.indexOf(month!), Number(day), Number(hours), Number(minutes), Number(seconds)) - now)
}

/**
 * The wait an answer asks for before a retry, as the SDK reads it: `retry-after-ms` (integer ms, ≥ 0),
 * else `Retry-After` (seconds or a date); 0 when none is usable, which means "use the backoff".
 * @example retryWaitFromHeaders({ 'retry-after-ms': '250', 'retry-after': '3' }, Date.now()) // 250
 */
export function retryWaitFromHeaders (headers: Record<string, string>, now: number): number {
  const ms = headers['retry-after-ms']?.trim()
  if (ms !== undefined && INTEGER.test(ms) && Number(ms) >= 0) return Number(ms)
  return parseRetryAfter(headers['retry-after'], now) ?? 0
}

/**
 * The SDK's computed wait before retry `attempt` (from 0): `initialIntervalMs × (attempt + 1) ^ exponent`,
 * plus or minus up to 25 % (`random()` gives the size, then the sign), at most `maxIntervalMs`; only a
 * result ≤ 0 falls back to `initialIntervalMs`, so jitter may take an early wait below it.
 * @example backoffInterval({ initialIntervalMs: 500, maxIntervalMs: 60_000, exponent: 1.5, maxElapsedTimeMs: 30_000 }, 1, () => 0) // 1414.2…
 */
export function backoffInterval (backoff: BackoffStrategy, attempt: number, random: () => number = Math.random): number {
  const base = backoff.initialIntervalMs * (attempt + 1) ** backoff.exponent
  const size = random() * 0.25 * base
  const interval = base + (random() < 0.5 ? -size : size)
  return Math.min(interval <= 0 ? backoff.initialIntervalMs : interval, backoff.maxIntervalMs)
}

async function send (url: string, options: InviteUserOptions): Promise<Exchange> {
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
  const answerHeaders = normalizeHeaders(response.headers)
  const chunks: Buffer[] = []
  let received = 0
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      received += chunk.length
    }
  } catch (error) {
    if (options.signal?.aborted === true) throw error
    throw new IncompleteAnswerError(url, response.statusCode, answerHeaders, received, error as Error)
  }
  return { statusCode: response.statusCode, headers: answerHeaders, text: Buffer.concat(chunks).toString('utf8') }
}

/** Maps an answer to the result or the error the SDK would give. */
function mapAnswer (answer: Exchange, attempts: number): InviteUserResult {
  const { statusCode, headers, text } = answer
  const contentType = headers['content-type']
  if (statusCode === 201) return { statusCode, headers, attempts }
  const ErrorClass = typedErrors[statusCode]
  if (ErrorClass !== undefined) {
    const contract = contractForStatus[statusCode] as ResponseContract
    if (mediaTypeOf(contentType) !== PROBLEM_JSON) throw new SDKError('unknown content-type received', statusCode, headers, contentType, text)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new ContractViolationError(contract, statusCode, headers, contentType,
        [{ path: '', expected: 'a JSON document', got: text === '' ? '(empty)' : JSON.stringify(text.slice(0, 60)) }], text)
    }
    const violations = bodyViolations(contracts[contract], body)
    if (violations.length > 0) throw new ContractViolationError(contract, statusCode, headers, contentType, violations, text)
    throw new ErrorClass(statusCode, headers, contentType!, body as never)
  }
  if (statusCode >= 400 && statusCode < 600) throw new SDKError('API error occurred', statusCode, headers, contentType, text)
  throw new SDKError('unknown status code returned', statusCode, headers, contentType, text)
}

/** Connection failures a POST may be retried after: timeouts and temporary ones (a reset, an EOF or a refusal is neither). */
const TRANSIENT_CONNECTION_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'EAI_AGAIN', 'EAGAIN', 'EINTR', 'EMFILE', 'ENFILE'])

interface Retrying { backoff: BackoffStrategy, retryConnectionErrors: boolean, sleep: NonNullable<RetryConfig['sleep']>, now: () => number, random: () => number }

function retrying (retries: InviteUserOptions['retries']): Retrying | undefined {
  const config: RetryConfig | undefined = retries === 'backoff' ? { strategy: 'backoff', backoff: DEFAULT_BACKOFF } : retries
  if (config?.strategy !== 'backoff' || config.backoff === undefined) return undefined
  return {
    backoff: config.backoff,
    retryConnectionErrors: config.retryConnectionErrors ?? false,
    sleep: config.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
    now: config.now ?? Date.now,
    random: config.random ?? Math.random
  }
}

/**
 * Invites a user. Resolves on 201; rejects with `BadRequestError`, `ConflictError` or
 * `RateLimitedError` for the documented problem+json answers (bodies checked against their
 * contracts, `ContractViolationError` when one breaks it), `SDKError` for anything else,
 * `ConnectionError` when no answer came and `IncompleteAnswerError` when one came without its whole body. With `retries`, 429/500/502/503/504 answers are retried
 * exactly as the SDK's `retry.Config` does: waits from `retry-after-ms`/`Retry-After`, else jittered
 * exponential backoff, until `maxElapsedTimeMs` has passed.
 * @example
 * import { inviteUser, ConflictError } from 'konnect-invites-mock/contracts'
 * try {
 *   await inviteUser({ baseUrl: 'http://127.0.0.1:8080', token: 'kpat_x', email: 'ada@example.com', retries: 'backoff' })
 * } catch (error) {
 *   if (error instanceof ConflictError) console.log(error.body.detail) // 'User is already active'
 *   else throw error
 * }
 */
export async function inviteUser (options: InviteUserOptions): Promise<InviteUserResult> {
  const url = new URL(INVITES_PATH, options.baseUrl).href
  const retry = retrying(options.retries)
  if (retry === undefined) return mapAnswer(await send(url, options), 1)
  const start = retry.now()
  let attempts = 0
  // Like the SDK's loop, a failed connection leaves the previous wait in place (only an answer sets a new one).
  let next = 0
  for (;;) {
    attempts++
    let answer: Exchange | undefined
    let failure: ConnectionError | undefined
    try {
      answer = await send(url, options)
    } catch (error) {
      if (!(error instanceof ConnectionError) || !retry.retryConnectionErrors || !TRANSIENT_CONNECTION_CODES.has(error.code ?? '')) throw error
      failure = error
    }
    if (answer !== undefined && !RETRY_STATUSES.includes(answer.statusCode)) return mapAnswer(answer, attempts)
    if (retry.now() - start >= retry.backoff.maxElapsedTimeMs) {
      if (answer !== undefined) return mapAnswer(answer, attempts)
      throw failure
    }
    if (answer !== undefined) next = retryWaitFromHeaders(answer.headers, retry.now())
    if (next <= 0) next = backoffInterval(retry.backoff, attempts - 1, retry.random)
    await retry.sleep(next, options.signal)
  }
}
