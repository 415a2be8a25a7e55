/**
 * The admin API under `/__mock`: switch scenarios (globally or per session), read the journal,
 * the invites and the coverage, seed users, reset. JSON in and out, schemas from contracts/admin.ts
 * on every route, errors as problem+json of the mock's own (see `mockProblemOutcome`). No answer
 * grows with what is stored: lists are capped and the journal is paged.
 */
import { timingSafeEqual } from 'node:crypto'
import { parseBody } from './json-body.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ActiveScenarios, CoverageResponse, HealthResponse, InvitesResponse, NewUserParams, NoContent, RequestsCountQuery,
  RequestsCountResponse, RequestsQuery, RequestsResponse, ScenarioChange, ScenarioListResponse, SessionQuery, SetScenarioRequest, UserParams, UsersResponse,
  ActiveUser, ViolationsQuery, ViolationsResponse, type StickyView
} from '../contracts/admin.js'
import { ADMIN_TOKEN_HEADER, DEFAULT_ID } from '../contracts/headers.js'
import { RESERVED_IDS } from '../scenarios/catalogue.js'
import { jsonSyntaxError } from '../contracts/internal/json.js'
import { MAX_PAGE } from '../contracts/limits.js'
import { readRequestsFilter, type ParsedRequestsFilter } from '../contracts/requests-filter.js'
import type { InvalidParameter } from '../contracts/schemas.js'
import type { JournalQuery } from '../scenarios/journal.js'
import { badRequest, problem } from '../scenarios/outcome.js'
import type { MockState, Sticky } from '../scenarios/state.js'
import { checkScenarioBody, stickyOf } from '../scenarios/sticky.js'
import type { MockContext } from './context.js'
import { adminErrorHandler, notFound, sendMockProblem } from './errors.js'

export { ADMIN_PREFIX } from '../contracts/admin.js'

/** The media type of `GET /__mock/ca.pem`. */
const CA_PEM_TYPE = 'application/x-pem-file'

export interface AdminOptions {
  /** Require this `X-Mock-Admin-Token` on every admin call. */
  adminToken?: string | undefined
}

/** How a sticky scenario is shown: `{ id, remaining?, delayMs? }`, and a sequence's `step`, `steps` and `sequence`. */
function stickyView (sticky: Sticky | null | undefined): StickyView | null {
  if (sticky === null || sticky === undefined) return null
  const view: StickyView = {
    id: sticky.scenario?.id ?? DEFAULT_ID,
    ...(sticky.remaining === undefined ? {} : { remaining: sticky.remaining }),
    ...(sticky.delayMs === undefined ? {} : { delayMs: sticky.delayMs })
  }
  if (sticky.sequence !== undefined) {
    view.step = sticky.step!
    view.steps = sticky.sequence.length
    view.sequence = sticky.sequence.map(({ scenario, times, delayMs }) => ({
      id: scenario?.id ?? DEFAULT_ID,
      ...(times === undefined ? {} : { times }),
      ...(delayMs === undefined ? {} : { delayMs })
    }))
  }
  return view
}

/** The global scenario and the first sessions' (an own property each, `__proto__` too), with their total. */
function activeView (state: MockState): ActiveScenarios {
  const { sessions, total } = state.listSessions()
  return { global: stickyView(state.global), sessions: Object.fromEntries(sessions.map(([name, sticky]) => [name, stickyView(sticky)!])), totalSessions: total }
}

/** The journal's filters, or what is wrong with them: a scenario must be one the mock can serve. */
function journalFilter (query: RequestsCountQuery, context: MockContext): ParsedRequestsFilter | InvalidParameter {
  const read = readRequestsFilter(query)
  if ('problem' in read) return { field: read.problem.field, rule: 'invalid', reason: read.problem.reason, source: 'query' }
  const scenario = read.filter.scenario
  if (scenario !== undefined && !RESERVED_IDS.has(scenario) && context.catalogue.find(scenario) === undefined) {
    const choices = [...RESERVED_IDS.keys(), ...context.catalogue.ids]
    return { field: 'scenario', rule: 'enum', reason: 'must be one of the scenario ids', choices, source: 'query' }
  }
  return read.filter
}

