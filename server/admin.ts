/**
 * The admin API under `/__mock`: switch scenarios (globally or per session), read the journal,
 * the invites and the coverage, seed users, reset. JSON in and out, schemas from contracts/admin.ts
 * on every route, errors as problem+json.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ActiveScenarios, CoverageResponse, HealthResponse, InvitesResponse, NewUserParams, NoContent, RequestsResponse,
  ScenarioListResponse, SessionQuery, SetScenarioRequest, UserParams, UsersResponse, ActiveUser, type StickyView
} from '../contracts/admin.js'
import { ADMIN_TOKEN_HEADER } from '../contracts/headers.js'
import { DEFAULT_ID } from '../scenarios/catalogue.js'
import { badRequest, problem } from '../scenarios/outcome.js'
import type { Sticky } from '../scenarios/state.js'
import type { MockContext } from './context.js'
import { sendProblem } from './errors.js'

export { ADMIN_PREFIX } from '../contracts/admin.js'

export interface AdminOptions {
  adminToken?: string | undefined
  context: MockContext
}

/**
 * How a sticky scenario is shown: `{ id, remaining?, delayMs? }`.
 * @example stickyView({ scenario: null, remaining: 2 }) // { id: 'default', remaining: 2 }
 */
export function stickyView (sticky: Sticky | null | undefined): StickyView | null {
  if (sticky === null || sticky === undefined) return null
  return {
    id: sticky.scenario?.id ?? DEFAULT_ID,
    ...(sticky.remaining === undefined ? {} : { remaining: sticky.remaining }),
    ...(sticky.delayMs === undefined ? {} : { delayMs: sticky.delayMs })
  }
}

function activeView (context: MockContext): ActiveScenarios {
  const sessions: Record<string, StickyView> = {}
  for (const [session, sticky] of context.state.sessions) sessions[session] = stickyView(sticky)!
  return { global: stickyView(context.state.global), sessions }
}

function tokenMatches (given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false
  const buffer = Buffer.from(given)
  return buffer.length === expected.length && timingSafeEqual(buffer, expected)
}

/** `?session=` names a session; empty is the same as none. */
const sessionOf = (query: SessionQuery): string | undefined => query.session === '' ? undefined : query.session

export const adminRoutes: FastifyPluginAsyncTypebox<AdminOptions> = async (app, options) => {
  const { context } = options
  const { state, catalogue } = context

  if (options.adminToken !== undefined) {
    const expected = Buffer.from(options.adminToken)
    app.addHook('onRequest', (request, reply, done) => {
      if (tokenMatches(request.headers[ADMIN_TOKEN_HEADER], expected)) done()
      else sendProblem(request, reply, problem(401, 'A valid X-Mock-Admin-Token header is required', 'Unauthenticated'))
    })
  }

  app.route({ method: ['GET', 'HEAD'], url: '/health', schema: { response: { 200: HealthResponse } }, handler: async () => ({ status: 'ok' as const }) })

  app.get('/scenarios', { schema: { response: { 200: ScenarioListResponse } } }, async () => ({
    active: activeView(context),
    scenarios: catalogue.list.map(({ id, title, status, kind, description, example, responseType, delayMs, fault }) => ({
      id,
      title,
      status,
      kind,
      description,
      ...(example === undefined ? {} : { example }),
      ...(responseType === undefined ? {} : { contentType: responseType }),
      ...(delayMs === undefined ? {} : { delayMs }),
      ...(fault === true ? { fault } : {})
    }))
  }))

  app.put('/scenario', { schema: { body: SetScenarioRequest, response: { 200: ActiveScenarios } } }, async (request, reply) => {
    const { id, times, session, delayMs } = request.body
    const scenario = id === DEFAULT_ID ? null : catalogue.find(id) ?? null
    if (scenario === null && id !== DEFAULT_ID) {
      const choices = [DEFAULT_ID, ...catalogue.ids]
      return sendProblem(request, reply, badRequest([{ field: 'id', rule: 'enum', reason: 'must be one of the scenario ids', choices, source: 'body' }],
        `Unknown scenario [${id.length > 80 ? `${id.slice(0, 80)}…` : id}]. Valid: ${choices.join(', ')}`))
    }
    if (delayMs !== undefined && delayMs > context.maxDelayMs) {
      return sendProblem(request, reply, badRequest([{ field: 'delayMs', rule: 'max', maximum: context.maxDelayMs, reason: `must be at most ${context.maxDelayMs}`, source: 'body' }]))
    }
    const sticky: Sticky = { scenario, ...(times === undefined ? {} : { remaining: times }), ...(delayMs === undefined ? {} : { delayMs }) }
    if (session === undefined) state.global = sticky
    else state.sessions.set(session, sticky)
    return activeView(context)
  })

  app.delete('/scenario', { schema: { querystring: SessionQuery, response: { 200: ActiveScenarios } } }, async (request) => {
    const session = sessionOf(request.query)
    if (session === undefined) state.global = null
    else state.sessions.delete(session)
    return activeView(context)
  })

  app.post('/reset', { schema: { response: { 204: NoContent } } }, async (_request, reply) => {
    state.reset()
    return reply.code(204).send(null)
  })

  app.get('/requests', { schema: { querystring: SessionQuery, response: { 200: RequestsResponse } } }, async (request) => {
    const session = sessionOf(request.query)
    const requests = state.journal.list()
    return { requests: session === undefined ? requests : requests.filter((entry) => entry.session === session) }
  })

  app.get('/coverage', { schema: { response: { 200: CoverageResponse } } }, async () => {
    const { scenarios, examples } = state.coverage
    return {
      since: state.since,
      default: scenarios.get(DEFAULT_ID) ?? 0,
      scenarios: catalogue.list.map(({ id, title, status, kind }) => ({ id, title, status, kind, served: scenarios.get(id) ?? 0 })),
      examples: catalogue.list.flatMap(({ id, status, example }) =>
        example === undefined ? [] : [{ name: example, status, scenario: id, served: examples.get(example) ?? 0 }])
    }
  })

  app.get('/invites', { schema: { response: { 200: InvitesResponse } } }, async () => ({ invites: state.listInvites() }))

  app.get('/users', { schema: { response: { 200: UsersResponse } } }, async () =>
    ({ users: [...state.activeUsers.values()].map((email) => ({ email, status: 'active' as const })) }))

  app.put('/users/:email', { schema: { params: NewUserParams, response: { 200: ActiveUser } } }, async (request) => {
    const { email } = request.params
    state.addActiveUser(email)
    return { email, status: 'active' as const }
  })

  app.delete('/users/:email', { schema: { params: UserParams, response: { 204: NoContent } } }, async (request, reply) => {
    state.removeActiveUser(request.params.email)
    return reply.code(204).send(null)
  })
}
