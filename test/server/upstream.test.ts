import { mkdirSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { inviteExamples, unauthorizedExample } from '../../contracts/examples.js'
import { buildApp, type MockOptions } from '../../server/app.js'
import { causeOf, checkUpstreamUrl, forwardHeaders, Upstream } from '../../server/upstream.js'
import { startFakeKonnect, type RawAnswer } from '../helpers/fake-konnect.js'
import { build, listen } from '../helpers/app.js'

const PROBLEM = 'application/problem+json'
const example = (name: string): Record<string, unknown> => structuredClone(inviteExamples.find((e) => e.name === name)!.value) as Record<string, unknown>
const json = (status: number, body: unknown, headers: string[] = ['content-type', PROBLEM]): RawAnswer => ({ status, headers, body: JSON.stringify(body) })
const invite = { method: 'POST' as const, url: '/v3/invites', headers: { authorization: 'Bearer kpat_secret_token_1', 'content-type': 'application/json' }, payload: '{"email":"a@example.com"}' }

async function mockWith (t: Test, upstreamUrl: string, options: Partial<MockOptions['upstream']> = {}, extra: MockOptions = {}) {
  const lines: string[] = []
  const app = build(t, { upstream: { url: upstreamUrl, ...options }, logger: { level: 'warn', stream: { write: (line: string) => { lines.push(line) } } }, ...extra })
  return { app, lines }
}

t.test('a conforming answer passes through byte for byte, marked upstream, with no violation', async (t) => {
  const upstream = await startFakeKonnect(t)
  const { app, lines } = await mockWith(t, upstream.url)
  const answers: RawAnswer[] = [
    { status: 201, headers: ['x-request-id', 'r-1'], body: '' },
    json(400, example('Cannot be Blank'), ['Content-Type', PROBLEM, 'X-Request-Id', 'r-2', 'set-cookie', 'a=1', 'set-cookie', 'b=2']),
    json(429, example('Rate Limited'), ['content-type', 'application/problem+json; charset=utf-8', 'retry-after', '7', 'ratelimit-limit', '60', 'ratelimit-remaining', '0', 'ratelimit-reset', '7']),
    // Pretty-printed JSON stays exactly as sent.
    { status: 401, headers: ['content-type', PROBLEM], body: JSON.stringify(unauthorizedExample.value, null, 2) }
  ]
  // Over a real socket: repeated headers (set-cookie) must come back as sent.
  const { url: base } = await listen(t, app)
  for (const answer of answers) {
    upstream.answer = answer
    const res = await request(`${base}/v3/invites`, { method: 'POST', headers: invite.headers, body: invite.payload })
    t.equal(res.statusCode, answer.status)
    t.equal(await res.body.text(), answer.body, 'the same bytes')
    t.equal(res.headers['x-mock-scenario-served'], 'upstream')
    t.equal(res.headers['content-length'], String(Buffer.byteLength(answer.body)))
    for (let i = 0; i < answer.headers.length; i += 2) {
      const name = answer.headers[i]!.toLowerCase()
      const got = res.headers[name]
      t.ok(Array.isArray(got) ? got.includes(answer.headers[i + 1]!) : got === answer.headers[i + 1], `${name} passed back`)
    }
  }
  const violations = await app.inject('/__mock/violations')
  t.same(violations.json(), { upstream: upstream.url, total: 0, violations: [] })
  const journal = (await app.inject('/__mock/requests')).json().requests as Array<Record<string, unknown>>
  t.same(journal.map((entry) => [entry.scenario, entry.status, 'violations' in entry]), answers.map((a) => ['upstream', a.status, false]))
  t.same(lines, [], 'nothing logged')
  const coverage = (await app.inject('/__mock/coverage')).json()
  const served = (name: string) => coverage.examples.find((e: { name: string }) => e.name === name).served
  t.equal(served('Cannot be Blank'), 1, 'an answer equal to a documented example counts toward it')
  t.equal(served('Rate Limited'), 1)
  t.equal(served('Unauthorized'), 1, 'whatever its whitespace')
  t.equal(served('Request Format is Invalid'), 0)
})

t.test('the request goes on with its method, body and end-to-end headers only', async (t) => {
  const upstream = await startFakeKonnect(t)
  const { app } = await mockWith(t, `${upstream.url}/`)
  await app.inject({
    ...invite,
    url: '/v3/invites?dry=1',
    headers: { ...invite.headers, connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'x-mock-session': 's', 'x-client': 'c', host: 'mock.local', 'user-agent': 'test-client' }
  })
  t.equal(upstream.received.length, 1)
  const [received] = upstream.received
  t.equal(received!.method, 'POST')
  t.equal(received!.url, '/v3/invites?dry=1', 'the query string goes along')
  t.equal(received!.body, invite.payload)
  const headers: Record<string, string> = {}
  for (let i = 0; i < received!.rawHeaders.length; i += 2) headers[received!.rawHeaders[i]!.toLowerCase()] = received!.rawHeaders[i + 1]!
  t.equal(headers.authorization, 'Bearer kpat_secret_token_1', 'the client\'s token is passed on')
  t.equal(headers.host, new URL(upstream.url).host, 'Host is the upstream\'s')
  t.equal(headers['x-client'], 'c')
  t.equal(headers['user-agent'], 'test-client')
  t.equal(headers['content-type'], 'application/json')
  for (const name of ['x-hop', 'keep-alive', 'te', 'x-mock-session']) t.notOk(name in headers, `${name} is dropped`)
})

t.test('forwardHeaders drops hop-by-hop headers, those Connection names and the mock\'s own', async (t) => {
  t.same(forwardHeaders([
    'Host', 'mock', 'Connection', 'close, X-Trace', 'X-Trace', '1', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'Proxy-Authorization', 'Basic x',
    'Trailer', 'x', 'Content-Length', '3', 'X-Mock-Scenario', 'default', 'Authorization', 'Bearer t', 'Accept', '*/*', 'Accept-Encoding', 'gzip'
  ]), ['Authorization', 'Bearer t', 'Accept', '*/*'])
})

t.test('forced scenarios answer locally: the upstream is not called', async (t) => {
  const upstream = await startFakeKonnect(t)
  const { app } = await mockWith(t, upstream.url)
  const header = await app.inject({ ...invite, headers: { ...invite.headers, 'x-mock-scenario': 'rate-limited' } })
  t.equal(header.headers['x-mock-scenario-served'], 'rate-limited')
  const prefer = await app.inject({ ...invite, headers: { ...invite.headers, prefer: 'code=409' } })
  t.equal(prefer.statusCode, 409)
  const forcedDefault = await app.inject({ ...invite, headers: { ...invite.headers, 'x-mock-scenario': 'default' } })
  t.equal(forcedDefault.headers['x-mock-scenario-served'], 'default', 'forcing the default behaviour answers locally too')
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'service-unavailable', session: 's1' } })
  const session = await app.inject({ ...invite, headers: { ...invite.headers, 'x-mock-session': 's1' } })
  t.equal(session.statusCode, 503)
  await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'user-is-already-active', times: 1 } })
  const global = await app.inject(invite)
  t.equal(global.statusCode, 409)
  const bad = await app.inject({ ...invite, headers: { ...invite.headers, 'x-mock-scenario': 'nope' } })
  t.equal(bad.statusCode, 400, 'a bad selector is the mock\'s own 400')
  t.equal(upstream.received.length, 0)
  const through = await app.inject(invite)
  t.equal(through.headers['x-mock-scenario-served'], 'upstream', 'once the sticky scenario is used up, invites go through')
  t.equal(upstream.received.length, 1)
})

