import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { ProxyAgent, request } from 'undici'
import { inviteExamples } from '../../contracts/examples.js'
import { startFakeKonnect } from '../helpers/fake-konnect.js'
import { GLOBAL, proxyMock, type ProxyMock } from '../helpers/proxy.js'
import { parseAnswer } from '../helpers/wire.js'

interface Sent {
  headers: Record<string, string>
  body?: string
  path?: string
  method?: string
}
interface Got {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}
/** One way of reaching `https://global.api.konghq.com` through the mock's proxy. */
type Client = (mock: ProxyMock, sent: Sent) => Promise<Got>

const CURL = await promisify(execFile)('curl', ['--version']).then(() => true, () => false)

const viaUndici: Client = async (mock, sent) => {
  const agent = new ProxyAgent({ uri: mock.url, requestTls: { ca: mock.ca } })
  try {
    const res = await request(`https://${GLOBAL}${sent.path ?? '/v3/invites'}`, { dispatcher: agent, method: (sent.method ?? 'POST') as 'POST', headers: sent.headers, body: sent.body })
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
  } finally {
    await agent.close()
  }
}

/** Node's own clients, as a program without a proxy-aware agent does it: CONNECT with `http`, then `https` over the tunnel. */
const viaNodeHttps: Client = async (mock, sent) => {
  const connect = httpRequest({ host: '127.0.0.1', port: mock.port, method: 'CONNECT', path: `${GLOBAL}:443`, headers: { host: `${GLOBAL}:443` } })
  connect.end()
  const [established, socket] = await once(connect, 'connect') as [{ statusCode: number }, Socket]
  if (established.statusCode !== 200) throw new Error(`CONNECT answered ${established.statusCode}`)
  const call = httpsRequest({
    host: GLOBAL,
    port: 443,
    path: sent.path ?? '/v3/invites',
    method: sent.method ?? 'POST',
    headers: { host: GLOBAL, ...sent.headers },
    createConnection: () => tlsConnect({ socket, servername: GLOBAL, ca: mock.ca })
  })
  call.end(sent.body)
  const [res] = await once(call, 'response') as [{ statusCode: number, headers: IncomingHttpHeaders } & AsyncIterable<Buffer>]
  let body = ''
  for await (const chunk of res) body += chunk.toString()
  socket.destroy()
  return { status: res.statusCode, headers: res.headers, body }
}

/** The curl binary, with only the proxy and the CA given (no proxy variables inherited). */
const viaCurl: Client = async (mock, sent) => {
  const args = ['-sS', '-i', '--suppress-connect-headers', '--proxy', mock.url, '--cacert', mock.proxy.ca.path, '-X', sent.method ?? 'POST']
  for (const [name, value] of Object.entries(sent.headers)) args.push('-H', `${name}: ${value}`)
  if (sent.body !== undefined) args.push('--data-binary', sent.body)
  args.push(`https://${GLOBAL}${sent.path ?? '/v3/invites'}`)
  const { stdout } = await promisify(execFile)('curl', args, { env: { PATH: process.env.PATH } })
  const answer = parseAnswer(stdout)
  return { status: answer.status, headers: answer.headers, body: answer.body }
}

