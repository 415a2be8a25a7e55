import t from 'tap'
import Fastify from 'fastify'
import { request } from 'undici'
import { buildApp } from '../../server/app.js'
import { sendOutcome, wireType } from '../../server/invites.js'
import { checkContract } from '../../contracts/validate.js'

t.test('wireType gives JSON types a utf-8 charset and leaves the rest as given', async (t) => {
  t.equal(wireType('application/problem+json'), 'application/problem+json; charset=utf-8')
  t.equal(wireType('application/json'), 'application/json; charset=utf-8')
  t.equal(wireType('application/json;'), 'application/json; charset=utf-8', 'a trailing semicolon is not doubled')
  t.equal(wireType('application/hal+json; CHARSET=latin1'), 'application/hal+json; CHARSET=latin1', 'a charset given in any case is kept')
  t.equal(wireType('text/html; charset=utf-8'), 'text/html; charset=utf-8')
  t.equal(wireType('text/plain'), 'text/plain', 'non-JSON types get no charset')
  t.equal(wireType('application/json'), 'application/json; charset=utf-8', 'the second lookup answers the same')
  for (let i = 0; i < 100; i++) t.equal(wireType(`application/x${i}+json`), `application/x${i}+json; charset=utf-8`)
})

t.test('wireType agrees with what Fastify sends for the same type', async (t) => {
  const types = ['application/problem+json', 'application/json;', 'application/vnd.konnect+json', 'text/html; charset=utf-8', 'text/plain', 'application/xml']
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/', async (req, reply) => reply.type(String(req.headers['x-type'])).send('{}'))
  for (const type of types) {
    const res = await app.inject({ url: '/', headers: { 'x-type': type } })
    t.equal(wireType(type), res.headers['content-type'], type)
  }
})

t.test('answers written by the invites route carry the same headers over a socket and through inject', async (t) => {
  const app = buildApp({ activeUsers: ['taken@example.com'], rateLimit: { limit: 100, windowMs: 60_000 } })
  t.teardown(() => app.close())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const cases: Array<{ name: string, headers: Record<string, string>, body: string, status: number, type?: string }> = [
    { name: 'created by default', headers: {}, body: '{"email":"new@example.com"}', status: 201 },
    { name: 'already active', headers: {}, body: '{"email":"taken@example.com"}', status: 409, type: 'application/problem+json; charset=utf-8' },
    { name: 'html page', headers: { 'x-mock-scenario': 'bad-gateway-html' }, body: '{}', status: 502, type: 'text/html; charset=utf-8' },
    { name: 'bad selector', headers: { 'x-mock-scenario': 'nope' }, body: '{}', status: 400, type: 'application/problem+json; charset=utf-8' }
  ]
  for (const c of cases) {
    const headers = { authorization: 'Bearer t', 'content-type': 'application/json', ...c.headers }
    const wire = await request(`${url}/v3/invites`, { method: 'POST', headers, body: c.body })
    const text = await wire.body.text()
    const injected = await app.inject({ method: 'POST', url: '/v3/invites', headers, payload: c.body })
    for (const answer of [{ how: 'socket', status: wire.statusCode, headers: wire.headers, length: Buffer.byteLength(text) }, { how: 'inject', status: injected.statusCode, headers: injected.headers, length: injected.rawPayload.length }]) {
      t.equal(answer.status, c.status, `${c.name} (${answer.how})`)
      t.equal(answer.headers['content-type'], c.type, `${c.name} (${answer.how}): content type`)
      t.equal(answer.headers['content-length'], String(answer.length), `${c.name} (${answer.how}): content length counts bytes`)
      t.equal(answer.headers['x-mock-scenario-served'], c.status === 400 || c.status === 201 || c.status === 409 ? 'default' : 'bad-gateway-html', `${c.name} (${answer.how}): served`)
    }
    if (c.status === 201 || c.status === 409) t.equal(wire.headers['ratelimit-limit'], '100', `${c.name}: rate headers go out`)
  }
})

t.test('a custom body with non-ASCII text gets a byte-exact content length', async (t) => {
  const app = buildApp({ scenarios: [{ id: 'accents', title: 'Accents', kind: 'custom', description: 'A body with non-ASCII text', status: 500, contentType: 'text/plain', text: 'Échec — réessayez', fault: true }] })
  t.teardown(() => app.close())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await request(`${url}/v3/invites`, { method: 'POST', headers: { 'x-mock-scenario': 'accents' } })
  t.equal(await res.body.text(), 'Échec — réessayez')
  t.equal(res.headers['content-length'], String(Buffer.byteLength('Échec — réessayez')))
  t.equal(res.headers['content-type'], 'text/plain')
})

t.test('an answer whose headers Node refuses becomes a 500 problem, not a hang', async (t) => {
  const logs: string[] = []
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { logs.push(line) } } } })
  t.teardown(() => app.close())
  app.post('/v3/invites', (request, reply) => {
    sendOutcome(request, reply, { status: 409, served: 'bad\nid', contentType: 'application/problem+json', payload: '{}' })
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await request(`${url}/v3/invites`, { method: 'POST', headersTimeout: 5000 })
  t.equal(res.statusCode, 500)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(res.headers['x-mock-scenario-served'], 'default')
  t.same(checkContract('BaseError', await res.body.json()), [])
  t.equal(logs.length, 1)
  t.match(JSON.parse(logs[0]!), { msg: 'answer could not be written', reqId: /^req-/ })
})
