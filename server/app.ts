/**
 * The app factory: `buildApp(options)` builds the whole mock as one Fastify instance with its own
 * state, so tests, sessions and in-process users never share anything by accident.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { pino, type DestinationStream, type LoggerOptions } from 'pino'
import type { ServerOptions } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { MALFORMED, type BehaviourConfig } from '../scenarios/behaviour.js'
import { Catalogue, type ScenarioDefinition } from '../scenarios/catalogue.js'
import { DEFAULT_ID } from '../contracts/headers.js'
import type { RateLimit } from '../scenarios/rate-limit.js'
import { MockState } from '../scenarios/state.js'
import type { ScenarioBody } from '../scenarios/sticky.js'
import { startupScenarios } from '../scenarios/reload.js'
import { ScenariosFile } from './scenarios-file.js'
import { ADMIN_PREFIX, adminRoutes } from './admin.js'
import { dashboardRoutes } from './dashboard.js'
import { closingResponses } from './closing.js'
import { DEFAULTS, definedOnly } from './defaults.js'
import type { MockContext } from './context.js'
import { badRequest } from '../scenarios/outcome.js'
import { clientErrorHandler, installErrorHandling, refuseConnect, sendProblem } from './errors.js'
import { invitesRoute, readInviteBody } from './invites.js'
import { answerUnrouted, createGuard } from './guard.js'
import { FORMATS } from '../contracts/formats.js'
import { lazyCompilers } from './lazy-compilers.js'
import { SESSION_HEADER } from '../contracts/headers.js'
import { Upstream, type UpstreamOptions } from './upstream.js'
import { secretNames } from '../scenarios/redact.js'
import type { MockProxy } from './proxy.js'
import { TUNNEL_HOST } from './proxy-hosts.js'

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
  /**
   * Scenarios served from start-up and again after each reset, as a scenarios file's `global` and
   * `sessions` set them (`loadScenarioSetup`): one `id` or a `sequence` each. `scenario` wins over `global`.
   */
  startup?: { global?: ScenarioBody | undefined, sessions?: Readonly<Record<string, ScenarioBody>> | undefined } | undefined
  /** The file `scenarios` and `startup` were read from (`--scenarios-file`): `GET /__mock/scenarios` names it. */
  scenariosFile?: string | undefined
  /** Read `scenariosFile` again whenever it changes, keeping the last good one (`--watch`). */
  watch?: boolean
  /** Serve the admin API and the dashboard (default true). */
  admin?: boolean
  /** Require this `X-Mock-Admin-Token` on admin calls. */
  adminToken?: string | undefined
  /** Largest request body, in bytes (default 64 KiB). */
  bodyLimit?: number
  /** Largest `X-Mock-Delay` or `delayMs`, in milliseconds (default 30 s). */
  maxDelayMs?: number
  /** Requests kept in the journal (default 1000, at most 10 000; at most 16 MiB of their text in all). */
  journalLimit?: number
  /** Header, query and body field names the journal hides besides the built-in secret names. */
  redact?: readonly string[]
  /** Milliseconds a client gets to send a whole request, headers and body (default 30 s; 0 turns it off). */
  requestTimeout?: number
  /** Milliseconds a client gets to send the request headers (default 10 s, never more than `requestTimeout`; 0 turns it off). */
  headersTimeout?: number
  /** Milliseconds an idle keep-alive connection is kept open (default 5 s). */
  keepAliveTimeout?: number
  /** Logging of the mock's own errors: `true` for pino's defaults, pino options (with a `stream`), or off (the default). */
  logger?: boolean | MockLoggerOptions
  /** The clock, in ms since the epoch (tests pass a fake one). */
  now?: () => number
  /** Waits the given milliseconds before a delayed answer (`X-Mock-Delay`, `delayMs`); tests pass a fake one. */
  sleep?: (ms: number) => Promise<unknown>
  /** `Host` names the admin API and the dashboard accept besides loopback ones (the `--host` and `--allowed-hosts` flags). */
  allowedHosts?: readonly string[]
  /** Browser origins allowed to call the invites endpoint, with CORS (the `--cors-origin` flag). */
  corsOrigins?: readonly string[]
  /** Pass invites no scenario was chosen for to the real service, checking its answers. */
  upstream?: UpstreamOptions | undefined
  /** Answer CONNECT for Konnect's API hosts (`--proxy`): made by `createProxy` from `konnect-invites-mock/server`'s proxy module. */
  proxy?: MockProxy | undefined
}

