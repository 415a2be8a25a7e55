import t from 'tap'
import { checkContract } from '../../contracts/validate.js'
import { inviteExamples } from '../../contracts/examples.js'
import { invite } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

const conflict = inviteExamples.find((e) => e.name === 'User is Already Active')!.value

t.test('an active user gets the documented 409, seeded at start-up or at runtime', async (t) => {
  const app = build(t, { activeUsers: ['ada@example.com'] })
  const seeded = await invite(app, {}, { email: 'ada@example.com' })
  assertProblem(t, seeded, 409)
  t.same({ ...seeded.json(), instance: conflict.instance }, conflict)
  t.equal((await invite(app, {}, { email: 'bob@example.com' })).statusCode, 201)
  t.equal((await app.inject({ method: 'PUT', url: '/__mock/users/bob@example.com' })).statusCode, 200)
  t.equal((await invite(app, {}, { email: 'bob@example.com' })).statusCode, 409, 'seeded at runtime')
  t.same((await app.inject({ url: '/__mock/invites' })).json().invites, [], 'an activated user is no longer pending')
})

t.test('emails compare case-insensitively on the domain only', async (t) => {
  const app = build(t, { activeUsers: ['Ada@Example.com'] })
  t.equal((await invite(app, {}, { email: 'Ada@EXAMPLE.COM' })).statusCode, 409)
  t.equal((await invite(app, {}, { email: 'Ada@example.com' })).statusCode, 409)
  t.equal((await invite(app, {}, { email: 'ada@example.com' })).statusCode, 201, 'the local part is case-sensitive')
})

t.test('pending invites are listed; a re-invite is a fresh 201 counted', async (t) => {
  let clock = Date.UTC(2026, 0, 1)
  const app = build(t, { now: () => clock })
  t.same((await app.inject({ url: '/__mock/invites' })).json(), { invites: [], total: 0 })
  t.equal((await invite(app, {}, { email: 'new@Example.com' })).statusCode, 201)
  clock += 60_000
  const again = await invite(app, {}, { email: 'new@example.COM' })
  t.equal(again.statusCode, 201)
  t.equal(again.body, '')
  await invite(app, {}, { email: 'other@example.com' })
  t.same((await app.inject({ url: '/__mock/invites' })).json(), {
    invites: [
      { email: 'new@Example.com', firstInvitedAt: '2026-01-01T00:00:00.000Z', lastInvitedAt: '2026-01-01T00:01:00.000Z', count: 2 },
      { email: 'other@example.com', firstInvitedAt: '2026-01-01T00:01:00.000Z', lastInvitedAt: '2026-01-01T00:01:00.000Z', count: 1 }
    ],
    total: 2
  })
  await invite(app, {}, { email: '' })
  await invite(app, { 'x-mock-scenario': 'created' }, { email: 'forced@example.com' })
  t.equal((await app.inject({ url: '/__mock/invites' })).json().invites.length, 2, 'refused and forced answers record nothing')
})

t.test('users: seed at runtime, list, remove; bad addresses refused', async (t) => {
  const app = build(t, { activeUsers: ['seeded@example.com'] })
  const put = await app.inject({ method: 'PUT', url: '/__mock/users/Runtime@Example.COM' })
  t.equal(put.statusCode, 200)
  t.same(put.json(), { email: 'Runtime@Example.COM', status: 'active' })
  t.same((await app.inject({ url: '/__mock/users' })).json(), { users: [{ email: 'seeded@example.com', status: 'active' }, { email: 'Runtime@Example.COM', status: 'active' }], total: 2 })
  t.equal((await invite(app, {}, { email: 'Runtime@example.com' })).statusCode, 409)
  const bad = await app.inject({ method: 'PUT', url: '/__mock/users/not-an-email' })
  t.equal(bad.statusCode, 400)
  t.same(bad.json().invalid_parameters, [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'path' }])
  t.same(checkContract('BadRequestError', bad.json()), [])
  const del = await app.inject({ method: 'DELETE', url: '/__mock/users/Runtime@EXAMPLE.com' })
  t.equal(del.statusCode, 204)
  t.equal(del.body, '')
  t.equal((await invite(app, {}, { email: 'Runtime@example.com' })).statusCode, 201)
})
