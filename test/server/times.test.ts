import t from 'tap'
import { invite, setScenario } from '../helpers/inject.js'
import { build } from '../helpers/app.js'

t.test('"429 twice, then 201" is one admin call', async (t) => {
  const app = build(t)
  const put = await setScenario(app, { id: 'rate-limited', times: 2 })
  t.same(put.json(), { global: { id: 'rate-limited', remaining: 2 } }, 'the answer says what was set')
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await invite(app)).statusCode)
  t.same(statuses, [429, 429, 201, 201])
  t.same((await app.inject({ url: '/__mock/scenarios' })).json().active, { global: null, sessions: {}, totalSessions: 0 }, 'spent and gone')
})

t.test('times counts only the requests that reach it; a header does not spend it', async (t) => {
  const app = build(t)
  await setScenario(app, { id: 'user-is-already-active', times: 1 })
  t.equal((await invite(app, { 'x-mock-scenario': 'created' })).statusCode, 201)
  t.equal((await invite(app, { prefer: 'code=403' })).statusCode, 403)
  t.same((await app.inject({ url: '/__mock/scenarios' })).json().active.global, { id: 'user-is-already-active', remaining: 1 })
  t.equal((await invite(app)).statusCode, 409)
  t.equal((await invite(app)).statusCode, 201)
})

t.test('a session scenario with times falls through to the global one', async (t) => {
  const app = build(t)
  await setScenario(app, { id: 'server-error' })
  await setScenario(app, { id: 'created', session: 'ci-1', times: 1 })
  const served = async () => (await invite(app, { 'x-mock-session': 'ci-1' }, {})).headers['x-mock-scenario-served']
  t.same([await served(), await served()], ['created', 'server-error'])
})
