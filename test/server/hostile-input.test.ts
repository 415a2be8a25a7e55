import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { DEFAULTS } from '../../server/defaults.js'
import { assertHealthy, exchange, parseAnswer } from '../helpers/wire.js'
import { build, listen, assertProblem } from '../helpers/app.js'

const POST = 'POST /v3/invites HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer t\r\ncontent-type: application/json\r\n'

function problemOf (t: Parameters<typeof assertProblem>[0], res: LightMyRequestResponse, expected: number | number[], what: string) {
  return assertProblem(t, res, expected, what)
}

function post (app: FastifyInstance, payload: string | Buffer, headers: Record<string, string | string[]> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers }, payload })
}

t.test('bodies over the limit are 413 problem+json, by default at 64 KiB and as configured', async (t) => {
  const app = build(t)
  const padded = (size: number) => `{"email":"a@example.com","pad":"${'x'.repeat(size - 34)}"}`
  t.equal(padded(DEFAULTS.bodyLimit).length, DEFAULTS.bodyLimit)
  t.equal((await post(app, padded(DEFAULTS.bodyLimit))).statusCode, 201, 'exactly the limit is accepted')
  const over = problemOf(t, await post(app, padded(DEFAULTS.bodyLimit + 1)), 413, '64 KiB + 1')
  t.match(over.detail, `${DEFAULTS.bodyLimit} bytes`)

  const small = build(t, { bodyLimit: 64 })
  problemOf(t, await post(small, padded(65)), 413, 'bodyLimit 64')
  problemOf(t, await post(small, 'x'.repeat(10 * 1024 * 1024)), 413, 'ten megabytes')
  await assertHealthy(t, small)
})

t.test('over the wire, a declared or streamed body over the limit is 413 and the server goes on', async (t) => {
  const app = build(t, { bodyLimit: 1024 })
  const { port } = await listen(t, app)
  const declared = parseAnswer(await exchange(port, [`${POST}content-length: 999999999\r\nconnection: close\r\n\r\n{"email":`]))
  assertProblem(t, declared, 413, 'content-length far over the limit')
  const chunk = `400\r\n${'x'.repeat(0x400)}\r\n`
  const chunked = parseAnswer(await exchange(port, [`${POST}transfer-encoding: chunked\r\nconnection: close\r\n\r\n`, chunk, chunk, '0\r\n\r\n']))
  assertProblem(t, chunked, 413, 'chunked body over the limit')
  await assertHealthy(t, app)
})

t.test('media types other than JSON are 415 problem+json', async (t) => {
  const app = build(t)
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'image/png', '*/*', 'garbage']) {
    problemOf(t, await post(app, 'email=a@example.com', { 'content-type': type }), 415, type)
  }
  const missing = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: Buffer.from('{"email":"a@example.com"}') })
  problemOf(t, missing, [400, 415], 'a body without a content type')
})

t.test('wrong methods and paths are 405 and 404 problem+json', async (t) => {
  const app = build(t)
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const) {
    const res = await app.inject({ method, url: '/v3/invites' })
    problemOf(t, res, 405, `${method} /v3/invites`)
    t.equal(res.headers.allow, 'POST')
  }
  for (const url of ['/v3/invite', '/v2/invites', '/v3/invites/extra', '/%2e%2e/%2e%2e/etc/passwd', `/${'a/'.repeat(2000)}`, '/__mock/nothing-here']) {
    problemOf(t, await app.inject({ method: 'POST', url, payload: '{}', headers: { 'content-type': 'application/json' } }), 404, url.slice(0, 40))
  }
  problemOf(t, await app.inject({ method: 'GET', url: '/%zz%' }), [400, 404], 'a path that does not decode')
})

