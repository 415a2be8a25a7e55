/**
 * A small Fastify server that is not this mock but follows the documented contract: the live
 * behaviour of `POST /v3/invites`, and optionally a `/__mock` look-alike with a few scenarios. A
 * `drift` hook rewrites any answer before it leaves, so tests can make it break the contract in one
 * precise way.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { inviteExamples } from '../../contracts/examples.js'

export interface Answer {
  status: number
  headers: Record<string, string>
  /** A JSON body (serialized as is), a raw string, or undefined for none. */
  body?: unknown
  /** Close the socket instead of answering. */
  reset?: boolean
}

export interface FakeOptions {
  /** Serve a `/__mock` look-alike with the scenarios below. */
  mock?: boolean
  /** Rewrites an answer; `check` is the runner's name for what was asked (`missing-email`, `rate-limited`, `invite`, …). */
  drift?: (answer: Answer, check: string) => Answer
}

const PROBLEM = { 'content-type': 'application/problem+json' }
const example = (name: string): Record<string, unknown> => structuredClone(inviteExamples.find((e) => e.name === name)!.value) as Record<string, unknown>
const badRequest = (field: string, reason: string, rule?: string): Answer => ({
  status: 400,
  headers: PROBLEM,
  body: { status: 400, title: 'Bad Request', detail: '', instance: 'konnect:trace:1', invalid_parameters: [{ field, reason, ...(rule === undefined ? {} : { rule }) }] }
})

/** The fake's catalogue: what its `/__mock/scenarios` lists and what each answers. */
const fakeScenarios: Record<string, { title: string, kind: string, answer: () => Answer }> = {
  'user-is-already-active': { title: 'User is Already Active', kind: 'documented', answer: () => ({ status: 409, headers: PROBLEM, body: example('User is Already Active') }) },
  'rate-limited': {
    title: 'Rate Limited',
    kind: 'documented',
    answer: () => ({
      status: 429,
      headers: { ...PROBLEM, 'retry-after': '1', 'ratelimit-limit': '60', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' },
      body: example('Rate Limited')
    })
  },
  'service-unavailable': {
    title: 'Service Unavailable',
    kind: 'behaviour',
    answer: () => ({ status: 503, headers: { ...PROBLEM, 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, body: { status: 503, title: 'Service Unavailable', instance: 'konnect:trace:2', detail: 'Down' } })
  },
  created: { title: 'Created', kind: 'behaviour', answer: () => ({ status: 201, headers: {} }) },
  'connection-reset': { title: 'Connection reset', kind: 'behaviour', answer: () => ({ status: 0, headers: {}, reset: true }) }
}

function live (authorization: string | undefined, body: unknown): [string, Answer] {
  if (authorization === undefined || !/^Bearer \S+$/.test(authorization)) {
    return ['no-token', { status: 401, headers: PROBLEM, body: { status: 401, title: 'Unauthenticated', instance: 'konnect:trace:3', detail: 'A valid token is required' } }]
  }
  if (body === undefined) return ['malformed-json', badRequest('body', 'request format is invalid')]
  if (Array.isArray(body)) return ['array-body', badRequest('body', 'request format is invalid')]
  const email = (body as { email?: unknown }).email
  if (email === undefined) return ['missing-email', badRequest('email', 'is a required field', 'required')]
  if (email === '') return ['blank-email', badRequest('email', 'cannot be blank')]
  if (typeof email !== 'string' || !email.includes('@')) return ['invalid-email', badRequest('email', 'must be a valid email address', 'invalid')]
  if (email === 'active@example.com') return ['invite', { status: 409, headers: PROBLEM, body: example('User is Already Active') }]
  return ['invite', { status: 201, headers: {} }]
}

/**
 * Starts the fake on 127.0.0.1, port 0; resolves to its base URL and the app (close it in teardown).
 * @example const { url, app } = await startFake({ drift: (a) => ({ ...a, status: 200 }) })
 */
export async function startFake (options: FakeOptions = {}): Promise<{ url: string, app: FastifyInstance }> {
  const app = Fastify()
  const sessions = new Map<string, string>()
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, JSON.parse(text as string))
    } catch {
      done(null, undefined)
    }
  })
  const drift = options.drift ?? ((answer) => answer)

  if (options.mock === true) {
    app.get('/__mock/health', async () => ({ status: 'ok' }))
    app.get('/__mock/scenarios', async () => ({
      active: { global: null, sessions: {}, totalSessions: 0 },
      scenarios: Object.entries(fakeScenarios).map(([id, s]) => ({ id, title: s.title, status: s.answer().status, kind: s.kind, description: s.title, ...(s.kind === 'documented' ? { example: s.title } : {}) }))
    }))
    app.put('/__mock/scenario', async (request) => {
      const { id, session } = request.body as { id: string, session: string }
      sessions.set(session, id)
      return { ok: true }
    })
  }

  app.post('/v3/invites', async (request, reply) => {
    const session = request.headers['x-mock-session']
    const id = typeof session === 'string' ? sessions.get(session) : undefined
    if (id !== undefined) sessions.delete(session as string)
    const [check, answer] = id === undefined
      ? live(request.headers.authorization, request.body)
      : [id, { ...fakeScenarios[id]!.answer(), headers: { ...fakeScenarios[id]!.answer().headers, 'x-mock-scenario-served': id } }]
    const final = drift(answer, check)
    if (final.reset === true) {
      reply.hijack()
      request.raw.socket.resetAndDestroy()
      return reply
    }
    reply.code(final.status).headers(final.headers)
    if (final.body === undefined) return reply.send()
    return reply.send(typeof final.body === 'string' ? final.body : JSON.stringify(final.body))
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as { port: number }
  return { url: `http://127.0.0.1:${address.port}`, app }
}
