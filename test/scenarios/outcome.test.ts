import t from 'tap'
import { STATUS_CODES } from 'node:http'
import { BadRequestError, BaseError } from '../../contracts/schemas.js'
import { checkSchema } from '../../contracts/validate.js'
import { badRequest, problem, problemOutcome } from '../../scenarios/outcome.js'

t.test('problem builds a BaseError with the status title and a fresh trace id', async (t) => {
  const body = problem(404, 'No route for GET /x')
  t.same(Object.keys(body), ['status', 'title', 'type', 'instance', 'detail'])
  t.match(body, { status: 404, title: 'Not Found', type: 'https://httpstatuses.com/404', detail: 'No route for GET /x', instance: /^konnect:trace:\d+$/ })
  t.same(checkSchema(BaseError, body), [])
  t.equal(problem(418, 'teapot').title, STATUS_CODES[418], 'titles are Node\'s status texts')
  t.equal(problem(599, 'x').title, 'Error', 'an unnamed status is an Error')
  t.equal(problem(401, 'x', 'Unauthenticated').title, 'Unauthenticated', 'the title can be given')
  for (const [status, title] of [[405, 'Method Not Allowed'], [413, 'Payload Too Large'], [415, 'Unsupported Media Type'], [431, 'Request Header Fields Too Large'], [500, 'Internal Server Error']] as const) {
    t.equal(problem(status, '').title, title)
  }
})

t.test('badRequest keeps the published key order', async (t) => {
  const body = badRequest([{ field: 'email', reason: 'cannot be blank' }])
  t.same(Object.keys(body), ['status', 'title', 'detail', 'instance', 'invalid_parameters'])
  t.equal(body.detail, '')
  t.same(checkSchema(BadRequestError, body), [])
  t.equal(badRequest([{ field: 'a', reason: 'b' }], 'why').detail, 'why')
})

t.test('problemOutcome serializes the body as problem+json', async (t) => {
  const body = problem(404, 'x')
  t.same(problemOutcome(body, 'default'), { status: 404, served: 'default', contentType: 'application/problem+json; charset=utf-8', payload: JSON.stringify(body) })
  t.same(problemOutcome(body, 'default', { allow: 'GET' }).headers, { allow: 'GET' })
})
