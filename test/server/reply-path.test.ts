import t from 'tap'
import Fastify from 'fastify'
import { connect } from 'node:net'
import { request } from 'undici'
import { sendOutcome } from '../../server/reply.js'
import { buildApp } from '../../server/app.js'
import { sendProblem } from '../../server/errors.js'
import { problem } from '../../scenarios/outcome.js'
import { wireType } from '../../scenarios/render.js'
import { checkContract } from '../../contracts/validate.js'
import { build, listen, assertProblem } from '../helpers/app.js'

t.test('wireType gives JSON types a utf-8 charset and leaves the rest as given', async (t) => {
  t.equal(wireType('application/problem+json'), 'application/problem+json; charset=utf-8')
  t.equal(wireType('application/json'), 'application/json; charset=utf-8')
  t.equal(wireType('application/json;'), 'application/json; charset=utf-8', 'a trailing semicolon is not doubled')
  t.equal(wireType('application/hal+json; CHARSET=latin1'), 'application/hal+json; CHARSET=latin1', 'a charset given in any case is kept')
  t.equal(wireType('text/html; charset=utf-8'), 'text/html; charset=utf-8')
  t.equal(wireType('text/plain'), 'text/plain', 'non-JSON types get no charset')
})

t.test('answers written by the invites route carry the same headers over a socket and through inject', async (t) => {
  const app = build(t, { activeUsers: ['taken@example.com'], rateLimit: { limit: 100, windowMs: 60_000 } })
  const { url } = await listen(t, app)
  const cases: Array<{ name: string, headers: Record<string, string>, body: string, status: number, type?: string, served: string }> = [
    { name: 'created by default', headers: {}, body: '{"email":"new@example.com"}', status: 201, served: 'default' },
    { name: 'already active', headers: {}, body: '{"email":"taken@example.com"}', status: 409, type: 'application/problem+json; charset=utf-8', served: 'default' },
    { name: 'html page', headers: { 'x-mock-scenario': 'bad-gateway-html' }, body: '{}', status: 502, type: 'text/html; charset=utf-8', served: 'bad-gateway-html' },
    { name: 'bad selector', headers: { 'x-mock-scenario': 'nope' }, body: '{}', status: 400, type: 'application/problem+json; charset=utf-8', served: 'mock-error' }
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
      t.equal(answer.headers['x-mock-scenario-served'], c.served, `${c.name} (${answer.how}): served`)
    }
    if (c.status === 201 || c.status === 409) t.equal(wire.headers['ratelimit-limit'], '100', `${c.name}: rate headers go out`)
  }
})

t.test('a custom body with non-ASCII text gets a byte-exact content length', async (t) => {
  const app = build(t, { scenarios: [{ id: 'accents', title: 'Accents', kind: 'custom', description: 'A body with non-ASCII text', status: 500, contentType: 'text/plain', text: 'Échec — réessayez', fault: true }] })
  const { url } = await listen(t, app)
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
    sendOutcome(request, reply, { status: 409, served: 'bad\nid', contentType: 'application/problem+json; charset=utf-8', payload: '{}' })
  })
  const { url } = await listen(t, app)
  const res = await request(`${url}/v3/invites`, { method: 'POST', headersTimeout: 5000 })
  assertProblem(t, { status: res.statusCode, headers: res.headers, body: await res.body.text() }, 500, { served: 'default' })
  t.equal(logs.length, 1)
  t.match(JSON.parse(logs[0]!), { msg: 'answer could not be written', reqId: /^req-/ })
})

t.test('a problem answer that cannot be written is logged through the mock\'s own logger', async (t) => {
  const logs: string[] = []
  const app = buildApp({ logger: { level: 'error', stream: { write: (line: string) => { logs.push(line) } } } })
  t.teardown(() => app.close())
  // The one way to make a problem's write fail from outside: a header value Node refuses.
  app.get('/refused', (request, reply) => { sendProblem(request, reply, problem(409, 'taken'), { 'x-bad': 'a\nb' }) })
  const res = await app.inject({ url: '/refused' })
  assertProblem(t, res, 500, { served: 'default' })
  t.equal(logs.length, 1, 'one line')
  t.match(JSON.parse(logs[0]!), { level: 50, msg: 'answer could not be written', reqId: /^req-/, err: { message: /Invalid character in header content/ } })
})

