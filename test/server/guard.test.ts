import t, { type Test } from 'tap'
import { buildApp, type MockOptions } from '../../server/app.js'
import { appFromConfig } from '../../server/cli.js'
import { parseConfig } from '../../server/config.js'
import { allowedHost, corsOrigin, CORS_EXPOSE_HEADERS, hostName } from '../../server/guard.js'
import { startMockServer } from '../../server/in-process.js'
import { assertHealthy, assertRawProblem, exchange, listen, parseAnswer, type RawAnswer } from '../helpers/wire.js'

const FRONT_END = 'http://localhost:5173'
const EVIL = 'http://evil.example'

/** Sends one raw HTTP request (head lines, then an optional body) and parses the answer. */
async function send (port: number, requestLine: string, headers: Record<string, string>, body = ''): Promise<RawAnswer> {
  const lines = Object.entries({ ...headers, ...(body === '' ? {} : { 'content-length': String(Buffer.byteLength(body)) }) }).map(([name, value]) => `${name}: ${value}\r\n`)
  return parseAnswer(await exchange(port, [`${requestLine}\r\n${lines.join('')}connection: close\r\n\r\n${body}`]))
}

async function server (t: Test, options: MockOptions = {}) {
  const app = buildApp(options)
  const port = await listen(t, app)
  const host = `127.0.0.1:${port}`
  return { app, port, host }
}

const ADMIN_WRITES: ReadonlyArray<[string, string]> = [
  ['PUT /__mock/scenario HTTP/1.1', '{"id":"rate-limited","times":1}'],
  ['DELETE /__mock/scenario HTTP/1.1', ''],
  ['POST /__mock/reset HTTP/1.1', ''],
  ['PUT /__mock/users/a@example.com HTTP/1.1', ''],
  ['DELETE /__mock/users/a@example.com HTTP/1.1', '']
]
const READS = ['/__mock/health', '/__mock/scenarios', '/__mock/requests', '/__mock/invites', '/__mock/coverage', '/__mock/users', '/', '/dashboard.js', '/dashboard.css']

t.test('DNS rebinding: admin and dashboard answer only a Host that names this server', async (t) => {
  const { app, port, host } = await server(t)
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'kept@example.com' } })
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'created', times: 2 } })
  const before = { journal: app.mock.state.journal.list().length, global: app.mock.state.global }

  for (const evil of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', '127.0.0.1.nip.io', 'localhost:80@evil', '[::2]', '']) {
    for (const [line, body] of ADMIN_WRITES) {
      const answer = await send(port, line, { host: evil, 'content-type': 'application/json' }, body)
      const problem = assertRawProblem(t, answer, 403, `${line} with Host "${evil}"`)
      t.match(problem.detail, /is not a name of this server|Host header/, 'the detail says why')
    }
    for (const path of READS) {
      assertRawProblem(t, await send(port, `GET ${path} HTTP/1.1`, { host: evil }), 403, `GET ${path} with Host "${evil}"`)
    }
  }
  t.equal(app.mock.state.journal.list().length, before.journal, 'the journal was neither read nor reset')
  t.equal(app.mock.state.global, before.global, 'the scenario is unchanged')
  t.equal(app.mock.state.global?.remaining, 2, 'times untouched')
  t.equal(app.mock.state.listInvites().length, 1, 'the invite is still there')

  for (const good of ['localhost', `localhost:${port}`, 'LocalHost.', host, '127.0.0.1', '127.8.9.10:1', `[::1]:${port}`, '[::1]']) {
    for (const path of READS) {
      t.equal((await send(port, `GET ${path} HTTP/1.1`, { host: good })).status, 200, `GET ${path} with Host "${good}"`)
    }
  }
  const reset = await send(port, 'POST /__mock/reset HTTP/1.1', { host })
  t.equal(reset.status, 204, 'the README\'s curl -X POST …/__mock/reset still works')
  t.equal(app.mock.state.journal.list().length, 0)
  await assertHealthy(t, app)
})

