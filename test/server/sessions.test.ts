import t from 'tap'
import { invite, setScenario } from '../helpers/inject.js'
import { build } from '../helpers/app.js'

t.test('sessions switched to different scenarios, hit in parallel, each get their own', async (t) => {
  const app = build(t)
  const sessions = { alpha: 'rate-limited', beta: 'user-is-already-active', gamma: 'cannot-be-blank', delta: 'created' }
  for (const [session, id] of Object.entries(sessions)) t.equal((await setScenario(app, { id, session })).statusCode, 200)
  const calls = Object.keys(sessions).flatMap((session) => Array.from({ length: 5 }, () => invite(app, { 'x-mock-session': session }).then((res) => [session, res.headers['x-mock-scenario-served']])))
  for (const [session, served] of await Promise.all(calls)) t.equal(served, sessions[session as keyof typeof sessions], String(session))
  t.equal((await invite(app)).headers['x-mock-scenario-served'], 'default', 'no session: untouched')
  const active = (await app.inject({ url: '/__mock/scenarios' })).json().active
  t.same(active.sessions, { alpha: { id: 'rate-limited' }, beta: { id: 'user-is-already-active' }, gamma: { id: 'cannot-be-blank' }, delta: { id: 'created' } })
  t.equal(active.global, null)
})

t.test('times and delay are per session', async (t) => {
  const app = build(t)
  await setScenario(app, { id: 'server-error', session: 'a', times: 1 })
  await setScenario(app, { id: 'server-error', session: 'b', times: 2, delayMs: 1 })
  t.equal((await invite(app, { 'x-mock-session': 'a' })).statusCode, 500)
  t.same((await app.inject({ url: '/__mock/scenarios' })).json().active.sessions, { b: { id: 'server-error', remaining: 2, delayMs: 1 } }, 'a spent, b untouched')
  t.equal((await invite(app, { 'x-mock-session': 'a' })).statusCode, 201)
  t.equal((await invite(app, { 'x-mock-session': 'b' })).statusCode, 500)
})

t.test('DELETE ?session= clears one session only; DELETE alone clears the global one', async (t) => {
  const app = build(t)
  await setScenario(app, { id: 'server-error' })
  await setScenario(app, { id: 'created', session: 'a' })
  await setScenario(app, { id: 'permission-denied', session: 'b' })
  const cleared = await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=a' })
  t.same(cleared.json(), { session: 'a', scenario: null }, 'the answer says what changed')
  t.equal((await invite(app, { 'x-mock-session': 'a' })).statusCode, 500, 'session a falls back to the global one')
  t.same((await app.inject({ method: 'DELETE', url: '/__mock/scenario' })).json(), { global: null })
  t.same((await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=' })).json(), { global: null }, 'an empty session is the global one')
  t.same((await app.inject({ url: '/__mock/scenarios' })).json().active, { global: null, sessions: { b: { id: 'permission-denied' } }, totalSessions: 1 })
  t.equal((await invite(app, { 'x-mock-session': 'b' })).statusCode, 403)
})
