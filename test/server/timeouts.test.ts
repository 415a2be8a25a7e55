import t from 'tap'
import { request } from 'undici'
import { DEFAULTS } from '../../server/defaults.js'
import { DEFAULT_MAX_DELAY_MS } from '../../scenarios/select.js'
import { assertHealthy, exchange, parseAnswer } from '../helpers/wire.js'
import { build, listen, assertProblem } from '../helpers/app.js'

const HEAD = 'POST /v3/invites HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer t\r\ncontent-type: application/json\r\n'
const BODY = '{"email":"a@example.com"}'

t.test('the server gets request, header and keep-alive timeouts, with defaults', async (t) => {
  const plain = build(t)
  t.equal(plain.server.requestTimeout, DEFAULTS.requestTimeout)
  t.equal(plain.server.headersTimeout, DEFAULTS.headersTimeout)
  t.equal(plain.server.keepAliveTimeout, DEFAULTS.keepAliveTimeout)

  const tuned = build(t, { requestTimeout: 800, headersTimeout: 300, keepAliveTimeout: 50 })
  t.same([tuned.server.requestTimeout, tuned.server.headersTimeout, tuned.server.keepAliveTimeout], [800, 300, 50])

  const clamped = build(t, { requestTimeout: 200, headersTimeout: 5000 })
  t.equal(clamped.server.headersTimeout, 200, 'headers never get longer than the whole request')
  const unset = build(t, { requestTimeout: 200, headersTimeout: 0 })
  t.equal(unset.server.headersTimeout, 200, 'no header timeout of its own means the request timeout')

  const off = build(t, { requestTimeout: 0 })
  t.equal(off.server.requestTimeout, 0, '0 turns the request timeout off')
  t.equal(off.server.headersTimeout, DEFAULTS.headersTimeout, 'the header timeout stays')
})

t.test('half-sent headers are answered 408 problem+json and cut off, without blocking others', async (t) => {
  // Waits on real timers: it proves Node's own 400 ms header timeout ends a real socket that stalls mid-head, with a 408.
  const app = build(t, { requestTimeout: 1000, headersTimeout: 400 })
  const { port } = await listen(t, app)
  const stuck = exchange(port, [HEAD, 'x-mock-session: slo'], true)
  const other = await request(`http://127.0.0.1:${port}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: BODY })
  t.equal(other.statusCode, 201, 'another client is served meanwhile')
  await other.body.dump()
  const answer = parseAnswer(await stuck)
  assertProblem(t, answer, 408, 'headers that never end')
  t.equal(answer.headers.connection, 'close')
  await assertHealthy(t, app)
})

t.test('a body that never completes is answered 408 problem+json', async (t) => {
  // Waits on real timers: it proves Node's own 300 ms request timeout ends a real socket that stalls mid-body, with a 408.
  const app = build(t, { requestTimeout: 300, headersTimeout: 200 })
  const { port } = await listen(t, app)
  const answer = parseAnswer(await exchange(port, [`${HEAD}content-length: 100\r\n\r\n{"email":`], true))
  assertProblem(t, answer, 408, 'a body sent halfway')
  const journal = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.same(journal, [], 'nothing half-received is recorded as an invite')
  t.same((await app.inject({ url: '/__mock/invites' })).json().invites, [], 'and no invite is pending')
})

t.test('an idle keep-alive connection is closed after the keep-alive timeout', async (t) => {
  // Waits on real timers: it proves a real idle socket is closed by the keep-alive timeout (about 1.1 s: Node adds 1 s to the 100 ms).
  const app = build(t, { keepAliveTimeout: 100 })
  const { port } = await listen(t, app)
  const answer = parseAnswer(await exchange(port, [`${HEAD}content-length: ${BODY.length}\r\n\r\n${BODY}`], true))
  t.equal(answer.status, 201, 'the request was answered, then the idle connection closed')
  t.match(answer.headers.connection, /keep-alive/i)
})

t.test('a delayed answer is not cut off by the request timeout (the request was received whole)', async (t) => {
  // Waits on real timers: it proves the real 100 ms request timeout passes during a real 400 ms delay without cutting the answer.
  const app = build(t, { requestTimeout: 100, headersTimeout: 100, maxDelayMs: 1000 })
  const { port } = await listen(t, app)
  const res = await request(`http://127.0.0.1:${port}/v3/invites`, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'x-mock-delay': '400' },
    body: BODY
  })
  t.equal(res.statusCode, 201)
  await res.body.dump()
})

t.test('X-Mock-Delay is capped by maxDelayMs (30 s by default)', async (t) => {
  t.equal(DEFAULT_MAX_DELAY_MS, 30_000)
  const plain = build(t)
  const headers = { authorization: 'Bearer t', 'content-type': 'application/json' }
  const over = await plain.inject({ method: 'POST', url: '/v3/invites', headers: { ...headers, 'x-mock-delay': '30001' }, payload: BODY })
  const body = assertProblem(t, over, 400, 'over the default cap')
  t.match(body.invalid_parameters, [{ field: 'x-mock-delay', rule: 'max', maximum: 30_000 }])

  const app = build(t, { maxDelayMs: 50 })
  const capped = await app.inject({ method: 'POST', url: '/v3/invites', headers: { ...headers, 'x-mock-delay': '51' }, payload: BODY })
  t.match(capped.json().invalid_parameters, [{ field: 'x-mock-delay', rule: 'max', maximum: 50 }])
  t.equal(capped.statusCode, 400)
  const atCap = await app.inject({ method: 'POST', url: '/v3/invites', headers: { ...headers, 'x-mock-delay': '50' }, payload: BODY })
  t.equal(atCap.statusCode, 201, 'the cap itself is allowed')
  const admin = await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'created', delayMs: 51 } })
  t.equal(admin.statusCode, 400)
  t.match(admin.json().invalid_parameters, [{ field: 'delayMs', rule: 'max', maximum: 50 }], 'the admin API applies the same cap')
})

t.test('a delayed request does not hold up the others, and is held back through the injected sleep', async (t) => {
  const asked: number[] = []
  let release = (): void => {}
  const sleep = (ms: number): Promise<void> => {
    asked.push(ms)
    return new Promise((resolve) => { release = resolve })
  }
  const app = build(t, { maxDelayMs: 5000, sleep })
  const headers = { authorization: 'Bearer t', 'content-type': 'application/json' }
  let slowDone = false
  const slow = app.inject({ method: 'POST', url: '/v3/invites', headers: { ...headers, 'x-mock-delay': '1500' }, payload: BODY })
    .then((res) => { slowDone = true; return res })
  const fast = await app.inject({ method: 'POST', url: '/v3/invites', headers, payload: '{"email":"b@example.com"}' })
  t.equal(fast.statusCode, 201)
  t.notOk(slowDone, 'the quick request was answered while the slow one waited')
  t.same(asked, [1500], 'the delay asked for, and only for the delayed request')
  release()
  t.equal((await slow).statusCode, 201)
})
