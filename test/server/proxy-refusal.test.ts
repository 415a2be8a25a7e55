/**
 * The proxy is not an open proxy: a CONNECT to any host it does not intercept is refused with
 * nothing dialled (listeners on other loopback ports prove it), a malformed CONNECT and a plain-HTTP
 * proxy request are clear 400s, and only the `--proxy-tunnel` targets are tunnelled, unchanged.
 * Every socket here is on loopback; `evil.example` is never resolved.
 */
import { request as httpRequest } from 'node:http'
import { once } from 'node:events'
import { Socket } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { assertProblem } from '../helpers/app.js'
import { GLOBAL, proxyMock } from '../helpers/proxy.js'
import { exchange, parseAnswer } from '../helpers/wire.js'
import { closedPort, inviteThroughProxy, listener, logged, openTunnel, untilClosed } from '../helpers/tunnel.js'
import { connectTarget, interceptHost, tunnelEntry } from '../../server/proxy-hosts.js'

t.test('a CONNECT to a host that is not intercepted is refused with a 403 and nothing is dialled', async (t) => {
  const bait = await listener(t)
  const mock = await proxyMock(t)
  for (const [authority, target] of [
    [`127.0.0.1:${bait.port}`, `127.0.0.1:${bait.port}`],
    [`localhost:${bait.port}`, `localhost:${bait.port}`],
    [`LocalHost:${bait.port}`, `localhost:${bait.port}`],
    [`[::1]:${bait.port}`, `[::1]:${bait.port}`],
    ['evil.example:443', 'evil.example:443'],
    // Konnect's own host on another port is not intercepted either.
    [`${GLOBAL}:${bait.port}`, `${GLOBAL}:${bait.port}`],
    [`${GLOBAL}:80`, `${GLOBAL}:80`]
  ]) {
    const { answer } = await openTunnel(mock.port, authority)
    const body = assertProblem(t, answer, 403, { served: 'default', what: `CONNECT ${authority}` })
    t.match(answer.headers.connection, 'close', 'the connection is closed after the answer')
    t.match(body.detail, `CONNECT to ${target} is refused`, 'the detail names the host')
    t.match(body.detail, 'NO_PROXY', 'and how to bypass the proxy')
    t.match(body.detail, `--proxy-tunnel ${target}`, 'and how to tunnel it')
    t.match(body.detail, GLOBAL, 'and what is intercepted')
    t.match(await logged(mock, new RegExp(`^CONNECT ${target.replace(/[[\].]/g, '\\$&')} refused`)), { level: 40 })
  }
  t.equal(bait.connections, 0, 'the listener on the other loopback port saw no connection')
  t.equal(await inviteThroughProxy(mock), 201, 'the proxy still serves Konnect\'s host')
})

t.test('the same CONNECTs reach the listener once they are --proxy-tunnel targets (the bait would see a dial)', async (t) => {
  const bait = await listener(t)
  const entries = [`127.0.0.1:${bait.port}`, `LOCALHOST:${bait.port}`].map((entry) => tunnelEntry(entry) as string)
  t.same(entries, [`127.0.0.1:${bait.port}`, `localhost:${bait.port}`])
  const mock = await proxyMock(t, { proxy: { tunnels: entries } })
  for (const authority of [`127.0.0.1:${bait.port}`, `localhost:${bait.port}`]) {
    const { socket, answer } = await openTunnel(mock.port, authority)
    t.equal(answer.status, 200, `CONNECT ${authority} is tunnelled`)
    await untilClosed(socket)
  }
  t.equal(bait.connections, 2, 'both reached it')
})

t.test('a CONNECT whose target is not host:port is a 400', async (t) => {
  const mock = await proxyMock(t)
  const long = `${'a'.repeat(120)}.example`
  for (const [authority, shown] of [
    [GLOBAL, GLOBAL],
    [`${GLOBAL}:0`, `${GLOBAL}:0`],
    [`${GLOBAL}:65536`, `${GLOBAL}:65536`],
    [`${GLOBAL}:https`, `${GLOBAL}:https`],
    [':443', ':443'],
    ['user@evil.example:443', 'user@evil.example:443'],
    ['evil.example/path:443', 'evil.example/path:443'],
    ['[::1:443', '[::1:443'],
    ['[not-an-address]:443', '[not-an-address]:443'],
    [`${long}`, `${long.slice(0, 100)}…`]
  ]) {
    const { answer } = await openTunnel(mock.port, authority)
    const body = assertProblem(t, answer, 400, { served: 'default', what: `CONNECT ${authority}` })
    t.equal(body.detail, `CONNECT needs host:port, got "${shown}"`)
    t.same(body.invalid_parameters, [{ field: 'url', reason: 'must be host:port', source: 'path' }])
  }
  t.match(await logged(mock, /^CONNECT refused: not host:port$/), { level: 40, target: GLOBAL }, 'logged')
  t.ok(mock.logs.some((line) => line.target === `${long.slice(0, 100)}…`), 'a long target is logged clipped')
})