t.test('--allowed-hosts and --host add names; the invites endpoint accepts any Host', async (t) => {
  const { app, port } = await server(t, { allowedHosts: ['mock.test', '::1'] })
  t.equal((await send(port, 'GET /__mock/health HTTP/1.1', { host: 'Mock.Test:8080' })).status, 200)
  assertRawProblem(t, await send(port, 'GET /__mock/health HTTP/1.1', { host: 'other.test' }), 403, 'a name not listed')

  const invite = await send(port, 'POST /v3/invites HTTP/1.1', { host: 'global.api.konghq.com', authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"sdk@example.com"}')
  t.equal(invite.status, 201, 'the Go SDK\'s Host on invites still works')
  t.equal(invite.headers['x-mock-scenario-served'], 'default')
  t.equal(app.mock.state.listInvites().length, 1)

  const viaConfig = appFromConfig(parseConfig(['--host', 'mock.internal', '--allowed-hosts', 'a.test,b.test'], {}))
  const configPort = await listen(t, viaConfig)
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

t.test('cross-origin admin calls are refused; same-origin and Origin-less ones work', async (t) => {
  const { app, port, host } = await server(t)
  app.mock.state.addActiveUser('kept@example.com')
  for (const origin of [EVIL, 'null', `http://127.0.0.2:${port}`, `http://localhost:${port + 1}`, `https://${host}.evil.example`, FRONT_END]) {
    for (const [line, body] of ADMIN_WRITES) {
      const answer = await send(port, line, { host, origin, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body)
      const problem = assertRawProblem(t, answer, 403, `${line} from ${origin}`)
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
      const problem = assertRawProblem(t, answer, 403, `${what} from ${origin}`)
      t.match(problem.detail, `--cors-origin ${origin}`, 'the detail names the flag')
      t.equal(answer.headers['access-control-allow-origin'], undefined, 'no CORS header')
    }
  }
  const rebound = await send(port, 'POST /v3/invites HTTP/1.1', { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })
  assertRawProblem(t, rebound, 403, 'a same-origin call under a rebound name')

  t.equal(app.mock.state.global?.remaining, 1, 'no times burnt')
  t.equal(app.mock.state.coverage.scenarios.size, 0, 'no coverage')
  t.equal(app.mock.state.journal.list().length, journal, 'nothing journaled')
  t.equal(app.mock.state.listInvites().length, 0, 'no invite recorded')

  const fromDashboard = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: `http://${host}`, authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"a@example.com"}')
  t.equal(fromDashboard.status, 201, 'the dashboard\'s own invites, same-origin, work')
  t.equal(fromDashboard.headers['access-control-allow-origin'], undefined)
  t.equal(app.mock.state.global?.remaining, undefined, 'and are counted')
  assertRawProblem(t, await send(port, 'POST /v3/invites HTTP/1.0', { origin: EVIL }), 403, 'HTTP/1.0 without Host from a page')
  assertRawProblem(t, await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host, origin: EVIL, 'access-control-request-method': 'POST' }), 405, 'no preflight route without --cors-origin')
})

t.test('an origin given with --cors-origin gets CORS answers: preflight, then the invite with its headers exposed', async (t) => {
  const { app, port } = await server(t, { corsOrigins: [FRONT_END] })
  const host = 'global.api.konghq.com'
  const preflight = await send(port, 'OPTIONS /v3/invites HTTP/1.1', {
    host, origin: FRONT_END, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-mock-scenario'
  })
  t.equal(preflight.status, 204)
  t.match(preflight.headers, {
    'access-control-allow-origin': FRONT_END,
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'authorization, content-type, x-mock-scenario, x-mock-session, x-mock-delay, prefer',
    'access-control-max-age': '600',
    vary: 'Origin'
  })
  t.equal(preflight.headers['access-control-allow-private-network'], undefined)
  const pna = await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host, origin: FRONT_END, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' })
  t.equal(pna.headers['access-control-allow-private-network'], 'true', 'Chromium\'s private network preflight is answered')
  assertRawProblem(t, await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host, origin: 'http://localhost:5174', 'access-control-request-method': 'POST' }), 403, 'a preflight from another origin')
  const plain = await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host })
  t.equal(plain.status, 204, 'OPTIONS without Origin is no preflight')
  t.equal(plain.headers.allow, 'POST, OPTIONS')

  const limited = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: FRONT_END, 'x-mock-scenario': 'rate-limited' })
  t.equal(limited.status, 429)
  t.match(limited.headers, {
    'access-control-allow-origin': FRONT_END,
    vary: 'Origin',
    'access-control-expose-headers': CORS_EXPOSE_HEADERS,
    'x-mock-scenario-served': 'rate-limited',
    'retry-after': /^\d+$/,
    'ratelimit-limit': /^\d+$/
  })
  t.equal(CORS_EXPOSE_HEADERS, 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Mock-Scenario-Served')
  const created = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: FRONT_END, authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"a@example.com"}')
  t.equal(created.status, 201)
  t.equal(created.headers['access-control-allow-origin'], FRONT_END)
  const wrongType = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: FRONT_END, 'content-type': 'text/plain' }, 'x')
  assertRawProblem(t, wrongType, 415, 'an error answer')
  t.equal(wrongType.headers['access-control-allow-origin'], FRONT_END, 'error answers are readable by the page too')
  t.equal(app.mock.state.listInvites().length, 1)
  assertRawProblem(t, await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: 'http://localhost:5174' }), 403, 'another origin')
  assertRawProblem(t, await send(port, 'POST /__mock/reset HTTP/1.1', { host: 'localhost', origin: FRONT_END }), 403, '--cors-origin opens invites only, not the admin API')
})

