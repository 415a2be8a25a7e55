import t from 'tap'
import { createRedactor, NAMES_REMEMBERED, redact, REDACTED } from '../../scenarios/redact.js'

t.test('headers: the credential headers and any *-token, *-secret, *-key header', async (t) => {
  const secret = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-mock-admin-token', 'x-api-key', 'api-key', 'x-auth-token',
    'x-amz-security-token', 'x-csrf-token', 'x-client-secret', 'x-signing-key', 'password', 'apikey']
  const kept = ['accept', 'content-type', 'x-mock-session', 'x-keyboard', 'x-tokens', 'user-agent']
  const headers = Object.fromEntries([...secret, ...kept].map((name) => [name, `value-of-${name}`]))
  t.same(redact({ headers }).headers, Object.fromEntries([...secret.map((name) => [name, REDACTED]), ...kept.map((name) => [name, `value-of-${name}`])]))
  t.equal(headers.authorization, 'value-of-authorization', 'the argument is left alone')
  const proto = redact({ headers: Object.fromEntries([['__proto__', 'x']]) }).headers!
  t.ok(Object.hasOwn(proto, '__proto__'), 'a __proto__ header stays an own property')
})

t.test('URLs: secret query values, in any case and escaped, and user-info', async (t) => {
  const cases: Array<[string, string]> = [
    ['/v3/invites?token=abc&x=1', `/v3/invites?token=${REDACTED}&x=1`],
    ['/v3/invites?ACCESS_TOKEN=a&Api_Key=b&KEY=c&Secret=d&password=e&refresh_token=f', `/v3/invites?ACCESS_TOKEN=${REDACTED}&Api_Key=${REDACTED}&KEY=${REDACTED}&Secret=${REDACTED}&password=${REDACTED}&refresh_token=${REDACTED}`],
    ['/x?%74oken=abc', `/x?%74oken=${REDACTED}`],
    ['/x?api+key=a&api%5fkey=b', `/x?api+key=a&api%5fkey=${REDACTED}`],
    ['/x?%E0%A4%A=1&token', '/x?%E0%A4%A=1&token'],
    ['/x?q=token=abc', '/x?q=token=abc'],
    ['/x', '/x'],
    ['http://ada:pa55@example.com:8080/v3/invites?token=t#frag', `http://${REDACTED}@example.com:8080/v3/invites?token=${REDACTED}#frag`],
    ['https://user@host/p', `https://${REDACTED}@host/p`],
    ['http://host/p@q', 'http://host/p@q']
  ]
  for (const [url, expected] of cases) t.equal(redact({ url }).url, expected, url)
})

t.test('JSON bodies: secret fields at any depth, in arrays too', async (t) => {
  const body = {
    email: 'a@b.co',
    password: 'p',
    profile: { clientSecret: 's', client_secret: 's', api_key: 'k', tokens: ['kept'], list: [{ refresh_token: 'r' }, 'plain', 3, null] },
    access_token: { nested: 'whole value hidden' },
    token: 't'
  }
  t.same(redact({ body }).body, {
    email: 'a@b.co',
    password: REDACTED,
    profile: { clientSecret: REDACTED, client_secret: REDACTED, api_key: REDACTED, tokens: ['kept'], list: [{ refresh_token: REDACTED }, 'plain', 3, null] },
    access_token: REDACTED,
    token: REDACTED
  })
  t.equal(body.password, 'p', 'the argument is left alone')
  t.same(redact({ body: 'text' }), { body: 'text' })
  t.same(redact({}), {}, 'nothing to redact')
})

t.test('createRedactor adds names for headers, query parameters and body fields, case- and dash-insensitive', async (t) => {
  const custom = createRedactor(['X-Tenant', ' session_id '])
  t.same(custom({
    url: '/v3/invites?x_tenant=a&Session-Id=b&q=c',
    headers: { 'x-tenant': 'a', 'session-id': 'b', other: 'c' },
    body: { X_TENANT: 'a', deep: { sessionId: 'kept', session_id: 'b' } }
  }), {
    url: `/v3/invites?x_tenant=${REDACTED}&Session-Id=${REDACTED}&q=c`,
    headers: { 'x-tenant': REDACTED, 'session-id': REDACTED, other: 'c' },
    body: { X_TENANT: REDACTED, deep: { sessionId: 'kept', session_id: REDACTED } }
  })
  t.equal(custom({ headers: { authorization: 'Bearer t' } }).headers!.authorization, REDACTED, 'the built-in names stay')
})

t.test('a redactor remembers its verdicts for a bounded number of names, and stays right past them', async (t) => {
  const custom = createRedactor(['x-extra'])
  const headers = Object.fromEntries(Array.from({ length: NAMES_REMEMBERED + 10 }, (_, i) => [`x-name-${i}`, 'v']))
  for (let round = 0; round < 2; round++) {
    const redacted: Record<string, string> = custom({ headers: { ...headers, 'x-extra': 'e', authorization: 'a' } }).headers!
    t.equal(redacted['x-extra'], REDACTED)
    t.equal(redacted.authorization, REDACTED)
    t.equal(redacted['x-name-0'], 'v')
  }
})
