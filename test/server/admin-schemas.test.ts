import tap, { type Test } from 'tap'
import { Type } from '@sinclair/typebox'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { BadRequestError } from '../../contracts/schemas.js'
import { checkSchema } from '../../contracts/validate.js'
import { invite, setScenario } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

/** A refused admin call: the mock's own 400, its detail naming the route and every refused field. */
const badRequestOf = (t: Test, res: LightMyRequestResponse, what: string): unknown[] => {
  const body = assertProblem(t, res, 400, { served: 'mock-error', what })
  t.same(checkSchema(BadRequestError, body), [], `${what}: a BadRequestError`)
  t.equal(body.type, 'urn:konnect-invites-mock:problem:admin-request', `${what}: the mock's own problem`)
  t.match(body.detail, /^(PUT|DELETE|GET) \/__mock\/[^:]+(:email)?: the (body|query string|path) is refused: /, `${what}: the detail names the route`)
  for (const { field, reason } of body.invalid_parameters as Array<{ field: string, reason: string }>) t.match(body.detail, `${field} ${reason}`, `${what}: the detail says ${field}`)
  return body.invalid_parameters
}

/** A route added to the app (not the mock's controls): the app's plain 400, served as the default behaviour. */
const appBadRequestOf = (t: Test, res: LightMyRequestResponse, what: string): unknown[] => {
  const body = assertProblem(t, res, 400, { served: 'default', what })
  t.same(checkSchema(BadRequestError, body), [], `${what}: a BadRequestError`)
  return body.invalid_parameters
}

tap.test('a repeated ?session= is a 400, not a silent fall-through to the global scenario', async (t) => {
  const app = build(t)
  await setScenario(app, { id: 'rate-limited' })
  await setScenario(app, { id: 'server-error', session: 'a' })
  const cleared = await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=a&session=a' })
  t.same(badRequestOf(t, cleared, 'DELETE'), [{ field: 'session', reason: 'must be a string', rule: 'is_string', source: 'query' }])
  const { active } = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.same(active, { global: { id: 'rate-limited' }, sessions: { a: { id: 'server-error' } }, totalSessions: 1 }, 'neither the global nor the session scenario was cleared')
  const listed = await app.inject({ url: '/__mock/requests?session=a&session=b' })
  t.same(badRequestOf(t, listed, 'GET /requests'), [{ field: 'session', reason: 'must be a string', rule: 'is_string', source: 'query' }])
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=a' })).statusCode, 200, 'a single one is fine')
})

tap.test('every admin route with input rejects a bad body, query or path parameter with invalid_parameters', async (t) => {
  const app = build(t)
  const cases: Array<[string, InjectOptions, unknown[]]> = [
    ['PUT /scenario, a string id of the wrong type', { method: 'PUT', url: '/__mock/scenario', payload: { id: 7 } },
      [{ field: 'id', reason: 'must be a string', rule: 'is_string', source: 'body' }]],
    ['PUT /scenario, times not a whole number', { method: 'PUT', url: '/__mock/scenario', payload: { id: 'created', times: 'twice' } },
      [{ field: 'times', reason: 'must be an integer', rule: 'is_integer', source: 'body' }]],
    // `id` may be left out for a `sequence`: which of the two is missing is said once the schema holds (sequences.test.ts).
    ['PUT /scenario, every failure at once', { method: 'PUT', url: '/__mock/scenario', payload: { times: 0, delayMs: -1, session: 'x'.repeat(201), other: 1 } },
      [
        { field: 'other', reason: 'unexpected property', rule: 'unknown_property', source: 'body' },
        { field: 'times', reason: 'must be at least 1', rule: 'min', minimum: 1, source: 'body' },
        { field: 'session', reason: 'must be printable ASCII with no leading or trailing spaces, at most 200 characters', rule: 'invalid', source: 'body' },
        { field: 'delayMs', reason: 'must be at least 0', rule: 'min', minimum: 0, source: 'body' }
      ]],
    ['PUT /scenario, a blank id', { method: 'PUT', url: '/__mock/scenario', payload: { id: '' } }, [{ field: 'id', reason: 'cannot be blank', source: 'body' }]],
    ['DELETE /scenario, a repeated session', { method: 'DELETE', url: '/__mock/scenario?session=a&session=b' },
      [{ field: 'session', reason: 'must be a string', rule: 'is_string', source: 'query' }]],
    ['GET /requests, a repeated session', { method: 'GET', url: '/__mock/requests?session=a&session=b' },
      [{ field: 'session', reason: 'must be a string', rule: 'is_string', source: 'query' }]],
    ['PUT /users/:email, not an address', { method: 'PUT', url: '/__mock/users/not-an-address' },
      [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'path' }]],
    ['PUT /users/:email, no domain', { method: 'PUT', url: '/__mock/users/ada@' },
      [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'path' }]]
  ]
  for (const [what, call, expected] of cases) {
    const res = await app.inject(call)
    t.same(badRequestOf(t, res, what), expected, what)
  }
  t.equal((await invite(app)).statusCode, 201, 'nothing was set by the refused calls')
  t.same((await app.inject({ url: '/__mock/users' })).json(), { users: [], total: 0 })
})

