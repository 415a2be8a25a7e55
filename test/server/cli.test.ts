import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { Client, request } from 'undici'
import type { FastifyInstance } from 'fastify'
import { appFromConfig, main } from '../../server/cli.js'
import { capture } from '../helpers/cli-io.js'
import { defaultConfig, helpText, type Config } from '../../server/config.js'

t.test('--help and --version print and exit 0', async (t) => {
  const help = capture()
  t.equal(await main(['--help'], {}, help.io), 0)
  t.same(help.out, [helpText()])
  t.same(help.err, [])
  const version = capture()
  t.equal(await main(['--version'], {}, version.io), 0)
  t.same(version.out, ['0.1.0'])
  const short = capture()
  t.equal(await main(['-h'], {}, short.io), 0)
  t.same(short.out, [helpText()])
  const v = capture()
  t.equal(await main(['-v'], {}, v.io), 0)
  t.same(v.out, ['0.1.0'])
})

t.test('a bad flag or value is one line and exit 2', async (t) => {
  for (const [argv, message] of [
    [['--bogus'], 'konnect-invites-mock: unknown option "--bogus" (see --help)'],
    [['--port', 'x'], 'konnect-invites-mock: --port: expected a port from 0 to 65535, got "x"'],
    [['--active-users', 'not-an-email'], 'konnect-invites-mock: --active-users: expected email addresses, got "not-an-email" (no invite could ever match it)'],
    [['--admin-token', 'sécret'], 'konnect-invites-mock: --admin-token: expected visible ASCII characters (spaces only between them), which a client can send in a header'],
    [['--scenario', 'nope', '--port', '0'], /^konnect-invites-mock: --scenario: unknown scenario "nope"; valid: default, request-format-is-invalid, /]
  ] as const) {
    const { io, out, err } = capture()
    t.equal(await main(argv, {}, io), 2, argv.join(' '))
    t.same(out, [])
    t.equal(err.length, 1)
    t.match(err[0], message)
    t.notMatch(err[0], /\n|\bat /, 'no stack trace')
  }
})

t.test('a bad scenarios file stops the start with one line naming it', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'scenarios:\n  - id: Bad Id\n    title: x\n    status: 400\n' })
  const { io, err } = capture()
  t.equal(await main(['--port', '0', '--scenarios-file', join(dir, 'bad.yaml')], {}, io), 2)
  t.same(err, [`konnect-invites-mock: ${join(dir, 'bad.yaml')}: scenario "Bad Id": /scenarios/0/id: Expected string to match '^[a-z0-9][a-z0-9._-]{0,63}$'`])
  const missing = capture()
  t.equal(await main(['--port', '0'], { MOCK_SCENARIOS_FILE: join(dir, 'gone.json') }, missing.io), 2)
  t.same(missing.err, [`konnect-invites-mock: ${join(dir, 'gone.json')}: cannot read it (ENOENT)`])
})

t.test('an unexpected failure is not disguised as bad input', async (t) => {
  await t.rejects(main(['--help'], {}, { out: () => { throw new Error('stdout is gone') }, err: () => {} }), { message: 'stdout is gone' })
})

