/**
 * Helpers for the browser-guard tests: raw requests with any Host and Origin over a real socket,
 * and the admin calls a page would try.
 */
import type { Test } from 'tap'
import type { MockOptions } from '../../server/app.js'
import { build, listen } from './app.js'
import { exchange, parseAnswer, type RawAnswer } from './wire.js'

export const FRONT_END = 'http://localhost:5173'
export const EVIL = 'http://evil.example'

/** Sends one raw HTTP request (head lines, then an optional body) and parses the answer. */
export async function send (port: number, requestLine: string, headers: Record<string, string>, body = ''): Promise<RawAnswer> {
  const lines = Object.entries({ ...headers, ...(body === '' ? {} : { 'content-length': String(Buffer.byteLength(body)) }) }).map(([name, value]) => `${name}: ${value}\r\n`)
  return parseAnswer(await exchange(port, [`${requestLine}\r\n${lines.join('')}connection: close\r\n\r\n${body}`]))
}

/** Builds and listens on 127.0.0.1:0; `host` is the Host a client of that address sends. */
export async function server (t: Test, options: MockOptions = {}) {
  const { app, port } = await listen(t, build(t, options))
  const host = `127.0.0.1:${port}`
  return { app, port, host }
}

export const ADMIN_WRITES: ReadonlyArray<[string, string]> = [
  ['PUT /__mock/scenario HTTP/1.1', '{"id":"rate-limited","times":1}'],
  ['DELETE /__mock/scenario HTTP/1.1', ''],
  ['POST /__mock/reset HTTP/1.1', ''],
  ['PUT /__mock/users/a@example.com HTTP/1.1', ''],
  ['DELETE /__mock/users/a@example.com HTTP/1.1', '']
]
export const READS = ['/__mock/health', '/__mock/scenarios', '/__mock/requests', '/__mock/requests/count', '/__mock/invites', '/__mock/coverage', '/__mock/users', '/', '/dashboard.js', '/dashboard.css']
