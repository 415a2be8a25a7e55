import t from 'tap'
import { checkContract } from '../../contracts/validate.js'
import { invite } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

const TOKEN = 'kpat_SuperSecret123'

t.test('the journal: bounded, newest last, tokens redacted', async (t) => {
  const app = build(t, { journalLimit: 3 })
  for (const email of ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']) {
    await invite(app, { authorization: `Bearer ${TOKEN}`, 'x-mock-admin-token': 'admin-secret', cookie: 'sid=cookie-secret', 'proxy-authorization': 'Basic proxy-secret' }, { email })
  }
  const res = await app.inject({ url: '/__mock/requests' })
  const { requests } = res.json()
  t.equal(requests.length, 3, 'at most the bound')
  t.same(requests.map((r: { body: { email: string } }) => r.body.email), ['b@example.com', 'c@example.com', 'd@example.com'], 'newest last')
  t.same(requests.map((r: { seq: number }) => r.seq), [2, 3, 4])
  t.match(requests[2], { method: 'POST', url: '/v3/invites', session: null, scenario: 'default', status: 201, time: /^\d{4}-\d\d-\d\dT/, heldMs: Number })
  t.match(requests[2].headers, { authorization: '[redacted]', 'x-mock-admin-token': '[redacted]', cookie: '[redacted]', 'proxy-authorization': '[redacted]' })
  for (const secret of [TOKEN, 'admin-secret', 'cookie-secret', 'proxy-secret']) t.notMatch(res.body, secret, `${secret} never in clear`)
})

t.test('what the journal keeps of a request', async (t) => {
  const app = build(t, { now: () => Date.UTC(2026, 5, 1) })
  await invite(app, { 'x-mock-session': 'ci-7', 'x-mock-scenario': 'rate-limited' })
  await invite(app, { 'content-type': 'application/json' }, '{broken')
  await invite(app, { 'content-type': 'application/json' }, JSON.stringify({ email: 'big@example.com', padding: 'x'.repeat(5000) }))
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' } })
  await app.inject({ url: '/nowhere' })
  await app.inject({ url: '/__mock/health' })
  const { requests } = (await app.inject({ url: '/__mock/requests' })).json()
  t.match(requests[0], { session: 'ci-7', scenario: 'rate-limited', status: 429, time: '2026-06-01T00:00:00.000Z' })
  t.equal(requests[1].body, '[not JSON]')
  t.match(requests[2].body, /^\[\d+ bytes\]$/, 'a large body is summarized')
  t.match(requests[3], { status: 400, scenario: 'default' })
  t.notOk('body' in requests[3], 'no body, no body field')
  t.match(requests[4], { method: 'GET', url: '/nowhere', status: 404 }, 'the server\'s own errors are journaled')
  t.equal(requests.length, 5, 'admin calls are not')
})

t.test('GET /__mock/requests?session= filters by session', async (t) => {
  const app = build(t)
  await invite(app, { 'x-mock-session': 'a' })
  await invite(app, { 'x-mock-session': 'b' })
  await invite(app, { 'x-mock-session': 'a' }, { email: '' })
  await invite(app)
  const a = (await app.inject({ url: '/__mock/requests?session=a' })).json().requests
  t.same(a.map((r: { session: string, status: number }) => [r.session, r.status]), [['a', 201], ['a', 400]])
  t.equal((await app.inject({ url: '/__mock/requests?session=none' })).json().requests.length, 0)
  t.equal((await app.inject({ url: '/__mock/requests?session=' })).json().requests.length, 4, 'an empty session is no filter')
})

