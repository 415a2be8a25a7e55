/**
 * The admin API under `/__mock`: switch scenarios (globally or per session), read the journal,
 * the invites and the coverage, seed users, reset. JSON in and out, errors as problem+json.
 */
import { timingSafeEqual } from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { InvalidParameter } from '../contracts/schemas.js'
import { checkSchema, isEmail } from '../contracts/validate.js'
import { DEFAULT_ID } from '../scenarios/catalogue.js'
import { badRequest, problem } from '../scenarios/outcome.js'
import { MAX_SESSION_LENGTH } from '../scenarios/select.js'
import { sessionNameProblem, type MockState, type Sticky } from '../scenarios/state.js'
import type { JournalQuery } from '../scenarios/journal.js'
import type { MockContext } from './context.js'
import { sendProblem } from './errors.js'

export const ADMIN_PREFIX = '/__mock'
export const ADMIN_TOKEN_HEADER = 'x-mock-admin-token'

export const SetScenarioRequest = Type.Object({
  id: Type.String({ minLength: 1 }),
  times: Type.Optional(Type.Integer({ minimum: 1 })),
  session: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_SESSION_LENGTH })),
  delayMs: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })
export type SetScenarioRequest = Static<typeof SetScenarioRequest>

export interface AdminOptions {
  adminToken?: string | undefined
}

/** How a sticky scenario is shown: `{ id, remaining?, delayMs? }`. */
export function stickyView (sticky: Sticky | null | undefined): { id: string, remaining?: number, delayMs?: number } | null {
  if (sticky === null || sticky === undefined) return null
  return {
    id: sticky.scenario?.id ?? DEFAULT_ID,
    ...(sticky.remaining === undefined ? {} : { remaining: sticky.remaining }),
    ...(sticky.delayMs === undefined ? {} : { delayMs: sticky.delayMs })
  }
}

/** The global scenario and the first sessions' (an own property each, `__proto__` too), with their total. */
function activeView (state: MockState) {
  const { sessions, total } = state.listSessions()
  return { global: stickyView(state.global), sessions: Object.fromEntries(sessions.map(([name, sticky]) => [name, stickyView(sticky)])), totalSessions: total }
}

/** Journal pages hold at most this many entries. */
export const MAX_PAGE = 100

/** `?limit=` (1 to MAX_PAGE, default MAX_PAGE), `?after=` (a seq) and `?session=` of the journal, or what is wrong with them. */
function journalQuery (request: FastifyRequest): JournalQuery | InvalidParameter {
  const limit = queryString(request, 'limit')
  const after = queryString(request, 'after')
  if (limit !== undefined && !(/^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MAX_PAGE)) {
    return { field: 'limit', rule: 'invalid', reason: `must be a whole number from 1 to ${MAX_PAGE}`, source: 'query' }
  }
  if (after !== undefined && !/^\d{1,15}$/.test(after)) return { field: 'after', rule: 'invalid', reason: 'must be a whole number (a seq)', source: 'query' }
  return { limit: limit === undefined ? MAX_PAGE : Number(limit), after: after === undefined ? undefined : Number(after), session: queryString(request, 'session') }
}

/** A session name the header can carry, or the 400 answer that says why not. */
function badSession (reply: FastifyReply, session: string, source: 'body' | 'query'): FastifyReply | undefined {
  const reason = sessionNameProblem(session)
  return reason === undefined ? undefined : invalidBody(reply, [{ field: 'session', rule: 'invalid', reason, source }])
}

function invalidBody (reply: FastifyReply, parameters: InvalidParameter[]): FastifyReply {
  return sendProblem(reply, badRequest(parameters as [InvalidParameter]))
}

function tokenMatches (given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false
  const buffer = Buffer.from(given)
  return buffer.length === expected.length && timingSafeEqual(buffer, expected)
}

