import { connect, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import t, { type Test } from 'tap'
import { Client } from 'undici'
import { checkContract } from '../../contracts/validate.js'
import { buildApp } from '../../server/app.js'
import { clientErrorHandler } from '../../server/errors.js'
import { INSTANCE } from '../helpers/inject.js'
import { build, heldSleep, listen, assertProblem } from '../helpers/app.js'
import { MOCK_ERROR_ID } from '../../contracts/headers.js'

type Reply = Awaited<ReturnType<ReturnType<typeof buildApp>['inject']>>

/** A problem the app makes itself: served by `default`, with a trace instance, and the detail given. */
function assertOwnProblem (t: Test, res: Reply, status: number, detail?: RegExp | string) {
  const body = assertProblem(t, res, status, { served: 'default', what: `${status}` })
  t.match(body, { status, instance: INSTANCE })
  if (status !== 400) t.equal(body.type, `https://httpstatuses.com/${status}`)
  if (detail !== undefined) t.match(body.detail, detail)
  return body
}

t.test('404 for an unknown route', async (t) => {
  const app = build(t)
  assertOwnProblem(t, await app.inject({ url: '/v3/users' }), 404, 'No route for GET /v3/users')
  assertOwnProblem(t, await app.inject({ method: 'POST', url: '/v3/invites/', payload: {} }), 404, 'No route for POST /v3/invites/')
  assertOwnProblem(t, await app.inject({ url: `/${'x'.repeat(300)}?q=1` }), 404, new RegExp(`^No route for GET /${'x'.repeat(199)}…$`))
})

t.test('405 with Allow for a known path and another method', async (t) => {
  const app = build(t)
  const invites = await app.inject({ url: '/v3/invites?x=1' })
  assertOwnProblem(t, invites, 405, 'Method GET is not allowed on /v3/invites; use POST')
  t.equal(invites.headers.allow, 'POST')
  const scenario = await app.inject({ method: 'POST', url: '/__mock/scenario' })
  const admin = assertProblem(t, scenario, 405, { served: MOCK_ERROR_ID })
  t.match(admin, { type: 'urn:konnect-invites-mock:problem:admin-route', detail: 'Method POST is not allowed on /__mock/scenario; use PUT, DELETE' }, 'under /__mock, the mock\'s own 405')
  t.equal(scenario.headers.allow, 'PUT, DELETE')
  const user = await app.inject({ method: 'POST', url: '/__mock/users/a@example.com' })
  t.equal(user.headers.allow, 'PUT, DELETE', 'parametric routes too')
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/health' })).headers.allow, 'GET, HEAD')
})

t.test('413 for a body over the limit', async (t) => {
  const app = build(t, { bodyLimit: 100 })
  assertOwnProblem(t, await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: `${'a'.repeat(100)}@example.com` } }), 413, 'The request body is larger than 100 bytes')
})

t.test('415 for a body that is not JSON', async (t) => {
  const app = build(t)
  assertOwnProblem(t, await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'text/plain' }, payload: 'email=a@example.com' }), 415, /application\/json/)
  const admin = assertProblem(t, await app.inject({ method: 'PUT', url: '/__mock/scenario', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'id=created' }), 415, { served: MOCK_ERROR_ID })
  t.match(admin, { type: 'urn:konnect-invites-mock:problem:admin-request', detail: 'PUT /__mock/scenario takes a JSON body (Content-Type: application/json), not application/x-www-form-urlencoded' })
})

t.test('JSON parse errors, empty and array bodies answer the documented "Request Format is Invalid"', async (t) => {
  const app = build(t)
  for (const payload of ['{"email":', '', '[]', '["a@example.com"]', '"a@example.com"', 'null', '{"__proto__":{"x":1}}']) {
    const res = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, payload })
    const body = assertOwnProblem(t, res, 400)
    t.same(body.invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }], JSON.stringify(payload))
  }
  const none = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' } })
  t.same(assertOwnProblem(t, none, 400).invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }], 'no body and no content type')
})

t.test('a Content-Length that does not match the body', async (t) => {
  const app = build(t)
  const res = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'content-length': '3' }, payload: '{"email":"a@example.com"}' })
  t.same(assertOwnProblem(t, res, 400, 'The body length does not match Content-Length').invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }])
})

t.test('a URL that cannot be decoded', async (t) => {
  const app = build(t)
  const res = await app.inject({ method: 'PUT', url: '/__mock/users/%E0%A4%A' })
  t.same(assertOwnProblem(t, res, 400, /not a valid url component/).invalid_parameters, [{ field: 'url', reason: 'is not a valid URL', source: 'path' }])
})

