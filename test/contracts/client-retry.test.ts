import { createServer, type AddressInfo, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { MockAgent } from 'undici'
import {
  backoffInterval, ConnectionError, DEFAULT_BACKOFF, IncompleteAnswerError, inviteUser, parseRetryAfter, RateLimitedError, RETRY_STATUSES, retryWaitFromHeaders, SDKError,
  type BackoffStrategy, type RetryConfig
} from '../../contracts/client.js'
import { build, listen } from '../helpers/app.js'

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

/** A pinned clock that the fake sleep moves forward, and every wait recorded. */
function pinned (startAt = 0) {
  const clock = { now: startAt }
  const waits: number[] = []
  const sleep = async (ms: number) => { waits.push(ms); clock.now += ms }
  return { waits, clock, sleep, now: () => clock.now }
}

const BACKOFF: BackoffStrategy = { initialIntervalMs: 100, maxIntervalMs: 5000, exponent: 2, maxElapsedTimeMs: 60_000 }
/** No jitter: a size of 0 (the sign draw then does not matter). */
const noJitter = () => 0

function config (extra: Partial<RetryConfig> & ReturnType<typeof pinned>, backoff: Partial<BackoffStrategy> = {}): RetryConfig {
  return { strategy: 'backoff', backoff: { ...BACKOFF, ...backoff }, random: noJitter, sleep: extra.sleep, now: extra.now, ...(extra.retryConnectionErrors === undefined ? {} : { retryConnectionErrors: extra.retryConnectionErrors }) }
}

const invite = (dispatcher: MockAgent, retries: RetryConfig | 'backoff' | undefined, signal?: AbortSignal) =>
  inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher, ...(retries === undefined ? {} : { retries }), ...(signal === undefined ? {} : { signal }) })

t.test('"429 twice, then 201" against the mock: two waits of its Retry-After, three attempts', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'rate-limited', times: 2, session: 'retry' } })
  const clock = pinned()
  const result = await inviteUser({ baseUrl: url, token: 't', email: 'a@example.com', headers: { 'x-mock-session': 'retry' }, retries: config(clock) })
  t.equal(result.attempts, 3)
  t.same(clock.waits, [1000, 1000])
})

