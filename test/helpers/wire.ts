/**
 * Raw-socket helpers for the hardening tests: send bytes the way a broken or hostile client would,
 * and read back exactly what the server wrote (check it with `assertProblem` from `./app.js`).
 */
import { connect } from 'node:net'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'

/** Longest a raw exchange may take before it counts as a hang. */
const HANG_MS = 5000

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
  /** Everything the server wrote, as text. */
  text: string
}

/**
 * Writes `chunks` to a fresh connection, then (unless `keepOpen`) half-closes it, and resolves to
 * everything the server wrote once it closes the connection. Rejects when nothing ends within HANG_MS.
 */
export function exchange (port: number, chunks: ReadonlyArray<string | Buffer>, keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    socket.setTimeout(HANG_MS, () => {
      socket.destroy()
      reject(new Error(`no answer within ${HANG_MS} ms`))
    })
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk)
      if (!keepOpen) socket.end()
    })
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')))
  })
}

/** Splits the first HTTP/1.1 answer in raw text into status, lower-cased headers and body. */
export function parseAnswer (text: string): RawAnswer {
  const split = text.indexOf('\r\n\r\n')
  const head = split < 0 ? text : text.slice(0, split)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = split < 0 ? '' : text.slice(split + 4)
  if (headers['content-length'] !== undefined) body = body.slice(0, Number(headers['content-length']))
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, text }
}

/** Asserts the server still answers `GET /__mock/health` with `{ status: 'ok' }`. */
export async function assertHealthy (t: Test, app: FastifyInstance): Promise<void> {
  const res = await app.inject({ method: 'GET', url: '/__mock/health' })
  t.equal(res.statusCode, 200, 'the server still answers health')
  t.same(res.json(), { status: 'ok' })
}
