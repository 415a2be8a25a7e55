import t, { type Test } from 'tap'
import { MockAgent } from 'undici'
import {
  BadRequestError, ConflictError, ConnectionError, ContractViolationError, inviteUser, RateLimitedError, SDKError
} from '../../contracts/client.js'
import { build, listen } from '../helpers/app.js'

const ORIGIN = 'http://konnect.test'

/** An undici MockAgent answering every invite with one fixed answer. */
function answering (t: Test, status: number, body: string, headers: Record<string, string> = {}): MockAgent {
  const agent = new MockAgent()
  agent.disableNetConnect()
  agent.get(ORIGIN).intercept({ path: '/v3/invites', method: 'POST' }).reply(status, body, { headers }).persist()
  t.teardown(() => agent.close())
  return agent
}

t.test('the documented answers of the mock map to the SDK results', async (t) => {
  const { url } = await listen(t, build(t))
  const invite = (scenario?: string) => inviteUser({ baseUrl: url, token: 'kpat_x', email: 'ada@example.com', ...(scenario === undefined ? {} : { headers: { 'x-mock-scenario': scenario } }) })

  const created = await invite()
  t.equal(created.statusCode, 201)
  t.equal(created.attempts, 1)
  t.equal(created.headers['x-mock-scenario-served'], 'default')

  const badRequest = await invite('cannot-be-blank').catch((error: unknown) => error) as BadRequestError
  t.type(badRequest, BadRequestError)
  t.equal(badRequest.name, 'BadRequestError')
  t.equal(badRequest.statusCode, 400)
  t.equal(badRequest.contentType, 'application/problem+json; charset=utf-8')
  t.same(badRequest.body.invalid_parameters, [{ field: 'name', reason: 'cannot be blank' }])
  t.equal(badRequest.message, '400 Bad Request')
  t.equal(badRequest.headers['x-mock-scenario-served'], 'cannot-be-blank')

  const idp = await invite('idp-configuration-is-required').catch((error: unknown) => error) as BadRequestError
  t.equal(idp.message, '400 Bad Request: An IdP configuration is required')

  const conflict = await invite('user-is-already-active').catch((error: unknown) => error) as ConflictError
  t.type(conflict, ConflictError)
  t.equal(conflict.body.detail, 'User is already active')

  const limited = await invite('rate-limited').catch((error: unknown) => error) as RateLimitedError
  t.type(limited, RateLimitedError)
  t.equal(limited.statusCode, 429)
  t.equal(limited.retryAfterMs, 1000)
  t.equal(limited.headers['ratelimit-remaining'], '0')

  for (const [scenario, status, type] of [['unauthenticated', 401, 'application/problem+json; charset=utf-8'], ['permission-denied', 403, 'application/problem+json; charset=utf-8'],
    ['server-error', 500, 'application/problem+json; charset=utf-8'], ['service-unavailable', 503, 'application/problem+json; charset=utf-8'], ['bad-gateway-html', 502, 'text/html; charset=utf-8']] as const) {
    const error = await invite(scenario).catch((e: unknown) => e) as SDKError
    t.type(error, SDKError, scenario)
    t.equal(error.message, `API error occurred: status ${status}, content type ${type}`)
    t.equal(error.statusCode, status)
    t.ok(error.body.length > 0, 'the raw body is kept')
  }

  const reset = await invite('connection-reset').catch((error: unknown) => error) as ConnectionError
  t.type(reset, ConnectionError)
  t.match(reset.message, /^no answer from http:\/\/127\.0\.0\.1:\d+\/v3\/invites: (ECONNRESET|UND_ERR_SOCKET|other side closed)/)
})

t.test('no token sends no Authorization header: the 401 is an SDKError', async (t) => {
  const { url } = await listen(t, build(t))
  await t.rejects(inviteUser({ baseUrl: url, email: 'ada@example.com' }), { constructor: SDKError, statusCode: 401, message: /^API error occurred: status 401/ })
})

