import t from 'tap'
import { InvalidParameters } from '../../contracts/schemas.js'
import { checkContract, checkSchema } from '../../contracts/validate.js'
import { INSTANCE, invite } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

t.test('400 with Konnect-shaped invalid_parameters for each bad body', async (t) => {
  const app = build(t)
  const cases: Array<[string, unknown, unknown[]]> = [
    ['missing', {}, [{ field: 'email', reason: 'is a required field', rule: 'required', source: 'body' }]],
    ['null', { email: null }, [{ field: 'email', reason: 'is a required field', rule: 'required', source: 'body' }]],
    ['blank', { email: '' }, [{ field: 'email', reason: 'cannot be blank' }]],
    ['spaces', { email: '   ' }, [{ field: 'email', reason: 'cannot be blank' }]],
    ['number', { email: 42 }, [{ field: 'email', reason: 'must be a string', rule: 'is_string', source: 'body' }]],
    ['object', { email: { at: 'x' } }, [{ field: 'email', reason: 'must be a string', rule: 'is_string', source: 'body' }]],
    ['too long', { email: `${'a'.repeat(250)}@example.com` }, [{ field: 'email', reason: 'must not have more than 254 characters', rule: 'max_length', maximum: 254, source: 'body' }]],
    ['malformed', { email: 'james.c.woods' }, [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'body' }]],
    ['two ats', { email: 'a@b@example.com' }, [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'body' }]],
    ['array', [{ email: 'a@example.com' }], [{ field: 'body', reason: 'request format is invalid' }]],
    ['string', 'a@example.com', [{ field: 'body', reason: 'request format is invalid' }]],
    ['number body', 7, [{ field: 'body', reason: 'request format is invalid' }]]
  ]
  for (const [label, body, expected] of cases) {
    const res = await invite(app, { 'content-type': 'application/json' }, JSON.stringify(body))
    const problem = assertProblem(t, res, 400, label)
    t.same(problem.invalid_parameters, expected, label)
    t.same(checkContract('BadRequestError', problem), [], `${label}: a BadRequestError`)
    t.same(checkSchema(InvalidParameters, problem.invalid_parameters), [], `${label}: valid InvalidParameters`)
    t.same(Object.keys(problem), ['status', 'title', 'detail', 'instance', 'invalid_parameters'], `${label}: the published key order`)
    t.match(problem, { status: 400, title: 'Bad Request', detail: '', instance: INSTANCE })
  }
  t.equal((await invite(app, {}, { email: 'ok@example.com', name: 'extra fields are ignored' })).statusCode, 201)
})

t.test('the coverage of the default behaviour names the documented example when it is one', async (t) => {
  const app = build(t)
  await invite(app, {}, { email: '' })
  await invite(app, { 'content-type': 'application/json' }, '[]')
  await invite(app, {}, {})
  const { examples } = (await app.inject({ url: '/__mock/coverage' })).json()
  const served = Object.fromEntries(examples.map((e: { name: string, served: number }) => [e.name, e.served]))
  t.equal(served['Cannot be Blank'], 1)
  t.equal(served['Request Format is Invalid'], 1)
})

t.test('a valid invite answers 201 with an empty body', async (t) => {
  const app = build(t)
  const res = await invite(app, {}, { email: 'james.c.woods@example.com' })
  t.equal(res.statusCode, 201)
  t.equal(res.body, '')
  t.equal(res.headers['content-type'], undefined)
  t.equal(res.headers['x-mock-scenario-served'], 'default')
})
