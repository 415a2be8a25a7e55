import t from 'tap'
import { invite, setScenario } from '../helpers/inject.js'
import { build } from '../helpers/app.js'

t.test('reset restores the start-up state', async (t) => {
  let clock = 0
  const app = build(t, { scenario: 'created', activeUsers: ['seeded@example.com'], rateLimit: { limit: 1, windowMs: 60_000 }, now: () => clock })
  await setScenario(app, { id: 'server-error' })
  await setScenario(app, { id: 'rate-limited', session: 's' })
  await app.inject({ method: 'PUT', url: '/__mock/users/runtime@example.com' })
  await setScenario(app, { id: 'default' })
  t.equal((await invite(app, {}, { email: 'pending@example.com' })).statusCode, 201)
  t.equal((await invite(app, {}, { email: 'other@example.com' })).statusCode, 429, 'the window is full')
  t.equal((await app.inject({ url: '/__mock/invites' })).json().invites.length, 1)

  const reset = await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal(reset.statusCode, 204)
  t.equal(reset.body, '')
  t.same((await app.inject({ url: '/__mock/scenarios' })).json().active, { global: { id: 'created' }, sessions: {}, totalSessions: 0 }, '--scenario kept, runtime scenarios gone')
  t.same((await app.inject({ url: '/__mock/requests' })).json().requests, [], 'journal emptied')
  t.same((await app.inject({ url: '/__mock/invites' })).json().invites, [], 'invites gone')
  t.same((await app.inject({ url: '/__mock/users' })).json().users, [{ email: 'seeded@example.com', status: 'active' }], 'seeded users kept, runtime ones gone')
  await app.inject({ method: 'DELETE', url: '/__mock/scenario' })
  t.equal((await invite(app, {}, { email: 'seeded@example.com' })).statusCode, 409, 'rate windows emptied: token t, full before the reset, gets through to the directory')
  clock = 1
  t.equal((await invite(app, { authorization: 'Bearer u' }, { email: 'runtime@example.com' })).statusCode, 201, 'runtime user gone')
  t.equal((await invite(app, {}, { email: 'x@example.com' })).statusCode, 429, 'that 409 took the one slot of the fresh window')
})

t.test('the coverage report dates itself from the app clock, at start-up and at each reset', async (t) => {
  let clock = Date.UTC(2026, 5, 1)
  const app = build(t, { now: () => clock })
  t.equal((await app.inject({ url: '/__mock/coverage' })).json().since, '2026-06-01T00:00:00.000Z')
  clock += 90_000
  await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal((await app.inject({ url: '/__mock/coverage' })).json().since, '2026-06-01T00:01:30.000Z')
})
