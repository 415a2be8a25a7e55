import t from 'tap'
import { buildApp } from '../../server/app.js'

t.test('a valid invite answers 201 with an empty body', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
  t.equal(res.statusCode, 201)
  t.equal(res.body, '')
  t.equal(res.headers['x-mock-scenario-served'], 'default')
})