t.test('the journal keeps invites and error answers, not pages, admin calls or routes added to the app', async (t) => {
  const app = build(t)
  app.post('/other', async () => ({ ok: true }))
  t.equal((await app.inject({ url: '/' })).statusCode, 200, 'the dashboard')
  t.equal((await app.inject({ method: 'POST', url: '/other' })).statusCode, 200)
  t.equal((await app.inject({ url: '/__mock/health' })).statusCode, 200)
  t.equal((await app.inject({ url: '/__mock/nope' })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/v3/invites' })).statusCode, 405)
  t.equal((await app.inject({ method: 'POST', url: '/v3/invites', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415)
  const { requests } = (await app.inject({ url: '/__mock/requests' })).json()
  t.match(requests, [
    { method: 'DELETE', url: '/v3/invites', scenario: 'default', status: 405 },
    { method: 'POST', url: '/v3/invites', scenario: 'default', status: 415 }
  ])
  t.equal(requests.length, 2)
})

t.test('heldMs is how long an answer was held back: a delay shows, answers sent at once show 0', async (t) => {
  // The app's clock moves only when its sleep is asked to wait: heldMs is read from that clock.
  let clock = Date.UTC(2026, 0, 1)
  const app = build(t, { now: () => clock, sleep: async (ms) => { clock += ms } })
  await invite(app, { 'x-mock-scenario': 'delay', 'x-mock-delay': '60' })
  await invite(app, { 'x-mock-scenario': 'rate-limited', 'x-mock-delay': '30' })
  await invite(app)
  await app.inject({ url: '/nowhere' })
  const { requests } = (await app.inject({ url: '/__mock/requests' })).json()
  t.same(requests.map((r: { heldMs: number }) => r.heldMs), [60, 30, 0, 0], 'a delay shows as held; answers sent at once show 0')
})

t.test('GET /__mock/requests pages: ?limit= (1 to 100, default 100) and ?after=<seq>, with next, more and oldest', async (t) => {
  const app = build(t, { journalLimit: 200 })
  for (let i = 0; i < 130; i++) await invite(app, i % 2 === 0 ? { 'x-mock-session': 'even' } : {})
  const get = async (query: string) => (await app.inject({ url: `/__mock/requests${query}` })).json()
  const newest = await get('')
  t.equal(newest.requests.length, 100, 'at most 100 by default')
  t.same([newest.requests[0].seq, newest.requests[99].seq, newest.next, newest.more, newest.oldest], [31, 130, 130, false, 1], 'the newest, newest last')
  const first = await get('?after=0&limit=50')
  t.same([first.requests[0].seq, first.requests.length, first.next, first.more], [1, 50, 50, true])
  const rest = await get(`?after=${first.next}&limit=100`)
  t.same([rest.requests[0].seq, rest.requests.length, rest.next, rest.more], [51, 80, 130, false])
  const nothing = await get('?after=130')
  t.same(nothing, { requests: [], next: 130, more: false, oldest: 1 }, 'nothing newer: an empty page')
  await invite(app)
  t.same((await get('?after=130')).requests.map((r: { seq: number }) => r.seq), [131], 'then only what is new')
  const even = await get('?session=even&limit=2&after=10')
  t.same(even.requests.map((r: { seq: number, session: string }) => [r.seq, r.session]), [[11, 'even'], [13, 'even']])
  for (const [query, field] of [['?limit=0', 'limit'], ['?limit=101', 'limit'], ['?limit=ten', 'limit'], ['?after=-1', 'after'], ['?after=1.5', 'after']]) {
    const res = await app.inject({ url: `/__mock/requests${query}` })
    assertProblem(t, res, 400, query)
    t.match(res.json().invalid_parameters, [{ field, rule: 'invalid', source: 'query' }], query)
    t.same(checkContract('BadRequestError', res.json()), [])
  }
})

t.test('secrets are redacted: credential and *-token/*-secret/*-key headers, query values, user-info, body fields, and --redact names', async (t) => {
  const app = build(t, { redact: ['X-Tenant'] })
  const secrets = { 'x-api-key': 'S1', 'api-key': 'S2', 'x-auth-token': 'S3', 'x-amz-security-token': 'S4', 'x-csrf-token': 'S5', 'x-vendor-secret': 'S6', 'x-signing-key': 'S7', 'x-tenant': 'S8', cookie: 'S9' }
  await app.inject({
    method: 'POST',
    url: '/v3/invites?token=Q1&ACCESS_TOKEN=Q2&api_key=Q3&Key=Q4&secret=Q5&password=Q6&x_tenant=Q7&page=2',
    headers: { authorization: 'Bearer B1', 'content-type': 'application/json', ...secrets },
    payload: JSON.stringify({ email: 'a@example.com', password: 'P1', profile: { client_secret: 'P2', tokens: { refresh_token: 'P3', access_token: 'P4' }, api_key: 'P5' }, x_tenant: 'P6' })
  })
  await app.inject({ method: 'POST', url: 'http://ada:U1@127.0.0.1/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'b@example.com' } })
  const res = await app.inject({ url: '/__mock/requests' })
  const [first, second] = res.json().requests
  t.equal(first.url, '/v3/invites?token=[redacted]&ACCESS_TOKEN=[redacted]&api_key=[redacted]&Key=[redacted]&secret=[redacted]&password=[redacted]&x_tenant=[redacted]&page=2')
  for (const name of Object.keys(secrets)) t.equal(first.headers[name], '[redacted]', name)
  t.same(first.body, { email: 'a@example.com', password: '[redacted]', profile: { client_secret: '[redacted]', tokens: { refresh_token: '[redacted]', access_token: '[redacted]' }, api_key: '[redacted]' }, x_tenant: '[redacted]' })
  t.notMatch(second.url, 'U1', 'user-info is not shown')
  for (const secret of ['B1', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'U1']) {
    t.notMatch(res.body, secret, `${secret} never in clear`)
  }
})

t.test('a worst-case request is kept bounded and says what was cut', async (t) => {
  const app = build(t)
  const headers: Record<string, string> = { authorization: 'Bearer t', 'content-type': 'application/json' }
  for (let i = 0; i < 200; i++) headers[`x-filler-${i}`] = 'v'.repeat(60)
  await app.inject({ method: 'POST', url: `/v3/invites?q=${'a'.repeat(3000)}`, headers, payload: JSON.stringify({ email: 'a@example.com', pad: 'x'.repeat(10_000) }) })
  const [entry] = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.equal(Object.keys(entry.headers).length, 64, 'at most 64 headers')
  t.ok(Object.entries(entry.headers).reduce((n: number, [k, v]) => n + k.length + String(v).length, 0) <= 8192, 'at most 8 KiB of header text')
  t.equal(entry.url.length, 2048, 'the URL up to 2048 characters')
  t.match(entry.cut, { headers: Number, headerBytes: Number, urlChars: 3000 + '/v3/invites?q='.length - 2048 })
  t.ok(entry.cut.headers >= 202 - 64, `${entry.cut.headers} header lines cut`)
  t.match(entry.body, /^\[\d+ bytes\]$/, 'a body over 4 KiB only by its size')
})