/** pino's options, plus the stream the lines go to (stdout when not given). */
export type MockLoggerOptions = LoggerOptions & { stream?: DestinationStream }

/** The mock's logger, which every request logs through too: silent unless logging is asked for. */
function mockLogger (option: boolean | MockLoggerOptions | undefined): FastifyBaseLogger {
  if (option === undefined || option === false) return pino({ level: 'silent' })
  const { stream, ...options } = option === true ? {} : option
  return stream === undefined ? pino(options) : pino(options, stream)
}

/**
 * Fastify's and Node's timeout options, so a slow or stuck client (a request sent halfway, headers
 * that never end) is answered 408 and cut off instead of holding a connection. Node checks pending
 * requests on an interval; it is kept well under the shortest timeout so they fire on time.
 */
function timeouts (settings: Settings): { requestTimeout: number, keepAliveTimeout: number, http: ServerOptions } {
  const { requestTimeout, headersTimeout: wanted } = settings
  const headersTimeout = requestTimeout > 0 && (wanted === 0 || wanted > requestTimeout) ? requestTimeout : wanted
  const shortest = Math.min(...[requestTimeout, headersTimeout].filter((ms) => ms > 0), 2000)
  return {
    requestTimeout,
    keepAliveTimeout: settings.keepAliveTimeout,
    // A request without Host reaches the app, which answers it with problem+json (see guard.ts).
    http: { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.max(10, Math.floor(shortest / 4)), requireHostHeader: false }
  }
}

/** The options with every default filled in. */
type Settings = ReturnType<typeof settingsOf>

function settingsOf (options: MockOptions) {
  return { ...DEFAULTS, scenarios: [], logger: false, now: Date.now, sleep, ...definedOnly(options) }
}

/**
 * A body's text for the journal. Invites keep theirs as received; a body some other route parsed
 * (a route added to the app) is serialized again, and one that was not JSON is kept as empty text.
 */
function bodyText (body: unknown): string | undefined {
  if (typeof body === 'string' || body === undefined) return body
  return body === MALFORMED ? '' : JSON.stringify(body)
}

/**
 * Builds the mock. Throws a ScenarioError when a scenario (built-in or custom) breaks its contract
 * or `scenario` names none, a TypeError when `allowedHosts` or `corsOrigins` holds something else.
 * @example
 * const app = buildApp({ rateLimit: { limit: 5, windowMs: 60_000 } })
 * const res = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
 * res.statusCode // 201
 */