t.test('malformed, truncated, odd and hostile JSON is 400 problem+json', async (t) => {
  const app = build(t)
  const bodies: Record<string, string | Buffer> = {
    empty: '',
    'only whitespace': '   \n\t ',
    malformed: '{email: a@example.com}',
    truncated: '{"email":"a@exa',
    'trailing garbage': '{"email":"a@example.com"} x',
    'single quotes': "{'email':'a@example.com'}",
    'deeply nested arrays': `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
    'deeply nested objects': `${'{"email":'.repeat(5000)}"a@example.com"${'}'.repeat(5000)}`,
    'a huge array under the limit': `[${'1,'.repeat(30_000)}1]`,
    'a huge email': JSON.stringify({ email: `${'a'.repeat(60_000)}@example.com` }),
    'not UTF-8': Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('@example.com"}')]),
    'a UTF-16 byte order mark': Buffer.from('\ufeff{"email":"a@example.com"}', 'utf16le'),
    'a lone surrogate escape': '{"email":"\\ud800@example.com"}',
    'a NUL byte': '{"email":"a\\u0000@example.com"}',
    'a top-level __proto__': '{"__proto__":{"polluted":true},"email":"a@example.com"}',
    'nested __proto__': '{"email":"a@example.com","x":{"__proto__":{"polluted":true}}}',
    'constructor.prototype': '{"constructor":{"prototype":{"polluted":true}},"email":"a@example.com"}',
    null: 'null',
    array: '[{"email":"a@example.com"}]',
    string: '"a@example.com"',
    number: '1e999',
    boolean: 'true',
    'email as an object': '{"email":{"$ne":null}}',
    'email as an array': '{"email":["a@example.com"]}',
    'email as a number': '{"email":12345}'
  }
  for (const [what, body] of Object.entries(bodies)) {
    const problem = problemOf(t, await post(app, body), 400, what)
    t.ok(Array.isArray(problem.invalid_parameters), `${what}: names what is invalid`)
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched')
  t.equal(Object.hasOwn(Object.prototype, 'polluted'), false)
  await assertHealthy(t, app)
})

t.test('absurd selector and auth headers are 400 or 401 problem+json', async (t) => {
  const app = build(t)
  const long = 'x'.repeat(12_000)
  const cases: Array<[string, Record<string, string | string[]>, number]> = [
    ['a very long X-Mock-Scenario', { 'x-mock-scenario': long }, 400],
    ['an X-Mock-Scenario of punctuation', { 'x-mock-scenario': '../../etc/passwd;<script>' }, 400],
    ['two X-Mock-Scenario values', { 'x-mock-scenario': ['created', 'rate-limited'] }, 400],
    ['a very long Prefer example', { prefer: `example="${long}"` }, 400],
    ['Prefer with an unknown code', { prefer: 'code=999' }, 400],
    ['Prefer with a code that is not a number', { prefer: 'code=abc' }, 400],
    ['Prefer with a mismatched code', { prefer: 'code=201, example="Cannot be Blank"' }, 400],
    ['Prefer with an unterminated quote', { prefer: 'example="Cannot be Blank' }, 400],
    ['a negative X-Mock-Delay', { 'x-mock-delay': '-1' }, 400],
    ['X-Mock-Delay in exponent form', { 'x-mock-delay': '1e3' }, 400],
    ['a huge X-Mock-Delay', { 'x-mock-delay': '99999999999999999999' }, 400],
    ['an empty X-Mock-Delay', { 'x-mock-delay': '' }, 400],
    ['two X-Mock-Delay values', { 'x-mock-delay': ['1', '2'] }, 400],
    ['a very long X-Mock-Session', { 'x-mock-session': long }, 400],
    ['a very long bearer token', { authorization: `Bearer ${long}` }, 401],
    ['Basic credentials', { authorization: 'Basic dTpw' }, 401],
    ['a token with a space', { authorization: 'Bearer a b' }, 401],
    ['Bearer and nothing else', { authorization: 'Bearer' }, 401],
    ['a very long Authorization scheme', { authorization: long }, 401]
  ]
  for (const [what, headers, status] of cases) {
    problemOf(t, await post(app, '{"email":"a@example.com"}', headers), status, what)
  }
  const unknown = problemOf(t, await post(app, '{}', { 'x-mock-scenario': long }), 400, 'detail')
  t.ok(String(unknown.detail).length < 2000, 'a long unknown value is cut short in the detail')
})

t.test('raw-socket garbage gets a problem+json from the client error handler, never a hang', async (t) => {
  const app = build(t)
  const { port } = await listen(t, app)
  const garbage: Array<[string, Array<string | Buffer>, number]> = [
    ['not HTTP at all', ['GARBAGE\r\n\r\n'], 400],
    ['binary noise', [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a])], 400],
    ['an unknown HTTP version', ['POST /v3/invites HTTP/9.9\r\nhost: x\r\n\r\n'], 400],
    ['a header line without a colon', [`${POST}this is not a header\r\n\r\n`], 400],
    ['a control character in a header value', [`${POST}x-mock-scenario: created\u0001\r\n\r\n`], 400],
    ['a space before the colon', [`${POST}x-mock-delay : 1\r\n\r\n`], 400],
    ['both content-length and chunked', [`${POST}content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`], 400],
    ['a content-length that is not a number', [`${POST}content-length: abc\r\n\r\n`], 400],
    ['two different content-lengths', [`${POST}content-length: 2\r\ncontent-length: 3\r\n\r\n{}`], 400],
    ['a bad chunk size', [`${POST}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`], 400],
    ['headers over the size limit', [`${POST}x-mock-session: ${'s'.repeat(20_000)}\r\n\r\n`], 431]
  ]
  for (const [what, chunks, status] of garbage) {
    const answer = parseAnswer(await exchange(port, chunks))
    assertProblem(t, answer, status, what)
    t.equal(answer.headers.connection, 'close', `${what}: the connection is closed`)
  }
  const many = parseAnswer(await exchange(port, [`${POST}connection: close\r\n${'x-a: b\r\n'.repeat(3000)}\r\n`]))
  assertProblem(t, many, [400, 431], 'three thousand headers')
  await assertHealthy(t, app)
})

t.test('a client that hangs up mid-request does not disturb the server', async (t) => {
  const app = build(t)
  const { port } = await listen(t, app)
  for (const [what, chunks] of [['in the body', [`${POST}content-length: 100\r\n\r\n{"email":`]], ['in the request line', ['POST /v3/inv']]] as const) {
    const written = await exchange(port, chunks)
    if (written !== '') assertProblem(t, parseAnswer(written), 400, `a client that stops ${what}`)
  }
  await assertHealthy(t, app)
})