t.test('errors thrown by a route go through the same path', async (t) => {
  const logs: string[] = []
  const app = build(t, { logger: { level: 'error', stream: { write: (line: string) => { logs.push(line) } } } })
  app.get('/crash', async () => { throw new Error('secret internals') })
  app.get('/teapot', async () => { throw Object.assign(new Error('I am a teapot'), { statusCode: 418 }) })
  app.get('/bad', async () => { throw Object.assign(new Error('Bad input'), { statusCode: 400 }) })
  app.get('/odd', async () => { throw Object.assign(new Error('odd'), { statusCode: 302 }) })
  const crash = await app.inject({ url: '/crash' })
  const body = assertOwnProblem(t, crash, 500, 'An unexpected error occurred')
  t.notMatch(crash.body, 'secret internals', 'no internals leak')
  t.equal(body.title, 'Internal Server Error')
  t.equal(logs.length, 1, 'a 500 is logged')
  t.match(logs[0], 'secret internals')
  t.match(JSON.parse(logs[0]!), { reqId: /^req-/, msg: 'request failed' }, 'the error line names its request')
  assertOwnProblem(t, await app.inject({ url: '/teapot' }), 418, 'I am a teapot')
  t.same(assertOwnProblem(t, await app.inject({ url: '/bad' }), 400, 'Bad input').invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }])
  assertOwnProblem(t, await app.inject({ url: '/odd' }), 500)
  t.equal(logs.length, 2, 'client errors are not logged')
})

class FakeSocket extends Duplex {
  written = ''
  ended = false
  override _read () {}
  override _write (chunk: Buffer, _encoding: string, done: () => void) { this.written += chunk.toString(); done() }
  override end (chunk?: unknown): this { if (typeof chunk === 'string') this.written += chunk; this.ended = true; return this }
}

t.test('clientErrorHandler answers HTTP-level errors as problem+json on the raw socket', async (t) => {
  for (const [code, status, reason] of [['HPE_INVALID_METHOD', 400, 'Bad Request'], ['HPE_HEADER_OVERFLOW', 431, 'Request Header Fields Too Large'], ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'Request Timeout'], ['HPE_TIMEOUT', 408, 'Request Timeout']] as const) {
    const socket = new FakeSocket()
    clientErrorHandler(Object.assign(new Error('x'), { code }), socket as unknown as Socket)
    t.ok(socket.ended, code)
    const [head, payload] = socket.written.split('\r\n\r\n') as [string, string]
    t.match(head, new RegExp(`^HTTP/1.1 ${status} ${reason}\r\n`), code)
    t.match(head, 'content-type: application/problem+json')
    t.match(head, `content-length: ${Buffer.byteLength(payload)}`)
    t.match(head, 'x-mock-scenario-served: default')
    t.same(checkContract(status === 400 ? 'BadRequestError' : 'BaseError', JSON.parse(payload)), [], `${code}: the documented shape of a ${status}`)
    t.equal(JSON.parse(payload).status, status)
  }
  const reset = new FakeSocket()
  clientErrorHandler(Object.assign(new Error('x'), { code: 'ECONNRESET' }), reset as unknown as Socket)
  t.ok(reset.destroyed, 'a reset socket is destroyed')
  t.equal(reset.written, '')
  const gone = new FakeSocket()
  gone.destroy()
  clientErrorHandler(Object.assign(new Error('x'), { code: 'HPE_INVALID_METHOD' }), gone as unknown as Socket)
  t.equal(gone.written, '', 'nothing is written to a socket that cannot take it')
})

t.test('garbage on a real socket gets a problem+json 400', async (t) => {
  const app = build(t)
  const { port } = await listen(t, app)
  const answer = await new Promise<string>((resolve, reject) => {
    let data = ''
    const socket = connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'))
    socket.on('data', (chunk) => { data += chunk.toString() })
    socket.on('end', () => resolve(data))
    socket.on('error', reject)
  })
  t.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.same(checkContract('BadRequestError', JSON.parse(answer.split('\r\n\r\n')[1]!)), [])
})

t.test('while the server closes, a request already on a connection gets a real answer, never Fastify\'s default 503 JSON', async (t) => {
  const gate = heldSleep()
  const app = buildApp({ sleep: gate.sleep })
  // Registered after the mock's own: runs once the mock knows it is closing.
  app.addHook('preClose', (done) => { gate.release(); done() })
  const { url } = await listen(t, app)
  const client = new Client(url, { pipelining: 2 })
  t.teardown(() => client.destroy())
  const send = (headers: Record<string, string>) =>
    client.request({ method: 'POST', path: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers }, body: '{"email":"a@example.com"}' })
      .then(async (res) => ({ status: res.statusCode, headers: res.headers, body: await res.body.text() }))
  const inFlight = send({ 'x-mock-delay': '100' })
  const queued = send({})
  await gate.held
  const closed = app.close()
  const answered = await inFlight
  t.equal(answered.status, 201, 'the request in flight finishes')
  t.equal(answered.headers.connection, 'close', 'and says the connection ends with it')
  // A request pipelined behind an answer that says Connection: close is the client's to retry; the
  // server refuses new connections by then, so it fails at the client, never with a 503 body.
  const behind = await queued.then((res) => res.status, (error: Error) => error)
  t.type(behind, Error, 'the pipelined request is not answered at all')
  await closed
})

t.test('the logger option: off by default, pino defaults with true, pino options otherwise', async (t) => {
  const apps = [buildApp(), buildApp({ logger: true }), buildApp({ logger: { level: 'warn' } })]
  t.teardown(() => Promise.all(apps.map((app) => app.close())))
  t.same(apps.map((app) => app.mock.log.level), ['silent', 'info', 'warn'])
  const seen: unknown[] = []
  for (const app of apps) {
    app.get('/which-logger', async (request) => { seen.push(request.log); return '' })
    await app.inject('/which-logger')
  }
  t.same(seen.map((log, i) => log === apps[i]!.mock.log), [true, true, true], 'each request logs through the same logger, no child')
})