t.test('answers Node would give bare are problem+json', async (t) => {
  const { app, port } = await server(t)
  for (const line of ['POST /v3/invites HTTP/1.1', 'GET /__mock/health HTTP/1.1', 'GET / HTTP/1.1']) {
    const answer = await send(port, line, {})
    const problem = assertRawProblem(t, answer, 400, `${line} without Host`)
    t.match(problem, { detail: 'An HTTP/1.1 request must carry a Host header', invalid_parameters: [{ field: 'host', source: 'header' }] })
  }
  assertRawProblem(t, await send(port, 'GET /__mock/health HTTP/1.1', { origin: EVIL }), 400, 'without Host, from a page')
  assertRawProblem(t, await send(port, 'POST /v3/invites HTTP/1.1', { origin: EVIL }), 400, 'an invite without Host, from a page')
  assertRawProblem(t, await send(port, 'GET /nope HTTP/1.1', {}), 404, 'an unknown path without Host: no route hook runs, as the README says')
  const legacy = await send(port, 'POST /v3/invites HTTP/1.0', { authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"old@example.com"}')
  t.equal(legacy.status, 201, 'HTTP/1.0 needs no Host')
  assertRawProblem(t, await send(port, 'GET /__mock/health HTTP/1.0', {}), 403, 'but the admin API wants one')

  const expect = await send(port, 'POST /v3/invites HTTP/1.1', { host: 'localhost', expect: '200-ok', authorization: 'Bearer t' })
  const problem = assertRawProblem(t, expect, 417, 'Expect: 200-ok')
  t.match(problem, { title: 'Expectation Failed', detail: 'Expect: 200-ok is not supported; send no Expect or 100-continue' })
  t.equal(expect.headers.connection, 'close')
  t.equal(expect.headers['x-mock-scenario-served'], 'default')

  const connect = parseAnswer(await exchange(port, ['CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n']))
  t.match(assertRawProblem(t, connect, 405, 'CONNECT'), { detail: /not a proxy/ })
  t.equal(app.mock.state.listInvites().length, 1)
  await assertHealthy(t, app)
})

t.test('a route added to the app keeps its own onRequest hooks, after the guard; long names are clipped', async (t) => {
  const app = buildApp()
  const ran: string[] = []
  app.get('/__mock/extra', { onRequest: (_request, _reply, done) => { ran.push('own hook'); done() } }, async () => ({ ok: true }))
  const port = await listen(t, app)
  t.equal((await send(port, 'GET /__mock/extra HTTP/1.1', { host: 'localhost' })).status, 200)
  t.same(ran, ['own hook'])
  assertRawProblem(t, await send(port, 'GET /__mock/extra HTTP/1.1', { host: 'evil.example' }), 403, 'the guard runs first')
  t.same(ran, ['own hook'], 'and the route\'s hook did not run')
  const long = `${'a'.repeat(250)}.example`
  const problem = assertRawProblem(t, await send(port, 'GET /__mock/health HTTP/1.1', { host: long }), 403, 'a long Host')
  t.equal(problem.detail, `Host ${long.slice(0, 200)}… is not a name of this server; start the mock with --allowed-hosts to add it`)
})

t.test('host names, allowed-host entries and origins are parsed strictly', async (t) => {
  t.equal(hostName('LocalHost.:8080'), 'localhost')
  t.equal(hostName('[::1]:8080'), '[::1]')
  t.equal(hostName('[::1]'), '[::1]')
  t.equal(hostName('127.0.0.1'), '127.0.0.1')
  for (const bad of ['', '[::1', '[nope]:80', 'a b', 'evil.example:80:80', 'x:port', 'x:123456', 'a..b', 'user@host', '.']) {
    t.equal(hostName(bad), null, JSON.stringify(bad))
  }
  t.equal(allowedHost(' Mock.Test '), 'mock.test')
  t.equal(allowedHost('::1'), '[::1]')
  t.equal(allowedHost('[::1]'), '[::1]')
  for (const bad of ['mock.test:8080', 'http://mock.test', 'mock.test/x', '[::1]:80', '*']) {
    t.same(allowedHost(bad), { error: `expected a host name or address without scheme, port or path, got "${bad}"` }, bad)
  }
  t.equal(corsOrigin('http://LOCALHOST:5173/'), 'http://localhost:5173')
  t.equal(corsOrigin('https://app.example.com:443'), 'https://app.example.com')
  for (const bad of ['localhost:5173', 'http://localhost:5173/app', 'http://a@localhost', 'ftp://x', 'http://x/?q', 'http://x/#h', '*', 'null']) {
    t.same(corsOrigin(bad), { error: `expected an origin like http://localhost:5173, got "${bad}"` }, bad)
  }
})