const plain = async (mock: ProxyMock, sent: Sent): Promise<Got> => {
  const res = await request(`${mock.url}${sent.path ?? '/v3/invites'}`, { method: (sent.method ?? 'POST') as 'POST', headers: sent.headers, body: sent.body })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

const CLIENTS: Array<[string, Client, string | false]> = [
  ['undici ProxyAgent', viaUndici, false],
  ['Node https through a CONNECT tunnel', viaNodeHttps, false],
  ['curl --proxy --cacert', viaCurl, CURL ? false : 'curl is not installed']
]

const example = (name: string): Record<string, unknown> => inviteExamples.find((e) => e.name === name)!.value as Record<string, unknown>
const withoutInstance = (body: string): unknown => {
  if (body === '') return ''
  const { instance, ...rest } = JSON.parse(body) as Record<string, unknown>
  return { ...rest, instance: typeof instance === 'string' && /^konnect:trace:\d+$/.test(instance) ? 'trace' : instance }
}
const json = { 'content-type': 'application/json' }

/** The answers a proxied request and the same request over plain HTTP got must not differ but for the trace id. */
function assertSame (t: Test, proxied: Got, direct: Got, what: string): void {
  t.equal(proxied.status, direct.status, `${what}: the same status`)
  for (const name of ['content-type', 'x-mock-scenario-served', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining']) {
    t.equal(proxied.headers[name], direct.headers[name], `${what}: the same ${name}`)
  }
  t.same(withoutInstance(proxied.body), withoutInstance(direct.body), `${what}: the same body`)
}

for (const [name, client, skip] of CLIENTS) {
  t.test(`${name}: https://${GLOBAL}/v3/invites is served by the mock as on plain HTTP`, { skip }, async (t) => {
    const mock = await proxyMock(t, { mock: { activeUsers: ['ada@example.com'], rateLimit: { limit: 1, windowMs: 60_000 } } })
    let n = 0
    // The rate limit counts per token: every request but the 429 pair has its own.
    const token = (): Record<string, string> => ({ authorization: `Bearer kpat_${++n}` })
    const both = async (sent: Sent, what: string): Promise<Got> => {
      const proxied = await client(mock, sent)
      assertSame(t, proxied, await plain(mock, sent.headers.authorization === undefined ? sent : { ...sent, headers: { ...sent.headers, ...token() } }), what)
      return proxied
    }

    const created = await both({ headers: { ...token(), ...json }, body: '{"email":"james.c.woods@example.com"}' }, 'a valid invite')
    t.equal(created.status, 201)
    t.equal(created.body, '')
    t.equal(created.headers['x-mock-scenario-served'], 'default')

    for (const [id, status, published] of [
      ['cannot-be-blank', 400, 'Cannot be Blank'],
      ['user-is-already-active', 409, 'User is Already Active'],
      ['rate-limited', 429, 'Rate Limited'],
      ['idp-configuration-is-required', 400, 'IdP configuration is required']
    ] as const) {
      const got = await both({ headers: { 'x-mock-scenario': id } }, id)
      t.equal(got.status, status, `${id}: ${status}`)
      t.equal(got.headers['x-mock-scenario-served'], id)
      t.match(JSON.parse(got.body), { ...example(published), instance: /^konnect:trace:\d+$/ }, `${id}: the published example`)
    }
    const preferred = await both({ headers: { prefer: 'code=400, example=IdP configuration is required' } }, 'Prefer')
    t.equal(preferred.headers['x-mock-scenario-served'], 'idp-configuration-is-required')

    const session = `proxy-${n}`
    const set = await mock.app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'user-is-already-active', session } })
    t.equal(set.statusCode, 200, 'the session scenario is set')
    const inSession = await client(mock, { headers: { ...token(), ...json, 'x-mock-session': session }, body: '{"email":"new@example.com"}' })
    t.equal(inSession.status, 409, 'the session\'s scenario')
    t.equal(inSession.headers['x-mock-scenario-served'], 'user-is-already-active')
    const outside = await client(mock, { headers: { ...token(), ...json, 'x-mock-session': 'another' }, body: '{"email":"new@example.com"}' })
    t.equal(outside.status, 201, 'another session gets the default behaviour')

    const blank = await both({ headers: { ...token(), ...json }, body: '{"email":""}' }, 'blank email')
    t.equal(blank.status, 400)
    t.same(JSON.parse(blank.body).invalid_parameters, [{ field: 'email', reason: 'cannot be blank' }])
    const active = await both({ headers: { ...token(), ...json }, body: '{"email":"ada@example.com"}' }, 'active user')
    t.equal(active.status, 409)
    t.equal(JSON.parse(active.body).detail, 'User is already active')
    const unauthenticated = await both({ headers: json, body: '{"email":"new@example.com"}' }, 'no token')
    t.equal(unauthenticated.status, 401)
    const again = { headers: { authorization: 'Bearer kpat_twice', ...json }, body: '{"email":"twice@example.com"}' }
    t.equal((await client(mock, again)).status, 201)
    const limited = await client(mock, again)
    t.equal(limited.status, 429, 'the token\'s second invite in the window')
    t.match(JSON.parse(limited.body), { status: 429, detail: 'Too many requests' })
    t.match(limited.headers['retry-after'], /^\d+$/)
    t.equal(limited.headers['ratelimit-remaining'], '0')

    const { requests } = await (await request(`${mock.url}/__mock/requests`)).body.json() as { requests: Array<Record<string, any>> }
    const proxied = requests.filter((entry) => entry.via === 'proxy')
    // 1 + 4 + 1 + 2 + 3 + 2 through the proxy, as many through plain HTTP (9) but the session pair and the 429 pair.
    t.equal(proxied.length, 13, 'every proxied request is in the journal')
    t.equal(requests.length - proxied.length, 9, 'and every plain one')
    for (const entry of proxied) {
      t.equal(entry.host, GLOBAL, `#${entry.seq} names the tunnel's host`)
      t.equal(entry.headers.host, GLOBAL)
      if (entry.headers.authorization !== undefined) t.equal(entry.headers.authorization, '[redacted]', `#${entry.seq}: the token is redacted`)
    }
    for (const entry of requests.filter((entry) => entry.via === undefined)) t.equal(entry.host, undefined, 'a plain request names no tunnel')
    t.same(proxied.map((entry) => entry.status), [201, 400, 409, 429, 400, 400, 409, 201, 400, 409, 401, 201, 429])
    t.same(proxied.slice(1, 5).map((entry) => entry.scenario), ['cannot-be-blank', 'user-is-already-active', 'rate-limited', 'idp-configuration-is-required'])
    t.equal(proxied[6]!.session, session)

    const coverage = await (await request(`${mock.url}/__mock/coverage`)).body.json() as { scenarios: Array<{ id: string, served: number }> }
    t.equal(coverage.scenarios.find((s) => s.id === 'rate-limited')!.served, 2, 'coverage counts proxied and plain answers alike')
  })
}

