import t from 'tap'
import { buildApp } from '../../server/app.js'
import { appFromConfig } from '../../server/cli.js'
import { parseConfig } from '../../server/config.js'
import { startMockServer } from '../../server/in-process.js'
import { assertHealthy } from '../helpers/wire.js'
import { ADMIN_WRITES, EVIL, READS, send, server } from '../helpers/guard.js'
import { listen, assertProblem } from '../helpers/app.js'

t.test('DNS rebinding: admin and dashboard answer only a Host that names this server', async (t) => {
  const { app, port, host } = await server(t)
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'kept@example.com' } })
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'created', times: 2 } })
  const before = { journal: app.mock.state.journal.list().length, global: app.mock.state.global }

  for (const evil of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', '127.0.0.1.nip.io', 'localhost:80@evil', '[::2]', '']) {
    const writes = await Promise.all(ADMIN_WRITES.map(([line, body]) => send(port, line, { host: evil, 'content-type': 'application/json' }, body)))
    writes.forEach((answer, i) => {
      const problem = assertProblem(t, answer, 403, `${ADMIN_WRITES[i]![0]} with Host "${evil}"`)
      t.match(problem.detail, /is not a name of this server/, 'the detail says why')
    })
    const reads = await Promise.all(READS.map((path) => send(port, `GET ${path} HTTP/1.1`, { host: evil })))
    reads.forEach((answer, i) => { assertProblem(t, answer, 403, `GET ${READS[i]} with Host "${evil}"`) })
  }
  t.equal(app.mock.state.journal.list().length, before.journal, 'the journal was neither read nor reset')
  t.equal(app.mock.state.global, before.global, 'the scenario is unchanged')
  t.equal(app.mock.state.global?.remaining, 2, 'times untouched')
  t.equal(app.mock.state.listInvites().total, 1, 'the invite is still there')

  for (const good of ['localhost', `localhost:${port}`, 'LocalHost.', host, '127.0.0.1', '127.8.9.10:1', `[::1]:${port}`, '[::1]']) {
    const reads = await Promise.all(READS.map((path) => send(port, `GET ${path} HTTP/1.1`, { host: good })))
    t.same(reads.map((answer) => answer.status), READS.map(() => 200), `every read with Host "${good}"`)
  }
  const reset = await send(port, 'POST /__mock/reset HTTP/1.1', { host })
  t.equal(reset.status, 204, 'the README\'s curl -X POST …/__mock/reset still works')
  t.equal(app.mock.state.journal.list().length, 0)
  await assertHealthy(t, app)
})

t.test('--allowed-hosts and --host add names; the invites endpoint accepts any Host', async (t) => {
  const { app, port } = await server(t, { allowedHosts: ['mock.test', '::1'] })
  t.equal((await send(port, 'GET /__mock/health HTTP/1.1', { host: 'Mock.Test:8080' })).status, 200)
  assertProblem(t, await send(port, 'GET /__mock/health HTTP/1.1', { host: 'other.test' }), 403, 'a name not listed')

  const invite = await send(port, 'POST /v3/invites HTTP/1.1', { host: 'global.api.konghq.com', authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"sdk@example.com"}')
  t.equal(invite.status, 201, 'the Go SDK\'s Host on invites still works')
  t.equal(invite.headers['x-mock-scenario-served'], 'default')
  t.equal(app.mock.state.listInvites().total, 1)

  const viaConfig = appFromConfig(parseConfig(['--host', 'mock.internal', '--allowed-hosts', 'a.test,b.test'], {}))
  const { port: configPort } = await listen(t, viaConfig)
  for (const name of ['mock.internal', 'a.test', 'b.test:1', 'localhost']) {
    t.equal((await send(configPort, 'GET /__mock/health HTTP/1.1', { host: name })).status, 200, `${name} through the CLI's configuration`)
  }
  t.equal((await send(configPort, 'GET /__mock/health HTTP/1.1', { host: 'c.test' })).status, 403)

  const mock = await startMockServer({ host: '127.0.0.1', allowedHosts: ['x.test'] })
  t.teardown(() => mock.close())
  const mockPort = Number(new URL(mock.url).port)
  t.equal((await send(mockPort, 'GET /__mock/health HTTP/1.1', { host: 'x.test' })).status, 200, 'startMockServer keeps given names')
  t.equal((await send(mockPort, 'GET /__mock/health HTTP/1.1', { host: 'y.test' })).status, 403)
  const injected = await mock.app.inject({ method: 'POST', url: '/__mock/reset', headers: { host: 'y.test', origin: EVIL } })
  t.equal(injected.statusCode, 204, 'app.inject() comes from inside the process and is not checked')
  const injectedInvite = await mock.app.inject({ method: 'POST', url: '/v3/invites', headers: { origin: EVIL, 'x-mock-scenario': 'created' } })
  t.equal(injectedInvite.statusCode, 201)
})

t.test('the guard holds for unknown admin paths too (their 404 is behind it); long names are clipped', async (t) => {
  const app = buildApp()
  const { port } = await listen(t, app)
  t.equal((await send(port, 'GET /__mock/nothing-here HTTP/1.1', { host: 'localhost' })).status, 404)
  assertProblem(t, await send(port, 'GET /__mock/nothing-here HTTP/1.1', { host: 'evil.example' }), 403, 'the guard answers first')
  const long = `${'a'.repeat(250)}.example`
  const problem = assertProblem(t, await send(port, 'GET /__mock/health HTTP/1.1', { host: long }), 403, 'a long Host')
  t.ok(String(problem.detail).startsWith(`Host ${long.slice(0, 200)}`), 'the detail starts with the name')
  t.notOk(String(problem.detail).includes(long), 'but not all of it')
  t.match(problem.detail, /is not a name of this server; start the mock with --allowed-hosts to add it$/)
})
