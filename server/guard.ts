/**
 * Who may drive the mock from a browser. The admin API and the dashboard answer only when `Host`
 * names this server (a DNS-rebound name cannot reach them) and, when a browser sends an `Origin`,
 * only to the server's own pages. The invites endpoint ignores `Host` (Kong's Go SDK always sends
 * `global.api.konghq.com`) but answers browsers only from the origins given with `--cors-origin`,
 * with CORS headers; any other browser request is a 403 that serves and counts nothing.
 */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http'
import { isIP, Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify'
import { badRequest, problem, problemOutcome } from '../scenarios/outcome.js'
import { DEFAULT_ID, INVITES_PATH } from '../contracts/headers.js'
import { truncate } from '../contracts/internal/text.js'
import { parseUrl } from '../contracts/internal/url.js'
import { isLoopback } from './address.js'
import { refusedPlainProxy, sendMockProblem, sendProblem } from './errors.js'
import { writeOutcome } from './reply.js'

export interface GuardOptions {
  /** `Host` names the admin API and the dashboard accept besides loopback ones (`--host`, `--allowed-hosts`). */
  allowedHosts?: readonly string[]
  /** Browser origins allowed to call the invites endpoint, with CORS (`--cors-origin`). */
  corsOrigins?: readonly string[]
}

/** Request headers a browser may send to the invites endpoint (the preflight's allow list). */
const CORS_ALLOW_HEADERS = 'authorization, content-type, x-mock-scenario, x-mock-session, x-mock-delay, prefer'
/** Answer headers a page may read. */
export const CORS_EXPOSE_HEADERS = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Mock-Scenario-Served'
/** Seconds a browser may cache a preflight answer. */
const CORS_MAX_AGE_S = 600

/**
 * A `Host` value's name, lower-cased, without port or trailing dot, IPv6 in brackets; `null` when
 * it is not a host (with an optional numeric port).
 * @example hostName('LocalHost.:8080') // 'localhost'
 * @example hostName('[::1]:8080') // '[::1]'
 */
export function hostName (host: string): string | null {
  let name = host.trim().toLowerCase()
  let port = ''
  if (name.startsWith('[')) {
    const end = name.indexOf(']')
    if (end < 0) return null
    port = name.slice(end + 1)
    name = name.slice(0, end + 1)
    if (isIP(name.slice(1, -1)) !== 6) return null
  } else {
    const colon = name.indexOf(':')
    if (colon >= 0) {
      port = name.slice(colon)
      name = name.slice(0, colon)
    }
    if (name.endsWith('.')) name = name.slice(0, -1)
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) return null
  }
  return port === '' || /^:\d{1,5}$/.test(port) ? name : null
}

/**
 * Parses an `--allowed-hosts` entry (a host name or address, no scheme, port or path) into the form
 * `hostName` gives; a message when it is none.
 * @example allowedHost('Mock.Test') // 'mock.test'
 * @example allowedHost('::1') // '[::1]'
 */
export function allowedHost (value: string): string | { error: string } {
  const entry = value.trim().toLowerCase()
  const host = isIP(entry) === 6 ? `[${entry}]` : entry
  const name = hostName(host)
  // A name that changed on the way (lost a port) was more than a name.
  return name === null || host.replace(/\.$/, '') !== name
    ? { error: `expected a host name or address without scheme, port or path, got "${value}"` }
    : name
}

/**
 * Parses a `--cors-origin` entry into a serialized origin (`scheme://host[:port]`, as browsers send
 * it in `Origin`); a message when it is not one.
 * @example corsOrigin('http://LOCALHOST:5173/') // 'http://localhost:5173'
 */
export function corsOrigin (value: string): string | { error: string } {
  const problem = { error: `expected an origin like http://localhost:5173, got "${value}"` }
  const url = parseUrl(value)
  if (url === undefined) return problem
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === ''
  return bare && (url.protocol === 'http:' || url.protocol === 'https:') ? url.origin : problem
}

/**
 * Whether a request came through `app.inject()` (the in-process dispatcher, tests) rather than a
 * socket: only code already inside the process can send those, and no browser can.
 */
function inProcess (request: FastifyRequest): boolean {
  return !(request.raw.socket instanceof Socket)
}

const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': CORS_ALLOW_HEADERS,
  'access-control-max-age': String(CORS_MAX_AGE_S)
}

const clip = (text: string): string => truncate(text, 200)

/** The two `onRequest` hooks of the guard: each plugin adds the one for its routes in its own scope. */
export interface Guard {
  /** For the admin API and the dashboard: `Host` must name this server, a page's `Origin` must be its own. */
  admin: onRequestHookHandler
  /** For the invites endpoint: pages only from the `--cors-origin` origins, with CORS headers. */
  invites: onRequestHookHandler
  /** The CORS origins, to tell whether the preflight route is served. */
  origins: ReadonlySet<string>
}

/**
 * Builds the guard's hooks. The app must be built with `http: { requireHostHeader: false }` so an
 * HTTP/1.1 request without `Host` reaches them and gets a 400 problem+json. Requests made with
 * `app.inject()` are not checked: they come from inside the process, never from a page.
 * Throws a TypeError naming the option when an entry is not a host name or an origin.
 * @example
 * const guard = createGuard({ allowedHosts: ['mock.test'], corsOrigins: ['http://localhost:5173'] })
 * app.register(async (admin) => { admin.addHook('onRequest', guard.admin) })
 */