tap.test('answers keep every documented field through their response schemas', async (t) => {
  const app = build(t, { activeUsers: ['ada@example.com'] })
  await invite(app, { 'x-mock-session': 's' }, { email: 'new@example.com' })
  const [entry] = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.same(Object.keys(entry).sort(), ['body', 'headers', 'heldMs', 'method', 'scenario', 'seq', 'session', 'status', 'time', 'url'])
  t.same(entry.body, { email: 'new@example.com' })
  t.same(Object.keys((await app.inject({ url: '/__mock/invites' })).json().invites[0]), ['email', 'firstInvitedAt', 'lastInvitedAt', 'count'])
  const coverage = (await app.inject({ url: '/__mock/coverage' })).json()
  t.same(Object.keys(coverage), ['since', 'default', 'scenarios', 'examples'])
  t.same(Object.keys(coverage.scenarios[0]), ['id', 'title', 'status', 'kind', 'served'])
  t.same(Object.keys(coverage.examples[0]), ['name', 'status', 'scenario', 'served'])
  t.same((await app.inject({ method: 'PUT', url: '/__mock/users/bob@example.com' })).json(), { email: 'bob@example.com', status: 'active' })
  const reset = await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal(reset.statusCode, 204)
  t.equal(reset.body, '', 'no content')
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/users/anything' })).statusCode, 204, 'forgetting needs no valid address')
})

tap.test('any route schema on the app maps its failures to invalid_parameters the same way', async (t) => {
  const app = build(t)
  app.post('/extra/:id', {
    schema: {
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      querystring: Type.Object({ n: Type.Optional(Type.String({ maxLength: 2 })) }),
      body: Type.Object({
        name: Type.String({ minLength: 3 }),
        size: Type.Optional(Type.Integer({ maximum: 9 })),
        code: Type.Optional(Type.String({ pattern: '^[A-Z]+$' })),
        nested: Type.Optional(Type.Object({ inner: Type.String() }, { additionalProperties: false }))
      })
    }
  }, async () => ({ ok: true }))
  const res = await app.inject({ method: 'POST', url: '/extra/not-a-uuid', payload: { name: 'ab' } })
  t.same(appBadRequestOf(t, res, 'params'), [{ field: 'id', reason: 'must be a valid uuid', rule: 'invalid', source: 'path' }])
  const query = await app.inject({ method: 'POST', url: '/extra/8b0d7c2e-8a1f-4b35-9f2a-0c6f3a1d2e4b?n=abc', payload: { name: 'abc' } })
  t.same(appBadRequestOf(t, query, 'query'), [{ field: 'n', reason: 'must not have more than 2 characters', rule: 'max_length', maximum: 2, source: 'query' }])
  const body = await app.inject({
    method: 'POST',
    url: '/extra/8b0d7c2e-8a1f-4b35-9f2a-0c6f3a1d2e4b',
    payload: { name: 'ab', size: 10, code: 'abc', nested: { other: 1 } }
  })
  t.same(appBadRequestOf(t, body, 'body'), [
    { field: 'name', reason: 'must have at least 3 characters', rule: 'min_length', minimum: 3, source: 'body' },
    { field: 'size', reason: 'must be at most 9', rule: 'max', maximum: 9, source: 'body' },
    { field: 'code', reason: 'must match pattern "^[A-Z]+$"', source: 'body' },
    { field: 'nested.inner', reason: 'is a required field', rule: 'required', source: 'body' },
    { field: 'nested.other', reason: 'unexpected property', rule: 'unknown_property', source: 'body' }
  ])
  const ok = await app.inject({ method: 'POST', url: '/extra/8b0d7c2e-8a1f-4b35-9f2a-0c6f3a1d2e4b', payload: { name: 'abc' } })
  t.same(ok.json(), { ok: true })
})