export function buildApp (options: MockOptions = {}): FastifyInstance {
  const settings = settingsOf(options)
  const { bodyLimit, now } = settings
  const catalogue = new Catalogue(settings.scenarios)
  const { global: initialGlobal, sessions: initialSessions } = startupScenarios(catalogue, { scenario: settings.scenario, ...settings.startup }, settings.maxDelayMs)
  const state = new MockState({
    activeUsers: settings.activeUsers,
    journalLimit: settings.journalLimit,
    redact: settings.redact,
    initialGlobal,
    initialSessions,
    now
  })
  const behaviour: BehaviourConfig = {
    tokens: settings.tokens === null ? null : new Set(settings.tokens),
    rateLimit: settings.rateLimit
  }
  const { http, ...limits } = timeouts(settings)
  const closing = closingResponses()

  const log = mockLogger(settings.logger)
  const app = Fastify({
    // Each request's and reply's logger is the mock's own (no child per request: the mock's error
    // lines carry the request id). Fastify is given no logger of its own, which would cost every
    // request a pair of response listeners kept for the request logging the mock turns off
    // (docs/performance.md); its start-up and shutdown lines are the CLI's to print.
    logger: false,
    childLoggerFactory: () => log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // No automatic HEAD routes: they slow the routing of every request (docs/performance.md).
    exposeHeadRoutes: false,
    // Addresses of up to 254 characters, more once percent-encoded (`PUT /__mock/users/{email}`); Fastify's default is 100.
    routerOptions: { maxParamLength: 1024 },
    ...limits,
    http: { ...http, ServerResponse: closing.ServerResponse },
    return503OnClosing: false,
    clientErrorHandler,
    ajv: {
      customOptions: {
        // A refused value is reported, never silently dropped or changed.
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        // Konnect lists every bad field in invalid_parameters; admin bodies are capped by bodyLimit and
        // their schemas hold no unbounded pattern, so reporting them all costs little on hostile input.
        allErrors: true
      },
      // The mock's formats (email, session-name) replace ajv-formats' looser ones: one rule everywhere.
      onCreate: (ajv) => { for (const [name, { check }] of Object.entries(FORMATS)) ajv.addFormat(name, check) }
    },
    schemaController: { compilersFactory: lazyCompilers },
    frameworkErrors: (error, request, reply) => { sendProblem(request as FastifyRequest, reply as FastifyReply, badRequest([{ field: 'url', reason: 'is not a valid URL', source: 'path' }], error.message)) }
  }).withTypeProvider<TypeBoxTypeProvider>()

  const context: MockContext = {
    state,
    catalogue,
    behaviour,
    maxDelayMs: settings.maxDelayMs,
    now,
    sleep: settings.sleep,
    log,
    caPem: options.proxy?.ca.certPem,
    record: (request, served, status, heldMs, at, violations, sequence) => {
      const session = request.headers[SESSION_HEADER]
      const host = (request.raw.socket as { [TUNNEL_HOST]?: string } | undefined)?.[TUNNEL_HOST]
      state.journal.push({ at, method: request.method, url: request.url, session: typeof session === 'string' ? session : null, scenario: served, status, heldMs, rawHeaders: request.raw.rawHeaders, body: bodyText(request.body), violations, host, step: sequence?.step, steps: sequence?.steps })
    }
  }
  if (options.upstream !== undefined) {
    const upstream = context.upstream = new Upstream(options.upstream, (error) => { context.log.error({ err: error }, 'recording failed') }, secretNames(settings.redact))
    app.addHook('onClose', async () => { await upstream.close() })
  }
  if (settings.scenariosFile !== undefined) {
    const file = context.scenariosFile = new ScenariosFile({ path: settings.scenariosFile, watch: settings.watch === true, scenario: settings.scenario }, context)
    app.addHook('onReady', async () => { file.start() })
    app.addHook('onClose', async () => { file.close() })
  } else if (settings.watch === true) {
    throw new TypeError('watch needs scenariosFile: the file to read again')
  }
  app.decorate('mock', context)

  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => { done(null, readInviteBody(text as string)) })

  // Error answers are sent as soon as the error is known: never held back, so 0 ms.
  installErrorHandling(app, bodyLimit, (request, status) => {
    if (!request.url.startsWith(ADMIN_PREFIX)) context.record(request, DEFAULT_ID, status, 0, now())
  })

  // close() only reaps connections idle at that moment: every answer from now on, those held by a
  // delay included, says Connection: close, so its client opens no new request on the socket and
  // Node ends it once the answer is out.
  app.addHook('preClose', (done) => {
    closing.start()
    done()
  })

  answerUnrouted(app.server)
  const guard = createGuard({ allowedHosts: settings.allowedHosts, corsOrigins: settings.corsOrigins })
  const proxy = options.proxy
  if (proxy === undefined) {
    app.server.on('connect', refuseConnect)
  } else {
    proxy.attach(app.server, context.log)
    app.addHook('preClose', (done) => {
      proxy.close()
      done()
    })
  }
  app.register(invitesRoute, { guard })
  if (settings.admin) {
    // One scope for what a page could drive: the guard's admin hook holds for both and nowhere else.
    app.register(async (surface) => {
      surface.addHook('onRequest', guard.admin)
      surface.register(adminRoutes, { prefix: ADMIN_PREFIX, adminToken: settings.adminToken })
      surface.register(dashboardRoutes)
    })
  }
  return app
}