t.test('the wait: retry-after-ms, else Retry-After seconds or date, else the backoff formula; a header wait has no cap', async (t) => {
  const clock = pinned(Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))
  const agent = sequence(t, [
    problem(503, { 'retry-after-ms': '250', 'retry-after': '3' }),
    problem(503, { 'retry-after-ms': '-1', 'retry-after': '2' }),
    problem(503, { 'retry-after-ms': 'soon', 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' }),
    problem(503, { 'retry-after': '3600' }),
    problem(503, { 'retry-after': '-5' }),
    problem(503, { 'retry-after': 'Wed, 21 Oct 2015 07:00:00 GMT' }),
    problem(503, { 'retry-after': 'in a minute' }),
    problem(503, { 'retry-after-ms': '0' }),
    problem(503),
    { status: 201 }
  ])
  const result = await invite(agent, config(clock, { maxElapsedTimeMs: 10_000_000 }))
  t.equal(result.attempts, 10)
  // The header waits, then the formula 100 × (attempt + 1)² for attempts 4 to 8, capped at 5000.
  t.same(clock.waits, [250, 2000, 10_000 - 2250, 3_600_000, 2500, 3600, 4900, 5000, 5000])
})

t.test('the formula: initial × (attempt + 1) ^ exponent ± up to 25 %, at most maxInterval', async (t) => {
  const draws = (...values: number[]) => () => values.shift()!
  const backoff: BackoffStrategy = { initialIntervalMs: 500, maxIntervalMs: 4000, exponent: 1.5, maxElapsedTimeMs: 30_000 }
  t.equal(backoffInterval(backoff, 0, draws(0, 0.9)), 500, 'no jitter')
  t.equal(backoffInterval(backoff, 0, draws(1, 0.5)), 625, 'the largest jitter, upwards: +25 %')
  t.equal(backoffInterval(backoff, 0, draws(1, 0.49)), 375, 'the largest jitter, downwards: −25 %, below the initial interval as in the SDK')
  t.equal(backoffInterval(backoff, 1, draws(0.5, 0.9)), 500 * 2 ** 1.5 + 0.5 * 0.25 * 500 * 2 ** 1.5, 'half the largest jitter, upwards')
  t.equal(backoffInterval(backoff, 3, draws(0, 0)), 4000, '500 × 4^1.5 = 4000')
  t.equal(backoffInterval(backoff, 4, draws(1, 0.1)), 4000, 'capped at maxInterval even after −25 %')
  t.equal(backoffInterval({ ...backoff, initialIntervalMs: 0 }, 2, draws(0.3, 0.1)), 0, 'a result ≤ 0 falls back to the initial interval')
  for (let attempt = 0; attempt < 3; attempt++) {
    const base = 500 * (attempt + 1) ** 1.5
    const wait = backoffInterval(backoff, attempt)
    t.ok(wait >= base * 0.75 && wait <= Math.min(base * 1.25, 4000), `attempt ${attempt}: Math.random keeps ${wait} within ±25 % of ${base}`)
  }

  const clock = pinned()
  const agent = sequence(t, [problem(500), problem(502), problem(504), { status: 201 }])
  t.same(RETRY_STATUSES, [429, 500, 502, 503, 504])
  const result = await invite(agent, { ...config(clock, backoff), random: draws(1, 0.9, 1, 0.1, 0, 0) })
  t.equal(result.attempts, 4)
  t.same(clock.waits, [625, 500 * 2 ** 1.5 - 0.25 * 500 * 2 ** 1.5, 500 * 3 ** 1.5])
})

t.test('the time budget is checked after a failed attempt, before waiting; then the last answer is mapped', async (t) => {
  const clock = pinned(1_000_000)
  const agent = sequence(t, [problem(429), problem(429), problem(429)])
  // Waits of 400 then 800 (exponent 1): after the second wait 1200 ms have passed, past the 1000 ms budget.
  await t.rejects(invite(agent, config(clock, { initialIntervalMs: 400, exponent: 1, maxElapsedTimeMs: 1000 })), RateLimitedError)
  t.same(clock.waits, [400, 800])

  const exact = pinned()
  const once = sequence(t, [problem(503, { 'retry-after-ms': '1000' }), problem(503)])
  await t.rejects(invite(once, config(exact, { maxElapsedTimeMs: 1000 })), { constructor: SDKError, statusCode: 503, message: /^API error occurred/ }, 'reaching the budget exactly stops')
  t.same(exact.waits, [1000])
})

t.test('other statuses, and configs that do not retry, send once', async (t) => {
  const clock = pinned()
  await t.rejects(invite(sequence(t, [problem(401)]), config(clock)), { constructor: SDKError, statusCode: 401, message: /^API error occurred: status 401/ })
  await t.rejects(invite(sequence(t, [problem(503)]), { strategy: 'none', backoff: BACKOFF, sleep: clock.sleep }), { constructor: SDKError, statusCode: 503, message: /^API error occurred/ })
  await t.rejects(invite(sequence(t, [problem(429)]), { strategy: 'backoff', sleep: clock.sleep }), RateLimitedError, 'backoff without a BackoffStrategy')
  await t.rejects(invite(sequence(t, [problem(429)]), undefined), RateLimitedError, 'off by default')
  t.same(clock.waits, [])
})

t.test("the short form 'backoff' uses DEFAULT_BACKOFF; the default sleep is a real timer honouring the signal", async (t) => {
  t.same(DEFAULT_BACKOFF, { initialIntervalMs: 500, maxIntervalMs: 60_000, exponent: 1.5, maxElapsedTimeMs: 3_600_000 })
  const agent = sequence(t, [problem(429, { 'retry-after-ms': '1' }), { status: 201 }])
  t.equal((await invite(agent, 'backoff')).attempts, 2)
  const controller = new AbortController()
  const slow = sequence(t, [problem(429, { 'retry-after': '60' }), { status: 201 }])
  const pending = invite(slow, 'backoff', controller.signal)
  setImmediate(() => controller.abort())
  await t.rejects(pending, { name: 'AbortError' })
})

const failing = (code: string) => Object.assign(new Error(`failed: ${code}`), { code })

t.test('a reset, an EOF or a refusal on the POST is never retried, even with retryConnectionErrors', async (t) => {
  for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'ECONNREFUSED', 'EPIPE']) {
    const clock = pinned()
    await t.rejects(invite(sequence(t, [failing(code), { status: 201 }]), config({ ...clock, retryConnectionErrors: true })), { constructor: ConnectionError, code }, code)
    t.same(clock.waits, [], `${code}: no wait, one attempt`)
  }
  const clock = pinned()
  await t.rejects(invite(sequence(t, [new Error('no code at all'), { status: 201 }]), config({ ...clock, retryConnectionErrors: true })),
    { constructor: ConnectionError, message: /no code at all$/ }, 'a failure with no code is not known to be temporary')
  const controller = new AbortController()
  controller.abort()
  await t.rejects(invite(sequence(t, [{ status: 201 }]), config({ ...clock, retryConnectionErrors: true }), controller.signal), { name: 'AbortError' }, 'an abort is not a connection error')
  t.same(clock.waits, [])
})

