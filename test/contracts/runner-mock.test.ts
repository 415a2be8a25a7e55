import t from 'tap'
import { buildApp } from '../../server/app.js'
import { builtInScenarios } from '../../scenarios/catalogue.js'
import { runContract } from '../../contracts/runner.js'
import { scenarioViolations } from '../../contracts/scenario-rule.js'
import { build, listen } from '../helpers/app.js'

const LIVE_CHECKS = ['live:no-token', 'live:missing-email', 'live:blank-email', 'live:invalid-email', 'live:malformed-json', 'live:array-body']

t.test('against this mock the runner detects /__mock and drives every scenario of the catalogue', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  const report = await runContract({ baseUrl: url })
  t.equal(report.mode, 'full')
  t.same(report.checks.filter((check) => !check.ok), [], 'every check conforms')
  t.ok(report.ok)
  t.same(report.checks.map((check) => check.name), [...builtInScenarios.map((s) => `scenario:${s.id}`), ...LIVE_CHECKS])
  const byName = Object.fromEntries(report.checks.map((check) => [check.name, check.status]))
  t.equal(byName['scenario:connection-reset'], 0, 'the reset connection gave no answer')
  t.equal(byName['scenario:bad-gateway-html'], 502)
  t.equal(byName['scenario:delay'], 201)
  t.equal(byName['scenario:rate-limited'], 429)
  t.same(['truncated-body', 'empty-reply', 'slow-body', 'not-json-body', 'headers-never-finish'].map((id) => byName[`scenario:${id}`]), [409, 0, 409, 201, 0],
    'each transport fault seen as what it is: a cut 409, no answer, a whole 409, a 201, no answer')
  t.equal(app.mock.state.sessions.size, 0, 'every one-shot session scenario was used up')
  const coverage = (await app.inject({ url: '/__mock/coverage' })).json() as { examples: Array<{ served: number }> }
  t.ok(coverage.examples.every((example) => example.served >= 1), 'each documented example was served')
})

t.test('forced to live-safe, the runner never calls /__mock and runs the live-safe checks only', async (t) => {
  const app = buildApp()
  let adminCalls = 0
  app.addHook('onRequest', async (request) => { if (request.url.startsWith('/__mock')) adminCalls++ })
  const { url } = await listen(t, app)
  const report = await runContract({ baseUrl: url, liveSafe: true, token: 'kpat_live' })
  t.equal(report.mode, 'live-safe')
  t.ok(report.ok, 'the mock passes the live-safe checks')
  t.same(report.checks.map((check) => check.name), LIVE_CHECKS)
  t.same(report.checks.map((check) => check.status), [401, 400, 400, 400, 400, 400])
  t.equal(adminCalls, 0)
})

t.test('a real invite is sent only when asked: 201 first, then 409 for an active user', async (t) => {
  const app = build(t, { activeUsers: ['taken@example.com'] })
  const { url } = await listen(t, app)
  const fresh = await runContract({ baseUrl: url, liveSafe: true, inviteEmail: 'new@example.com' })
  t.same(fresh.checks.at(-1), { name: 'live:invite', status: 201, ok: true, violations: [] })
  t.same(app.mock.state.invites.size, 1)
  const taken = await runContract({ baseUrl: url, liveSafe: true, inviteEmail: 'taken@example.com' })
  t.same(taken.checks.at(-1), { name: 'live:invite', status: 409, ok: true, violations: [] })
  const none = await runContract({ baseUrl: url, liveSafe: true })
  t.notOk(none.checks.some((check) => check.name === 'live:invite'))
})

t.test('custom scenarios are checked by their status, and a mock started with --tokens needs the token', async (t) => {
  const app = buildApp({
    tokens: ['kpat_good'],
    scenarios: [{ id: 'teapot', title: 'Teapot', status: 418, kind: 'custom', description: 'A custom 418.', body: { status: 418, title: 'Teapot', instance: 'konnect:trace:1', detail: 'Short and stout' } }]
  })
  const { url } = await listen(t, app)
  const good = await runContract({ baseUrl: url, token: 'kpat_good' })
  t.ok(good.ok)
  t.same(good.checks.find((check) => check.name === 'scenario:teapot'), { name: 'scenario:teapot', status: 418, ok: true, violations: [] })
  const bad = await runContract({ baseUrl: url, token: 'kpat_bad' })
  t.notOk(bad.ok)
  t.same(bad.checks.find((check) => check.name === 'live:missing-email')?.violations, [
    { check: 'live:missing-email', status: 401, path: '/status', expected: '400', got: '401' }
  ])
})

t.test('an admin token is passed to /__mock', async (t) => {
  const { url } = await listen(t, build(t, { adminToken: 'secret' }))
  const report = await runContract({ baseUrl: url, adminToken: 'secret' })
  t.equal(report.mode, 'full')
  t.ok(report.ok)
  await t.rejects(runContract({ baseUrl: url }), { name: 'RunnerError', message: /answered 401: pass the mock's admin token \(--admin-token\) or run with --live-safe/ })
})

t.test('the admin API switched off makes the mock an ordinary server: live-safe checks', async (t) => {
  const { url } = await listen(t, build(t, { admin: false }))
  const report = await runContract({ baseUrl: `${url}/` })
  t.equal(report.mode, 'live-safe')
  t.equal(report.baseUrl, url)
  t.ok(report.ok)
})

t.test('custom scenarios: a declared fault is checked as a fault, by the rule the start-up check applies', async (t) => {
  const faultBody = '<html>down</html>'
  const app = buildApp({
    scenarios: [
      { id: 'plain-conflict', title: 'Plain', status: 409, kind: 'custom', description: 'x.', headers: { 'content-type': 'text/plain' }, text: 'taken', fault: true },
      { id: 'html-500', title: 'HTML', status: 500, kind: 'custom', description: 'x.', contentType: 'text/html', text: faultBody, fault: true }
    ]
  })
  const { url } = await listen(t, app)
  const report = await runContract({ baseUrl: url })
  t.ok(report.ok)
  t.same(report.checks.filter((check) => check.name.startsWith('scenario:plain') || check.name.startsWith('scenario:html')), [
    { name: 'scenario:plain-conflict', status: 409, ok: true, violations: [] },
    { name: 'scenario:html-500', status: 500, ok: true, violations: [] }
  ])
  const answer = { statusCode: 409, headers: { 'content-type': 'text/plain' }, body: 'taken' }
  t.same(scenarioViolations({ status: 409 }, answer), [{ path: '/headers/content-type', expected: 'application/problem+json', got: 'text/plain' }], 'without fault: the 409 contract')
  t.same(scenarioViolations({ status: 409, fault: true, contentType: 'text/plain; charset=utf-8' }, answer), [], 'as a fault: status and declared media type')
  t.same(scenarioViolations({ status: 409, fault: true, contentType: 'text/html' }, answer), [{ path: '/headers/content-type', expected: 'text/html', got: 'text/plain' }])
  t.same(scenarioViolations({ status: 409, fault: true }, { statusCode: 409, headers: {}, body: '' }), [], 'no declared type: the status alone (a bare error, recorded from an upstream)')
  t.same(scenarioViolations({ status: 409, fault: true }, { statusCode: 500, headers: {}, body: '' }), [{ path: '/status', expected: '409', got: '500' }], 'the status still counts')
  t.same(scenarioViolations({ status: 409, fault: true, contentType: 'text/plain' }, { ...answer, body: '' }), [{ path: '/body', expected: 'a non-empty body', got: '(empty)' }], 'a declared type: a body too')
})
