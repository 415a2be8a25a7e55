import tap, { type Test } from 'tap'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { BadRequestError } from '../../contracts/schemas.js'
import { checkSchema } from '../../contracts/validate.js'
import { buildApp } from '../../server/app.js'
import { invite, setScenario } from '../helpers/inject.js'

const badRequestOf = (t: Test, res: LightMyRequestResponse, what: string): unknown[] => {
  t.equal(res.statusCode, 400, what)
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', `${what}: problem+json`)
  t.equal(res.headers['x-mock-scenario-served'], 'default', `${what}: marked like every answer of the mock`)
  const body = res.json()
  t.same(checkSchema(BadRequestError, body), [], `${what}: a BadRequestError`)
  return body.invalid_parameters
}

tap.test('a repeated ?session= is a 400, not a silent fall-through to the global scenario', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  await setScenario(app, { id: 'rate-limited' })
  await setScenario(app, { id: 'server-error', session: 'a' })
  const cleared = await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=a&session=a' })
  t.same(badRequestOf(t, cleared, 'DELETE'), [{ field: 'session', reason: 'must be a string', rule: 'is_string', source: 'query' }])
  const { active } = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.same(active, { global: { id: 'rate-limited' }, sessions: { a: { id: 'server-error' } } }, 'neither the global nor the session scenario was cleared')
  const listed = await app.inject({ url: '/__mock/requests?session=a&session=b' })
  t.same(badRequestOf(t, listed, 'GET /requests'), [{ field: 'session', reason: 'must be a string', rule: 'is_string', source: 'query' }])
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=a' })).statusCode, 200, 'a single one is fine')
})

tap.test('every admin route with input rejects a bad body, query or path parameter with invalid_parameters', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  const cases: Array<[string, InjectOptions, unknown[]]> = [
    ['PUT /scenario, a string id of the wrong type', { method: 'PUT', url: '/__mock/scenario', payload: { id: 7 } },
      [{ field: 'id', reason: 'must be a string', rule: 'is_string', source: 'body' }]],
    ['PUT /scenario, times not a whole number', { method: 'PUT', url: '/__mock/scenario', payload: { id: 'created', times: 'twice' } },
      [{ field: 'times', reason: 'must be an integer', rule: 'is_integer', source: 'body' }]],
    ['PUT /scenario, every failure at once', { method: 'PUT', url: '/__mock/scenario', payload: { times: 0, delayMs: -1, session: 'x'.repeat(201), other: 1 } },
      [
        { field: 'id', reason: 'is a required field', rule: 'required', source: 'body' },
        { field: 'other', reason: 'unexpected property', rule: 'unknown_property', source: 'body' },
        { field: 'times', reason: 'must be at least 1', rule: 'min', minimum: 1, source: 'body' },
        { field: 'session', reason: 'must not have more than 200 characters', rule: 'max_length', maximum: 200, source: 'body' },
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
  t.same((await app.inject({ url: '/__mock/users' })).json(), { users: [] })
})

tap.test('answers keep every documented field through their response schemas', async (t) => {
  const app = buildApp({ activeUsers: ['ada@example.com'] })
  t.teardown(() => app.close())
  await invite(app, { 'x-mock-session': 's' }, { email: 'new@example.com' })
  const [entry] = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.same(Object.keys(entry).sort(), ['body', 'durationMs', 'headers', 'method', 'scenario', 'seq', 'session', 'status', 'time', 'url'])
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
