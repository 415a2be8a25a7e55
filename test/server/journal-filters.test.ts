import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, assertProblem } from '../helpers/app.js'
import { invite } from '../helpers/inject.js'

const LIMIT = 8
const START = Date.UTC(2026, 0, 1, 9)

/**
 * A journal filled past its cap of 8: 12 requests, one a second from START, so the first four are
 * gone. What stays (seq 5 to 12), with what each filter reads:
 *   5 POST ada@  201 default             (no session)
 *   6 POST bob@  409 default             (session s1, bob is active)
 *   7 POST ada@  429 rate-limited        (session s1)
 *   8 POST ""    400 default             (blank email)
 *   9 GET  -     405 default
 *  10 POST ADA@  201 default             (session s2)
 *  11 POST ada@  503 service-unavailable (session s2)
 *  12 POST bob@  409 default
 */
async function filled (t: Test): Promise<FastifyInstance> {
  let clock = START
  const app = build(t, { journalLimit: LIMIT, activeUsers: ['bob@example.com'], now: () => clock })
  const sends: Array<() => Promise<unknown>> = [
    () => invite(app, {}, { email: 'old@example.com' }),
    () => invite(app, {}, { email: 'ada@example.com' }),
    () => invite(app, { 'x-mock-scenario': 'rate-limited' }, { email: 'ada@example.com' }),
    () => app.inject({ method: 'GET', url: '/v3/invites' }),
    () => invite(app, {}, { email: 'ada@example.com' }),
    () => invite(app, { 'x-mock-session': 's1' }, { email: 'bob@example.com' }),
    () => invite(app, { 'x-mock-session': 's1', 'x-mock-scenario': 'rate-limited' }, { email: 'ada@example.com' }),
    () => invite(app, {}, { email: '' }),
    () => app.inject({ method: 'GET', url: '/v3/invites' }),
    () => invite(app, { 'x-mock-session': 's2' }, { email: 'ADA@example.com' }),
    () => invite(app, { 'x-mock-session': 's2', 'x-mock-scenario': 'service-unavailable' }, { email: 'ada@example.com' }),
    () => invite(app, {}, { email: 'bob@example.com' })
  ]
  for (const send of sends) {
    await send()
    clock += 1000
  }
  return app
}

async function seqs (app: FastifyInstance, query: string): Promise<number[]> {
  const res = await app.inject({ url: `/__mock/requests?${query}` })
  if (res.statusCode !== 200) throw new Error(`requests?${query}: ${res.body}`)
  return (res.json().requests as Array<{ seq: number }>).map((entry) => entry.seq)
}

async function count (app: FastifyInstance, query: string): Promise<number> {
  const res = await app.inject({ url: `/__mock/requests/count?${query}` })
  if (res.statusCode !== 200) throw new Error(`count?${query}: ${res.body}`)
  return res.json().count as number
}

const time = (seq: number): string => new Date(START + (seq - 1) * 1000).toISOString()

const CASES: ReadonlyArray<[string, number[]]> = [
  ['', [5, 6, 7, 8, 9, 10, 11, 12]],
  ['email=ada@example.com', [5, 7, 10, 11]],
  ['email=Ada@EXAMPLE.com', [5, 7, 10, 11]],
  ['email=nobody@example.com', []],
  ['email=old@example.com', []],
  ['status=201', [5, 10]],
  ['status=409', [6, 12]],
  ['status=405', [9]],
  ['scenario=default', [5, 6, 8, 9, 10, 12]],
  ['scenario=rate-limited', [7]],
  ['scenario=upstream', []],
  ['method=GET', [9]],
  ['method=post', [5, 6, 7, 8, 10, 11, 12]],
  ['session=s1', [6, 7]],
  ['session=s2', [10, 11]],
  [`since=${time(10)}`, [10, 11, 12]],
  [`since=${encodeURIComponent(time(10).replace('Z', '+00:00'))}`, [10, 11, 12]],
  ['after=10', [11, 12]],
  ['after=0', [5, 6, 7, 8, 9, 10, 11, 12]],
  ['after=99', []],
  ['email=ada@example.com&status=201', [5, 10]],
  ['email=ada@example.com&session=s2&scenario=service-unavailable', [11]],
  [`method=POST&status=409&since=${time(7)}`, [12]],
  ['session=s1&status=201', []],
  ['email=bob@example.com&after=6', [12]]
]

t.test('each filter alone and combined, over a journal filled past its cap: the page and the count agree', async (t) => {
  const app = await filled(t)
  for (const [query, expected] of CASES) {
    t.same(await seqs(app, query), expected, `requests?${query}`)
    t.equal(await count(app, query), expected.length, `count?${query}`)
  }
})

