import t from 'tap'
import { checkContract } from '../../contracts/validate.js'
import { unauthorizedExample } from '../../contracts/examples.js'
import { INSTANCE, invite } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

t.test('401 problem+json without a bearer token or with a malformed one', async (t) => {
  const app = build(t)
  for (const authorization of [undefined, '', 'Bearer', 'Bearer  ', 'Basic dXNlcjpwYXNz', 'Token abc', 'Bearer a b', `Bearer ${'x'.repeat(5000)}`]) {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization }
    const res = await app.inject({ method: 'POST', url: '/v3/invites', headers, payload: { email: 'a@example.com' } })
    const label = String(authorization).slice(0, 30)
    assertProblem(t, res, 401, label)
    t.equal(res.headers['www-authenticate'], 'Bearer')
    t.equal(res.headers['x-mock-scenario-served'], 'default')
    const body = res.json()
    t.same(checkContract('UnauthorizedError', body), [])
    t.match(body.instance, INSTANCE)
    t.same({ ...body, instance: unauthorizedExample.value.instance }, unauthorizedExample.value, 'the API\'s documented 401')
  }
  t.equal((await invite(app, { authorization: 'bearer any-token' })).statusCode, 201, 'any bearer token by default')
})

t.test('with tokens, only those are accepted', async (t) => {
  const app = build(t, { tokens: ['kpat_one', 'spat_two'] })
  t.equal((await invite(app, { authorization: 'Bearer kpat_one' })).statusCode, 201)
  t.equal((await invite(app, { authorization: 'Bearer spat_two' })).statusCode, 201)
  const unknown = await invite(app, { authorization: 'Bearer kpat_three' })
  t.equal(unknown.statusCode, 401)
  t.same(checkContract('UnauthorizedError', unknown.json()), [])
  t.equal((await invite(app, { authorization: 'Bearer kpat_one' }, { email: '' })).statusCode, 400, 'authentication comes before validation')
  t.equal((await invite(app, { authorization: 'Bearer nope' }, { email: '' })).statusCode, 401)
})

t.test('tokens: null accepts any bearer token', async (t) => {
  const app = build(t, { tokens: null })
  t.equal((await invite(app, { authorization: 'Bearer whatever' })).statusCode, 201)
})
