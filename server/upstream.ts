/**
 * The pass-through (`--upstream <url>`): an invite no scenario was chosen for goes to the real
 * service, and its answer comes back unchanged, marked `X-Mock-Scenario-Served: upstream`, after
 * being checked against the contract of its status. Violations go to the journal, the violations
 * report and the log; `strict` turns a violating answer into a 502. Error answers can be recorded.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createRequire } from 'node:module'
import type { Agent } from 'undici'
import { formatViolation } from '../contracts/assert.js'
import { checkUpstreamAnswer, documentedExampleOf } from '../contracts/upstream-check.js'
import { problem, problemOutcome, type Outcome } from '../scenarios/outcome.js'
import { Recorder } from '../scenarios/recorder.js'
import { isSecretName } from '../scenarios/redact.js'
import type { MockContext } from './context.js'
import { SERVED_HEADER, UPSTREAM_ID } from '../contracts/headers.js'
import { sendOutcome } from './reply.js'
import { parseJson } from '../contracts/internal/json.js'
import { parseUrl } from '../contracts/internal/url.js'
import { isLoopback } from './address.js'

/** Milliseconds the upstream gets to answer in full, by default. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000

/**
 * Headers that describe one connection, never passed on (RFC 9110, section 7.6.1), framing the mock
 * redoes, and Accept-Encoding: a compressed answer could not be checked against its contract.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'accept-encoding'])

export interface UpstreamOptions {
  /** The service's base URL; invites go to `<url>/v3/invites`. `https:` unless the host is a loopback address. */
  url: string
  /** Milliseconds the upstream gets to answer, body included (default 10 s). */
  timeoutMs?: number | undefined
  /** Answer 502 with the violations instead of a violating answer. */
  strict?: boolean | undefined
  /** Append each distinct error answer to this scenarios file (JSON or YAML by extension). */
  record?: string | undefined
}

// undici takes longer to load than the rest of the mock together, and only `--upstream` needs it.
const load = createRequire(import.meta.url)

/**
 * Checks an upstream URL: an http(s) URL, `https:` unless its host is a loopback address. Returns
 * the URL without a trailing slash, or a one-line reason.
 * @example checkUpstreamUrl('http://example.com') // { error: 'expected an https URL (http only for a loopback address), got "http://example.com"' }
 */
