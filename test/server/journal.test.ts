import t from 'tap'
import { buildApp } from '../../server/app.js'
import { invite } from '../helpers/inject.js'

const TOKEN = 'kpat_SuperSecret123'

t.test('the journal: bounded, newest last, tokens redacted', async (t) => {
  const app = buildApp({ journalLimit: 3 })
  t.teardown(() => app.close())
  for (const email of ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']) {
    await invite(app, { authorization: `Bearer ${TOKEN}`, 'x-mock-admin-token': 'admin-secret', cookie: 'sid=cookie-secret', 'proxy-authorization': 'Basic proxy-secret' }, { email })
  }
  const res = await app.inject({ url: '/__mock/requests' })
  const { requests } = res.json()
  t.equal(requests.length, 3, 'at most the bound')
  t.same(requests.map((r: { body: { email: string } }) => r.body.email), ['b@example.com', 'c@example.com', 'd@example.com'], 'newest last')
  t.same(requests.map((r: { seq: number }) => r.seq), [2, 3, 4])
  t.match(requests[2], { method: 'POST', url: '/v3/invites', session: null, scenario: 'default', status: 201, time: /^\d{4}-\d\d-\d\dT/, durationMs: Number })
  t.match(requests[2].headers, { authorization: '[redacted]', 'x-mock-admin-token': '[redacted]', cookie: '[redacted]', 'proxy-authorization': '[redacted]' })
  for (const secret of [TOKEN, 'admin-secret', 'cookie-secret', 'proxy-secret']) t.notMatch(res.body, secret, `${secret} never in clear`)
})

t.test('what the journal keeps of a request', async (t) => {
  const app = buildApp({ now: () => Date.UTC(2026, 5, 1) })
  t.teardown(() => app.close())
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
  const app = buildApp()
  t.teardown(() => app.close())
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
  const app = buildApp()
  t.teardown(() => app.close())
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

t.test('durationMs is how long an answer was held back: a delay shows, answers sent at once show 0', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  await invite(app, { 'x-mock-scenario': 'delay', 'x-mock-delay': '60' })
  await invite(app, { 'x-mock-scenario': 'rate-limited', 'x-mock-delay': '30' })
  await invite(app)
  await app.inject({ url: '/nowhere' })
  const { requests } = (await app.inject({ url: '/__mock/requests' })).json()
  t.ok(requests[0].durationMs >= 59 && requests[0].durationMs < 1000, `a 60 ms delay shows (${requests[0].durationMs} ms)`)
  t.ok(requests[1].durationMs >= 29 && requests[1].durationMs < 1000, `so does a delay on a scenario (${requests[1].durationMs} ms)`)
  t.same(requests.slice(2).map((r: { durationMs: number }) => r.durationMs), [0, 0])
})