export function createGuard (options: Required<GuardOptions>): Guard {
  const parsed = (entries: readonly string[], parse: (value: string) => string | { error: string }, what: string): Set<string> =>
    new Set(entries.map((entry) => {
      const result = parse(entry)
      if (typeof result !== 'string') throw new TypeError(`${what}: ${result.error}`)
      return result
    }))
  const names = parsed(options.allowedHosts, allowedHost, 'allowedHosts')
  const origins = parsed(options.corsOrigins, corsOrigin, 'corsOrigins')

  const hostAllowed = (host: string): boolean => {
    const name = hostName(host)
    return name !== null && (isLoopback(name) || names.has(name))
  }
  // The page's own origin: what a browser sends for the dashboard's writes to the admin API.
  const ownOrigin = (origin: string, host: string): boolean => {
    const lower = origin.toLowerCase()
    return lower === `http://${host.toLowerCase()}` || lower === `https://${host.toLowerCase()}`
  }
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400 (Node's own answer would be a bare one).
  const noHost = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (request.raw.httpVersion !== '1.1') return false
    sendProblem(request, reply, badRequest([{ field: 'host', reason: 'is required', rule: 'required', source: 'header' }], 'An HTTP/1.1 request must carry a Host header'))
    return true
  }
  const forbid = (request: FastifyRequest, reply: FastifyReply, detail: string): void => { sendProblem(request, reply, problem(403, detail)) }

  // Admin API and dashboard: Host must name this server, and a browser's Origin must be its own.
  // A refusal there is about the mock's own controls, so it carries the mock's mark.
  const refuseAdmin = (request: FastifyRequest, reply: FastifyReply, detail: string): void => { sendMockProblem(request, reply, 'admin-guard', problem(403, detail)) }
  const adminHook: onRequestHookHandler = (request, reply, done) => {
    if (refusedPlainProxy(request, reply)) return
    if (inProcess(request)) {
      done()
      return
    }
    const { host, origin } = request.headers
    if (host === undefined) {
      if (noHost(request, reply)) return
      refuseAdmin(request, reply, 'Send a Host header naming this server to use the admin API and the dashboard')
      return
    }
    if (!hostAllowed(host)) {
      refuseAdmin(request, reply, `Host ${clip(host)} is not a name of this server; start the mock with --allowed-hosts to add it`)
      return
    }
    if (origin !== undefined && !ownOrigin(origin, host)) {
      refuseAdmin(request, reply, `Pages from ${clip(origin)} may not use the admin API`)
      return
    }
    done()
  }

  // The invites hot path: a request without Origin (curl, SDKs) costs one lookup, plus one for Host.
  const invitesHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (refusedPlainProxy(request, reply)) return
    const headers = request.headers
    const origin = headers.origin
    if (origin === undefined) {
      if (headers.host === undefined && noHost(request, reply)) return
      done()
      return
    }
    if (browserRefused(request, reply, headers, origin)) return
    done()
  }

  // Every browser sends Origin on a POST (no-cors included), so Origin alone tells a page's call.
  const browserRefused = (request: FastifyRequest, reply: FastifyReply, headers: IncomingHttpHeaders, origin: string): boolean => {
    if (inProcess(request)) return false
    if (origins.has(origin)) {
      const raw = reply.raw
      // Set on the raw answer, so every way out (an outcome's writeHead, an error reply) carries them.
      raw.setHeader('access-control-allow-origin', origin)
      raw.setHeader('vary', 'Origin')
      raw.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS)
      return false
    }
    const host = headers.host
    if (host === undefined) return noHost(request, reply) || (forbid(request, reply, `Pages from ${clip(origin)} may not call ${INVITES_PATH}`), true)
    if (hostAllowed(host) && ownOrigin(origin, host)) return false
    forbid(request, reply, `Pages from ${clip(origin)} may not call ${INVITES_PATH}; start the mock with --cors-origin ${clip(origin)} to allow them`)
    return true
  }

  return { admin: adminHook, invites: invitesHook, origins }
}

/**
 * Serves the CORS preflight `OPTIONS /v3/invites` when `--cors-origin` lists any origin. Register it
 * in the scope whose `onRequest` hook is the guard's `invites` one.
 * @example invitesScope.register(corsPreflight, { origins: guard.origins })
 */
export async function corsPreflight (app: FastifyInstance, { origins }: { origins: ReadonlySet<string> }): Promise<void> {
  if (origins.size === 0) return
  app.options(INVITES_PATH, (request, reply) => {
    const { origin } = request.headers
    if (origin === undefined) return reply.code(204).header('allow', 'POST, OPTIONS').send()
    if (request.headers['access-control-request-private-network'] === 'true') reply.header('access-control-allow-private-network', 'true')
    return reply.code(204).headers(PREFLIGHT_HEADERS).send()
  })
}

/**
 * Answers on the raw server an `Expect` other than `100-continue` (417) as problem+json; `CONNECT`
 * is the proxy's or `refuseConnect`'s (server/errors.ts).
 * @example answerUnrouted(app.server)
 */
export function answerUnrouted (server: Server): void {
  server.on('checkExpectation', expectationFailed)
}

/**
 * Node's answer to an `Expect` it cannot meet (anything but `100-continue`) is a bare 417; this is
 * the same answer as problem+json. The body, if any, is never read, so the connection is closed.
 */
function expectationFailed (request: IncomingMessage, response: ServerResponse): void {
  writeOutcome(response, problemOutcome(problem(417, `Expect: ${clip(String(request.headers.expect))} is not supported; send no Expect or 100-continue`), DEFAULT_ID, { connection: 'close' }))
}
