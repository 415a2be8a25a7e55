import t from 'tap'
import { assertHealthy, exchange, parseAnswer } from '../helpers/wire.js'
import { EVIL, send, server } from '../helpers/guard.js'
import { assertProblem } from '../helpers/app.js'

t.test('answers Node would give bare are problem+json', async (t) => {
  const { app, port } = await server(t)
  for (const line of ['POST /v3/invites HTTP/1.1', 'GET /__mock/health HTTP/1.1', 'GET / HTTP/1.1']) {
    const answer = await send(port, line, {})
    const problem = assertProblem(t, answer, 400, `${line} without Host`)
    t.match(problem, { detail: 'An HTTP/1.1 request must carry a Host header', invalid_parameters: [{ field: 'host', source: 'header' }] })
  }
  assertProblem(t, await send(port, 'GET /__mock/health HTTP/1.1', { origin: EVIL }), 400, 'without Host, from a page')
  assertProblem(t, await send(port, 'POST /v3/invites HTTP/1.1', { origin: EVIL }), 400, 'an invite without Host, from a page')
  assertProblem(t, await send(port, 'GET /nope HTTP/1.1', {}), 404, 'an unknown path without Host: no route hook runs, as the README says')
  const legacy = await send(port, 'POST /v3/invites HTTP/1.0', { authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"old@example.com"}')
  t.equal(legacy.status, 201, 'HTTP/1.0 needs no Host')
  assertProblem(t, await send(port, 'GET /__mock/health HTTP/1.0', {}), 403, 'but the admin API wants one')

  const expect = await send(port, 'POST /v3/invites HTTP/1.1', { host: 'localhost', expect: '200-ok', authorization: 'Bearer t' })
  const problem = assertProblem(t, expect, 417, 'Expect: 200-ok')
  t.match(problem, { title: 'Expectation Failed', detail: 'Expect: 200-ok is not supported; send no Expect or 100-continue' })
  t.equal(expect.headers.connection, 'close')
  t.equal(expect.headers['x-mock-scenario-served'], 'default')

  const connect = parseAnswer(await exchange(port, ['CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n']))
  t.match(assertProblem(t, connect, 405, 'CONNECT'), { detail: /not a proxy/ })
  t.equal(app.mock.state.listInvites().total, 1)
  await assertHealthy(t, app)
})
