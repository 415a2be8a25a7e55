import t from 'tap'
import { checkContract } from '../../contracts/validate.js'
import { DEFAULT_MAX_ACTIVE_USERS, DEFAULT_MAX_SESSIONS } from '../../scenarios/state.js'
import { LIST_LIMIT } from '../../contracts/limits.js'
import { invite, setScenario } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

t.test('sessions are capped: one more is a 409 problem+json that changes nothing; a session already set can change', async (t) => {
  const app = build(t)
  for (let i = 0; i < DEFAULT_MAX_SESSIONS; i++) app.mock.state.setSession(`s${i}`, { scenario: null })
  const refused = await setScenario(app, { id: 'server-error', session: 'one-more' })
  assertProblem(t, refused, 409)
  t.match(refused.json().detail, /^1000 sessions already have a scenario, the most kept: clear one/)
  t.equal((await invite(app, { 'x-mock-session': 'one-more' })).statusCode, 201, 'the refused session got nothing')
  t.equal((await setScenario(app, { id: 'server-error', session: 's5' })).statusCode, 200, 'a session already set can change')
  t.equal((await invite(app, { 'x-mock-session': 's5' })).statusCode, 500)
  t.equal((await setScenario(app, { id: 'server-error' })).statusCode, 200, 'the global scenario is not a session')
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=s0' })).statusCode, 200)
  t.equal((await setScenario(app, { id: 'created', session: 'one-more' })).statusCode, 200, 'room again once one is cleared')
})

t.test('GET /__mock/scenarios lists the first sessions and their total, whatever their number', async (t) => {
  const app = build(t)
  for (let i = 0; i < DEFAULT_MAX_SESSIONS; i++) app.mock.state.setSession(`s${i}`, { scenario: null })
  const { active } = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.equal(Object.keys(active.sessions).length, LIST_LIMIT)
  t.equal(active.totalSessions, DEFAULT_MAX_SESSIONS)
})

t.test('a session named __proto__ works and is visible', async (t) => {
  const app = build(t)
  t.same((await setScenario(app, { id: 'permission-denied', session: '__proto__' })).json(), { session: '__proto__', scenario: { id: 'permission-denied' } })
  const { active } = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.ok(Object.hasOwn(active.sessions, '__proto__'), 'listed as an own property')
  t.same(Object.getOwnPropertyDescriptor(active.sessions, '__proto__')?.value, { id: 'permission-denied' })
  t.equal(active.totalSessions, 1)
  t.equal((await invite(app, { 'x-mock-session': '__proto__' })).statusCode, 403)
  t.equal((await invite(app, { 'x-mock-session': 'constructor' })).statusCode, 201, 'other names untouched')
  t.same((await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=__proto__' })).json(), { session: '__proto__', scenario: null })
  t.equal((await invite(app, { 'x-mock-session': '__proto__' })).statusCode, 201)
})

t.test('session names the header can never carry are refused, by the admin API and on the header alike', async (t) => {
  const app = build(t)
  for (const session of [' padded', 'padded ', 'café', 'tab\there', '日本']) {
    const put = await setScenario(app, { id: 'server-error', session })
    t.equal(put.statusCode, 400, `PUT ${JSON.stringify(session)}`)
    t.same(checkContract('BadRequestError', put.json()), [])
    t.same(put.json().invalid_parameters, [{ field: 'session', rule: 'invalid', reason: 'must be printable ASCII with no leading or trailing spaces, at most 200 characters', source: 'body' }])
    const del = await app.inject({ method: 'DELETE', url: `/__mock/scenario?session=${encodeURIComponent(session)}` })
    t.equal(del.statusCode, 400, `DELETE ${JSON.stringify(session)}`)
    t.match(del.json().invalid_parameters, [{ field: 'session', source: 'query' }])
  }
  t.equal(app.mock.state.sessions.size, 0, 'nothing was set')
  const latin1 = await invite(app, { 'x-mock-session': Buffer.from('café').toString('latin1') })
  t.equal(latin1.statusCode, 400, 'a header carrying non-ASCII bytes is refused the same way')
  t.same(latin1.json().invalid_parameters, [{ field: 'x-mock-session', rule: 'invalid', reason: 'must be printable ASCII with no leading or trailing spaces, at most 200 characters', source: 'header' }])
  t.equal((await invite(app, { 'x-mock-session': 'inner space' })).statusCode, 201, 'inner spaces are fine')
  t.equal((await invite(app, { 'x-mock-session': '' })).statusCode, 201, 'an empty header names no session')
})

t.test('active users are capped: one more is a 409; lists show the first and a total', async (t) => {
  const seeded = Array.from({ length: DEFAULT_MAX_ACTIVE_USERS }, (_, i) => `u${i}@example.com`)
  const app = build(t, { activeUsers: seeded })
  const refused = await app.inject({ method: 'PUT', url: '/__mock/users/one-more@example.com' })
  t.equal(refused.statusCode, 409)
  t.same(checkContract('BaseError', refused.json()), [])
  t.match(refused.json().detail, /^10000 users are active, the most kept/)
  t.equal((await invite(app, {}, { email: 'one-more@example.com' })).statusCode, 201, 'not made active')
  t.equal((await app.inject({ method: 'PUT', url: '/__mock/users/u1@EXAMPLE.com' })).statusCode, 200, 'an active one again is fine')
  const users = (await app.inject({ url: '/__mock/users' })).json()
  t.equal(users.users.length, LIST_LIMIT)
  t.equal(users.total, DEFAULT_MAX_ACTIVE_USERS)
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/users/u0@example.com' })).statusCode, 204)
  t.equal((await app.inject({ method: 'PUT', url: '/__mock/users/one-more@example.com' })).statusCode, 200, 'room again once one is removed')
})

t.test('GET /__mock/invites lists the first invites and their total', async (t) => {
  const app = build(t)
  for (let i = 0; i < LIST_LIMIT + 10; i++) app.mock.state.recordInvite(`p${i}@example.com`, 0)
  const body = (await app.inject({ url: '/__mock/invites' })).json()
  t.equal(body.invites.length, LIST_LIMIT)
  t.equal(body.total, LIST_LIMIT + 10)
})

/** An address of exactly `length` characters: a 64-character local part, domain labels under 63. */
function address (length: number): string {
  const labels = Array.from({ length: length - 64 - 1 - '.test'.length }, (_, i) => i % 50 === 49 ? '.' : 'b').join('')
  return `${'a'.repeat(64)}@${labels}.test`
}

t.test('PUT /__mock/users/{email} accepts every address an invite accepts, up to 254 characters', async (t) => {
  const app = build(t)
  for (const length of [101, 200, 254]) {
    const email = address(length)
    t.equal(email.length, length)
    const put = await app.inject({ method: 'PUT', url: `/__mock/users/${email}` })
    t.equal(put.statusCode, 200, `${length} characters`)
    t.equal((await invite(app, {}, { email })).statusCode, 409, 'and the invite sees the user as active')
  }
  const encoded = address(254).replace(/^a{3}/, '%61%61%61')
  t.equal((await app.inject({ method: 'PUT', url: `/__mock/users/${encoded}` })).statusCode, 200, 'percent-encoded too')
  const tooLong = await app.inject({ method: 'PUT', url: `/__mock/users/${address(255)}` })
  t.equal(tooLong.statusCode, 400, 'past 254 characters it is not an address')
})