t.test('listening prints exactly one line with the URL', async (t) => {
  const dir = t.testdir({ 'custom.json': JSON.stringify([{ id: 'teapot', title: 'Teapot', status: 418, body: { status: 418, title: 'Teapot', instance: 'i', detail: 'd' } }]) })
  const { io, out, err } = capture()
  const app = await main(['--port', '0', '--log-level', 'silent', '--scenarios-file', join(dir, 'custom.json')], { MOCK_ACTIVE_USERS: 'ada@example.com', MOCK_RATE_LIMIT: '5/min' }, io) as FastifyInstance
  t.teardown(() => app.close())
  t.equal(typeof app, 'object')
  const { port } = app.server.address() as AddressInfo
  t.same(out, [`konnect-invites-mock listening on http://127.0.0.1:${port}`])
  t.same(err, [])
  const health = await request(`http://127.0.0.1:${port}/__mock/health`)
  t.same(await health.body.json(), { status: 'ok' })
  const active = await request(`http://127.0.0.1:${port}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"ada@example.com"}' })
  t.equal(active.statusCode, 409, 'the configuration reached the app')
  t.equal(active.headers['ratelimit-limit'], '5')
  await active.body.dump()
  const custom = await request(`http://127.0.0.1:${port}/v3/invites`, { method: 'POST', headers: { 'x-mock-scenario': 'teapot' } })
  t.equal(custom.statusCode, 418)
  await custom.body.dump()
})

t.test('once listening, main hands the app and its configuration on (the entry closes on signals there)', async (t) => {
  const seen: Array<[FastifyInstance, Config]> = []
  const app = await main(['--port', '0', '--log-level', 'silent', '--shutdown-grace=1234'], {}, capture().io, (app, config) => { seen.push([app, config]) }) as FastifyInstance
  t.teardown(() => app.close())
  t.equal(seen.length, 1)
  t.equal(seen[0]![0], app)
  t.equal(seen[0]![1].shutdownGrace, 1234)
  t.equal(seen[0]![0].server.listening, true, 'called after listen')
  const none: unknown[] = []
  t.equal(await main(['--bogus'], {}, capture().io, () => { none.push(1) }), 2)
  t.same(none, [], 'not called when nothing is served')
})

const noIpv6 = await new Promise<string | false>((resolve) => {
  const probe = createServer()
  probe.once('error', (error: NodeJS.ErrnoException) => resolve(`this machine cannot listen on ::1 (${error.code})`))
  probe.listen(0, '::1', () => probe.close(() => resolve(false)))
})

t.test('an IPv6 host is bracketed in the URL, and the log level applies', { skip: noIpv6 }, async (t) => {
  const { io, out } = capture()
  const app = await main(['--host', '::1', '--port', '0', '--log-level', 'error'], {}, io) as FastifyInstance
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  t.same(out, [`konnect-invites-mock listening on http://[::1]:${port}`])
  t.equal(app.mock.log.level, 'error')
  const client = new Client(`http://[::1]:${port}`)
  t.teardown(() => client.close())
  const res = await client.request({ method: 'GET', path: '/__mock/health' })
  t.equal(res.statusCode, 200)
  await res.body.dump()
})

t.test('a port in use is one line and exit 2', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const { port } = blocker.address() as AddressInfo
  const { io, out, err } = capture()
  t.equal(await main(['--port', String(port), '--log-level', 'silent'], {}, io), 2)
  t.same(out, [])
  t.equal(err.length, 1)
  t.match(err[0], `konnect-invites-mock: cannot listen on 127.0.0.1:${port}: `)
  t.match(err[0], 'EADDRINUSE')
})

t.test('appFromConfig passes every setting to the app', async (t) => {
  const app = appFromConfig({ ...defaultConfig(), admin: false, tokens: ['only'], bodyLimit: 50, journalLimit: 1, maxDelayMs: 5, scenario: 'created', requestTimeout: 7000, headersTimeout: 3000, keepAliveTimeout: 9000 })
  t.teardown(() => app.close())
  t.equal((await app.inject({ url: '/__mock/health' })).statusCode, 404, 'admin off')
  t.equal((await app.inject({ method: 'POST', url: '/v3/invites', headers: { 'x-mock-scenario': 'default' }, payload: { email: 'a@example.com' } })).statusCode, 401, 'tokens')
  t.equal((await app.inject({ method: 'POST', url: '/v3/invites', payload: { email: `${'a'.repeat(60)}@example.com` } })).statusCode, 413, 'body limit')
  t.equal((await app.inject({ method: 'POST', url: '/v3/invites', headers: { 'x-mock-delay': '6' }, payload: {} })).statusCode, 400, 'max delay')
  t.equal((await app.inject({ method: 'POST', url: '/v3/invites', payload: {} })).headers['x-mock-scenario-served'], 'created', 'scenario')
  t.equal(app.mock.state.journal.limit, 1, 'journal limit')
  t.equal(app.mock.log.level, 'info', 'log level')
  const quiet = appFromConfig({ ...defaultConfig(), logLevel: 'silent' })
  t.teardown(() => quiet.close())
  t.equal(quiet.mock.log.level, 'silent', 'silent turns logging off')
  t.equal(app.server.requestTimeout, 7000, 'request timeout')
  t.equal(app.server.headersTimeout, 3000, 'headers timeout')
  t.equal(app.server.keepAliveTimeout, 9000, 'keep-alive timeout')
})

t.test('without an io, main writes whole lines to stdout and stderr', async (t) => {
  const written: Array<[string, string]> = []
  const realOut = process.stdout.write
  const realErr = process.stderr.write
  process.stdout.write = ((chunk: string) => { written.push(['out', chunk]); return true }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => { written.push(['err', chunk]); return true }) as typeof process.stderr.write
  const codes: Array<number | FastifyInstance> = []
  try {
    codes.push(await main(['--version'], {}))
    codes.push(await main(['--bogus'], {}))
  } finally {
    process.stdout.write = realOut
    process.stderr.write = realErr
  }
  t.same(codes, [0, 2])
  t.same(written, [['out', '0.1.0\n'], ['err', 'konnect-invites-mock: unknown option "--bogus" (see --help)\n']])
})
