/**
 * Hostile or broken clients inside the proxy's tunnels: each tunnel ends on its own, within a bound
 * in time (the handshake timeout) and in number (tunnels opening at once), with a log line saying
 * why, and the mock goes on serving invites through the proxy. Real TLS over loopback only.
 */
import { execFile } from 'node:child_process'
import type { Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import t from 'tap'
import { assertProblem } from '../helpers/app.js'
import { GLOBAL, proxyMock } from '../helpers/proxy.js'
import { inviteThroughProxy, listener, logged, openTunnel, untilClosed } from '../helpers/tunnel.js'

/** A TLS client in an open tunnel: resolves with the error its handshake ended with, or `null` once it succeeded. */
function handshake (socket: Socket, options: { servername: string, ca: string, maxVersion?: 'TLSv1.2' }): Promise<{ error: NodeJS.ErrnoException | null, tls: TLSSocket }> {
  return new Promise((resolve) => {
    const tls = tlsConnect({ socket, ...options })
    tls.once('secureConnect', () => { resolve({ error: null, tls }) })
    tls.once('error', (error) => { resolve({ error, tls }) })
  })
}

const tunnelToGlobal = async (port: number): Promise<Socket> => {
  const { socket, answer } = await openTunnel(port, `${GLOBAL}:443`)
  if (answer.status !== 200) throw new Error(`CONNECT answered ${answer.status}`)
  return socket
}

t.test('a ClientHello without a server name (SNI) ends the tunnel, logged', async (t) => {
  const mock = await proxyMock(t)
  // Node sends no SNI when servername is empty; TLS 1.3 and 1.2 fail on different OpenSSL errors.
  for (const maxVersion of [undefined, 'TLSv1.2'] as const) {
    const socket = await tunnelToGlobal(mock.port)
    const { error, tls } = await handshake(socket, { servername: '', ca: mock.ca, ...(maxVersion === undefined ? {} : { maxVersion }) })
    t.match(error?.code, /^ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE$/, `${maxVersion ?? 'TLS 1.3'}: the client is told the handshake failed`)
    await untilClosed(tls)
  }
  const lines = mock.logs.filter((line) => line.msg === `tunnel to ${GLOBAL}: TLS handshake failed: the client sent no server name (SNI)`)
  t.same(lines.map((line) => [line.level, line.host, line.code]), [[40, GLOBAL, 'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM'], [40, GLOBAL, 'ERR_SSL_NO_SHARED_CIPHER']])
  t.equal(await inviteThroughProxy(mock), 201, 'the mock still serves')
})

t.test('a server name (SNI) that is not the CONNECT host ends the tunnel, logged; its case does not matter', async (t) => {
  const mock = await proxyMock(t)
  const socket = await tunnelToGlobal(mock.port)
  const { error, tls } = await handshake(socket, { servername: 'us.api.konghq.com', ca: mock.ca })
  t.not(error, null, 'no certificate is served for another host, not even an intercepted one')
  await untilClosed(tls)
  t.match(await logged(mock, /TLS handshake failed: the client asked/), {
    level: 40,
    host: GLOBAL,
    msg: `tunnel to ${GLOBAL}: TLS handshake failed: the client asked for us.api.konghq.com (SNI) in a tunnel opened for ${GLOBAL}`
  })
  const upper = await handshake(await tunnelToGlobal(mock.port), { servername: GLOBAL.toUpperCase(), ca: mock.ca })
  t.equal(upper.error, null, 'the same name in capitals is served')
  upper.tls.destroy()
  t.equal(await inviteThroughProxy(mock), 201, 'the mock still serves')
})

t.test('plain HTTP or garbage sent into a tunnel instead of TLS ends it, logged', async (t) => {
  const mock = await proxyMock(t)
  const cases: Array<[string, string | Buffer, string]> = [
    ['plain HTTP', `POST /v3/invites HTTP/1.1\r\nhost: ${GLOBAL}\r\ncontent-length: 2\r\n\r\n{}`, 'the client sent plain HTTP, not TLS'],
    ['text', 'hello, this is not TLS at all\r\n', 'not a TLS handshake the mock can answer (wrong version number)'],
    ['a handshake record that claims to be huge', Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0xff, 0xff, 0xff, 0x03]), 'not a TLS handshake the mock can answer (excessive message size)']
  ]
  for (const [what, bytes, why] of cases) {
    const socket = await tunnelToGlobal(mock.port)
    socket.write(bytes)
    const back = await untilClosed(socket)
    t.ok(back.length < 16, `${what}: closed, with at most a TLS alert written back (${back.length} bytes)`)
    t.match(await logged(mock, new RegExp(why.replace(/[()]/g, '\\$&'))), { level: 40, host: GLOBAL, msg: `tunnel to ${GLOBAL}: TLS handshake failed: ${why}` }, what)
  }
  t.equal(await inviteThroughProxy(mock), 201, 'the mock still serves')
})

