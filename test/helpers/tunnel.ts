/**
 * Raw CONNECT tunnels for the proxy's refusal and hostile-client tests: open one byte by byte as a
 * client would, listeners on other loopback ports that count what reaches them, the line the proxy
 * logs, and one ordinary invite through the proxy to show the mock still serves.
 */
import { once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { Test } from 'tap'
import { ProxyAgent, request } from 'undici'
import { GLOBAL, type ProxyMock } from './proxy.js'
import { parseAnswer, type RawAnswer } from './wire.js'

/** Longest a tunnel's exchange may take before it counts as a hang. */
const HANG_MS = 5000

/** A tunnel the proxy accepted (status 200), or the answer it refused it with. */
interface Tunnel {
  socket: Socket
  /** The answer to the CONNECT: its head only when it is a 200 (the tunnel's bytes follow). */
  answer: RawAnswer
}

/**
 * Connects to the proxy, writes `CONNECT <authority>` with `more` (extra header lines, then
 * optionally bytes after the blank line), and resolves once the answer's head is read. A 200 leaves
 * the socket open and paused for the tunnel's bytes; any other answer is read until the proxy
 * closes the connection.
 * @example const { socket, answer } = await openTunnel(mock.port, 'global.api.konghq.com:443')
 */
export function openTunnel (port: number, authority: string, more: { headers?: string, bytes?: string | Buffer } = {}): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    let text = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer to CONNECT ${authority} within ${HANG_MS} ms`))
    }, HANG_MS)
    const head = `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${more.headers ?? ''}\r\n`
    socket.write(more.bytes === undefined ? head : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(more.bytes)]))
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (/^HTTP\/1\.1 200 /.test(text) && end >= 0) {
        clearTimeout(timer)
        socket.removeListener('data', onData)
        socket.pause()
        // What the target sent in the same packet belongs to the tunnel: hand it back to the socket.
        if (text.length > end + 4) socket.unshift(Buffer.from(text.slice(end + 4), 'latin1'))
        resolve({ socket, answer: parseAnswer(text.slice(0, end + 4)) })
      }
    }
    socket.on('data', onData)
    socket.once('close', () => {
      clearTimeout(timer)
      const answer = parseAnswer(text)
      resolve({ socket, answer: { ...answer, body: Buffer.from(answer.body, 'latin1').toString('utf8') } })
    })
  })
}

/** Resolves with everything `socket` still receives once it closes; rejects when it stays open past `ms`. */
export function untilClosed (socket: Socket, ms = HANG_MS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the connection was still open after ${ms} ms`))
    }, ms)
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(received))
    })
    socket.resume()
    if (socket.destroyed) {
      clearTimeout(timer)
      resolve(Buffer.concat(received))
    }
  })
}

/** A loopback listener that counts the connections reaching it and runs `serve` on each. */
interface Listener {
  server: Server
  port: number
  connections: number
}

/**
 * Listens on 127.0.0.1, port 0, counting connections; closed when the test ends.
 * @example const bait = await listener(t) // nothing may reach it
 * @example const echo = await listener(t, (socket) => socket.pipe(socket))
 */
export async function listener (t: Test, serve: (socket: Socket) => void = (socket) => { socket.destroy() }): Promise<Listener> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    found.connections++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('close', () => sockets.delete(socket))
    serve(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const found: Listener = { server, port: (server.address() as { port: number }).port, connections: 0 }
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  return found
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/**
 * Resolves with the first log line whose message matches `pattern`, waiting for it as long as
 * `ms` (a line is written when the proxy sees the socket's end, a moment after the client does).
 * @example t.match(await logged(mock, /no server name/), { level: 40, host: GLOBAL })
 */
export async function logged (mock: ProxyMock, pattern: RegExp, ms = 2000): Promise<ProxyMock['logs'][number]> {
  const until = Date.now() + ms
  for (;;) {
    const line = mock.logs.find((entry) => pattern.test(entry.msg))
    if (line !== undefined) return line
    if (Date.now() > until) throw new Error(`no log line matched ${String(pattern)}; got: ${mock.logs.map((entry) => entry.msg).join(' | ')}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * One valid invite through the proxy, as an unchanged program sends it; resolves with the status
 * (201 while the mock serves).
 * @example t.equal(await inviteThroughProxy(mock), 201)
 */
export async function inviteThroughProxy (mock: ProxyMock, email = 'after@example.com'): Promise<number> {
  const agent = new ProxyAgent({ uri: mock.url, requestTls: { ca: mock.ca } })
  try {
    const res = await request(`https://${GLOBAL}/v3/invites`, {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: `Bearer kpat_${email}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email })
    })
    await res.body.dump()
    return res.statusCode
  } finally {
    await agent.close()
  }
}
