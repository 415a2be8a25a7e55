import t from 'tap'
import validatorModule from 'openapi-response-validator'
import { invite } from '../helpers/inject.js'
import { publishedResponses } from '../helpers/published.js'
import { build } from '../helpers/app.js'

// A CommonJS module whose class sits on `default`.
const OpenAPIResponseValidator = validatorModule.default

t.test('an independent OpenAPI validator finds no violation in any documented status the mock serves', async (t) => {
  const responses = publishedResponses()
  t.same(Object.keys(responses).sort(), ['201', '400', '401', '403', '409', '429'])
  const validator = new OpenAPIResponseValidator({ responses })
  t.ok(validator.validateResponse(400, { status: 400 }), 'the validator does catch a broken body')
  t.ok(validator.validateResponse(201, { unexpected: true }), 'and a 201 with a body')

  const app = build(t, { activeUsers: ['active@example.com'], rateLimit: { limit: 1, windowMs: 60_000 } })
  const answers = [
    ...['request-format-is-invalid', 'cannot-be-blank', 'invalid-id-format', 'must-be-a-valid-uuid-v4', 'system-teams-cannot-be-modified',
      'password-complexity', 'authentication-settings-cannot-be-all-disabled', 'oidc-needs-an-idp-configuration', 'idp-configuration-is-required',
      'unsupported-filter-operation', 'user-is-already-active', 'rate-limited', 'created', 'unauthenticated', 'permission-denied']
      .map((id) => invite(app, { 'x-mock-scenario': id })),
    invite(app, { prefer: 'code=403' }),
    invite(app, { authorization: 'Basic x' }),
    invite(app, { authorization: 'Bearer a' }, { email: '' }),
    invite(app, { authorization: 'Bearer b' }, {}),
    invite(app, { authorization: 'Bearer c' }, { email: 7 }),
    invite(app, { authorization: 'Bearer d' }, { email: 'nope' }),
    invite(app, { authorization: 'Bearer e' }, { email: `${'a'.repeat(300)}@example.com` }),
    invite(app, { authorization: 'Bearer f', 'content-type': 'application/json' }, '{oops'),
    invite(app, { authorization: 'Bearer g' }, { email: 'active@example.com' }),
    invite(app, { authorization: 'Bearer h' }, { email: 'fresh@example.com' }),
    invite(app, { authorization: 'Bearer h' }, { email: 'fresh@example.com' }),
    invite(app, { 'x-mock-scenario': 'nope' })
  ]
  const seen = new Set<number>()
  for (const res of await Promise.all(answers)) {
    seen.add(res.statusCode)
    const body = res.body === '' ? undefined : res.json()
    t.equal(validator.validateResponse(res.statusCode, body), undefined, `${res.statusCode} ${res.headers['x-mock-scenario-served']}: ${res.body.slice(0, 60)}`)
  }
  t.same([...seen].sort(), [201, 400, 401, 403, 409, 429], 'every documented status was checked')
})
