import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { request } from 'undici'
import { checkRequests, describeExpected, expectRequests, RequestsExpectationError, RunnerError, SHOWN_REQUESTS } from '../../contracts/index.js'
import { build, listen } from '../helpers/app.js'

const START = Date.UTC(2026, 0, 1, 9)

/** POSTs an invite over the socket, as a client under test would. */
async function send (url: string, email: string, headers: Record<string, string> = {}): Promise<number> {
  const answer = await request(`${url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email }) })
  await answer.body.dump()
  return answer.statusCode
}

/** A mock on a free port whose journal was built by real requests: ada@ invited, invited again, then 409 for bob@, one 429. */
async function mock (t: Test, options: Parameters<typeof build>[1] = {}) {
  let clock = START
  const { url } = await listen(t, build(t, { activeUsers: ['bob@example.com'], now: () => clock, ...options }))
  const sends: Array<[string, Record<string, string>, number]> = [
    ['ada@example.com', {}, 201],
    ['ada@example.com', { 'x-mock-session': 'retry' }, 201],
    ['bob@example.com', {}, 409],
    ['cy@example.com', { 'x-mock-scenario': 'rate-limited' }, 429]
  ]
  for (const [email, headers, status] of sends) {
    clock += 1000
    t.equal(await send(url, email, headers), status)
  }
  return url
}

/** The message a verification failed with; a resolved one is a failure of the test. */
async function failure (verification: Promise<unknown>): Promise<string> {
  const outcome = await verification.then(() => undefined, (error: Error) => error.message)
  if (outcome === undefined) throw new Error('the verification held')
  return outcome
}

t.test('expectRequests resolves when the count holds', async (t) => {
  const url = await mock(t)
  const verdict = await expectRequests(url, { email: 'ADA@example.com', method: 'post' }, 2)
  t.match(verdict, { ok: true, count: 2, shown: [], summary: '2 requests matching email=ADA@example.com method=post: expected exactly 2' })
  await expectRequests(url, { status: 409 }, { min: 1, max: 1 })
  await expectRequests(url, { scenario: 'rate-limited' }, { min: 1 })
  await expectRequests(url, { session: 'retry', email: 'ada@example.com' }, { max: 1 })
  await expectRequests(url, { since: new Date(START + 3000) }, 2)
  await expectRequests(url, { since: START + 3000 }, 2, {})
  await expectRequests(url, { since: new Date(START + 3000).toISOString(), status: 429 }, 1)
  await expectRequests(url, { after: 3 }, 1)
  await expectRequests(url, { email: 'nobody@example.com' }, 0)
})

t.test('a count that does not hold throws with the matching requests, newest last', async (t) => {
  const url = await mock(t)
  const error = await expectRequests(url, { email: 'ada@example.com' }, 1).catch((caught: unknown) => caught)
  t.ok(error instanceof RequestsExpectationError)
  const message = (error as Error).message
  t.equal(message.split('\n')[0], '2 requests matching email=ada@example.com: expected exactly 1, got 2')
  t.match(message, 'the matching requests, newest last:')
  const rows = message.split('\n').slice(2)
  t.match(rows[0], /seq\s+time\s+method\s+email\s+status\s+scenario\s+session/)
  t.match(rows[1], /#1\s+2026-01-01T09:00:01.000Z\s+POST\s+"ada@example.com"\s+201\s+default\s+-/)
  t.match(rows[2], /#2\s+2026-01-01T09:00:02.000Z\s+POST\s+"ada@example.com"\s+201\s+default\s+retry/)
  t.equal(rows.length, 3)
  t.same((error as RequestsExpectationError).verdict.shown.map((entry) => entry.seq), [1, 2])

  const none = await failure(expectRequests(url, { email: 'dee@example.com' }, { min: 1 }))
  t.match(none, /^0 requests matching email=dee@example.com: expected at least 1, got 0\nnone matched; the newest requests of the journal, newest last:\n/)
  t.match(none, /#4 .*"cy@example.com"\s+429\s+rate-limited/, 'what was sent instead is shown')
  const tooMany = await failure(expectRequests(url, { method: 'POST' }, { max: 2 }))
  t.match(tooMany, 'expected at most 2, got 4')
  const range = await checkRequests(url, { status: 201 }, { min: 3, max: 5 })
  t.match(range, { ok: false, count: 2, summary: '2 requests matching status=201: expected from 3 to 5, got 2' })
})

t.test('a long list shows the newest matching requests and says how many there are', async (t) => {
  const { url } = await listen(t, build(t))
  for (let i = 0; i < SHOWN_REQUESTS + 5; i++) await send(url, 'ada@example.com')
  const message = await failure(expectRequests(url, { email: 'ada@example.com' }, 1))
  t.match(message, `the matching requests, newest last (the newest ${SHOWN_REQUESTS} of ${SHOWN_REQUESTS + 5}):`)
  t.match(message.split('\n').at(-1), `#${SHOWN_REQUESTS + 5} `)
})