t.test('every intercepted host is served with a certificate for that exact name', async (t) => {
  const mock = await proxyMock(t, { proxy: { interceptHosts: ['global.api.mock.test'] } })
  t.same(mock.proxy.hosts, ['global.api.konghq.com', 'us.api.konghq.com', 'eu.api.konghq.com', 'au.api.konghq.com', 'me.api.konghq.com', 'in.api.konghq.com', 'sg.api.konghq.com', 'global.api.mock.test'])
  const agent = new ProxyAgent({ uri: mock.url, requestTls: { ca: mock.ca } })
  t.teardown(() => agent.close())
  for (const host of mock.proxy.hosts) {
    const res = await request(`https://${host}/v3/invites`, { dispatcher: agent, method: 'POST', headers: { 'x-mock-scenario': 'created' } })
    t.equal(res.statusCode, 201, host)
    await res.body.dump()
  }
  const { requests } = await (await request(`${mock.url}/__mock/requests`)).body.json() as { requests: Array<{ host: string }> }
  t.same(requests.map((entry) => entry.host), mock.proxy.hosts, 'the journal names each host')
})

t.test('--upstream: an unforced invite through the proxy goes to the real service', async (t) => {
  const upstream = await startFakeKonnect(t)
  const mock = await proxyMock(t, { mock: { upstream: { url: upstream.url } } })
  const got = await viaUndici(mock, { headers: { authorization: 'Bearer kpat_real', ...json }, body: '{"email":"a@example.com"}' })
  t.equal(got.status, 201)
  t.equal(got.headers['x-mock-scenario-served'], 'upstream')
  t.equal(upstream.received.length, 1)
  t.equal(upstream.received[0]!.body, '{"email":"a@example.com"}')
  const forced = await viaUndici(mock, { headers: { 'x-mock-scenario': 'rate-limited' } })
  t.equal(forced.status, 429, 'a forced scenario stays in the mock')
  t.equal(upstream.received.length, 1)
})

t.test('the admin API\'s Host allow-list and the invites\' Origin rule hold inside a tunnel', async (t) => {
  const mock = await proxyMock(t)
  for (const path of ['/__mock/requests', '/__mock/health', '/__mock/ca.pem']) {
    const got = await viaUndici(mock, { method: 'GET', path, headers: {} })
    t.equal(got.status, 403, `${path} is not served to Host ${GLOBAL}`)
    t.match(JSON.parse(got.body), { status: 403, detail: /Host/ })
  }
  const reset = await viaUndici(mock, { method: 'POST', path: '/__mock/reset', headers: {} })
  t.equal(reset.status, 403, 'nor can a tunnel reset the mock')
  const browser = { origin: 'https://evil.example', authorization: 'Bearer t', ...json }
  const proxied = await viaUndici(mock, { headers: browser, body: '{"email":"a@example.com"}' })
  t.equal(proxied.status, 403, 'a page on another origin gets no invite through the tunnel')
  assertSame(t, proxied, await plain(mock, { headers: browser, body: '{"email":"a@example.com"}' }), 'cross-origin')
  const { requests } = await (await request(`${mock.url}/__mock/invites`)).body.json() as { requests?: unknown }
  t.equal(requests, undefined)
  const invites = await (await request(`${mock.url}/__mock/invites`)).body.json() as { invites: unknown[] }
  t.same(invites.invites, [], 'nothing was invited')
})
