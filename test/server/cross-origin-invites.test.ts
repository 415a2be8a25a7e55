import t from 'tap'
import { EVIL, send, server } from '../helpers/guard.js'
import { assertProblem } from '../helpers/app.js'

t.test('cross-origin invites: refused unless --cors-origin lists the origin, and then nothing is counted', async (t) => {
  const { app, port, host } = await server(t)
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'created', times: 1 } })
  const journal = app.mock.state.journal.list().length
  const attempts: Array<[string, Record<string, string>, string]> = [
    ['bodyless no-cors POST', {}, ''],
    ['text/plain no-cors POST', { 'content-type': 'text/plain' }, '{"email":"a@example.com"}'],
    ['form no-cors POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'email=a%40example.com'],
    ['JSON POST', { 'content-type': 'application/json', authorization: 'Bearer t' }, '{"email":"a@example.com"}'],
    ['a scenario header', { 'x-mock-scenario': 'rate-limited' }, '']
  ]
  for (const origin of [EVIL, 'null', `http://127.0.0.2:${port}`]) {
    for (const [what, headers, body] of attempts) {
      const answer = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin, ...headers }, body)
      const problem = assertProblem(t, answer, 403, `${what} from ${origin}`)
      t.match(problem.detail, `--cors-origin ${origin}`, 'the detail names the flag')
      t.equal(answer.headers['access-control-allow-origin'], undefined, 'no CORS header')
    }
  }
  const rebound = await send(port, 'POST /v3/invites HTTP/1.1', { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })
  assertProblem(t, rebound, 403, 'a same-origin call under a rebound name')

  t.equal(app.mock.state.global?.remaining, 1, 'no times burnt')
  t.equal(app.mock.state.coverage.scenarios.size, 0, 'no coverage')
  t.equal(app.mock.state.journal.list().length, journal, 'nothing journaled')
  t.equal(app.mock.state.listInvites().total, 0, 'no invite recorded')

  const fromDashboard = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: `http://${host}`, authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"a@example.com"}')
  t.equal(fromDashboard.status, 201, 'the dashboard\'s own invites, same-origin, work')
  t.equal(fromDashboard.headers['access-control-allow-origin'], undefined)
  t.equal(app.mock.state.global?.remaining, undefined, 'and are counted')
  assertProblem(t, await send(port, 'POST /v3/invites HTTP/1.0', { origin: EVIL }), 403, 'HTTP/1.0 without Host from a page')
  assertProblem(t, await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host, origin: EVIL, 'access-control-request-method': 'POST' }), 405, 'no preflight route without --cors-origin')
})
