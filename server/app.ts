/**
 * The app factory: `buildApp(options)` builds the whole mock as one Fastify instance with its own
 * state, so tests, sessions and in-process users never share anything by accident.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import type { ServerOptions } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { MALFORMED, type BehaviourConfig } from '../scenarios/behaviour.js'
import { DEFAULT_ID, ScenarioError, type ScenarioDefinition } from '../scenarios/catalogue.js'
import type { RateLimit } from '../scenarios/rate-limit.js'
import { Catalogue, DEFAULT_MAX_DELAY_MS } from '../scenarios/select.js'
import { DEFAULT_JOURNAL_LIMIT, MockState, type JournalRecord } from '../scenarios/state.js'
import { ADMIN_PREFIX, adminRoutes } from './admin.js'
import { dashboardRoutes } from './dashboard.js'
import { DEFAULT_BODY_LIMIT, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './config.js'
import type { MockContext } from './context.js'
import { badRequest } from '../scenarios/outcome.js'
import { clientErrorHandler, installErrorHandling, sendProblem } from './errors.js'
import { invitesRoute } from './invites.js'

export interface MockOptions {
  /** Scenario served to every request until changed (the `--scenario` flag). */
  scenario?: string | undefined
  /** Invites allowed per token and window; `null` (the default) for no limit. */
  rateLimit?: RateLimit | null
  /** Users who are already active. */
  activeUsers?: readonly string[]
  /** The only bearer tokens accepted; `null` (the default) accepts any. */
  tokens?: readonly string[] | null
  /** Custom scenarios, checked against their contracts. */
  scenarios?: readonly ScenarioDefinition[]
  /** Serve the admin API and the dashboard (default true). */
  admin?: boolean
  /** Require this `X-Mock-Admin-Token` on admin calls. */
  adminToken?: string | undefined
  /** Largest request body, in bytes (default 64 KiB). */
  bodyLimit?: number
  /** Largest `X-Mock-Delay` or `delayMs`, in milliseconds (default 30 s). */
  maxDelayMs?: number
  /** Requests kept in the journal (default 1000). */
  journalLimit?: number
  /** Milliseconds a client gets to send a whole request, headers and body (default 30 s; 0 turns it off). */
  requestTimeout?: number
  /** Milliseconds a client gets to send the request headers (default 10 s, never more than `requestTimeout`; 0 turns it off). */
  headersTimeout?: number
  /** Milliseconds an idle keep-alive connection is kept open (default 5 s). */
  keepAliveTimeout?: number
  /** Fastify's logger option (default off). */
  logger?: FastifyServerOptions['logger']
  /** The clock, in ms since the epoch (tests pass a fake one). */
  now?: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The mock's state, catalogue and settings. */
    mock: MockContext
  }
}

export { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS }

/**
 * Fastify's and Node's timeout options, so a slow or stuck client (a request sent halfway, headers
 * that never end) is answered 408 and cut off instead of holding a connection. Node checks pending
 * requests on an interval; it is kept well under the shortest timeout so they fire on time.
 */
function timeouts (options: MockOptions): { requestTimeout: number, keepAliveTimeout: number, http: ServerOptions } {
  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS
  const wanted = options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT_MS
  const headersTimeout = requestTimeout > 0 && (wanted === 0 || wanted > requestTimeout) ? requestTimeout : wanted
  const shortest = Math.min(...[requestTimeout, headersTimeout].filter((ms) => ms > 0), 2000)
  return {
    requestTimeout,
    keepAliveTimeout: options.keepAliveTimeout ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    http: { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.max(10, Math.floor(shortest / 4)) }
  }
}

/** Bodies of at most this many bytes are kept whole in the journal. */
const JOURNAL_BODY_BYTES = 4096

function journalBody (body: unknown, length: string | undefined): unknown {
  if (body === MALFORMED) return '[not JSON]'
  if (length !== undefined && Number(length) > JOURNAL_BODY_BYTES) return `[${length} bytes]`
  return body
}

/**
 * Builds the mock. Throws a ScenarioError when a scenario (built-in or custom) breaks its contract
 * or `scenario` names none.
 * @example
 * const app = buildApp({ rateLimit: { limit: 5, windowMs: 60_000 } })
 * const res = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
 * res.statusCode // 201
 */
export function buildApp (options: MockOptions = {}): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
  const catalogue = new Catalogue(options.scenarios)
  let initialGlobal = null
  if (options.scenario !== undefined && options.scenario !== DEFAULT_ID) {
    const scenario = catalogue.find(options.scenario)
    if (scenario === undefined) {
      throw new ScenarioError(options.scenario, [], `unknown scenario "${options.scenario}"; valid: ${catalogue.ids.join(', ')}`)
    }
    initialGlobal = { scenario }
  }
  const state = new MockState({
    activeUsers: options.activeUsers ?? [],
    journalLimit: options.journalLimit ?? DEFAULT_JOURNAL_LIMIT,
    initialGlobal
  })
  const behaviour: BehaviourConfig = {
    tokens: options.tokens === null || options.tokens === undefined ? null : new Set(options.tokens),
    rateLimit: options.rateLimit ?? null
  }
  const now = options.now ?? Date.now

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    // No automatic HEAD routes: their presence alone costs every request about a tenth of its time in routing.
    exposeHeadRoutes: false,
    ...timeouts(options),
    logController: new LogController({ disableRequestLogging: true }),
    // Requests are not logged one by one (the journal has them), so no per-request child logger is
    // made: it cost about a microsecond a request. Error lines carry the request id themselves.
    // Without a logger Fastify skips the child already; a factory of ours would undo that.
    ...(options.logger === undefined || options.logger === false ? {} : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors: (error, _request, reply) => { sendProblem(reply as FastifyReply, badRequest([{ field: 'url', reason: 'is not a valid URL', source: 'path' }], error.message)) }
  }).withTypeProvider<TypeBoxTypeProvider>()

  const context: MockContext = {
    state,
    catalogue,
    behaviour,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    now,
    journal: (request, served, status, durationMs) => {
      const record: JournalRecord = { at: now(), method: request.method, url: request.url, scenario: served, status, durationMs, headers: request.headers }
      if (request.body !== undefined) record.body = journalBody(request.body, request.headers['content-length'])
      state.journal.push(record)
    }
  }
  app.decorate('mock', context)

  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, MALFORMED)
    parseJson(request, body as string, (error: Error | null, value: unknown) => done(null, error === null ? value : MALFORMED))
  })

  installErrorHandling(app, bodyLimit, (request, reply, status) => {
    if (!request.url.startsWith(ADMIN_PREFIX)) context.journal(request, DEFAULT_ID, status, reply.elapsedTime)
  })

  // close() only reaps connections idle at that moment; one that finishes its last request later
  // would idle for the whole keep-alive timeout and hold the shutdown, so let it go at once.
  app.addHook('preClose', (done) => {
    app.server.keepAliveTimeout = 1
    done()
  })

  app.register(invitesRoute, context)
  if (options.admin !== false) {
    app.register(adminRoutes, { prefix: ADMIN_PREFIX, context, adminToken: options.adminToken })
    app.register(dashboardRoutes)
  }
  return app
}