t.test('a client that does not trust the CA is told apart in the log (curl without --cacert)', { skip: await hasCurl() ? false : 'curl is not installed' }, async (t) => {
  const mock = await proxyMock(t)
  const code = await new Promise<number | string | undefined>((resolve) => {
    execFile('curl', ['-sS', '--proxy', mock.url, `https://${GLOBAL}/v3/invites`], { env: { PATH: process.env.PATH } }, (error) => { resolve(error?.code ?? undefined) })
  })
  t.equal(code, 60, 'curl refuses the certificate (exit 60)')
  t.match(await logged(mock, /does not trust/), { level: 40, host: GLOBAL, code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', msg: `tunnel to ${GLOBAL}: TLS handshake failed: the client does not trust the mock's CA (\`konnect-invites-mock ca\` prints how to trust it)` })
})

t.test('a certificate the CA fails to make ends the handshake, logged', async (t) => {
  const mock = await proxyMock(t)
  const context = mock.proxy.ca.context
  mock.proxy.ca.context = async () => { throw new Error('the key store is gone') }
  const { error, tls } = await handshake(await tunnelToGlobal(mock.port), { servername: GLOBAL, ca: mock.ca })
  t.not(error, null)
  await untilClosed(tls)
  t.match(await logged(mock, /key store/), { level: 40, msg: `tunnel to ${GLOBAL}: TLS handshake failed: the key store is gone` })
  mock.proxy.ca.context = context
  t.equal(await inviteThroughProxy(mock), 201, 'served once the CA works')
})

t.test('a handshake that never finishes is closed after the handshake timeout, logged', async (t) => {
  // Waits on real timers: it proves the 150 ms handshake timeout, a socket timer, closes tunnels whose TLS never finishes.
  const mock = await proxyMock(t, { proxy: { handshakeTimeoutMs: 150 } })
  const silent = await tunnelToGlobal(mock.port)
  const partial = await tunnelToGlobal(mock.port)
  // The first bytes of a ClientHello record, and then nothing.
  partial.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]))
  const started = Date.now()
  await Promise.all([untilClosed(silent, 2000), untilClosed(partial, 2000)])
  const waited = Date.now() - started
  t.ok(waited >= 120 && waited < 2000, `both closed by the mock after about 150 ms (${waited} ms)`)
  const lines = mock.logs.filter((line) => line.msg === `tunnel to ${GLOBAL}: TLS handshake not finished within 150 ms; closed`)
  t.equal(lines.length, 2, 'each logged')
  t.equal(await inviteThroughProxy(mock), 201, 'the mock still serves')
})

