import t from 'tap'
import { CORS_EXPOSE_HEADERS } from '../../server/guard.js'
import { FRONT_END, send, server } from '../helpers/guard.js'
import { assertProblem } from '../helpers/app.js'

t.test('an origin given with --cors-origin gets CORS answers: preflight, then the invite with its headers exposed', async (t) => {
  const { app, port } = await server(t, { corsOrigins: [FRONT_END] })
  const host = 'global.api.konghq.com'
  const preflight = await send(port, 'OPTIONS /v3/invites HTTP/1.1', {
    host, origin: FRONT_END, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-mock-scenario'
  })
  t.equal(preflight.status, 204)
  t.match(preflight.headers, {
    'access-control-allow-origin': FRONT_END,
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'authorization, content-type, x-mock-scenario, x-mock-session, x-mock-delay, prefer',
    'access-control-max-age': '600',
    vary: 'Origin'
  })
  t.equal(preflight.headers['access-control-allow-private-network'], undefined)
  const pna = await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host, origin: FRONT_END, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' })
  t.equal(pna.headers['access-control-allow-private-network'], 'true', 'Chromium\'s private network preflight is answered')
  assertProblem(t, await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host, origin: 'http://localhost:5174', 'access-control-request-method': 'POST' }), 403, 'a preflight from another origin')
  const plain = await send(port, 'OPTIONS /v3/invites HTTP/1.1', { host })
  t.equal(plain.status, 204, 'OPTIONS without Origin is no preflight')
  t.equal(plain.headers.allow, 'POST, OPTIONS')

  const limited = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: FRONT_END, 'x-mock-scenario': 'rate-limited' })
  t.equal(limited.status, 429)
  t.match(limited.headers, {
    'access-control-allow-origin': FRONT_END,
    vary: 'Origin',
    'access-control-expose-headers': CORS_EXPOSE_HEADERS,
    'x-mock-scenario-served': 'rate-limited',
    'retry-after': /^\d+$/,
    'ratelimit-limit': /^\d+$/
  })
  t.equal(CORS_EXPOSE_HEADERS, 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Mock-Scenario-Served')
  const created = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: FRONT_END, authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"a@example.com"}')
  t.equal(created.status, 201)
  t.equal(created.headers['access-control-allow-origin'], FRONT_END)
  const wrongType = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: FRONT_END, 'content-type': 'text/plain' }, 'x')
  assertProblem(t, wrongType, 415, 'an error answer')
  t.equal(wrongType.headers['access-control-allow-origin'], FRONT_END, 'error answers are readable by the page too')
  t.equal(app.mock.state.listInvites().total, 1)
  assertProblem(t, await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: 'http://localhost:5174' }), 403, 'another origin')
  assertProblem(t, await send(port, 'POST /__mock/reset HTTP/1.1', { host: 'localhost', origin: FRONT_END }), 403, '--cors-origin opens invites only, not the admin API')
})
