import t from 'tap'
import { runContract, type RunReport } from '../../contracts/runner.js'
import { startFakeKonnect } from '../helpers/fake-konnect.js'
import { build, listen } from '../helpers/app.js'
import { setScenario } from '../helpers/inject.js'

const LIVE_CHECKS = ['live:no-token', 'live:missing-email', 'live:blank-email', 'live:invalid-email', 'live:malformed-json', 'live:array-body']

const failed = (report: RunReport) => report.checks.filter((check) => !check.ok)
const journalOf = async (app: ReturnType<typeof build>) => (await app.inject({ url: '/__mock/requests' })).json().requests as Array<{ scenario: string, headers: Record<string, string>, session: string | null }>

t.test('a global scenario left on from a demo: the checks force the default behaviour and say so', async (t) => {
  for (const id of ['cannot-be-blank', 'created', 'rate-limited', 'unauthenticated']) {
    const app = build(t)
    const { url } = await listen(t, app)
    await setScenario(app, { id })
    const report = await runContract({ baseUrl: url })
    t.same(failed(report), [], `${id}: no check fails for a scenario it did not ask for`)
    t.same(report.notes, [`a global scenario (${id}) is active on the mock: the checks of the default behaviour send X-Mock-Scenario: default`])
    const live = (await journalOf(app)).slice(-LIVE_CHECKS.length)
    t.same(live.map((entry) => entry.scenario), LIVE_CHECKS.map(() => 'default'), `${id}: every live check was answered by the default behaviour`)
    t.equal(app.mock.state.global?.scenario?.id, id, 'the runner left the scenario as it found it')
  }
})

t.test('without reading the admin API (--live-safe) an answer served by another scenario never passes', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  await setScenario(app, { id: 'cannot-be-blank' })
  const report = await runContract({ baseUrl: url, liveSafe: true })
  t.same(report.checks.map((check) => check.ok), LIVE_CHECKS.map(() => false), 'the three email checks that got a 400 naming email fail too')
  for (const check of report.checks) {
    t.match(check.violations.at(-1), {
      path: '/headers/x-mock-scenario-served',
      expected: 'default or upstream (the default behaviour)',
      got: '"cannot-be-blank": a scenario active on the mock answered instead (clear it with DELETE /__mock/scenario or POST /__mock/reset)'
    }, `${check.name} says why`)
  }
})

t.test('a session scenario left on: the runner\'s own sessions are fresh', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  await setScenario(app, { id: 'rate-limited', session: 'demo' })
  await setScenario(app, { id: 'server-error', session: 'contract-x' })
  const report = await runContract({ baseUrl: url })
  t.same(failed(report), [])
  t.same(report.notes, ['2 sessions have a scenario on the mock: the runner\'s checks use fresh sessions of their own'])
  t.equal(app.mock.state.sessions.size, 2, 'the sessions found are kept')
  app.mock.state.sessions.delete('demo')
  t.same((await runContract({ baseUrl: url })).notes, ['1 session has a scenario on the mock: the runner\'s checks use fresh sessions of their own'])
})

t.test('--rate-limit 2/min: each check sends a token of its own, so none is refused', async (t) => {
  const app = build(t, { rateLimit: { limit: 2, windowMs: 60_000 } })
  const { url } = await listen(t, app)
  for (const token of [undefined, 'kpat_ci']) {
    const report = await runContract({ baseUrl: url, token, inviteEmail: 'new@example.com' })
    t.same(failed(report), [], `token ${String(token)}: no check is rate-limited`)
    t.same(report.notes, ['the mock rate-limits each token (RateLimit-Limit 2): each check sends a token of its own'])
  }
  const tokens = new Set((await journalOf(app)).map((entry) => entry.headers.authorization))
  t.equal(tokens.has('[redacted]'), true, 'the journal hides them as any token')
})