t.test('connectTarget reads host:port, lower-cased, with IPv6 in brackets', async (t) => {
  t.same(connectTarget('Global.API.konghq.com:443'), { host: GLOBAL, port: 443 })
  t.same(connectTarget(' [::1]:8443 '), { host: '[::1]', port: 8443 })
  t.same(connectTarget('127.0.0.1:1'), { host: '127.0.0.1', port: 1 })
  t.same(connectTarget('example.com:65535'), { host: 'example.com', port: 65535 })
  for (const bad of ['example.com', 'example.com:0', 'example.com:65536', 'exa_mple..com:443', '[::1', '::1:443', 'a:b:443', 'http://example.com:443']) {
    t.equal(connectTarget(bad), null, bad)
  }
})

t.test('--proxy-tunnel and --intercept-hosts entries: what the refusals above are checked against', async (t) => {
  t.equal(tunnelEntry('Api.Example.com'), 'api.example.com:443', 'port 443 when left out')
  t.equal(tunnelEntry('[::1]:8443'), '[::1]:8443')
  for (const bad of ['', 'a b', 'example.com:0', 'example.com:65536', '[::1', 'http://example.com']) t.match(tunnelEntry(bad), { error: /expected host\[:port\]/ }, `tunnel ${bad}`)
  t.equal(interceptHost('Global.API.example.com'), 'global.api.example.com')
  for (const bad of ['127.0.0.1', '::1', 'localhost', 'example.com:443', '*.example.com']) t.match(interceptHost(bad), { error: /expected a DNS name with a dot/ }, `intercept ${bad}`)
})

t.test('a plain-HTTP request in absolute form is a 400 that says the mock proxies HTTPS only', async (t) => {
  const mock = await proxyMock(t)
  const expected = `GET http://${GLOBAL}/v3/invites is a plain-HTTP proxy request: this mock proxies only HTTPS (CONNECT, with --proxy); send https:// URLs through it, or call it directly at a path`
  // As an HTTP client configured with the mock as its HTTP_PROXY sends it.
  const call = httpRequest({ host: '127.0.0.1', port: mock.port, method: 'GET', path: `http://${GLOBAL}/v3/invites?x=1`, headers: { host: GLOBAL } })
  call.end()
  const [res] = await once(call, 'response') as [import('node:http').IncomingMessage]
  let text = ''
  for await (const chunk of res) text += String(chunk)
  const body = assertProblem(t, { status: res.statusCode!, headers: res.headers as Record<string, string>, body: text }, 400, { served: 'default', what: 'GET http://…' })
  t.equal(body.detail, expected, 'the query is left out of the detail')
  t.same(body.invalid_parameters, [{ field: 'url', reason: 'must be a path (origin form)', source: 'path' }])

  // The router would serve these as /v3/invites and /__mock/health: the guard answers them first.
  const posted = parseAnswer(await exchange(mock.port, [`POST http://${GLOBAL}/v3/invites HTTP/1.1\r\nhost: ${GLOBAL}\r\nauthorization: Bearer kpat_x\r\ncontent-type: application/json\r\ncontent-length: 25\r\nconnection: close\r\n\r\n{"email":"a@example.com"}`]))
  const postedBody = assertProblem(t, posted, 400, { served: 'default', what: 'POST http://…/v3/invites' })
  t.equal(postedBody.detail, `POST http://${GLOBAL}/v3/invites is a plain-HTTP proxy request: this mock proxies only HTTPS (CONNECT, with --proxy); send https:// URLs through it, or call it directly at a path`)
  const admin = parseAnswer(await exchange(mock.port, [`GET http://127.0.0.1:${mock.port}/__mock/health HTTP/1.1\r\nhost: 127.0.0.1:${mock.port}\r\nconnection: close\r\n\r\n`]))
  t.match(assertProblem(t, admin, 400, { served: 'default', what: 'GET http://…/__mock/health' }).detail, `GET http://127.0.0.1:${mock.port}/__mock/health is a plain-HTTP proxy request`)

  const path = parseAnswer(await exchange(mock.port, [`GET /v3/nope HTTP/1.1\r\nhost: 127.0.0.1:${mock.port}\r\nconnection: close\r\n\r\n`]))
  t.equal(assertProblem(t, path, 404, { served: 'default', what: 'GET /v3/nope' }).detail, 'No route for GET /v3/nope', 'a path is still routed')

  const { requests } = await (await request(`${mock.url}/__mock/requests`)).body.json() as { requests: Array<{ url: string, status: number }> }
  t.same(requests.map((entry) => [entry.url, entry.status]), [[`http://${GLOBAL}/v3/invites?x=1`, 400], ['/v3/nope', 404]], 'the unrouted ones are journaled as any 4xx the mock answers itself')
  const invites = await (await request(`${mock.url}/__mock/invites`)).body.json() as { invites: unknown[] }
  t.same(invites.invites, [], 'nothing was invited')
})