/** Header names of an answer, without the ones that vary by status (rate limits, Allow, WWW-Authenticate). */
const names = (headers: Record<string, unknown>): string[] =>
  Object.keys(headers).filter((name) => !/^(ratelimit-|retry-after|allow$|www-authenticate$)/.test(name)).sort()

function rawExchange (port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { answer += chunk })
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

function parseHead (answer: string): { status: number, headers: Record<string, string>, body: string } {
  const [head, body] = answer.split('\r\n\r\n') as [string, string]
  const [statusLine, ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim()
  return { status: Number(statusLine!.split(' ')[1]), headers, body }
}

t.test('404, 405, 413, 415, admin errors and 408/400 client errors carry the header set of an invite problem', async (t) => {
  // Waits on real timers: it proves the 408 that Node's own 200 ms header timeout gives a real stalled socket has the same headers.
  const app = build(t, { activeUsers: ['taken@example.com'], adminToken: 'secret', bodyLimit: 64, requestTimeout: 200, headersTimeout: 200 })
  const { url, port } = await listen(t, app)
  const json = { authorization: 'Bearer t', 'content-type': 'application/json' }
  const conflict = await request(`${url}/v3/invites`, { method: 'POST', headers: json, body: '{"email":"taken@example.com"}' })
  await conflict.body.dump()
  t.equal(conflict.statusCode, 409)
  const expected = names(conflict.headers)
  t.same(expected, ['connection', 'content-length', 'content-type', 'date', 'keep-alive', 'x-mock-scenario-served'])
  const calls: Array<[string, number, Parameters<typeof request>[1]]> = [
    ['/nowhere', 404, {}],
    ['/v3/invites', 405, { method: 'GET' }],
    ['/v3/invites', 413, { method: 'POST', headers: json, body: JSON.stringify({ email: `${'a'.repeat(80)}@example.com` }) }],
    ['/v3/invites', 415, { method: 'POST', headers: { ...json, 'content-type': 'text/plain' }, body: 'hello' }],
    ['/__mock/health', 401, {}],
    ['/__mock/scenario', 400, { method: 'PUT', headers: { ...json, 'x-mock-admin-token': 'secret' }, body: '{"id":""}' }],
    ['/%zz', 400, {}]
  ]
  for (const [path, status, options] of calls) {
    const res = await request(`${url}${path}`, options)
    const text = await res.body.text()
    t.equal(res.statusCode, status, `${status} ${path}`)
    t.same(names(res.headers), expected, `${status} ${path}: the same headers`)
    t.equal(res.headers['content-type'], conflict.headers['content-type'], `${status} ${path}: the same content type`)
    t.equal(res.headers['content-length'], String(Buffer.byteLength(text)), `${status} ${path}: its length in bytes`)
  }
  // Client errors are answered on the socket, which is then closed: no keep-alive.
  const closing = expected.filter((name) => name !== 'keep-alive')
  for (const [what, text, status] of [['a request cut off', 'POST /v3/invites HTTP/1.1\r\nhost: x\r\n', 408], ['not HTTP', 'NOT HTTP\r\n\r\n', 400]] as const) {
    const answer = parseHead(await rawExchange(port, text))
    t.equal(answer.status, status, what)
    t.same(Object.keys(answer.headers).sort(), closing, `${what}: the same headers`)
    t.equal(answer.headers['content-type'], conflict.headers['content-type'], `${what}: the same content type`)
    t.equal(answer.headers.connection, 'close', `${what}: closed`)
    t.equal(answer.headers['content-length'], String(Buffer.byteLength(answer.body)), `${what}: its length in bytes`)
    t.same(checkContract(status === 400 ? 'BadRequestError' : 'BaseError', JSON.parse(answer.body)), [], `${what}: a problem document`)
    t.match(answer.headers.date, /GMT$/, `${what}: dated`)
  }
})