t.test('a rate limit the runner cannot avoid (live-safe, one token) fails the checks it refused, saying why', async (t) => {
  const { url } = await listen(t, build(t, { rateLimit: { limit: 2, windowMs: 60_000 } }))
  const report = await runContract({ baseUrl: url, liveSafe: true, token: 'kpat_ci' })
  t.same(report.checks.map((check) => check.status), [401, 400, 400, 429, 429, 429])
  for (const check of failed(report)) {
    t.match(check.violations.at(-1), { path: '/headers/ratelimit-remaining', expected: 'a request within the rate limit', got: /^"0": the mock's --rate-limit refused this token \(Retry-After "\d+" s\)$/ }, check.name)
  }
})

t.test('--tokens: the given token is used when it is one of them; otherwise the run stops with one line', async (t) => {
  const { url } = await listen(t, build(t, { tokens: ['kpat_good'] }))
  const good = await runContract({ baseUrl: url, token: 'kpat_good' })
  t.same(failed(good), [])
  t.same(good.notes, ['the mock accepts only its --tokens: every check sends the --token given'])
  await t.rejects(runContract({ baseUrl: url }), { name: 'RunnerError', message: `the mock at ${url} accepts only the tokens of its --tokens list: pass one with --token` })
  await t.rejects(runContract({ baseUrl: url, token: 'kpat_bad' }), { name: 'RunnerError', message: /and the --token given is not one of them$/ })
  const live = await runContract({ baseUrl: url, token: 'kpat_bad', liveSafe: true })
  t.match(failed(live)[0]?.violations.at(-1), { path: '/headers/authorization', expected: 'a token the mock accepts', got: 'refused: the mock accepts only its --tokens; pass one with --token' }, 'live-safe: the refusal is explained')
})

t.test('--tokens and --rate-limit together: the run stops when the token has no room for the checks', async (t) => {
  const { url } = await listen(t, build(t, { tokens: ['kpat_good'], rateLimit: { limit: 2, windowMs: 60_000 } }))
  await t.rejects(runContract({ baseUrl: url, token: 'kpat_good' }), {
    name: 'RunnerError',
    message: /^the mock at .* accepts only its --tokens and rate-limits each \(RateLimit-Limit 2\): the --token given may send 1 more, the checks need 6; wait \d+ s, or restart the mock without --rate-limit$/
  })
  const roomy = await listen(t, build(t, { tokens: ['kpat_good'], rateLimit: { limit: 20, windowMs: 60_000 } }))
  const report = await runContract({ baseUrl: roomy.url, token: 'kpat_good' })
  t.same(failed(report), [], 'with room for every check, the run goes on')
})

t.test('a mock passing invites through with a global scenario on stops the run with one line', async (t) => {
  const fake = await startFakeKonnect(t)
  const app = build(t, { upstream: { url: fake.url } })
  const { url } = await listen(t, app)
  await setScenario(app, { id: 'rate-limited' })
  await t.rejects(runContract({ baseUrl: url }), { name: 'RunnerError', message: `the mock at ${url} has a global scenario (rate-limited) active, which answers in place of its upstream: clear it (DELETE /__mock/scenario) before checking through it` })
  await app.inject({ method: 'DELETE', url: '/__mock/scenario' })
  await setScenario(app, { id: 'rate-limited', session: 'demo' })
  const report = await runContract({ baseUrl: url })
  t.same(failed(report), [], 'a session scenario never applies to the checks')
})

t.test('a server that is not the mock is checked as before: no notes, no forced headers', async (t) => {
  const fake = await startFakeKonnect(t)
  const report = await runContract({ baseUrl: fake.url })
  t.equal(report.mode, 'live-safe')
  t.same(failed(report), [])
  t.notOk('notes' in report)
})

t.test('a global sequence left on is neither answered by nor advanced by the runner\'s checks', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  t.equal((await setScenario(app, { sequence: [{ id: 'rate-limited', times: 2 }, { id: 'service-unavailable', times: 1 }, { id: 'default' }] })).statusCode, 200)
  const before = (await app.inject({ url: '/__mock/scenarios' })).json().active.global
  const report = await runContract({ baseUrl: url })
  t.same(failed(report), [])
  t.match(report.notes?.[0], /^a global scenario \(rate-limited\) is active on the mock/)
  t.same((await app.inject({ url: '/__mock/scenarios' })).json().active.global, before, 'the sequence is where it was')
})