t.test('more CONNECTs opening at once than maxOpening: the excess gets a 503, then the proxy recovers', async (t) => {
  const mock = await proxyMock(t, { proxy: { maxOpening: 3 } })
  const stalled = await Promise.all([1, 2, 3].map(() => tunnelToGlobal(mock.port)))
  const burst = await Promise.all(Array.from({ length: 1000 }, () => openTunnel(mock.port, `${GLOBAL}:443`)))
  t.same([...new Set(burst.map(({ answer }) => answer.status))], [503], 'all 1000 are refused while 3 are opening')
  const body = assertProblem(t, burst[0]!.answer, 503, { served: 'default', what: 'the excess' })
  t.equal(body.detail, '3 tunnels are already being opened; try again in a moment')
  t.equal(burst[0]!.answer.headers['retry-after'], '1')
  t.equal(mock.logs.filter((line) => line.msg === `CONNECT ${GLOBAL}:443 refused: 3 tunnels are already opening`).length, 1000, 'each refusal logged')
  await Promise.all(burst.map(({ socket }) => untilClosed(socket)))

  const passThrough = await listener(t, (socket) => { socket.pipe(socket) })
  const other = await proxyMock(t, { proxy: { maxOpening: 1, tunnels: [`127.0.0.1:${passThrough.port}`] } })
  const opening = await tunnelToGlobal(other.port)
  t.equal((await openTunnel(other.port, `127.0.0.1:${passThrough.port}`)).answer.status, 503, 'the cap counts tunnelled targets too')
  opening.destroy()

  for (const socket of stalled) socket.destroy()
  let status = 0
  // The proxy hears of the three closes a moment after they happen.
  for (let tries = 0; tries < 50 && status !== 201; tries++) {
    status = await inviteThroughProxy(mock).catch(() => 0)
    if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.equal(status, 201, 'once they close, tunnels open again')
  t.equal(mock.logs.filter((line) => line.msg === `tunnel to ${GLOBAL}: the client closed it before the TLS handshake finished`).length, 3, 'each hang-up logged')
})

t.test('a CONNECT carrying a body is a 400 and nothing is tunnelled', async (t) => {
  const mock = await proxyMock(t)
  for (const [what, more] of [
    ['Content-Length', { headers: 'content-length: 5\r\n', bytes: 'hello' }],
    ['Content-Length with the body still to come', { headers: 'content-length: 5\r\n' }],
    ['Transfer-Encoding', { headers: 'transfer-encoding: chunked\r\n', bytes: '5\r\nhello\r\n0\r\n\r\n' }],
    ['bytes sent before the answer', { bytes: Buffer.from([0x16, 0x03, 0x01, 0x00, 0x01, 0x01]) }]
  ] as const) {
    const { answer } = await openTunnel(mock.port, `${GLOBAL}:443`, more)
    const body = assertProblem(t, answer, 400, { served: 'default', what })
    t.equal(body.detail, 'A CONNECT request carries no body', what)
    t.same(body.invalid_parameters, [{ field: 'body', reason: 'must be empty: send the tunnel\'s bytes after the 200 answer' }])
  }
  t.equal(mock.logs.filter((line) => line.msg === `CONNECT ${GLOBAL}:443 refused: it carried a body`).length, 4, 'each logged')
  const empty = await openTunnel(mock.port, `${GLOBAL}:443`, { headers: 'content-length: 0\r\n' })
  t.equal(empty.answer.status, 200, 'Content-Length: 0 is no body')
  empty.socket.destroy()
  t.equal(await inviteThroughProxy(mock), 201, 'the mock still serves')
})

t.test('closing the mock ends the tunnels still opening and the tunnelled ones', async (t) => {
  const echo = await listener(t, (socket) => { socket.pipe(socket) })
  const mock = await proxyMock(t, { proxy: { tunnels: [`127.0.0.1:${echo.port}`] } })
  const opening = await tunnelToGlobal(mock.port)
  const { socket: tunnelled, answer } = await openTunnel(mock.port, `127.0.0.1:${echo.port}`)
  t.equal(answer.status, 200)
  const closed = Promise.all([untilClosed(opening, 2000), untilClosed(tunnelled, 2000)])
  await mock.app.close()
  await closed
  t.pass('both ended when the mock closed')
})

async function hasCurl (): Promise<boolean> {
  return await new Promise((resolve) => { execFile('curl', ['--version'], (error) => { resolve(error === null) }) })
}
