import t from 'tap'
import { BadRequestError, InvalidParameterChoiceItem } from '../../contracts/schemas.js'
import { checkContract, checkSchema } from '../../contracts/validate.js'
import { builtInScenarios } from '../../scenarios/catalogue.js'
import { invite, setScenario } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

t.test('health and the scenario list', async (t) => {
  const app = build(t)
  const health = await app.inject({ url: '/__mock/health' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const list = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.same(list.active, { global: null, sessions: {}, totalSessions: 0 })
  t.same(list.scenarios.map((s: { id: string }) => s.id), builtInScenarios.map((s) => s.id), 'the whole catalogue, in order')
  t.same(list.scenarios[0], {
    id: 'request-format-is-invalid',
    title: 'Request Format is Invalid',
    status: 400,
    kind: 'documented',
    description: 'The published "Request Format is Invalid" example (400).',
    example: 'Request Format is Invalid',
    contentType: 'application/problem+json; charset=utf-8',
    when: 'The body is not JSON, or not a JSON object.',
    says: 'body: request format is invalid'
  })
  const byId = new Map(list.scenarios.map((scenario: { id: string }) => [scenario.id, scenario]))
  t.same(byId.get('created'), { id: 'created', title: 'Created', status: 201, kind: 'behaviour', description: 'The invitation is sent: 201 with an empty body.', when: 'A valid token invites an address that is new or still pending: the invitation is (re)sent.', says: 'Nothing: an empty body.' }, 'no example, no body: neither is listed')
  t.match(byId.get('bad-gateway-html'), { contentType: 'text/html; charset=utf-8' }, 'the media type of a non-JSON answer')
  t.match(byId.get('unauthenticated'), { example: 'Unauthorized' }, 'the documented example a behaviour answers with')
})

t.test('PUT /__mock/scenario sets the global or a session scenario and answers with what it changed', async (t) => {
  const app = build(t)
  t.same((await setScenario(app, { id: 'rate-limited', times: 3, delayMs: 0 })).json(), { global: { id: 'rate-limited', remaining: 3, delayMs: 0 } })
  t.same((await setScenario(app, { id: 'default', session: 's' })).json(), { session: 's', scenario: { id: 'default' } })
  t.same((await app.inject({ url: '/__mock/scenarios' })).json().active, { global: { id: 'rate-limited', remaining: 3, delayMs: 0 }, sessions: { s: { id: 'default' } }, totalSessions: 1 })
})

t.test('an unknown id is a 400 listing the valid ones', async (t) => {
  const app = build(t)
  const res = await setScenario(app, { id: 'nope' })
  const body = assertProblem(t, res, 400)
  const [item] = body.invalid_parameters
  t.same(checkSchema(InvalidParameterChoiceItem, item), [], 'an InvalidParameterChoiceItem')
  t.equal(item.field, 'id')
  t.same(item.choices, ['default', ...(await app.inject({ url: '/__mock/scenarios' })).json().scenarios.map((s: { id: string }) => s.id)])
  t.match(body.detail, /^PUT \/__mock\/scenario: no scenario has the id "nope"\. Valid: default, request-format-is-invalid, /)
  t.match((await setScenario(app, { id: 'y'.repeat(120) })).json().detail, `"${'y'.repeat(80)}…". Valid`)
  t.equal((await invite(app)).statusCode, 201, 'nothing was set')
})

t.test('admin validation errors are Konnect-shaped problems', async (t) => {
  const app = build(t, { maxDelayMs: 50 })
  const cases: Array<[unknown, Array<Record<string, unknown>>]> = [
    [{}, [{ field: 'id', source: 'body' }]],
    [{ id: '' }, [{ field: 'id', source: 'body' }]],
    [{ id: 'created', times: 0 }, [{ field: 'times', source: 'body' }]],
    [{ id: 'created', times: 1.5 }, [{ field: 'times' }]],
    [{ id: 'created', session: '' }, [{ field: 'session' }]],
    [{ id: 'created', delayMs: -1 }, [{ field: 'delayMs' }]],
    [{ id: 'created', extra: true }, [{ field: 'extra', reason: 'unexpected property' }]],
    [{ id: 'created', delayMs: 51 }, [{ field: 'delayMs', rule: 'max', maximum: 50, reason: 'must be at most 50', source: 'body' }]],
    [[], [{ field: 'body', reason: 'request format is invalid' }]],
    ['"text"', [{ field: 'body', reason: 'request format is invalid' }]],
    ['{nope', [{ field: 'body', reason: 'request format is invalid' }]]
  ]
  for (const [payload, expected] of cases) {
    const res = await app.inject({ method: 'PUT', url: '/__mock/scenario', headers: { 'content-type': 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) })
    t.equal(res.statusCode, 400, JSON.stringify(payload))
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    const body = res.json()
    t.same(checkSchema(BadRequestError, body), [], `${JSON.stringify(payload)}: a BadRequestError`)
    t.match(body.invalid_parameters, expected, JSON.stringify(payload))
    t.ok(body.invalid_parameters.every((p: { reason: string }) => /^[a-z]/.test(p.reason)), 'reasons in lower case, as Konnect writes them')
  }
  const none = await app.inject({ method: 'PUT', url: '/__mock/scenario' })
  t.equal(none.statusCode, 400, 'no body at all')
  t.same(none.json().invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }])
})

t.test('--admin off removes the admin API', async (t) => {
  const app = build(t, { admin: false })
  const res = await app.inject({ url: '/__mock/health' })
  t.equal(res.statusCode, 404)
  t.same(checkContract('BaseError', res.json()), [])
  t.equal((await invite(app)).statusCode, 201)
})