t.test('with after, a long list shows the first matching requests after that entry and says so', async (t) => {
  const { url } = await listen(t, build(t))
  for (let i = 0; i < SHOWN_REQUESTS + 5; i++) await send(url, 'ada@example.com')
  const message = await failure(expectRequests(url, { email: 'ada@example.com', after: 2 }, 1))
  t.match(message, `the matching requests, newest last (the first after #2, ${SHOWN_REQUESTS} of ${SHOWN_REQUESTS + 3}):`)
  t.match(message.split('\n').at(-1), `#${SHOWN_REQUESTS + 2} `, 'the last shown is the 20th after #2, not the newest')
})

t.test('an empty journal says so', async (t) => {
  const { url } = await listen(t, build(t))
  const message = await failure(expectRequests(url, {}, 1))
  t.equal(message, '0 requests matching every request: expected exactly 1, got 0\nthe journal is empty')
})

t.test('a question that cannot be asked is a RunnerError naming what is wrong', async (t) => {
  const { url } = await listen(t, build(t, { adminToken: 's3cret' }))
  const cases: ReadonlyArray<[() => Promise<unknown>, RegExp]> = [
    [() => expectRequests(url, { status: 700 }, 1, { adminToken: 's3cret' }), /^filter status: must be a status code from 0 to 599$/],
    [() => expectRequests(url, { since: Number.NaN }, 1, { adminToken: 's3cret' }), /^filter since: must be an ISO 8601 time/],
    [() => expectRequests(url, { since: 'yesterday' }, 1, { adminToken: 's3cret' }), /^filter since/],
    [() => expectRequests(url, { scenario: 'no-such-one' }, 1, { adminToken: 's3cret' }), /^filter scenario: must be one of the scenario ids \(default, upstream, mock-error, .*cannot-be-blank.*rate-limited/],
    [() => expectRequests(url, {}, -1), /^expected: the count must be a whole number, got -1$/],
    [() => expectRequests(url, {}, 1.5), /whole number, got 1.5/],
    [() => expectRequests(url, {}, {}), /^expected: give a count, or a min, a max or both$/],
    [() => expectRequests(url, {}, { min: 2, max: 1 }), /^expected: min 2 is more than max 1$/],
    [() => expectRequests(url, {}, { max: -1 }), /^expected: max must be a whole number, got -1$/],
    [() => expectRequests(url, {}, 1), /answered 401: pass the mock's admin token/],
    [() => expectRequests('not a url', {}, 1), /^not a URL/]
  ]
  for (const [call, message] of cases) {
    const error = await call().catch((caught: unknown) => caught)
    t.ok(error instanceof RunnerError, String(message))
    t.match((error as Error).message, message)
  }
  t.equal(describeExpected({ min: 2, max: 2 }), 'exactly 2')
})

t.test('a server that is not this mock is told apart', async (t) => {
  const app = build(t, { admin: false })
  const { url } = await listen(t, app)
  const error = await expectRequests(url, {}, 1).catch((caught: Error) => caught)
  t.ok(error instanceof RunnerError)
  t.match(error.message, /\/__mock\/requests\/count answered 404 without a journal: is it this mock, with its admin API on\?/)
})

t.test('what a journal may carry besides: a sequence step, a body without an address, a refusal without choices', async (t) => {
  const fake = Fastify()
  let count = 1
  fake.get('/__mock/requests/count', async (request, reply) => {
    if ((request.query as { method?: string }).method === 'PATCH') {
      return reply.code(400).type('application/problem+json').send({ status: 400, title: 'Bad Request', instance: 'x', detail: 'no', invalid_parameters: [{ field: 'method', reason: 'not served here' }] })
    }
    return { count }
  })
  fake.get('/__mock/requests', async () => ({
    requests: [
      { seq: 7, time: '2026-01-01T09:00:00.000Z', method: 'POST', url: '/v3/invites', session: null, scenario: 'rate-limited', status: 429, heldMs: 0, headers: {}, body: '[not JSON]', step: 1 },
      { seq: 8, time: '2026-01-01T09:00:01.000Z', method: 'POST', url: '/v3/invites', session: null, scenario: 'default', status: 400, heldMs: 0, headers: {}, body: { email: 3 }, step: 3, steps: 3 }
    ],
    next: 8,
    more: false,
    oldest: 1
  }))
  const { url } = await listen(t, fake)
  count = 2
  const message = await failure(expectRequests(url, { method: 'POST' }, 1))
  t.match(message, /#7\s+\S+\s+POST\s+-\s+429\s+rate-limited \(step 1\)/)
  t.match(message, /#8\s+\S+\s+POST\s+-\s+400\s+default \(step 3 of 3\)/)
  const refused = await failure(expectRequests(url, { method: 'PATCH' }, 1))
  t.equal(refused, 'filter method: not served here')
})

t.test('a sequence over real requests: counts per step, and the step in the failure', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { sequence: [{ id: 'rate-limited', times: 2 }, { id: 'created' }], session: 'retry' } })
  for (let i = 0; i < 4; i++) await send(url, 'ada@example.com', { 'x-mock-session': 'retry' })
  await expectRequests(url, { session: 'retry', scenario: 'rate-limited', status: 429 }, 2)
  await expectRequests(url, { session: 'retry', status: 201 }, 2)
  const message = await failure(expectRequests(url, { session: 'retry', status: 429 }, { max: 1 }))
  t.match(message, /#1 .*429\s+rate-limited \(step 1 of 2\)\s+retry/)
  t.match(message, /#2 .*429\s+rate-limited \(step 1 of 2\)\s+retry/)
})
