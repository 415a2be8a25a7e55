import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { isLoopback } from '../../server/address.js'
import { main } from '../../server/cli.js'
import { DEFAULTS } from '../../server/defaults.js'
import { build, assertProblem } from '../helpers/app.js'

const ADMIN_CALLS = [
  { method: 'GET', url: '/__mock/health' },
  { method: 'GET', url: '/__mock/scenarios' },
  { method: 'PUT', url: '/__mock/scenario', payload: { id: 'rate-limited' } },
  { method: 'DELETE', url: '/__mock/scenario' },
  { method: 'POST', url: '/__mock/reset' },
  { method: 'GET', url: '/__mock/requests' },
  { method: 'GET', url: '/__mock/invites' },
  { method: 'GET', url: '/__mock/coverage' },
  { method: 'PUT', url: '/__mock/users/a@example.com' }
] as const

function capture () {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } }
}

t.test('the server binds 127.0.0.1 unless told otherwise', async (t) => {
  t.equal(DEFAULTS.host, '127.0.0.1')
  const { out, err, io } = capture()
  const app = await main(['--port', '0', '--log-level', 'silent'], {}, io) as FastifyInstance
  t.teardown(() => app.close())
  t.match(app.server.address(), { address: '127.0.0.1' })
  t.match(out, [/listening on http:\/\/127\.0\.0\.1:\d+$/])
  t.same(err, [], 'no warning on the loopback address')
  t.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && isLoopback('127.8.9.10'))
  t.notOk(isLoopback('0.0.0.0') || isLoopback('::') || isLoopback('192.168.1.2') || isLoopback('127.example.com'))
})

t.test('with an admin token every admin call needs X-Mock-Admin-Token, else 401 problem+json', async (t) => {
  const app = build(t, { adminToken: 's3cret' })
  for (const call of ADMIN_CALLS) {
    const attempts: Array<[string, Record<string, string | string[]>]> = [
      ['no token', {}],
      ['a wrong token', { 'x-mock-admin-token': 'wrong' }],
      ['a longer token', { 'x-mock-admin-token': 's3cret!' }],
      ['a prefix of the token', { 'x-mock-admin-token': 's3cre' }],
      ['the token in another case', { 'x-mock-admin-token': 'S3CRET' }],
      ['the token as a bearer token', { authorization: 'Bearer s3cret' }],
      ['two tokens', { 'x-mock-admin-token': ['s3cret', 's3cret'] }]
    ]
    for (const [what, headers] of attempts) {
      const res = await app.inject({ ...call, headers })
      assertProblem(t, res, 401, `${call.method} ${call.url} with ${what}`)
    }
  }
  const scenarios = await app.inject({ method: 'GET', url: '/__mock/scenarios', headers: { 'x-mock-admin-token': 's3cret' } })
  t.equal(scenarios.statusCode, 200, 'the right token opens the API')
  t.equal(scenarios.json().active.global, null, 'the refused PUT set nothing')
  const set = await app.inject({ method: 'PUT', url: '/__mock/scenario', headers: { 'x-mock-admin-token': 's3cret' }, payload: { id: 'rate-limited', times: 1 } })
  t.equal(set.statusCode, 200)
  const invite = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
  t.equal(invite.statusCode, 429, 'the invites endpoint itself needs no admin token')
})

t.test('refused admin calls change nothing', async (t) => {
  const app = build(t, { adminToken: 's3cret' })
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'server-error' } })
  await app.inject({ method: 'PUT', url: '/__mock/users/a@example.com' })
  const invite = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
  t.equal(invite.statusCode, 201, 'no scenario was set and no user was seeded')
})

t.test('--admin off removes every admin route (404 problem+json) and the invites endpoint stays', async (t) => {
  const app = build(t, { admin: false })
  for (const call of ADMIN_CALLS) {
    const res = await app.inject(call)
    assertProblem(t, res, 404, `${call.method} ${call.url}`)
  }
  const invite = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
  t.equal(invite.statusCode, 201)
})

t.test('listening on a non-loopback host without an admin token prints a warning', async (t) => {
  const open = capture()
  const app = await main(['--port', '0', '--host', '0.0.0.0', '--log-level', 'silent'], {}, open.io) as FastifyInstance
  t.teardown(() => app.close())
  t.match(open.out, [/listening on http:\/\/0\.0\.0\.0:\d+$/])
  t.equal(open.err.length, 1, 'one line')
  t.match(open.err[0], /warning: the admin API is open to the network on 0\.0\.0\.0; set --admin-token or --admin off/)

  for (const [what, argv, env] of [
    ['with --admin-token', ['--admin-token', 's3cret'], {}],
    ['with MOCK_ADMIN_TOKEN', [], { MOCK_ADMIN_TOKEN: 's3cret' }],
    ['with --admin off', ['--admin', 'off'], {}]
  ] as const) {
    const quiet = capture()
    const other = await main(['--port', '0', '--host', '0.0.0.0', '--log-level', 'silent', ...argv], env, quiet.io) as FastifyInstance
    t.teardown(() => other.close())
    t.same(quiet.err, [], `no warning ${what}`)
  }
})
