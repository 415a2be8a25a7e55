import t from 'tap'
import { InvalidParameterChoiceItem } from '../../contracts/schemas.js'
import { checkSchema } from '../../contracts/validate.js'
import { invite, setScenario } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

t.test('header > Prefer > session > global > default, end to end', async (t) => {
  const app = build(t, { scenario: 'server-error' })
  const served = async (headers: Record<string, string>) => {
    const res = await invite(app, headers)
    return [res.statusCode, res.headers['x-mock-scenario-served']]
  }
  t.same(await served({}), [500, 'server-error'], '--scenario is the global default')
  await setScenario(app, { id: 'user-is-already-active' })
  await setScenario(app, { id: 'permission-denied', session: 's1' })
  const all = { 'x-mock-scenario': 'cannot-be-blank', prefer: 'example="Rate Limited"', 'x-mock-session': 's1' }
  t.same(await served(all), [400, 'cannot-be-blank'], 'the header first')
  t.same(await served({ ...all, 'x-mock-scenario': '' }), [429, 'rate-limited'], 'then Prefer')
  t.same(await served({ 'x-mock-session': 's1' }), [403, 'permission-denied'], 'then the session')
  t.same(await served({ 'x-mock-session': 's2' }), [409, 'user-is-already-active'], 'then the global scenario')
  await app.inject({ method: 'DELETE', url: '/__mock/scenario' })
  t.same(await served({}), [201, 'default'], 'then the default behaviour')
  await setScenario(app, { id: 'default', session: 's1' })
  await setScenario(app, { id: 'server-error' })
  t.same(await served({ 'x-mock-session': 's1' }), [201, 'default'], 'a session can force the default behaviour over the global scenario')
})

t.test('X-Mock-Scenario: default forces the default behaviour over a sticky scenario', async (t) => {
  const app = build(t, { scenario: 'server-error' })
  const res = await invite(app, { 'x-mock-scenario': 'default' }, { email: '' })
  t.equal(res.statusCode, 400)
  t.equal(res.headers['x-mock-scenario-served'], 'default')
})

t.test('an unknown selector is a 400 problem+json listing the valid choices, and nothing is served', async (t) => {
  const app = build(t)
  const ids = (await app.inject({ url: '/__mock/scenarios' })).json().scenarios.map((s: { id: string }) => s.id)
  for (const [headers, field, choices] of [
    [{ 'x-mock-scenario': 'nope' }, 'x-mock-scenario', ['default', ...ids]],
    [{ prefer: 'example="Nope"' }, 'prefer', null],
    [{ prefer: 'code=418' }, 'prefer', [201, 400, 401, 403, 409, 429, 500, 502, 503]]
  ] as const) {
    const res = await invite(app, headers)
    assertProblem(t, res, 400, JSON.stringify(headers))
    const [item] = res.json().invalid_parameters
    t.same(checkSchema(InvalidParameterChoiceItem, item), [], 'an InvalidParameterChoiceItem')
    t.match(item, { field, rule: 'enum', source: 'header' })
    if (choices !== null) t.same(item.choices, choices)
    else t.ok(item.choices.includes('Password Complexity') && item.choices.includes('Invalid Permissions'), 'the example names')
  }
  t.same((await app.inject({ url: '/__mock/invites' })).json().invites, [], 'no invite was recorded')
})
