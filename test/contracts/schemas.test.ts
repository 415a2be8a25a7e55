import t from 'tap'
import {
  BadRequestError, BaseError, contractForStatus, contracts, InvalidParameter, InvalidParameters, InvalidRules, PROBLEM_JSON,
  RateLimitedError
} from '../../contracts/schemas.js'
import { checkSchema } from '../../contracts/validate.js'

const base = { status: 400, title: 'Bad Request', detail: '', instance: 'konnect:trace:1' }

t.test('the named contracts and the status map', async (t) => {
  t.same(Object.keys(contracts), ['InviteUserRequest', 'BaseError', 'BadRequestError', 'ConflictError', 'RateLimitedError', 'UnauthorizedError', 'ForbiddenError'])
  t.same(contractForStatus, { 400: 'BadRequestError', 401: 'UnauthorizedError', 403: 'ForbiddenError', 409: 'ConflictError', 429: 'RateLimitedError' })
  t.equal(PROBLEM_JSON, 'application/problem+json')
})

t.test('InviteUserRequest needs an email string in email format', async (t) => {
  t.same(checkSchema(contracts.InviteUserRequest, { email: 'a@example.com' }), [])
  t.same(checkSchema(contracts.InviteUserRequest, { email: 'a@example.com', extra: 1 }), [], 'other properties are allowed, as published')
  t.not(checkSchema(contracts.InviteUserRequest, {}).length, 0)
  t.not(checkSchema(contracts.InviteUserRequest, { email: 'nope' }).length, 0)
  t.not(checkSchema(contracts.InviteUserRequest, { email: 42 }).length, 0)
})

t.test('BaseError: status, title, instance and detail required, type optional', async (t) => {
  t.same(checkSchema(BaseError, base), [])
  t.same(checkSchema(BaseError, { ...base, type: 'https://httpstatuses.com/400' }), [])
  for (const key of ['status', 'title', 'instance', 'detail'] as const) {
    const { [key]: _dropped, ...rest } = base
    t.match(checkSchema(BaseError, rest), [{ path: `/${key}` }], `${key} is required`)
  }
  t.match(checkSchema(BaseError, { ...base, status: 400.5 }), [{ path: '/status' }], 'status is an integer')
  t.match(checkSchema(BaseError, { ...base, type: 1 }), [{ path: '/type' }])
})

t.test('InvalidRules: the published enum, or null', async (t) => {
  for (const rule of ['required', 'is_string', 'invalid', 'type', 'is_supported_provider_region', null]) t.same(checkSchema(InvalidRules, rule), [], String(rule))
  t.not(checkSchema(InvalidRules, 'min_length').length, 0)
  t.not(checkSchema(InvalidRules, 'nonsense').length, 0)
})

t.test('InvalidParameter: the five published variants and nothing else', async (t) => {
  const good = [
    { field: 'email', reason: 'cannot be blank' },
    { field: 'email', reason: 'is a required field', rule: 'required', source: 'body' },
    { field: 'email', reason: 'is a required field', rule: null },
    { field: 'p', reason: 'too short', rule: 'min_length', minimum: 8 },
    { field: 'p', reason: 'too long', rule: 'max_length', maximum: 8, source: 'body' },
    { field: 'id', reason: 'must be one of', rule: 'enum', choices: ['a', 'b'] },
    { field: 'x', reason: 'depends', rule: 'dependent_fields', dependents: ['y'] },
    { field: 'x', reason: 'depends', rule: null, dependents: null }
  ]
  for (const item of good) t.same(checkSchema(InvalidParameter, item), [], JSON.stringify(item))
  const bad = [
    { field: 'email' },
    { reason: 'x' },
    { field: 'e', reason: 'r', extra: true },
    { field: 'p', reason: 'r', rule: 'min_length' },
    { field: 'p', reason: 'r', rule: 'max_length', maximum: 1.5 },
    { field: 'id', reason: 'r', rule: 'enum', choices: [] },
    { field: 'id', reason: 'r', rule: 'enum', choices: ['a', 'a'] },
    { field: 'x', reason: 'r', rule: 'dependent_fields' }
  ]
  for (const item of bad) t.not(checkSchema(InvalidParameter, item).length, 0, JSON.stringify(item))
})

t.test('InvalidParameters: at least one item, all distinct', async (t) => {
  t.same(checkSchema(InvalidParameters, [{ field: 'a', reason: 'b' }]), [])
  t.not(checkSchema(InvalidParameters, []).length, 0)
  t.not(checkSchema(InvalidParameters, [{ field: 'a', reason: 'b' }, { field: 'a', reason: 'b' }]).length, 0)
})

t.test('BadRequestError is a BaseError with invalid_parameters', async (t) => {
  t.same(checkSchema(BadRequestError, { ...base, invalid_parameters: [{ field: 'body', reason: 'request format is invalid' }] }), [])
  t.match(checkSchema(BadRequestError, base), [{ path: '/invalid_parameters' }])
  t.match(checkSchema(BadRequestError, { ...base, invalid_parameters: [{ field: 'x' }] }), [{ path: '/invalid_parameters/0' }])
})

t.test('the conflict, unauthorized and forbidden bodies are BaseErrors', async (t) => {
  for (const name of ['ConflictError', 'UnauthorizedError', 'ForbiddenError'] as const) {
    t.same(checkSchema(contracts[name], base), [], name)
    t.match(checkSchema(contracts[name], { status: 1 }), [{ path: '/title' }], name)
  }
})

t.test('the rate-limited body: every property optional but typed', async (t) => {
  t.same(checkSchema(RateLimitedError, {}), [])
  t.same(checkSchema(RateLimitedError, { status: 429, title: 'Rate Limited', instance: 'i', detail: 'd' }), [])
  t.match(checkSchema(RateLimitedError, { status: '429' }), [{ path: '/status' }])
  t.match(checkSchema(RateLimitedError, { detail: 1 }), [{ path: '/detail' }])
})
