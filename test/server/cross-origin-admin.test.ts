import t from 'tap'
import { ADMIN_WRITES, EVIL, FRONT_END, send, server } from '../helpers/guard.js'
import { assertProblem } from '../helpers/app.js'

t.test('cross-origin admin calls are refused; same-origin and Origin-less ones work', async (t) => {
  const { app, port, host } = await server(t)
  app.mock.state.addActiveUser('kept@example.com')
  for (const origin of [EVIL, 'null', `http://127.0.0.2:${port}`, `http://localhost:${port + 1}`, `https://${host}.evil.example`, FRONT_END]) {
    for (const [line, body] of ADMIN_WRITES) {
      const answer = await send(port, line, { host, origin, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body)
      const problem = assertProblem(t, answer, 403, `${line} from ${origin}`)
      t.match(problem.detail, `Pages from ${origin} may not use the admin API`)
    }
  }
  t.equal(app.mock.state.global, null, 'no scenario was set')
  t.ok(app.mock.state.activeUsers.has('kept@example.com'), 'no user was removed')

  const same = await send(port, 'PUT /__mock/scenario HTTP/1.1', { host, origin: `http://${host}`, 'content-type': 'application/json' }, '{"id":"created"}')
  t.equal(same.status, 200, 'the dashboard, same-origin, still works')
  t.equal(app.mock.state.global?.scenario?.id, 'created')
  t.equal((await send(port, 'PUT /__mock/scenario HTTP/1.1', { host: 'LOCALHOST', origin: 'https://localhost', 'content-type': 'application/json' }, '{"id":"created"}')).status, 200,
    'https behind a proxy, any case')
  t.equal((await send(port, 'POST /__mock/reset HTTP/1.1', { host })).status, 204, 'curl sends no Origin')
})
