import { AssertionError } from 'node:assert'
import t from 'tap'
import { Type } from '@sinclair/typebox'
import {
  assertResponse, bodyViolations, checkAgainst, checkResponse, conforms, describeSchema, expectationFor, formatViolation,
  mediaTypeOf, normalizeHeaders, preview
} from '../../contracts/assert.js'
import { InvalidRules } from '../../contracts/schemas.js'
import { buildApp } from '../../server/app.js'
import { build } from '../helpers/app.js'

const invite = (app: ReturnType<typeof buildApp>, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v3/invites', payload: payload as object, headers: { authorization: 'Bearer t', ...headers } })

t.test('an app.inject() response is checked as it is, against a status or a named contract', async (t) => {
  const app = build(t)
  t.same(checkResponse(await invite(app, { email: '' }), 400), [])
  t.same(checkResponse(await invite(app, { email: '' }), 'BadRequestError'), [])
  t.same(checkResponse(await invite(app, { email: 'a@example.com' }), 201), [])
  t.same(checkResponse(await invite(app, {}, { 'x-mock-scenario': 'rate-limited' }), 'RateLimitedError'), [])
  t.same(checkResponse(await invite(app, {}, { 'x-mock-scenario': 'service-unavailable' }), 503), [])
  t.same(checkResponse(await invite(app, {}, { 'x-mock-scenario': 'server-error' }), 'BaseError'), [])
  t.same(checkResponse(await invite(app, {}, { 'x-mock-scenario': 'permission-denied' }), 'ForbiddenError'), [])
  t.same(checkResponse(await invite(app, {}, { 'x-mock-scenario': 'user-is-already-active' }), 'BadRequestError'), [
    { path: '/status', expected: '400', got: '409' }
  ], 'a wrong status is reported alone')
  t.same(checkResponse(await invite(app, {}, { 'x-mock-scenario': 'created' }), 'BaseError'), [
    { path: '/status', expected: 'a 4XX or 5XX status', got: '201' }
  ])
})

t.test('fetch-style answers: Headers, text, bytes or a parsed body', async (t) => {
  const headers = new Headers({ 'Content-Type': 'application/problem+json', 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' })
  const body = { status: 503, title: 'Service Unavailable', instance: 'konnect:trace:1', detail: 'down' }
  t.same(checkResponse({ status: 503, headers, body: JSON.stringify(body) }, 503), [])
  t.same(checkResponse({ status: 503, headers, body: new TextEncoder().encode(JSON.stringify(body)) }, 503), [])
  t.same(checkResponse({ status: 503, headers, body }, 503), [])
  t.same(checkResponse({ status: 503, headers, body: { ...body, status: 500 } }, 503), [{ path: '/body/status', expected: '503 (the HTTP status)', got: '500' }])
  t.same(checkResponse({ headers, body }, 503), [{ path: '/status', expected: '503', got: '(missing)' }])
})

t.test('headers: Retry-After and RateLimit-* on 429, Retry-After on 503', async (t) => {
  const body = '{"status":429}'
  const headers = { 'content-type': 'application/problem+json', 'retry-after': 'later', 'ratelimit-limit': '60', 'ratelimit-remaining': '-1', 'ratelimit-reset': ['1', '2'] }
  t.same(checkResponse({ statusCode: 429, headers, body }, 429), [
    { path: '/headers/retry-after', expected: 'whole seconds or an HTTP date', got: '"later"' },
    { path: '/headers/ratelimit-remaining', expected: 'a non-negative integer', got: '"-1"' },
    { path: '/headers/ratelimit-reset', expected: 'a non-negative integer', got: '"1, 2"' }
  ])
  t.same(checkResponse({ statusCode: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '12345' }, body: '{}' }, 503).map((v) => v.path),
    ['/body/status', '/body/title', '/body/instance', '/body/detail'])
  t.same(checkResponse({ statusCode: 503, headers: { 'content-type': 'application/problem+json' }, body: '{"status":503,"title":"x","instance":"i","detail":"d"}' }, 503),
    [{ path: '/headers/retry-after', expected: 'whole seconds or an HTTP date', got: '(missing)' }])
})

t.test('media type and body: wrong type, not JSON, empty, a 201 with a body', async (t) => {
  const problemBody = JSON.stringify({ status: 409, title: 'Conflict', instance: 'i', detail: 'd' })
  t.same(checkResponse({ statusCode: 409, headers: { 'content-type': 'application/json; charset=utf-8' }, body: problemBody }, 409),
    [{ path: '/headers/content-type', expected: 'application/problem+json', got: 'application/json' }], 'JSON under the wrong type is still checked')
  t.same(checkResponse({ statusCode: 409, headers: { 'content-type': 'text/html' }, body: '<html>' }, 409),
    [{ path: '/headers/content-type', expected: 'application/problem+json', got: 'text/html' }], 'an HTML page is only a wrong media type')
  t.same(checkResponse({ statusCode: 409, headers: {}, body: problemBody }, 409),
    [{ path: '/headers/content-type', expected: 'application/problem+json', got: '(missing)' }])
  t.same(checkResponse({ statusCode: 409, headers: { 'content-type': 'application/problem+json' }, body: '{"status":' }, 409),
    [{ path: '/body', expected: 'a JSON document (ConflictError)', got: '"{\\"status\\":"' }])
  t.same(checkResponse({ statusCode: 409, headers: { 'content-type': 'application/problem+json' }, body: '' }, 409),
    [{ path: '/body', expected: 'a JSON document (ConflictError)', got: '(empty)' }])
  t.same(checkResponse({ statusCode: 201, headers: {}, body: '{"id":1}' }, 201), [{ path: '/body', expected: 'an empty body', got: '"{\\"id\\":1}"' }])
  t.same(checkResponse({ statusCode: 201, body: { id: 1 } }, 201), [{ path: '/body', expected: 'an empty body', got: '{"id":1}' }])
  t.same(checkResponse({ statusCode: 201 }, 201), [])
  t.same(checkResponse({ statusCode: 204, body: 'x' }, 204), [], 'an undocumented success status only checks the status')
})

t.test('hand-made expectations: an HTML error page', async (t) => {
  const expectation = { status: 502, mediaType: 'text/html', nonEmptyBody: true }
  t.same(checkAgainst({ statusCode: 502, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html></html>' }, expectation), [])
  t.same(checkAgainst({ statusCode: 502, headers: { 'content-type': 'text/html' }, body: '' }, expectation), [{ path: '/body', expected: 'a non-empty body', got: '(empty)' }])
})

t.test('expectationFor knows every status and contract, and refuses the rest', async (t) => {
  t.same(expectationFor(201), { status: 201, emptyBody: true })
  t.same(expectationFor(200), { status: 200 })
  t.same(expectationFor(404), { status: 404, mediaType: 'application/problem+json', contract: 'BaseError' })
  t.same(expectationFor('UnauthorizedError'), { status: 401, mediaType: 'application/problem+json', contract: 'UnauthorizedError' })
  t.match(expectationFor('RateLimitedError').headers, { 'retry-after': 'seconds-or-date', 'ratelimit-limit': 'integer' })
  t.throws(() => expectationFor('InviteUserRequest' as never), { name: 'TypeError', message: /^unknown response contract "InviteUserRequest"; valid: BaseError, BadRequestError/ })
  t.throws(() => expectationFor(99), { name: 'TypeError', message: 'not an HTTP status: 99' })
  t.throws(() => expectationFor(4.5), TypeError)
  t.throws(() => expectationFor(600), TypeError)
})

t.test('assertResponse throws a node:assert AssertionError listing every violation', async (t) => {
  const response = { statusCode: 400, headers: { 'content-type': 'application/problem+json' }, body: { status: 400, title: 'Bad Request', instance: 'i', invalid_parameters: [] } }
  t.doesNotThrow(() => assertResponse({ statusCode: 201 }, 201))
  const error = t.throws(() => assertResponse(response, 400)) as AssertionError
  t.type(error, AssertionError)
  t.equal(error.message, [
    'the answer breaks the 400 contract (2 violations)',
    '  /body/detail: expected a string (required), got (missing)',
    '  /body/invalid_parameters: expected at least 1 item(s), got 0 item(s)'
  ].join('\n'))
  t.equal(error.operator, 'checkResponse')
  t.same(error.expected, [])
  t.throws(() => assertResponse({ statusCode: 200 }, 'ConflictError', 'invite of an active user'), { message: 'invite of an active user\n  /status: expected 409, got 200' })
  t.throws(() => assertResponse({ statusCode: 200 }, 201), { message: 'the answer breaks the 201 contract (1 violation)\n  /status: expected 201, got 200' })
})

t.test('conforms reports through t.same, so tap shows the violations as the diff', async (t) => {
  t.equal(conforms(t, { statusCode: 201 }, 201), true)
  const calls: unknown[][] = []
  const fake = { same: (...args: unknown[]) => calls.push(args) }
  t.equal(conforms(fake, { statusCode: 200 }, 201, 'the invite is created'), false)
  t.same(calls, [[[{ path: '/status', expected: '201', got: '200' }], [], 'the invite is created']])
  conforms(fake, { statusCode: 201 }, 'BaseError')
  t.equal(calls[1]![2], 'the answer meets the BaseError contract')
})

t.test('union errors are explained by the closest variant; leaf unions by their values', async (t) => {
  const ruleOnly = bodyViolations(InvalidRules, 'nope', '/rule')
  t.same(ruleOnly, [{ path: '/rule', expected: 'one of "required", "is_array", "is_base64", … (23 values in all)', got: '"nope"' }])
  const item = { status: 400, title: 'x', detail: '', instance: 'i', invalid_parameters: [{ field: 'f', reason: 'r', rule: 'min_length' }] }
  t.same(bodyViolations((await import('../../contracts/schemas.js')).BadRequestError, item), [
    { path: '/invalid_parameters/0/minimum', expected: 'an integer (required)', got: '(missing)' }
  ], 'a min_length rule is read as the minimum-length variant')
  t.same(bodyViolations((await import('../../contracts/schemas.js')).InvalidParameters, ['x']),
    [{ path: '/0', expected: 'one of an object (InvalidParameterStandard), an object (InvalidParameterMinimumLength), an object (InvalidParameterMaximumLength), … (5 values in all)', got: '"x"' }])
  t.same(bodyViolations((await import('../../contracts/schemas.js')).InvalidParameters, [{ field: 'a', reason: 'b' }, { field: 'a', reason: 'b' }]),
    [{ path: '', expected: 'unique items', got: 'duplicate items' }])
  t.same(bodyViolations(Type.Union([Type.Literal(1), Type.Literal(2)]), 3), [{ path: '', expected: 'one of 1, 2', got: '3' }])
})

t.test('describeSchema, mediaTypeOf, normalizeHeaders, preview, formatViolation', async (t) => {
  t.equal(describeSchema(Type.Number()), 'a number')
  t.equal(describeSchema(Type.Boolean()), 'a boolean')
  t.equal(describeSchema(Type.Null()), 'null')
  t.equal(describeSchema(Type.Unknown()), 'any value')
  t.equal(describeSchema(Type.Array(Type.String())), 'an array')
  t.equal(describeSchema(Type.Array(Type.String(), { minItems: 1 })), 'a non-empty array')
  t.equal(describeSchema(Type.Object({})), 'an object')
  t.equal(describeSchema(Type.String({ format: 'email' })), 'a string in email format')
  t.equal(describeSchema({ anyOf: [{ type: 'string' }] } as never), 'a string')
  t.equal(mediaTypeOf(undefined), undefined)
  t.equal(mediaTypeOf(' Text/HTML ;charset=utf-8'), 'text/html')
  t.same(normalizeHeaders(undefined), {})
  t.same(normalizeHeaders({ 'Content-Length': 3, 'X-A': undefined, 'Set-Cookie': ['a', 'b'] }), { 'content-length': '3', 'set-cookie': 'a, b' })
  t.equal(preview(undefined), '(missing)')
  t.equal(preview(null), 'null')
  t.equal(preview(() => 1), '() => 1')
  t.equal(preview('x'.repeat(100)), `"${'x'.repeat(76)}...`)
  t.equal(formatViolation({ path: '/status', expected: '201', got: '200' }), '/status: expected 201, got 200')
})