export function checkUpstreamUrl (value: string): { url: string } | { error: string } {
  const url = parseUrl(value)
  if (url === undefined) return { error: `expected an https URL, got "${value}"` }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    return { error: `expected an https URL (http only for a loopback address), got "${value}"` }
  }
  if (url.username !== '' || url.password !== '') return { error: 'the URL must not carry credentials: clients send their own Authorization' }
  if (url.search !== '' || url.hash !== '') return { error: `expected a base URL without a query or fragment, got "${value}"` }
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` }
}

/**
 * The request headers passed on: all but hop-by-hop ones, those `Connection` names, and the mock's
 * own `X-Mock-*` selectors. Undici sets `Host` and the body's length.
 * @example forwardHeaders(['Host', 'mock', 'Authorization', 'Bearer t', 'X-Mock-Session', 's']) // ['Authorization', 'Bearer t']
 */
export function forwardHeaders (rawHeaders: readonly string[]): string[] {
  const named = new Set<string>()
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') for (const name of rawHeaders[i + 1]!.split(',')) named.add(name.trim().toLowerCase())
  }
  const out: string[] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase()
    if (HOP_BY_HOP.has(name) || named.has(name) || name.startsWith('x-mock-')) continue
    out.push(rawHeaders[i]!, rawHeaders[i + 1]!)
  }
  return out
}

/**
 * The upstream's answer as an outcome: its status, bytes and headers unchanged but for framing (the
 * mock sets the length) and the served marker; a repeated header keeps every value.
 */
function passedThrough (status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): Outcome {
  const named = new Set([headers.connection].flat().join(',').split(',').map((name) => name.trim().toLowerCase()))
  const kept: Record<string, string | string[]> = {}
  let contentType: string | undefined
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || name === SERVED_HEADER) continue
    if (name === 'content-type') contentType = String(value)
    else kept[name] = value
  }
  return { status, served: UPSTREAM_ID, headers: kept, payload: body, bytes: body.length, ...(contentType === undefined ? {} : { contentType }) }
}

/**
 * What made a request to the upstream fail, in a word: the error's code (`ECONNREFUSED`,
 * `UND_ERR_SOCKET`…), its cause's, or its message.
 * @example causeOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })) // 'ECONNREFUSED'
 */
export function causeOf (error: unknown): string {
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause
  return String((error as NodeJS.ErrnoException).code ?? cause?.code ?? (error as Error).message)
}

/**
 * Forwards invites to the upstream service through its own connection pool.
 * @example
 * const upstream = new Upstream({ url: 'https://us.api.konghq.com', timeoutMs: 5000 }, (error) => { console.error(error) })
 * await upstream.forward(request, reply, context)
 */
export class Upstream {
  readonly url: string
  readonly timeoutMs: number
  readonly strict: boolean
  readonly recorder: Recorder | undefined
  private readonly target: string
  private readonly agent: Agent
  private readonly send: typeof import('undici').request

  /**
   * Throws a TypeError for a URL `checkUpstreamUrl` refuses, and a ScenarioFileError for a record
   * file that does not load. `isSecret` tells the names (headers, query parameters, body fields) whose values a recording scrubs.
   */
  constructor (options: UpstreamOptions, onRecordError: (error: Error) => void, isSecret: (name: string) => boolean = isSecretName) {
    const checked = checkUpstreamUrl(options.url)
    if ('error' in checked) throw new TypeError(`upstream: ${checked.error}`)
    this.url = checked.url
    this.target = `${checked.url}/v3/invites`
    this.timeoutMs = options.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS
    this.strict = options.strict === true
    this.recorder = options.record === undefined ? undefined : new Recorder(options.record, { onError: onRecordError, isSecret })
    const undici = load('undici') as typeof import('undici')
    this.agent = new undici.Agent({ keepAliveTimeout: 4000 })
    this.send = undici.request
  }

  /** Sends the request on and the answer back; never rejects. */
  async forward (request: FastifyRequest, reply: FastifyReply, context: MockContext): Promise<void> {
    const started = context.now()
    const query = request.url.indexOf('?')
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, this.timeoutMs)
    let status: number
    let headers: Record<string, string | string[] | undefined>
    let body: Buffer
    try {
      const response = await this.send(this.target + (query < 0 ? '' : request.url.slice(query)), {
        method: request.method as 'POST',
        headers: forwardHeaders(request.raw.rawHeaders),
        body: request.body as string | undefined,
        dispatcher: this.agent,
        signal: controller.signal
      })
      status = response.statusCode
      headers = response.headers
      body = Buffer.from(await response.body.arrayBuffer())
    } catch (error) {
      const outcome = timedOut
        ? problemOutcome(problem(504, `The upstream ${this.url} did not answer within ${this.timeoutMs} ms`, 'Gateway Timeout'), UPSTREAM_ID)
        : problemOutcome(problem(502, `The upstream ${this.url} could not be reached: ${causeOf(error)}`, 'Bad Gateway'), UPSTREAM_ID)
      context.log.warn({ reqId: request.id, upstream: this.url, cause: timedOut ? 'timeout' : causeOf(error) }, timedOut ? 'upstream timed out' : 'upstream unreachable')
      context.state.countServed(UPSTREAM_ID, undefined)
      context.record(request, UPSTREAM_ID, outcome.status, context.now() - started, context.now())
      sendOutcome(request, reply, outcome)
      return
    } finally {
      clearTimeout(timer)
    }
    this.answer(request, reply, context, { status, headers, body }, context.now() - started)
  }

  private answer (request: FastifyRequest, reply: FastifyReply, context: MockContext,
    { status, headers, body }: { status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }, durationMs: number): void {
    const text = body.toString('utf8')
    const violations = checkUpstreamAnswer({ statusCode: status, headers, body: text })
    const now = context.now()
    if (violations.length > 0) {
      context.state.violations.add({ at: now, method: request.method, url: request.url, status, violations })
      context.log.warn({ reqId: request.id, status, violations }, `upstream answer breaks the ${status} contract: ${violations.map(formatViolation).join('; ')}`)
    }
    this.recorder?.record({ status, headers, body: text }, { rawHeaders: request.raw.rawHeaders, url: request.url, body: request.body as string | undefined })
    context.state.countServed(UPSTREAM_ID, violations.length === 0 ? documentedExampleOf(status, parseJson(text)) : undefined)
    if (this.strict && violations.length > 0) {
      const detail = `The upstream answer ${status} breaks its contract: ${violations.map(formatViolation).join('; ')}`
      context.record(request, UPSTREAM_ID, 502, durationMs, now, violations)
      sendOutcome(request, reply, problemOutcome(problem(502, detail, 'Bad Gateway'), UPSTREAM_ID))
      return
    }
    context.record(request, UPSTREAM_ID, status, durationMs, now, violations)
    sendOutcome(request, reply, passedThrough(status, headers, body))
  }

  /** Closes the connections to the upstream and waits for pending recordings. */
  async close (): Promise<void> {
    await this.agent.close()
    await this.recorder?.flush()
  }
}
