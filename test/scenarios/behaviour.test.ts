import t from 'tap'
import { BadRequestError, InvalidParameters } from '../../contracts/schemas.js'
import { checkContract, checkSchema } from '../../contracts/validate.js'
import { bearerToken, defaultBehaviour, MALFORMED, MAX_TOKEN_LENGTH, validateInvite, type BehaviourConfig } from '../../scenarios/behaviour.js'
import { MAX_EMAIL_LENGTH } from '../../contracts/limits.js'
import { MockState } from '../../scenarios/state.js'

t.test('bearerToken takes the token of a well-formed Bearer header', async (t) => {
  t.equal(bearerToken('Bearer kpat_abc'), 'kpat_abc')
  t.equal(bearerToken('bearer  spat_x.y-z '), 'spat_x.y-z', 'scheme case-insensitive, spaces around')
  t.equal(bearerToken('BEARER\t\tt0k~!'), 't0k~!', 'tabs; the whole visible ASCII range')
  t.equal(bearerToken('Bearer x \t'), 'x', 'trailing blanks')
  for (const bad of [undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearerabc', 'Bearer tök', 'Bearer a\u007f', 'Bearer a\x01', 'Bearer\u00a0abc', 'Bearer a\nb', 'Bearer a x',
    'Be@rer abc', 'Bearer\u0000abc', `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`, `Bearer ${' '.repeat(100)}${'a'.repeat(MAX_TOKEN_LENGTH)}`]) {
    t.equal(bearerToken(bad), undefined, String(bad).slice(0, 40))
  }
  t.equal(bearerToken(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH)}`)?.length, MAX_TOKEN_LENGTH)
})

t.test('validateInvite: the email, or Konnect-shaped problems', async (t) => {
  t.equal(validateInvite({ email: 'a@example.com' }), 'a@example.com')
  t.equal(validateInvite({ email: 'a@example.com', role: 'x' }), 'a@example.com')
  for (const body of [MALFORMED, null, undefined, 'a@example.com', 42, [], [{ email: 'a@example.com' }]]) t.equal(validateInvite(body), MALFORMED, String(body))
  const cases: Array<[unknown, unknown]> = [
    [{}, [{ field: 'email', reason: 'is a required field', rule: 'required', source: 'body' }]],
    [{ email: null }, [{ field: 'email', reason: 'is a required field', rule: 'required', source: 'body' }]],
    [{ email: '' }, [{ field: 'email', reason: 'cannot be blank' }]],
    [{ email: ' \t' }, [{ field: 'email', reason: 'cannot be blank' }]],
    [{ email: 42 }, [{ field: 'email', reason: 'must be a string', rule: 'is_string', source: 'body' }]],
    [{ email: ['a@example.com'] }, [{ field: 'email', reason: 'must be a string', rule: 'is_string', source: 'body' }]],
    [{ email: 'nope' }, [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'body' }]],
    [{ email: `${'a'.repeat(MAX_EMAIL_LENGTH)}@example.com` }, [{ field: 'email', reason: `must not have more than ${MAX_EMAIL_LENGTH} characters`, rule: 'max_length', maximum: MAX_EMAIL_LENGTH, source: 'body' }]]
  ]
  for (const [body, expected] of cases) {
    const result = validateInvite(body)
    t.same(result, expected, JSON.stringify(body).slice(0, 40))
    t.same(checkSchema(InvalidParameters, result), [], 'a valid InvalidParameters list')
  }
})

const config = (extra: Partial<BehaviourConfig> = {}): BehaviourConfig => ({ tokens: null, rateLimit: null, ...extra })
const invite = (body: unknown, authorization: string | null = 'Bearer t', now = 0) => ({ authorization: authorization ?? undefined, body, now })

t.test('defaultBehaviour: 401, 400, 409 and 201 with the documented bodies', async (t) => {
  const state = new MockState({ activeUsers: ['active@example.com'] })
  const unauth = defaultBehaviour(invite({ email: 'a@example.com' }, null), state, config())
  t.match(unauth, { status: 401, served: 'default', example: 'Unauthorized', contentType: 'application/problem+json', headers: { 'www-authenticate': 'Bearer' } })
  t.same(checkContract('UnauthorizedError', JSON.parse(String(unauth.payload))), [])
  t.equal(defaultBehaviour(invite({ email: 'a@example.com' }, 'Bearer other'), state, config({ tokens: new Set(['good']) })).status, 401, 'an unknown token')
  t.equal(defaultBehaviour(invite({ email: 'a@example.com' }, 'Bearer good'), state, config({ tokens: new Set(['good']) })).status, 201)

  const malformed = defaultBehaviour(invite(MALFORMED), state, config())
  t.match(malformed, { status: 400, example: 'Request Format is Invalid' })
  t.same(JSON.parse(String(malformed.payload)).invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }])
  const blank = defaultBehaviour(invite({ email: '' }), state, config())
  t.match(blank, { status: 400, example: 'Cannot be Blank', contentType: 'application/problem+json' })
  t.same(checkContract('BadRequestError', JSON.parse(String(blank.payload))), [])
  const missing = defaultBehaviour(invite({}), state, config())
  t.equal(missing.example, undefined, 'not a documented example')
  t.same(checkSchema(BadRequestError, JSON.parse(String(missing.payload))), [])
  t.equal(missing.headers, undefined, 'no rate-limit headers when limiting is off')

  const conflict = defaultBehaviour(invite({ email: 'active@EXAMPLE.com' }), state, config())
  t.match(conflict, { status: 409, example: 'User is Already Active' })
  t.same(checkContract('ConflictError', JSON.parse(String(conflict.payload))), [])

  t.same(defaultBehaviour(invite({ email: 'new@example.com' }, 'Bearer t', 5000), state, config()), { status: 201, served: 'default' })
  t.same(state.invites.get('new@example.com'), { email: 'new@example.com', firstInvitedAt: 5000, lastInvitedAt: 5000, count: 1 })
})

t.test('defaultBehaviour: rate limiting per token with headers on every answer', async (t) => {
  const state = new MockState()
  const limited = config({ rateLimit: { limit: 2, windowMs: 60_000 } })
  t.same(defaultBehaviour(invite({ email: 'a@example.com' }, 'Bearer t', 0), state, limited).headers,
    { 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-reset': '60' })
  const bad = defaultBehaviour(invite({ email: '' }, 'Bearer t', 30_000), state, limited)
  t.equal(bad.status, 400, 'an invalid invite still counts')
  t.same(bad.headers, { 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' })
  const over = defaultBehaviour(invite({ email: 'a@example.com' }, 'Bearer t', 45_000), state, limited)
  t.match(over, { status: 429, example: 'Rate Limited', headers: { 'retry-after': '15', 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '15' } })
  t.same(checkContract('RateLimitedError', JSON.parse(String(over.payload))), [])
  t.equal(defaultBehaviour(invite({ email: 'a@example.com' }, 'Bearer other', 45_000), state, limited).status, 201, 'another token has its own window')
  t.equal(defaultBehaviour(invite({ email: 'a@example.com' }, 'Bearer t', 60_000), state, limited).status, 201, 'a slot frees when the oldest leaves')
})