const drifted: Array<{ name: string, answer: RawAnswer, paths: string[] }> = [
  { name: 'a 400 that lost detail', answer: json(400, { status: 400, title: 'Bad Request', instance: 'konnect:trace:1', invalid_parameters: [{ field: 'email', reason: 'cannot be blank' }] }), paths: ['/body/detail'] },
  { name: 'an unknown rule', answer: json(400, { status: 400, title: 'Bad Request', detail: '', instance: 'konnect:trace:1', invalid_parameters: [{ field: 'email', reason: 'is odd', rule: 'is_odd' }] }), paths: ['/body/invalid_parameters/0/rule'] },
  { name: 'a 409 sent as application/json', answer: json(409, example('User is Already Active'), ['content-type', 'application/json']), paths: ['/headers/content-type'] },
  { name: 'a 429 without Retry-After', answer: json(429, example('Rate Limited'), ['content-type', PROBLEM, 'ratelimit-limit', '60', 'ratelimit-remaining', '0', 'ratelimit-reset', '7']), paths: ['/headers/retry-after'] },
  { name: 'a 201 with a body', answer: { status: 201, headers: ['content-type', 'application/json'], body: '{"id":"x"}' }, paths: ['/body'] },
  { name: 'a 500 HTML page', answer: { status: 500, headers: ['content-type', 'text/html'], body: '<html><body>Oops</body></html>' }, paths: ['/headers/content-type'] },
  { name: 'a body status other than the HTTP status', answer: json(409, { ...example('User is Already Active'), status: 400 }), paths: ['/body/status'] },
  { name: 'an undocumented success', answer: { status: 200, headers: [], body: '' }, paths: ['/status'] }
]

