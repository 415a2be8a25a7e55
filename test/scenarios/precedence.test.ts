import t from 'tap'
import { buildApp } from '../../server/app.js'
import { invite, setScenario } from '../helpers/inject.js'

t.test('header > Prefer > session > global > default, end to end', async (t) => {
  const app = buildApp({ scenario: 'server-error' })
  t.teardown(() => app.close())
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
