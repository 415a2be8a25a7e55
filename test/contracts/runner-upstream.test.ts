import Fastify from 'fastify'
import t from 'tap'
import { runContract } from '../../contracts/runner.js'
import { startFakeKonnect } from '../helpers/fake-konnect.js'
import { build, listen } from '../helpers/app.js'

const LIVE_CHECKS = ['live:no-token', 'live:missing-email', 'live:blank-email', 'live:invalid-email', 'live:malformed-json', 'live:array-body']

t.test('through a mock with an upstream, the runner runs the live-safe checks on the real service', async (t) => {
  const fake = await startFakeKonnect(t)
  const app = build(t, { upstream: { url: fake.url }, adminToken: 'admin' })
  const { url } = await listen(t, app)
  const report = await runContract({ baseUrl: url, adminToken: 'admin' })
  t.equal(report.mode, 'live-safe', 'the mock\'s own scenarios are not the point')
  t.equal(report.upstream, fake.url)
  t.same(report.checks.map((check) => check.name), [...LIVE_CHECKS, 'upstream'])
  t.same(report.checks.filter((check) => !check.ok), [])
  t.ok(report.ok)
  const journal = (await app.inject({ url: '/__mock/requests', headers: { 'x-mock-admin-token': 'admin' } })).json().requests as Array<{ scenario: string }>
  t.same(journal.map((entry) => entry.scenario), LIVE_CHECKS.map(() => 'upstream'), 'every check went through')
})

t.test('the upstream\'s violations are reported as the runner\'s own, only those of this run', async (t) => {
  const fake = await startFakeKonnect(t, {
    drift: (answer, check) => {
      if (check !== 'blank-email') return answer
      const { detail: _detail, ...body } = answer.body as Record<string, unknown>
      return { ...answer, body }
    }
  })
  const app = build(t, { upstream: { url: fake.url } })
  const { url } = await listen(t, app)
  // A violation from before the run is not reported again.
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, payload: '{"email":""}' })
  t.equal(app.mock.state.violations.total, 1)
  const report = await runContract({ baseUrl: url })
  t.notOk(report.ok)
  const upstream = report.checks.find((check) => check.name === 'upstream')!
  t.same(upstream, { name: 'upstream', status: 0, ok: false, violations: [{ check: 'upstream', status: 400, path: '/body/detail', expected: 'a string (required)', got: '(missing)' }] })
})

t.test('a mock whose violations report disappears mid-run is a failed check', async (t) => {
  const fake = Fastify()
  let reads = 0
  fake.get('/__mock/health', async () => ({ status: 'ok' }))
  fake.get('/__mock/scenarios', async () => ({ active: { global: null, sessions: {}, totalSessions: 0 }, scenarios: [] }))
  fake.get('/__mock/violations', async (_request, reply) => ++reads === 1 ? { upstream: 'https://example.com', total: 0, violations: [] } : reply.code(500).send('gone'))
  fake.post('/v3/invites', async (_request, reply) => reply.code(401).type('application/problem+json').send({ status: 401, title: 'Unauthenticated', instance: 'i', detail: 'A valid token is required' }))
  const { url } = await listen(t, fake)
  const report = await runContract({ baseUrl: url })
  t.same(report.checks.at(-1), { name: 'upstream', status: 0, ok: false, violations: [{ check: 'upstream', status: 0, path: '/admin/violations', expected: 'a report from GET /__mock/violations', got: 'none' }] })
})

t.test('a mock without an upstream, or without the report, is driven in full as before', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  const report = await runContract({ baseUrl: url })
  t.equal(report.mode, 'full')
  t.notOk('upstream' in report)
})