t.test('a drifted answer is passed back and reported with its path: journal, report, log', async (t) => {
  const upstream = await startFakeKonnect(t)
  const { app, lines } = await mockWith(t, upstream.url)
  for (const [index, { name, answer, paths }] of drifted.entries()) {
    upstream.answer = answer
    const res = await app.inject(invite)
    t.equal(res.statusCode, answer.status, `${name}: passed back`)
    t.equal(res.body, answer.body)
    const entry = (await app.inject('/__mock/requests')).json().requests.at(-1)
    t.same(entry.violations.map((v: { path: string }) => v.path), paths, `${name}: journal`)
    const report = (await app.inject('/__mock/violations')).json()
    t.equal(report.total, index + 1)
    t.match(report.violations.at(-1), { seq: index + 1, method: 'POST', url: '/v3/invites', status: answer.status }, `${name}: report, newest last`)
    t.same(report.violations.at(-1).violations.map((v: { path: string }) => v.path), paths)
    const logged = JSON.parse(lines.at(-1)!) as { level: number, msg: string, violations: unknown[] }
    t.equal(logged.level, 40, 'a warning')
    t.match(logged.msg, `upstream answer breaks the ${answer.status} contract: ${paths[0]}: expected`)
    t.equal(lines.length, index + 1)
  }
  const later = (await app.inject('/__mock/violations?after=7')).json()
  t.same(later.violations.map((v: { seq: number }) => v.seq), [8], 'after=<seq> lists later reports only')
  const bad = await app.inject('/__mock/violations?after=x')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().invalid_parameters[0].field, 'after')
  await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.same((await app.inject('/__mock/violations')).json(), { upstream: upstream.url, total: 0, violations: [] }, 'a reset clears the report')
})

t.test('the report keeps the newest violating answers only', async (t) => {
  const upstream = await startFakeKonnect(t)
  const { app } = await mockWith(t, upstream.url)
  app.mock.state.violations.clear()
  ;(app.mock.state.violations as { limit: number }).limit = 2
  upstream.answer = drifted[0]!.answer
  for (let i = 0; i < 3; i++) await app.inject(invite)
  const report = (await app.inject('/__mock/violations')).json()
  t.equal(report.total, 3)
  t.same(report.violations.map((v: { seq: number }) => v.seq), [2, 3])
})

t.test('--upstream-strict turns each drifted answer into a 502 listing its violations', async (t) => {
  const upstream = await startFakeKonnect(t)
  const { app } = await mockWith(t, upstream.url, { strict: true })
  for (const { name, answer, paths } of drifted) {
    upstream.answer = answer
    const res = await app.inject(invite)
    t.equal(res.statusCode, 502, name)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.headers['x-mock-scenario-served'], 'upstream')
    const body = res.json()
    t.match(body, { status: 502, title: 'Bad Gateway' })
    t.match(body.detail, `The upstream answer ${answer.status} breaks its contract: ${paths[0]}: expected`)
    const entry = (await app.inject('/__mock/requests')).json().requests.at(-1)
    t.equal(entry.status, 502)
    t.same(entry.violations.map((v: { path: string }) => v.path), paths)
  }
  upstream.answer = json(409, example('User is Already Active'))
  const conforming = await app.inject(invite)
  t.equal(conforming.statusCode, 409, 'a conforming answer still passes')
})

