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
import type { Sticky } from '../scenarios/state.js'
import type { MockContext } from './context.js'
import { sendProblem } from './errors.js'
import { violationsRoutes } from './violations.js'

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

function activeView (context: MockContext) {
  const sessions: Record<string, ReturnType<typeof stickyView>> = {}
  for (const [session, sticky] of context.state.sessions) sessions[session] = stickyView(sticky)
  return { global: stickyView(context.state.global), sessions }
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
    active: activeView(context),
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
    if (session === undefined) state.global = sticky
    else state.sessions.set(session, sticky)
    return activeView(context)
  })

  app.delete('/scenario', async (request) => {
    const session = queryString(request, 'session')
    if (session === undefined) state.global = null
    else state.sessions.delete(session)
    return activeView(context)
  })

  app.post('/reset', async (_request, reply) => {
    state.reset()
    return reply.code(204).send()
  })

  app.get('/requests', async (request) => {
    const session = queryString(request, 'session')
    const requests = state.journal.list()
    return { requests: session === undefined ? requests : requests.filter((entry) => entry.session === session) }
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

  app.get('/invites', async () => ({ invites: state.listInvites() }))

  // Registered inside this plugin so the admin token check covers it.
  app.register(violationsRoutes, { context })

  app.get('/users', async () => ({ users: [...state.activeUsers.values()].map((email) => ({ email, status: 'active' })) }))

  app.put('/users/:email', async (request, reply) => {
    const { email } = request.params as { email: string }
    if (!isEmail(email)) {
      return invalidBody(reply, [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'path' }])
    }
    state.addActiveUser(email)
    return { email, status: 'active' }
  })

  app.delete('/users/:email', async (request, reply) => {
    const { email } = request.params as { email: string }
    state.removeActiveUser(email)
    return reply.code(204).send()
  })
}