t.test('400, 409 and 429 with another content type are "unknown content-type received"', async (t) => {
  for (const status of [400, 409, 429]) {
    const agent = answering(t, status, '{"status":400}', { 'content-type': 'application/json' })
    await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent }),
      { constructor: SDKError, statusCode: status, body: '{"status":400}', message: `unknown content-type received: status ${status}, content type application/json` })
  }
  const none = answering(t, 400, '')
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: none }),
    { message: 'unknown content-type received: status 400, content type (none)' })
})

t.test('the media type is compared without its parameters', async (t) => {
  const body = JSON.stringify({ status: 409, title: 'Conflict', instance: 'konnect:trace:1', detail: 'User is already active' })
  const agent = answering(t, 409, body, { 'content-type': 'Application/Problem+JSON; charset=utf-8' })
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent }), { constructor: ConflictError, message: '409 Conflict: User is already active' })
})

t.test('a status outside 201, 4XX and 5XX is "unknown status code returned"', async (t) => {
  const agent = answering(t, 200, '{}', { 'content-type': 'application/json' })
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent }),
    { constructor: SDKError, statusCode: 200, message: 'unknown status code returned: status 200, content type application/json' })
})

t.test('a body that breaks its contract names the path and what was expected', async (t) => {
  const problem = { 'content-type': 'application/problem+json' }
  const missing = answering(t, 429, JSON.stringify({ status: '429' }), problem)
  const error = await inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: missing }).catch((e: unknown) => e) as ContractViolationError
  t.type(error, ContractViolationError)
  t.equal(error.message, '429 body breaks RateLimitedError at /status: expected an integer, got "429"')
  t.equal(error.contract, 'RateLimitedError')
  t.same(error.violations, [{ path: '/status', expected: 'an integer', got: '"429"' }])

  const several = answering(t, 400, JSON.stringify({ status: 400 }), problem)
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: several }),
    { message: '400 body breaks BadRequestError at /title: expected a string (required), got (missing) (and 3 more)' })

  const notJson = answering(t, 409, '<html>', problem)
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: notJson }),
    { constructor: ContractViolationError, body: '<html>', message: '409 body breaks ConflictError at /: expected a JSON document, got "<html>"' })

  const bare = answering(t, 429, '{}', problem)
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: bare }), { constructor: RateLimitedError, message: '429 error', body: {} })

  const empty = answering(t, 409, '', problem)
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: empty }),
    { message: '409 body breaks ConflictError at /: expected a JSON document, got (empty)' })
})

t.test('the request carries the token, the JSON body and extra headers, through the given dispatcher', async (t) => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  agent.get(ORIGIN).intercept({
    path: '/v3/invites',
    method: 'POST',
    body: '{"email":"ada@example.com"}',
    headers: { authorization: 'Bearer kpat_x', 'content-type': 'application/json', 'x-mock-session': 's1' }
  }).reply(201, '')
  const result = await inviteUser({ baseUrl: new URL(`${ORIGIN}/ignored/path`), token: 'kpat_x', email: 'ada@example.com', headers: { 'x-mock-session': 's1' }, dispatcher: agent })
  t.same(result, { statusCode: 201, headers: {}, attempts: 1 })
})

t.test('an unreachable server is a ConnectionError with its code; an aborted request rejects with the abort', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  await app.close()
  await t.rejects(inviteUser({ baseUrl: url, token: 't', email: 'a@example.com' }), { constructor: ConnectionError, code: 'ECONNREFUSED', message: `no answer from ${url}/v3/invites: ECONNREFUSED` })
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  agent.get(ORIGIN).intercept({ path: '/v3/invites', method: 'POST' }).replyWithError(new Error('boom'))
  await t.rejects(inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', dispatcher: agent }),
    { constructor: ConnectionError, code: undefined, message: 'no answer from http://konnect.test/v3/invites: boom' })
  const controller = new AbortController()
  controller.abort()
  const aborted = await inviteUser({ baseUrl: ORIGIN, token: 't', email: 'a@example.com', signal: controller.signal, dispatcher: answering(t, 201, '') }).catch((e: unknown) => e)
  t.notOk(aborted instanceof ConnectionError)
  t.equal((aborted as Error).name, 'AbortError')
})