t.test('timeouts and temporary failures are retried only with retryConnectionErrors; a failure keeps the previous wait', async (t) => {
  const off = pinned()
  await t.rejects(invite(sequence(t, [failing('ETIMEDOUT'), { status: 201 }]), config(off)), { constructor: ConnectionError, code: 'ETIMEDOUT' })
  t.same(off.waits, [])

  const on = pinned()
  const agent = sequence(t, [failing('UND_ERR_CONNECT_TIMEOUT'), failing('EAI_AGAIN'), problem(503, { 'retry-after-ms': '700' }), failing('UND_ERR_HEADERS_TIMEOUT'), { status: 201 }])
  const result = await invite(agent, config({ ...on, retryConnectionErrors: true }))
  t.equal(result.attempts, 5)
  t.same(on.waits, [100, 100, 700, 700], 'the formula once, kept after the next failure; the header wait, kept after the timeout')

  const budget = pinned()
  await t.rejects(invite(sequence(t, [failing('ETIMEDOUT'), failing('ETIMEDOUT')]), config({ ...budget, retryConnectionErrors: true }, { maxElapsedTimeMs: 100 })),
    { constructor: ConnectionError, message: 'no answer from http://konnect.test/v3/invites: ETIMEDOUT' }, 'the budget ends on the last failure')
  t.same(budget.waits, [100])
})

t.test('parseRetryAfter and retryWaitFromHeaders read the headers as the SDK does', async (t) => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
  t.equal(parseRetryAfter(' 5 ', now), 5000)
  t.equal(parseRetryAfter('+5', now), 5000)
  t.equal(parseRetryAfter('-1', now), 0, 'negative: no wait given')
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', now), 10_000)
  t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a date in the past: no wait given')
  t.equal(parseRetryAfter('2015-10-21T07:28:10Z', now), undefined, 'only RFC 1123 dates')
  t.equal(parseRetryAfter('1.5', now), undefined)
  t.equal(parseRetryAfter(undefined, now), undefined)
  t.equal(retryWaitFromHeaders({ 'retry-after-ms': '250', 'retry-after': '3' }, now), 250)
  t.equal(retryWaitFromHeaders({ 'retry-after-ms': '2.5', 'retry-after': '3' }, now), 3000)
  t.equal(retryWaitFromHeaders({}, now), 0)
})

t.test('RateLimitedError.retryAfterMs is undefined without Retry-After', async (t) => {
  const agent = sequence(t, [problem(429)])
  const error = await inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent }).catch((e: unknown) => e) as RateLimitedError
  t.type(error, RateLimitedError)
  t.equal(error.retryAfterMs, undefined)
})

/**
 * A loopback server that answers each request with `answers[n]`: its status line and headers, then a
 * body announced as 100 bytes of which `sent` come before the socket closes (or, with `hold`, stays open).
 */
async function cutShort (t: Test, answers: Array<{ status: string, sent: string, hold?: boolean }>): Promise<string> {
  let served = 0
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('data', () => {
      const answer = answers[Math.min(served++, answers.length - 1)]!
      const length = answer.status.startsWith('201') && answer.sent === '' ? 0 : 100
      socket.write(`HTTP/1.1 ${answer.status}\r\ncontent-type: application/problem+json\r\ncontent-length: ${length}\r\n\r\n${answer.sent}`)
      if (answer.hold !== true && length > 0) socket.destroy()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  // The client keeps a whole answer's connection alive for seconds: close it rather than wait.
  t.teardown(() => {
    server.close()
    for (const socket of sockets) socket.destroy()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('a body cut short: the SDK drains a 201 and ignores it, fails any other answer when it reads it, and retries on the status alone', async (t) => {
  const created = await cutShort(t, [{ status: '201 Created', sent: '{"sta' }])
  t.equal((await inviteUser({ baseUrl: created, token: 't', email: 'a@example.com' })).statusCode, 201)

  const badRequest = await cutShort(t, [{ status: '400 Bad Request', sent: '{"sta' }])
  const error = await inviteUser({ baseUrl: badRequest, token: 't', email: 'a@example.com' }).catch((e: unknown) => e) as IncompleteAnswerError
  t.type(error, IncompleteAnswerError)
  t.equal(error.statusCode, 400)
  t.equal(error.code, 'UND_ERR_SOCKET')
  t.equal(error.receivedBytes, 5)

  const unavailable = await cutShort(t, [{ status: '503 Service Unavailable', sent: '{"sta' }, { status: '201 Created', sent: '' }])
  const clock = pinned()
  const retried = await inviteUser({ baseUrl: unavailable, token: 't', email: 'a@example.com', retries: config(clock) })
  t.equal(retried.attempts, 2, 'the 503 is retried though its body never came whole')
  t.same(clock.waits, [100])
})

t.test('a body cut short by the caller\'s signal rejects with the abort, not an IncompleteAnswerError', async (t) => {
  const held = await cutShort(t, [{ status: '400 Bad Request', sent: '{"sta', hold: true }])
  const controller = new AbortController()
  // The answer's head arrives at once; its body never ends, so the abort lands while it is read.
  setTimeout(() => controller.abort(new Error('stop')), 50)
  await t.rejects(inviteUser({ baseUrl: held, token: 't', email: 'a@example.com', signal: controller.signal }), { message: 'stop' })
})
