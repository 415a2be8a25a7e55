/**
 * How the contract runner and the verification reach a server: one undici call that reads the
 * answer whole and tells an unreachable server (a RunnerError) from one that closed without an
 * answer (a NoAnswerError), and the admin API's GET, which names the admin token when refused.
 * Internal: the errors are public through the runner.
 */
import { request, type Dispatcher } from 'undici'
import { normalizeHeaders } from '../assert.js'
import { ADMIN_TOKEN_HEADER, SERVED_HEADER } from '../headers.js'
import type { Exchange } from './exchange.js'
import { parseUrl } from './url.js'

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

/** The run could not happen at all: bad options, an unreachable server, a refused admin API. */
export class RunnerError extends Error {
  constructor (message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** A request got no answer (the connection was reset or closed); a violation for a check, fatal for an admin call. */
export class NoAnswerError extends RunnerError {
  constructor (message: string, readonly code: string) {
    super(message)
  }
}

/** Calls one server. */
export interface Client {
  baseUrl: string
  /** Sends a request; a body that breaks off is no answer, unless `cutOk`, when the exchange says `cut`. */
  call: (method: Dispatcher.HttpMethod, path: string, headers: Record<string, string>, body?: string, cutOk?: boolean) => Promise<Exchange>
}

/** A client of `baseUrl`; a bad URL is a RunnerError, and so is an unreachable server when called. */
export function client (baseUrl: string, dispatcher: Dispatcher | undefined): Client {
  const base = parseUrl(baseUrl)
  if (base === undefined) throw new RunnerError(`not a URL: ${baseUrl}`)
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new RunnerError(`not an http(s) URL: ${baseUrl}`)
  return {
    baseUrl: base.href.replace(/\/$/, ''),
    async call (method, path, headers, body, cutOk = false) {
      const url = new URL(path, base).href
      try {
        const response = await request(url, { method, headers, ...(body === undefined ? {} : { body }), ...(dispatcher === undefined ? {} : { dispatcher }) })
        const answer = { statusCode: response.statusCode, headers: normalizeHeaders(response.headers) }
        if (!cutOk) return { ...answer, text: await response.body.text() }
        return await response.body.text().then((text) => ({ ...answer, text }), (error: Error) => ({ ...answer, text: '', cut: error.message }))
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code
        if (code !== undefined && UNREACHABLE.has(code)) throw new RunnerError(`cannot reach ${base.origin}: ${code}`)
        throw new NoAnswerError(`no answer from ${method} ${url}: ${code ?? (error as Error).message}`, code ?? (error as Error).message)
      }
    }
  }
}

/** The `X-Mock-Admin-Token` header, when there is a token. */
export function adminHeaders (options: { adminToken?: string | undefined }): Record<string, string> {
  return options.adminToken === undefined ? {} : { [ADMIN_TOKEN_HEADER]: options.adminToken }
}

/** A GET on the admin API; a refusal by this mock (it marks every answer with X-Mock-Scenario-Served) needs the admin token. */
export async function adminGet (http: Client, path: string, options: { adminToken?: string | undefined }): Promise<Exchange> {
  const answer = await http.call('GET', path, adminHeaders(options))
  if ((answer.statusCode === 401 || answer.statusCode === 403) && answer.headers[SERVED_HEADER] !== undefined) {
    throw new RunnerError(`the admin API at ${http.baseUrl}${path} answered ${answer.statusCode}: pass the mock's admin token (--admin-token)${path === '/__mock/health' ? ' or run with --live-safe' : ''}`)
  }
  return answer
}
