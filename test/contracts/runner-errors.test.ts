import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { MockAgent } from 'undici'
import { NoAnswerError, runContract, RunnerError } from '../../contracts/runner.js'
import { build, listen } from '../helpers/app.js'

async function closedPort (t: Test): Promise<string> {
  const app = build(t)
  const { url } = await listen(t, app)
  await app.close()
  return url
}

t.test('a bad base URL is refused before any request', async (t) => {
  await t.rejects(runContract({ baseUrl: 'nope' }), { constructor: RunnerError, message: 'not a URL: nope' })
  await t.rejects(runContract({ baseUrl: 'ftp://example.com' }), { constructor: RunnerError, message: 'not an http(s) URL: ftp://example.com' })
})

t.test('an unreachable server stops the run with one clear message, in both modes', async (t) => {
  const url = await closedPort(t)
  await t.rejects(runContract({ baseUrl: url }), { constructor: RunnerError, message: `cannot reach ${url}: ECONNREFUSED` })
  await t.rejects(runContract({ baseUrl: url, liveSafe: true }), { constructor: RunnerError, message: `cannot reach ${url}: ECONNREFUSED` })
})

t.test('through a dispatcher: a connect failure in the cause is unreachable; another failure is no answer', async (t) => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  const pool = agent.get('http://konnect.test')
  pool.intercept({ path: '/__mock/health', method: 'GET' }).replyWithError(new Error('getaddrinfo', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }))
  await t.rejects(runContract({ baseUrl: 'http://konnect.test', dispatcher: agent }), { message: 'cannot reach http://konnect.test: ENOTFOUND' })
  pool.intercept({ path: '/__mock/health', method: 'GET' }).replyWithError(new Error('boom'))
  await t.rejects(runContract({ baseUrl: 'http://konnect.test', dispatcher: agent }),
    { constructor: NoAnswerError, code: 'boom', message: 'no answer from GET http://konnect.test/__mock/health: boom' })
})

t.test('a /__mock that is not this mock\'s is ignored: live-safe checks', async (t) => {
  for (const [health, scenarios] of [[{ status: 'down' }, { scenarios: [] }], [{ status: 'ok' }, { scenarios: 'none' }]]) {
    const app = Fastify()
    app.get('/__mock/health', async () => health)
    app.get('/__mock/scenarios', async () => scenarios)
    const { url } = await listen(t, app)
    const report = await runContract({ baseUrl: url, liveSafe: false })
    t.equal(report.mode, 'live-safe')
    t.notOk(report.ok, 'the invites route is missing, so the live checks fail')
    t.same(report.checks[0]!.violations[0], { check: 'live:no-token', status: 404, path: '/status', expected: '401', got: '404' })
  }
})

t.test('a scenario the server refuses to set is a violation of that check', async (t) => {
  const app = Fastify()
  app.get('/__mock/health', async () => ({ status: 'ok' }))
  app.get('/__mock/scenarios', async () => ({ active: { global: null, sessions: {}, totalSessions: 0 }, scenarios: [{ id: 'rate-limited', title: 'Rate Limited', status: 429, kind: 'documented', description: 'Rate limited' }] }))
  app.put('/__mock/scenario', async (_request, reply) => reply.code(400).send({ detail: 'unknown id' }))
  const { url } = await listen(t, app)
  const report = await runContract({ baseUrl: url })
  t.equal(report.mode, 'full')
  t.same(report.checks[0], {
    name: 'scenario:rate-limited',
    status: 0,
    ok: false,
    violations: [{ check: 'scenario:rate-limited', status: 0, path: '/admin/scenario', expected: '200 from PUT /__mock/scenario', got: '400 "{\\"detail\\":\\"unknown id\\"}"' }]
  })
})

t.test('a server that refuses every unauthenticated call (as Konnect does) is not taken for a locked mock', async (t) => {
  const app = Fastify()
  app.setNotFoundHandler(async (_request, reply) => reply.code(401).type('application/problem+json').send({ status: 401, title: 'Unauthorized', instance: 'i', detail: 'no token' }))
  const { url } = await listen(t, app)
  const report = await runContract({ baseUrl: url })
  t.equal(report.mode, 'live-safe')
  t.equal(report.checks[0]!.ok, true, 'no token: a conforming 401')
})
