/**
 * A fake Konnect: a small Fastify server on 127.0.0.1, port 0, that is not this mock. By default it
 * follows the documented contract (the live behaviour of `POST /v3/invites`, optionally a
 * `/__mock` look-alike with a few scenarios), and a `drift` hook can break any answer in one
 * precise way, for the contract runner's tests. Given an `answer`, it instead answers every invite
 * with exactly those bytes (or never, or by dropping the connection), for the tests of `--upstream`
 * and recording; a `hold` keeps an invite waiting until the test lets it go. Either way it keeps
 * every invite it received.
 */
import type { Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { parseJson } from '../../contracts/internal/json.js'
import { inviteExamples } from '../../contracts/examples.js'
import { listen } from './app.js'

/** An answer as the contract describes it, before `drift` sees it. */
export interface Answer {
  status: number
  headers: Record<string, string>
  /** A JSON body (serialized as is), a raw string, or undefined for none. */
  body?: unknown
  /** Close the socket instead of answering. */
  reset?: boolean
}

/** An answer written byte for byte. */
export interface RawAnswer {
  status: number
  /** Header name, value pairs, written as given. */
  headers: string[]
  body: string
}

interface Received {
  method: string
  url: string
  rawHeaders: string[]
  body: string
}

export interface FakeOptions {
  /** Serve a `/__mock` look-alike with the scenarios below. */
  mock?: boolean
  /** Rewrites a contract answer; `check` is the runner's name for what was asked (`missing-email`, `rate-limited`, `invite`, …). */
  drift?: (answer: Answer, check: string) => Answer
}

export interface FakeKonnect {
  url: string
  app: FastifyInstance
  /** Every invite received, in order. */
  received: Received[]
  /**
   * What the next invites get: these bytes, `'hang'` (never answers) or `'reset'` (drops the
   * connection); the contract's behaviour when undefined.
   */
  answer: RawAnswer | 'hang' | 'reset' | undefined
  /** When set, each invite is received, then answered only once this settles. */
  hold: Promise<unknown> | undefined
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
 * Starts the fake; it is closed when `t` ends.
 * @example const konnect = await startFakeKonnect(t, { drift: (a) => ({ ...a, status: 200 }) })
 * @example const upstream = await startFakeKonnect(t); upstream.answer = { status: 201, headers: [], body: '' }
 */
export async function startFakeKonnect (t: Test, options: FakeOptions = {}): Promise<FakeKonnect> {
  const app = Fastify({ forceCloseConnections: true })
  const fake: FakeKonnect = { url: '', app, received: [], answer: undefined, hold: undefined }
  const sessions = new Map<string, string>()
  // Bodies stay text: what was received is kept as sent, and the contract's side parses it itself.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => { done(null, text) })
  const drift = options.drift ?? ((answer) => answer)

  if (options.mock === true) {
    app.get('/__mock/health', async () => ({ status: 'ok' }))
    app.get('/__mock/scenarios', async () => ({
      active: { global: null, sessions: {}, totalSessions: 0 },
      scenarios: Object.entries(fakeScenarios).map(([id, s]) => ({ id, title: s.title, status: s.answer().status, kind: s.kind, description: s.title, ...(s.kind === 'documented' ? { example: s.title } : {}) }))
    }))
    app.put('/__mock/scenario', async (request) => {
      const { id, session } = parseJson(request.body as string) as { id: string, session: string }
      sessions.set(session, id)
      return { ok: true }
    })
  }

  app.post('/v3/invites', async (request, reply) => {
    const text = (request.body as string | undefined) ?? ''
    fake.received.push({ method: request.method, url: request.url, rawHeaders: request.raw.rawHeaders, body: text })
    if (fake.hold !== undefined) await fake.hold
    const raw = fake.answer
    if (raw !== undefined) {
      reply.hijack()
      if (raw === 'hang') return reply
      if (raw === 'reset') {
        request.raw.socket.destroy()
        return reply
      }
      reply.raw.writeHead(raw.status, [...raw.headers, 'content-length', String(Buffer.byteLength(raw.body))])
      reply.raw.end(raw.body)
      return reply
    }
    const session = request.headers['x-mock-session']
    const id = typeof session === 'string' ? sessions.get(session) : undefined
    if (id !== undefined) sessions.delete(session as string)
    const [check, answer] = id === undefined
      ? live(request.headers.authorization, parseJson(text))
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
  fake.url = (await listen(t, app)).url
  return fake
}