function queryString (request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

export async function adminRoutes (app: FastifyInstance, options: AdminOptions & { context: MockContext }): Promise<void> {
  const { context } = options
  const { state, catalogue } = context

  if (options.adminToken !== undefined) {
    const expected = Buffer.from(options.adminToken)
    app.addHook('onRequest', async (request, reply) => {
      if (!tokenMatches(request.headers[ADMIN_TOKEN_HEADER], expected)) {
        return sendProblem(reply, { ...problem(401, 'A valid X-Mock-Admin-Token header is required', 'Unauthenticated') })
      }
    })
  }

  app.route({ method: ['GET', 'HEAD'], url: '/health', handler: async () => ({ status: 'ok' }) })

  app.get('/scenarios', async () => ({
    active: activeView(state),
    scenarios: catalogue.list.map(({ id, title, status, kind, description }) => ({ id, title, status, kind, description }))
  }))

  app.put('/scenario', async (request, reply) => {
    const body = request.body
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return invalidBody(reply, [{ field: 'body', reason: 'request format is invalid' }])
    }
    const violations = checkSchema(SetScenarioRequest, body)
    if (violations.length > 0) {
      return invalidBody(reply, violations.map((violation) => ({
        field: violation.path.slice(1).replace(/\//g, '.'),
        reason: violation.message.charAt(0).toLowerCase() + violation.message.slice(1),
        source: 'body'
      })))
    }
    const { id, times, session, delayMs } = body as SetScenarioRequest
    const scenario = id === DEFAULT_ID ? null : catalogue.find(id) ?? null
    if (scenario === null && id !== DEFAULT_ID) {
      const choices = [DEFAULT_ID, ...catalogue.ids]
      return sendProblem(reply, badRequest([{ field: 'id', rule: 'enum', reason: 'must be one of the scenario ids', choices, source: 'body' }],
        `Unknown scenario [${id.length > 80 ? `${id.slice(0, 80)}…` : id}]. Valid: ${choices.join(', ')}`))
    }
    if (delayMs !== undefined && delayMs > context.maxDelayMs) {
      return invalidBody(reply, [{ field: 'delayMs', rule: 'max', maximum: context.maxDelayMs, reason: `must be at most ${context.maxDelayMs}`, source: 'body' }])
    }
    const sticky: Sticky = { scenario, ...(times === undefined ? {} : { remaining: times }), ...(delayMs === undefined ? {} : { delayMs }) }
    if (session === undefined) {
      state.global = sticky
      return { global: stickyView(sticky) }
    }
    const refused = badSession(reply, session, 'body')
    if (refused !== undefined) return refused
    if (!state.setSession(session, sticky)) {
      return sendProblem(reply, problem(409, `${state.sessions.size} sessions already have a scenario, the most kept: clear one (DELETE /__mock/scenario?session=<name>) or reset`))
    }
    return { session, scenario: stickyView(sticky) }
  })

  app.delete('/scenario', async (request, reply) => {
    const session = queryString(request, 'session')
    if (session === undefined) {
      state.global = null
      return { global: null }
    }
    const refused = badSession(reply, session, 'query')
    if (refused !== undefined) return refused
    state.sessions.delete(session)
    return { session, scenario: null }
  })

  app.post('/reset', async (_request, reply) => {
    state.reset()
    return reply.code(204).send()
  })

  app.get('/requests', async (request, reply) => {
    const query = journalQuery(request)
    return 'field' in query ? invalidBody(reply, [query]) : state.journal.page(query)
  })

  app.get('/coverage', async () => {
    const { scenarios, examples } = state.coverage
    return {
      since: state.since,
      default: scenarios.get(DEFAULT_ID) ?? 0,
      scenarios: catalogue.list.map(({ id, title, status, kind }) => ({ id, title, status, kind, served: scenarios.get(id) ?? 0 })),
      examples: catalogue.list.flatMap(({ id, status, example }) =>
        example === undefined ? [] : [{ name: example, status, scenario: id, served: examples.get(example) ?? 0 }])
    }
  })

  app.get('/invites', async () => state.listInvites())

  app.get('/users', async () => {
    const { users, total } = state.listActiveUsers()
    return { users: users.map((email) => ({ email, status: 'active' })), total }
  })

  app.put('/users/:email', async (request, reply) => {
    const { email } = request.params as { email: string }
    if (!isEmail(email)) {
      return invalidBody(reply, [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'path' }])
    }
    if (!state.addActiveUser(email)) {
      return sendProblem(reply, problem(409, `${state.activeUsers.size} users are active, the most kept: remove one (DELETE /__mock/users/{email}) or reset`))
    }
    return { email, status: 'active' }
  })

  app.delete('/users/:email', async (request, reply) => {
    const { email } = request.params as { email: string }
    state.removeActiveUser(email)
    return reply.code(204).send()
  })
}