t.test('filters page like the whole journal: limit and after walk the matching entries only', async (t) => {
  const app = await filled(t)
  const first = (await app.inject({ url: '/__mock/requests?email=ada@example.com&limit=2&after=0' })).json()
  t.same(first.requests.map((entry: { seq: number }) => entry.seq), [5, 7])
  t.match(first, { next: 7, more: true })
  const rest = (await app.inject({ url: `/__mock/requests?email=ada@example.com&limit=2&after=${first.next as number}` })).json()
  t.same(rest.requests.map((entry: { seq: number }) => entry.seq), [10, 11])
  t.same(await seqs(app, 'status=409&limit=1'), [12], 'without after: the newest match')
})

t.test('an address hidden by --redact matches nothing', async (t) => {
  const app = build(t, { redact: ['email'] })
  await invite(app, {}, { email: 'ada@example.com' })
  t.equal(await count(app, 'status=201'), 1)
  t.equal(await count(app, 'email=ada@example.com'), 0)
  t.equal(await count(app, 'email=[redacted]'), 1, 'the reader sees [redacted], and so does the filter')
})

t.test('a body too large to keep, or not JSON, or without an address, never matches an address', async (t) => {
  const app = build(t)
  await invite(app, { 'content-type': 'application/json' }, JSON.stringify({ email: 'big@example.com', padding: 'x'.repeat(5000) }))
  await invite(app, { 'content-type': 'application/json' }, '{broken')
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' } })
  await invite(app, {}, { name: 'no address' })
  t.equal(await count(app, ''), 4)
  t.equal(await count(app, 'email=big@example.com'), 0)
})

t.test('an address spelt with JSON escapes matches as the reader sees it', async (t) => {
  const app = build(t)
  await invite(app, { 'content-type': 'application/json' }, '{"email":"\\u0041da@example.com"}')
  await invite(app, { 'content-type': 'application/json' }, '{"note":"\\n","email":"bob@example.com"}')
  t.equal(await count(app, 'email=ada@example.com'), 1)
  t.equal(await count(app, 'email=bob@example.com'), 1)
  t.equal(await count(app, 'email=cy@example.com'), 0)
})

t.test('a bad filter value is a 400 problem naming the field', async (t) => {
  const app = build(t)
  const bad: ReadonlyArray<[string, string, RegExp]> = [
    ['email=', 'email', /1 to 254/],
    [`email=${'a'.repeat(255)}`, 'email', /1 to 254/],
    ['status=abc', 'status', /status code/],
    ['status=600', 'status', /0 to 599/],
    ['status=2010', 'status', /status code/],
    ['scenario=Not_An_Id', 'scenario', /scenario id/],
    ['scenario=no-such-scenario', 'scenario', /scenario ids/],
    ['method=PO ST', 'method', /HTTP method/],
    ['session=%20padded', 'session', /printable ASCII/],
    ['since=yesterday', 'since', /ISO 8601/],
    ['since=2026-13-45T00:00:00Z', 'since', /ISO 8601/],
    ['since=1767258000000', 'since', /ISO 8601/],
    ['after=-1', 'after', /whole number/],
    ['limit=0', 'limit', /1 to 100/],
    ['emial=ada@example.com', 'emial', /unexpected/],
    ['status=201&status=409', 'status', /./]
  ]
  for (const [query, field, reason] of bad) {
    for (const path of ['/__mock/requests', '/__mock/requests/count']) {
      if (field === 'limit' && path.endsWith('count')) continue
      const res = await app.inject({ url: `${path}?${query}` })
      const body = assertProblem(t, res, 400, `${path}?${query}`)
      t.equal(body.invalid_parameters?.[0]?.field, field, `${path}?${query} names ${field}`)
      t.match(body.invalid_parameters?.[0]?.reason, reason)
    }
  }
  const unknown = (await app.inject({ url: '/__mock/requests/count?scenario=no-such-scenario' })).json()
  t.ok(unknown.invalid_parameters[0].choices.includes('rate-limited'), 'an unknown scenario lists the ones there are')
  t.ok(unknown.invalid_parameters[0].choices.includes('upstream'))
  t.equal((await app.inject({ url: '/__mock/requests/count?limit=5' })).statusCode, 400, 'a count has no limit')
})

t.test('the count needs the admin token as every admin call does', async (t) => {
  const app = build(t, { adminToken: 's3cret' })
  assertProblem(t, await app.inject({ url: '/__mock/requests/count' }), 401)
  const res = await app.inject({ url: '/__mock/requests/count', headers: { 'x-mock-admin-token': 's3cret' } })
  t.same(res.json(), { count: 0 })
})

t.test('a count reads the whole journal in one walk, with no page bound', async (t) => {
  const app = build(t, { journalLimit: 300 })
  for (let i = 0; i < 310; i++) await invite(app, {}, { email: i % 3 === 0 ? 'ada@example.com' : `user${i}@example.com` })
  t.equal(await count(app, ''), 300)
  t.equal(await count(app, 'email=ada@example.com'), 100, 'past the page size of 100')
  t.equal((await app.inject({ url: '/__mock/requests?email=ada@example.com' })).json().requests.length, 100)
})
