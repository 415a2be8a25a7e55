import { join } from 'node:path'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { request } from 'undici'
import { main } from '../../server/cli.js'
import { capture } from '../helpers/cli-io.js'
import { startFakeKonnect } from '../helpers/fake-konnect.js'

t.test('with --upstream, one line on stderr says real invitations are sent, and invites reach it', async (t) => {
  const upstream = await startFakeKonnect(t)
  upstream.answer = { status: 201, headers: [], body: '' }
  const dir = t.testdir({})
  const { io, out, err } = capture()
  const app = await main(['--port', '0', '--log-level', 'silent', '--upstream-strict', '--upstream-timeout', '500', '--record', join(dir, 'r.yaml')], { MOCK_UPSTREAM: upstream.url }, io) as FastifyInstance
  t.teardown(() => app.close())
  t.equal(out.length, 1)
  t.same(err, [`konnect-invites-mock: invites without a chosen scenario now reach ${upstream.url}: real invitations are sent`])
  t.match(app.mock.upstream, { url: upstream.url, timeoutMs: 500, strict: true })
  t.equal(app.mock.upstream!.recorder!.file, join(dir, 'r.yaml'))
  const res = await request(`${out[0]!.replace(/^.* on /, '')}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"a@example.com"}' })
  t.equal(res.statusCode, 201)
  t.equal(res.headers['x-mock-scenario-served'], 'upstream')
  await res.body.dump()
  t.equal(upstream.received.length, 1)
})

t.test('bad pass-through settings are one line and exit 2', async (t) => {
  const dir = t.testdir({ 'bad.yaml': '- id: x\n' })
  for (const [argv, message] of [
    [['--upstream', 'http://example.com'], 'konnect-invites-mock: --upstream: expected an https URL (http only for a loopback address), got "http://example.com"'],
    [['--record', 'r.yaml'], 'konnect-invites-mock: --record needs --upstream <url>'],
    [['--upstream-strict'], 'konnect-invites-mock: --upstream-strict needs --upstream <url>'],
    [['--upstream', 'http://127.0.0.1:9', '--record', join(dir, 'bad.yaml')], /^konnect-invites-mock: .*bad\.yaml: scenario "x": \/0\/title: /]
  ] as const) {
    const { io, out, err } = capture()
    t.equal(await main(['--port', '0', ...argv], {}, io), 2, argv.join(' '))
    t.same(out, [])
    t.equal(err.length, 1)
    t.match(err[0], message)
  }
})
