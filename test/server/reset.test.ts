import t from 'tap'
import { buildApp } from '../../server/app.js'
import { invite, setScenario } from '../helpers/inject.js'

t.test('reset restores the start-up state', async (t) => {
  let clock = 0
  const app = buildApp({ scenario: 'created', activeUsers: ['seeded@example.com'], rateLimit: { limit: 1, windowMs: 60_000 }, now: () => clock })
  t.teardown(() => app.close())
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
