/**
 * Raw-socket helpers for the hardening tests: send bytes the way a broken or hostile client would,
 * read back exactly what the server wrote, and check that an answer is a problem document that
 * meets its contract (never Fastify's default error JSON).
 */
import { connect } from 'node:net'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { contractForStatus, PROBLEM_JSON } from '../../contracts/schemas.js'
import { checkContract } from '../../contracts/validate.js'

/** Longest a raw exchange may take before it counts as a hang. */
export const HANG_MS = 5000

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
  /** Everything the server wrote, as text. */
  text: string
}

/** Listens on a free port at 127.0.0.1, closes the app after the test, and resolves to the port. */
export async function listen (t: Test, app: FastifyInstance): Promise<number> {
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as { port: number }).port
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

/**
 * Asserts an answer is `application/problem+json` with the expected status (one of), that its body
 * meets the contract of its status (BaseError for undocumented ones) and is not Fastify's default
 * error shape. Returns the parsed body.
 */
export function assertProblem (t: Test, answer: { status: number, contentType: string | undefined, body: string }, expected: number | readonly number[], what: string): Record<string, unknown> {
  const statuses = typeof expected === 'number' ? [expected] : expected
  t.ok(statuses.includes(answer.status), `${what}: status ${answer.status} is one of ${statuses.join(', ')}`)
  t.ok(answer.status < 500, `${what}: not a server error`)
  t.match(answer.contentType ?? '', new RegExp(`^${PROBLEM_JSON.replace('+', '\\+')}`), `${what}: problem+json`)
  let body: Record<string, unknown> = {}
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>
  } catch {
    t.fail(`${what}: the body is JSON`, { body: answer.body })
  }
  t.same(checkContract(contractForStatus[answer.status] ?? 'BaseError', body), [], `${what}: the body meets its contract`)
  t.equal(body.status, answer.status, `${what}: the body repeats the status`)
  t.notOk('statusCode' in body || 'code' in body, `${what}: not Fastify's default error JSON`)
  return body
}

/** assertProblem for a raw answer. */
export function assertRawProblem (t: Test, answer: RawAnswer, expected: number | readonly number[], what: string): Record<string, unknown> {
  return assertProblem(t, { status: answer.status, contentType: answer.headers['content-type'], body: answer.body }, expected, what)
}

/** Asserts the server still answers `GET /__mock/health` with `{ status: 'ok' }`. */
export async function assertHealthy (t: Test, app: FastifyInstance): Promise<void> {
  const res = await app.inject({ method: 'GET', url: '/__mock/health' })
  t.equal(res.statusCode, 200, 'the server still answers health')
  t.same(res.json(), { status: 'ok' })
}