/** `?limit=` (1 to MAX_PAGE, default MAX_PAGE) and the filters of the journal, or what is wrong with them. */
function journalQuery (query: RequestsQuery, context: MockContext): JournalQuery | InvalidParameter {
  const limit = query.limit
  if (limit !== undefined && !(/^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_PAGE)) {
    return { field: 'limit', rule: 'invalid', reason: `must be a whole number from 1 to ${MAX_PAGE}`, source: 'query' }
  }
  const filter = journalFilter(query, context)
  return 'field' in filter ? filter : { ...filter, limit: limit === undefined ? MAX_PAGE : Number(limit) }
}

function tokenMatches (given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false
  const buffer = Buffer.from(given)
  return buffer.length === expected.length && timingSafeEqual(buffer, expected)
}

/**
 * An admin body's value: nothing for an empty body (a route with a body schema says it is
 * missing), or a 400 error whose message says where the text stops being JSON.
 */
function adminBody (text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return parseBody(text)
  } catch {
    const where = jsonSyntaxError(text)
    return Object.assign(new Error(where === undefined
      ? 'The body is refused: it holds a __proto__ or constructor.prototype key'
      : `The body is not JSON: ${where}`), { statusCode: 400 })
  }
}

/** The one parametric admin route: a path under it is matched against its pattern for a 405's `Allow`. */
const routeOf = (path: string): string => path.replace(/^(\/__mock\/users\/)[^/]+$/, '$1:email')

/**
 * The admin API, registered with the prefix `/__mock` in a scope whose `onRequest` hook is the
 * guard's. Its own hooks (the admin token, an empty `?session=`) and its 404/405 answers hold only
 * under that prefix.
 * @example app.register(adminRoutes, { prefix: ADMIN_PREFIX, adminToken: 's3cret' })
 */