t.test('--proxy-tunnel: a listed target is tunnelled unchanged, bytes both ways', async (t) => {
  const echo = await listener(t, (socket) => {
    socket.write('hello from the target\n')
    socket.pipe(socket)
  })
  const mock = await proxyMock(t, { proxy: { tunnels: [`127.0.0.1:${echo.port}`] } })
  const { socket, answer } = await openTunnel(mock.port, `127.0.0.1:${echo.port}`)
  t.equal(answer.status, 200)
  t.equal(answer.text, 'HTTP/1.1 200 Connection Established\r\n\r\n', 'the answer has no header the client must read')
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  const received = untilClosed(socket)
  socket.write(bytes)
  socket.end()
  t.same(await received, Buffer.concat([Buffer.from('hello from the target\n'), bytes]), 'the target\'s greeting, then every byte sent, back unchanged')
  t.equal(echo.connections, 1)
  t.same(mock.logs, [], 'nothing to log')
})

t.test('--proxy-tunnel: a target\'s large answer reaches a slow client whole', async (t) => {
  const size = 4 * 1024 * 1024
  const big = await listener(t, (socket) => { socket.end(Buffer.alloc(size, 7)) })
  const mock = await proxyMock(t, { proxy: { tunnels: [`127.0.0.1:${big.port}`] } })
  const { socket, answer } = await openTunnel(mock.port, `127.0.0.1:${big.port}`)
  t.equal(answer.status, 200)
  // The client reads slowly, so the proxy holds back and the target finishes long before the client.
  const received = untilClosed(socket, 20_000)
  socket.on('data', () => {
    socket.pause()
    setTimeout(() => socket.resume(), 2)
  })
  const got = await received
  t.equal(got.length, size, 'every byte arrived before the tunnel closed')
})

t.test('--proxy-tunnel: a target that resets the connection ends the tunnel, logged', async (t) => {
  const resetting = await listener(t, (socket) => { socket.once('data', () => { socket.resetAndDestroy() }) })
  const mock = await proxyMock(t, { proxy: { tunnels: [`127.0.0.1:${resetting.port}`] } })
  const { socket, answer } = await openTunnel(mock.port, `127.0.0.1:${resetting.port}`)
  t.equal(answer.status, 200)
  socket.write('anything')
  t.same(await untilClosed(socket), Buffer.alloc(0), 'the client\'s end is closed too')
  t.match(await logged(mock, new RegExp(`^tunnel to 127\\.0\\.0\\.1:${resetting.port}: .*ECONNRESET`)), { level: 40, host: '127.0.0.1', port: resetting.port })
})

t.test('--proxy-tunnel: a target that cannot be reached is a 502 naming it', async (t) => {
  const port = await closedPort()
  const mock = await proxyMock(t, { proxy: { tunnels: [`127.0.0.1:${port}`] } })
  const { answer } = await openTunnel(mock.port, `127.0.0.1:${port}`)
  const body = assertProblem(t, answer, 502, { served: 'default', what: 'a refused dial' })
  t.match(body.detail, `The mock could not reach 127.0.0.1:${port} (--proxy-tunnel): connect ECONNREFUSED`)
  t.match(await logged(mock, new RegExp(`^tunnel to 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`)), { level: 40 })
})

t.test('--proxy-tunnel: a target that does not accept in time is a 504', async (t) => {
  // Waits on real timers: it proves the 100 ms dial timeout, a connection timer, ends a dial that never connects.
  // A socket that never connects stands for a target whose network drops the handshake; a real
  // loopback listener always accepts.
  const hanging: Socket[] = []
  const mock = await proxyMock(t, {
    proxy: {
      tunnels: ['127.0.0.1:9'],
      dialTimeoutMs: 100,
      dial: () => {
        const socket = new Socket()
        hanging.push(socket)
        return socket
      }
    }
  })
  const started = Date.now()
  const { answer } = await openTunnel(mock.port, '127.0.0.1:9')
  t.ok(Date.now() - started >= 90, 'answered once the dial timeout ran out')
  const body = assertProblem(t, answer, 504, { served: 'default', what: 'a dial that never finishes' })
  t.equal(body.detail, 'The mock could not reach 127.0.0.1:9 (--proxy-tunnel): no answer within 100 ms')
  t.ok(hanging[0]!.destroyed, 'the dial was abandoned')
  t.match(await logged(mock, /^tunnel to 127\.0\.0\.1:9: no answer within 100 ms$/), { level: 40 })
})

t.test('--proxy-tunnel: a client that leaves while the dial is under way ends the dial and its timer', async (t) => {
  const hanging: Socket[] = []
  const mock = await proxyMock(t, {
    proxy: {
      tunnels: ['127.0.0.1:9'],
      dialTimeoutMs: 60_000,
      dial: () => {
        const socket = new Socket()
        hanging.push(socket)
        return socket
      }
    }
  })
  const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
  const before = timers()
  const client = new Socket()
  await new Promise<void>((resolve) => client.connect(mock.port, '127.0.0.1', resolve))
  client.write('CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n')
  while (hanging.length === 0) await new Promise((resolve) => setImmediate(resolve))
  t.equal(timers(), before + 1, 'the dial has its timeout')
  const started = Date.now()
  client.destroy()
  while (!hanging[0]!.destroyed) await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(Date.now() - started < 10_000, 'the dial is abandoned when the client hangs up, not when its timeout runs out')
  t.equal(timers(), before, 'and holds no timer')
})
