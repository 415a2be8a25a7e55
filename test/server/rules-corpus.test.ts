import t from 'tap'
import { isEmail, isSessionName } from '../../contracts/formats.js'
import { MAX_EMAIL_LENGTH, MAX_SESSION_LENGTH } from '../../contracts/limits.js'
import { RunnerError, runContract } from '../../contracts/runner.js'
import { ConfigError, parseConfig } from '../../server/config.js'
import { build, listen } from '../helpers/app.js'
import { invite, setScenario } from '../helpers/inject.js'

const label63 = 'a'.repeat(63)
/** Addresses, each with whether it is one: every place that takes an address must say the same. */
const ADDRESSES: Array<[string, boolean]> = [
  ['ada@example.com', true],
  ['Ada.Lovelace+tests@Sub.Example.CO', true],
  [`x@${label63}.com`, true],
  [`${'u'.repeat(MAX_EMAIL_LENGTH - '@example.com'.length)}@example.com`, true],
  [`${'u'.repeat(MAX_EMAIL_LENGTH + 1 - '@example.com'.length)}@example.com`, false],
  [`a@${label63}a.com`, false],
  ['plain', false],
  ['ada@', false],
  ['@example.com', false],
  ['ada@example', false],
  ['ada@@example.com', false],
  ['ada lovelace@example.com', false],
  ['ada@-example.com', false],
  ['ada@example.com.', false]
]

/** Session names, each with whether it is one (an empty name means "no session" where it is optional). */
const SESSIONS: Array<[string, boolean]> = [
  ['a', true],
  ['ci-7', true],
  ['inner space', true],
  ['__proto__', true],
  ['~!@#$%^&*()', true],
  ['x'.repeat(MAX_SESSION_LENGTH), true],
  ['x'.repeat(MAX_SESSION_LENGTH + 1), false],
  [' padded', false],
  ['padded ', false],
  ['tab\there', false],
  ['café', false],
  ['日本', false]
]

t.test('the one email rule: the function and its length limit', async (t) => {
  for (const [address, valid] of ADDRESSES) t.equal(isEmail(address), valid, JSON.stringify(address))
})

t.test('every place that takes an address agrees: invites, PUT /__mock/users/{email}, --active-users, the runner', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  for (const [address, valid] of ADDRESSES) {
    const what = JSON.stringify(address)
    t.equal((await invite(app, {}, { email: address })).statusCode, valid ? 201 : 400, `invite ${what}`)
    t.equal((await app.inject({ method: 'PUT', url: `/__mock/users/${encodeURIComponent(address)}` })).statusCode, valid ? 200 : 400, `PUT /__mock/users ${what}`)
    const config = (() => { try { return parseConfig(['--active-users', address], {}) } catch (error) { return error } })()
    t.equal(config instanceof ConfigError, !valid, `--active-users ${what}`)
    if (!valid) await t.rejects(runContract({ baseUrl: url, liveSafe: true, inviteEmail: address }), RunnerError, `runner --invite-email ${what}`)
  }
  // The valid ones are active users by now: the runner's one real invite meets the 409 it accepts.
  const report = await runContract({ baseUrl: url, liveSafe: true, inviteEmail: ADDRESSES[0]![0] })
  t.ok(report.ok, 'the runner takes a valid address')
})

t.test('every place that takes a session name agrees: X-Mock-Session, PUT and DELETE /__mock/scenario, GET /__mock/requests', async (t) => {
  const app = build(t)
  for (const [name, valid] of SESSIONS) {
    const what = JSON.stringify(name)
    t.equal(isSessionName(name), valid, `isSessionName ${what}`)
    // A header carries bytes: characters past ASCII arrive as their UTF-8 bytes read as latin1.
    const header = Buffer.from(name).toString('latin1')
    t.equal((await invite(app, { 'x-mock-session': header })).statusCode, valid ? 201 : 400, `X-Mock-Session ${what}`)
    t.equal((await setScenario(app, { id: 'created', session: name })).statusCode, valid ? 200 : 400, `PUT ${what}`)
    const query = encodeURIComponent(name)
    t.equal((await app.inject({ method: 'DELETE', url: `/__mock/scenario?session=${query}` })).statusCode, valid ? 200 : 400, `DELETE ${what}`)
    t.equal((await app.inject({ url: `/__mock/requests?session=${query}` })).statusCode, valid ? 200 : 400, `GET /requests ${what}`)
  }
  const refused = (await app.inject({ method: 'DELETE', url: `/__mock/scenario?session=${'x'.repeat(300)}` })).json()
  t.same(refused.invalid_parameters, [{ field: 'session', rule: 'invalid', reason: `must be printable ASCII with no leading or trailing spaces, at most ${MAX_SESSION_LENGTH} characters`, source: 'query' }],
    'the same reason as the header gets')
  t.equal((await invite(app, { 'x-mock-session': '' })).statusCode, 201, 'an empty header names no session')
  t.same((await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=' })).json(), { global: null }, 'nor does an empty ?session=')
  t.equal((await setScenario(app, { id: 'created', session: '' })).statusCode, 400, 'but a session given in a body must not be blank')
})