export const adminRoutes: FastifyPluginAsyncTypebox<AdminOptions> = async (app, options) => {
  const context = app.mock
  // The catalogue is read from the context on each call: a reload of the scenarios file replaces it.
  const { state } = context

  if (options.adminToken !== undefined) {
    const expected = Buffer.from(options.adminToken)
    app.addHook('onRequest', (request, reply, done) => {
      const given = request.headers[ADMIN_TOKEN_HEADER]
      if (tokenMatches(given, expected)) done()
      else {
        sendMockProblem(request, reply, 'admin-token', problem(401, given === undefined
          ? 'X-Mock-Admin-Token is missing: this mock was started with --admin-token, so every admin call must carry it'
          : 'X-Mock-Admin-Token does not match the --admin-token this mock was started with', 'Unauthenticated'))
      }
    })
  }

  // An empty `?session=` names no session, as an empty X-Mock-Session header does.
  app.addHook('preValidation', (request, _reply, done) => {
    const query = request.query as { session?: unknown }
    if (query.session === '') delete query.session
    done()
  })

  // Admin bodies get their own parser and error handler: a mistake is the caller's, said precisely.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const body = adminBody(text as string)
    if (body instanceof Error) done(body)
    else done(null, body)
  })
  app.setErrorHandler(adminErrorHandler(app.initialConfig.bodyLimit!))
  app.setNotFoundHandler((request, reply) => { notFound(app, request, reply, routeOf, 'admin-route') })

  app.route({ method: ['GET', 'HEAD'], url: '/health', schema: { response: { 200: HealthResponse } }, handler: async () => ({ status: 'ok' as const }) })

  app.get('/scenarios', { schema: { response: { 200: ScenarioListResponse } } }, async () => ({
    active: activeView(state),
    ...(context.scenariosFile === undefined ? {} : { scenariosFile: context.scenariosFile.view() }),
    scenarios: context.catalogue.list.map(({ id, title, status, kind, description, example, responseType, delayMs, fault, when, says, note }) => ({
      id,
      title,
      status,
      kind,
      description,
      ...(example === undefined ? {} : { example }),
      ...(responseType === undefined ? {} : { contentType: responseType }),
      ...(delayMs === undefined ? {} : { delayMs }),
      ...(fault === true ? { fault } : {}),
      ...(when === undefined ? {} : { when }),
      ...(says === undefined ? {} : { says }),
      ...(note === undefined ? {} : { note })
    }))
  }))

  app.put('/scenario', { schema: { body: SetScenarioRequest, response: { 200: ScenarioChange } } }, async (request, reply) => {
    const { session, ...body } = request.body
    const { catalogue } = context
    const wrong = checkScenarioBody(body, catalogue.ids, context.maxDelayMs)
    if (wrong !== undefined) return sendMockProblem(request, reply, 'admin-request', badRequest([wrong.parameter], `PUT /__mock/scenario: ${wrong.detail}`))
    const sticky = stickyOf(body, catalogue)
    if (session === undefined) {
      state.global = sticky
      return { global: stickyView(sticky) }
    }
    if (!state.setSession(session, sticky)) {
      return sendMockProblem(request, reply, 'admin-limit', problem(409, `${state.sessions.size} sessions already have a scenario, the most kept: clear one (DELETE /__mock/scenario?session=<name>) or reset`))
    }
    return { session, scenario: stickyView(sticky) }
  })

  app.delete('/scenario', { schema: { querystring: SessionQuery, response: { 200: ScenarioChange } } }, async (request) => {
    const { session } = request.query
    if (session === undefined) {
      state.global = null
      return { global: null }
    }
    state.sessions.delete(session)
    return { session, scenario: null }
  })

  app.post('/reset', { schema: { response: { 204: NoContent } } }, async (_request, reply) => {
    state.reset()
    return reply.code(204).send(null)
  })

  app.get('/requests', { schema: { querystring: RequestsQuery, response: { 200: RequestsResponse } } }, async (request, reply) => {
    const query = journalQuery(request.query, context)
    return 'field' in query
      ? sendMockProblem(request, reply, 'admin-request', badRequest([query], `GET /__mock/requests: the query string is refused: ${query.field} ${query.reason}`))
      : state.journal.page(query)
  })

  app.get('/requests/count', { schema: { querystring: RequestsCountQuery, response: { 200: RequestsCountResponse } } }, async (request, reply) => {
    const filter = journalFilter(request.query, context)
    return 'field' in filter
      ? sendMockProblem(request, reply, 'admin-request', badRequest([filter], `GET /__mock/requests/count: the query string is refused: ${filter.field} ${filter.reason}`))
      : { count: state.journal.count(filter) }
  })

  app.get('/coverage', { schema: { response: { 200: CoverageResponse } } }, async () => {
    const { scenarios, examples } = state.coverage
    const { catalogue } = context
    return {
      since: state.since,
      default: scenarios.get(DEFAULT_ID) ?? 0,
      scenarios: catalogue.list.map(({ id, title, status, kind }) => ({ id, title, status, kind, served: scenarios.get(id) ?? 0 })),
      examples: catalogue.list.flatMap(({ id, status, example }) =>
        example === undefined ? [] : [{ name: example, status, scenario: id, served: examples.get(example) ?? 0 }])
    }
  })

  app.get('/violations', { schema: { querystring: ViolationsQuery, response: { 200: ViolationsResponse } } }, async (request) => {
    const after = request.query.after
    return { upstream: context.upstream?.url ?? null, total: state.violations.total, violations: state.violations.list(after === undefined ? 0 : Number(after)) }
  })

  app.get('/ca.pem', async (request, reply) => {
    if (context.caPem === undefined) return sendMockProblem(request, reply, 'not-enabled', problem(404, 'There is no CA: the mock runs without --proxy (start it with --proxy to make one)'))
    return reply.type(CA_PEM_TYPE).send(context.caPem)
  })

  app.get('/invites', { schema: { response: { 200: InvitesResponse } } }, async () => state.listInvites())

  app.get('/users', { schema: { response: { 200: UsersResponse } } }, async () => {
    const { users, total } = state.listActiveUsers()
    return { users: users.map((email) => ({ email, status: 'active' as const })), total }
  })

  app.put('/users/:email', { schema: { params: NewUserParams, response: { 200: ActiveUser } } }, async (request, reply) => {
    const { email } = request.params
    if (!state.addActiveUser(email)) {
      return sendMockProblem(request, reply, 'admin-limit', problem(409, `${state.activeUsers.size} users are active, the most kept: remove one (DELETE /__mock/users/{email}) or reset`))
    }
    return { email, status: 'active' as const }
  })

  app.delete('/users/:email', { schema: { params: UserParams, response: { 204: NoContent } } }, async (request, reply) => {
    state.removeActiveUser(request.params.email)
    return reply.code(204).send(null)
  })
}
