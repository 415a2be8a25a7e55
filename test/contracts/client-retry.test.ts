import t, { type Test } from 'tap'
import { MockAgent } from 'undici'
import { ConnectionError, inviteUser, parseRetryAfter, RateLimitedError, RETRY_STATUSES, SDKError } from '../../contracts/client.js'
import { buildApp } from '../../server/app.js'
import { listen } from '../helpers/fake-konnect.js'

const ORIGIN = 'http://konnect.test'
const problem = (status: number, extra: Record<string, string> = {}) => ({
  status,
  body: JSON.stringify({ status, title: 'Error', instance: 'konnect:trace:1', detail: 'x' }),
  headers: { 'content-type': 'application/problem+json', ...extra }
})

/** A MockAgent answering the listed answers in order. */
function sequence (t: Test, answers: Array<{ status: number, body?: string, headers?: Record<string, string> } | Error>): MockAgent {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  const pool = agent.get(ORIGIN)
  for (const answer of answers) {
    const interceptor = pool.intercept({ path: '/v3/invites', method: 'POST' })
    if (answer instanceof Error) interceptor.replyWithError(answer)
    else interceptor.reply(answer.status, answer.body ?? '', { headers: answer.headers ?? {} })
  }
  return agent
}

function recorder () {
  const waits: number[] = []
  return { waits, sleep: async (ms: number) => { waits.push(ms) } }
}

t.test('"429 twice, then 201" against the mock: two waits of Retry-After, three attempts', async (t) => {
  const app = buildApp()
  const url = await listen(t, app)
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'rate-limited', times: 2, session: 'retry' } })
  const { waits, sleep } = recorder()
  const result = await inviteUser({ baseUrl: url, token: 't', email: 'a@example.com', headers: { 'x-mock-session': 'retry' }, retries: { retries: 2, sleep } })
  t.same(result.attempts, 3)
  t.same(waits, [1000, 1000])
})

t.test('retries run out: the last answer is mapped as usual', async (t) => {
  const { waits, sleep } = recorder()
  const agent = sequence(t, [problem(429, { 'retry-after': '2' }), problem(429, { 'retry-after': '2' })])
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent, retries: { retries: 1, sleep } }), RateLimitedError)
  t.same(waits, [2000])
})

t.test('every retryable status is retried; without Retry-After the wait backs off exponentially', async (t) => {
  t.same(RETRY_STATUSES, [429, 500, 502, 503, 504])
  const { waits, sleep } = recorder()
  const agent = sequence(t, [problem(500), problem(502), problem(503), problem(504), { status: 201 }])
  const result = await inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent, retries: { retries: 4, sleep } })
  t.equal(result.attempts, 5)
  t.same(waits, [500, 750, 1125, 1687.5])
})

t.test('other errors are not retried', async (t) => {
  const { waits, sleep } = recorder()
  const agent = sequence(t, [problem(401)])
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent, retries: { sleep } }), { constructor: SDKError, statusCode: 401, message: /^API error occurred: status 401/ })
  t.same(waits, [])
})

t.test('Retry-After as an HTTP date, an unreadable one, and the cap on any wait', async (t) => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
  const { waits, sleep } = recorder()
  const agent = sequence(t, [
    problem(503, { 'retry-after': 'Wed, 21 Oct 2015 07:28:03 GMT' }),
    problem(503, { 'retry-after': 'soon' }),
    problem(503, { 'retry-after': '3600' }),
    { status: 201 }
  ])
  const result = await inviteUser({
    baseUrl: ORIGIN,
    token: 't',
    email: 'a@example.com',
    dispatcher: agent,
    retries: { retries: 3, sleep, now: () => now, initialIntervalMs: 100, exponent: 2, maxIntervalMs: 5000 }
  })
  t.equal(result.attempts, 4)
  t.same(waits, [3000, 200, 5000])
})

t.test('a number of retries uses the default backoff; the default sleep is a real timer honouring the signal', async (t) => {
  const agent = sequence(t, [problem(429, { 'retry-after': '0' }), { status: 201 }])
  const result = await inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent, retries: 1 })
  t.equal(result.attempts, 2)
  const controller = new AbortController()
  const slow = sequence(t, [problem(429, { 'retry-after': '60' }), { status: 201 }])
  const pending = inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: slow, retries: 1, signal: controller.signal })
  setImmediate(() => controller.abort())
  await t.rejects(pending, { name: 'AbortError' })
})

t.test('connection errors are retried only when asked', async (t) => {
  const failure = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
  const once = sequence(t, [failure, { status: 201 }])
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: once, retries: 3 }), { constructor: ConnectionError, code: 'ECONNRESET' })

  const { waits, sleep } = recorder()
  const retried = sequence(t, [failure, { status: 201 }])
  const result = await inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: retried, retries: { retryConnectionErrors: true, sleep } })
  t.equal(result.attempts, 2)
  t.same(waits, [500])

  const always = sequence(t, [failure, failure])
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: always, retries: { retries: 1, retryConnectionErrors: true, sleep } }),
    { constructor: ConnectionError, message: 'no answer from http://konnect.test/v3/invites: ECONNRESET' })
})

t.test('parseRetryAfter reads seconds and HTTP dates, and nothing else', async (t) => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
  t.equal(parseRetryAfter(' 5 ', now), 5000)
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', now), 10_000)
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a date in the past means now')
  t.equal(parseRetryAfter('-1', now), undefined)
  t.equal(parseRetryAfter('1.5', now), undefined)
  t.equal(parseRetryAfter('not a date', now), undefined)
  t.equal(parseRetryAfter(undefined, now), undefined)
})

t.test('RateLimitedError.retryAfterMs is undefined without Retry-After', async (t) => {
  const agent = sequence(t, [problem(429)])
  const error = await inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent }).catch((e: unknown) => e) as RateLimitedError
  t.type(error, RateLimitedError)
  t.equal(error.retryAfterMs, undefined)
})