t.test('an upstream that refuses connections gives a 502 naming the cause', async (t) => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  const { app, lines } = await mockWith(t, `http://127.0.0.1:${port}`, { timeoutMs: 200 })
  const res = await app.inject(invite)
  t.equal(res.statusCode, 502)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.equal(res.headers['x-mock-scenario-served'], 'upstream')
  t.match(res.json(), { status: 502, title: 'Bad Gateway', type: 'https://httpstatuses.com/502', detail: `The upstream http://127.0.0.1:${port} could not be reached: ECONNREFUSED` })
  t.match(JSON.parse(lines[0]!), { level: 40, msg: 'upstream unreachable', cause: 'ECONNREFUSED' })
  const entry = (await app.inject('/__mock/requests')).json().requests.at(-1)
  t.match(entry, { scenario: 'upstream', status: 502 })
})

t.test('an upstream that never answers gives a 504 within the timeout', async (t) => {
  const upstream = await startFakeKonnect(t)
  upstream.answer = 'hang'
  const { app, lines } = await mockWith(t, upstream.url, { timeoutMs: 50 })
  const started = performance.now()
  const res = await app.inject(invite)
  const elapsed = performance.now() - started
  t.ok(elapsed >= 45 && elapsed < 2000, `answered after ${Math.round(elapsed)} ms`)
  t.equal(res.statusCode, 504)
  t.match(res.json(), { status: 504, title: 'Gateway Timeout', detail: `The upstream ${upstream.url} did not answer within 50 ms` })
  t.match(JSON.parse(lines[0]!), { msg: 'upstream timed out', cause: 'timeout' })
})

t.test('an upstream URL must be https unless it is a loopback address', async (t) => {
  t.same(checkUpstreamUrl('https://global.api.konghq.com/'), { url: 'https://global.api.konghq.com' })
  t.same(checkUpstreamUrl('https://staging.example.com/konnect//'), { url: 'https://staging.example.com/konnect' })
  for (const loopback of ['http://127.0.0.1:9', 'http://localhost:9', 'http://[::1]:9', 'http://127.10.0.1']) t.notOk('error' in checkUpstreamUrl(loopback), loopback)
  t.match(checkUpstreamUrl('http://example.com'), { error: 'expected an https URL (http only for a loopback address), got "http://example.com"' })
  t.match(checkUpstreamUrl('ftp://127.0.0.1'), { error: /expected an https URL/ })
  t.match(checkUpstreamUrl('not a url'), { error: 'expected an https URL, got "not a url"' })
  t.match(checkUpstreamUrl('https://user:pw@example.com'), { error: /must not carry credentials/ })
  t.match(checkUpstreamUrl('https://example.com/?a=1'), { error: /without a query or fragment/ })
  t.throws(() => new Upstream({ url: 'http://example.com' }, () => {}), new TypeError('upstream: expected an https URL (http only for a loopback address), got "http://example.com"'))
  t.throws(() => buildApp({ upstream: { url: 'http://10.0.0.1' } }), TypeError)
})

t.test('the cause of a failed request is its code, its cause\'s code, or its message', async (t) => {
  t.equal(causeOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED')
  t.equal(causeOf(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) })), 'ENOTFOUND')
  t.equal(causeOf(new Error('other side closed')), 'other side closed')
})

t.test('an upstream that drops the connection gives a 502 naming the cause', async (t) => {
  const upstream = await startFakeKonnect(t)
  upstream.answer = 'reset'
  const { app } = await mockWith(t, upstream.url)
  const res = await app.inject(invite)
  t.equal(res.statusCode, 502)
  t.match(res.json().detail, /could not be reached: UND_ERR_SOCKET|ECONNRESET/)
})

t.test('a recording that cannot be written is logged and the answer still goes back', async (t) => {
  const dir = t.testdir({})
  const upstream = await startFakeKonnect(t)
  upstream.answer = json(409, example('User is Already Active'))
  const { app, lines } = await mockWith(t, upstream.url, { record: `${dir}/r.yaml` })
  // A directory where the file should go, once started: the rename over it fails.
  mkdirSync(`${dir}/r.yaml/inside`, { recursive: true })
  t.equal((await app.inject(invite)).statusCode, 409)
  await app.mock.upstream!.recorder!.flush()
  t.match(JSON.parse(lines.at(-1)!), { level: 50, msg: 'recording failed' })
})
