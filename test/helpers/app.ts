/**
 * The three things most tests need: an app that closes when the test ends, the same app on a real
 * socket, and one check that an answer is a problem document meeting its contract.
 */
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { checkResponse, normalizeHeaders, type HeadersLike } from '../../contracts/assert.js'
import { SERVED_HEADER } from '../../contracts/headers.js'
import { buildApp, type MockOptions } from '../../server/app.js'
import { PROBLEM_TYPE } from '../../scenarios/outcome.js'

/**
 * Builds the app with `options` and closes it when the test ends.
 * @example const app = build(t, { activeUsers: ['ada@example.com'] })
 */
export function build (t: Test, options: MockOptions = {}): FastifyInstance {
  const app = buildApp(options)
  t.teardown(() => app.close())
  return app
}

/**
 * Listens on a free port at 127.0.0.1 (the given app, or a default one) and closes it when the test ends.
 * @example const { url } = await listen(t, build(t, { maxDelayMs: 50 }))
 */
export async function listen (t: Test, app: FastifyInstance = build(t)): Promise<{ url: string, port: number, app: FastifyInstance }> {
  // Closing an app twice is harmless, so an app from `build` may come here too.
  t.teardown(() => app.close())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, port: (app.server.address() as { port: number }).port, app }
}

/** An answer as `app.inject()` gives it, or any other with its status, headers and body text. */
export type Answer = { statusCode: number, headers: HeadersLike, body: string } | { status: number, headers: HeadersLike, body: string }

/** What else a problem answer must show besides its status. */
export interface ProblemCheck {
  /** The `X-Mock-Scenario-Served` value; any non-empty value when left out. */
  served?: string
  /** Names the answer in the assertion messages. */
  what?: string
}

/**
 * Asserts an answer is a problem document: its status (or one of them), the wire media type
 * `application/problem+json; charset=utf-8`, the served header, a body meeting the contract of
 * its status (with 429's and 503's headers), and never Fastify's default error JSON.
 * Returns the parsed body.
 * @example assertProblem(t, await app.inject({ url: '/nope' }), 404, { served: 'default' })
 */
export function assertProblem (t: Test, answer: Answer, status: number | readonly number[], check: ProblemCheck | string = {}): Record<string, any> {
  const { served, what = 'the answer' } = typeof check === 'string' ? { what: check } : check
  const got = 'statusCode' in answer ? answer.statusCode : answer.status
  const statuses = typeof status === 'number' ? [status] : status
  t.ok(statuses.includes(got), `${what}: status ${got} is one of ${statuses.join(', ')}`)
  const headers = normalizeHeaders(answer.headers)
  t.equal(headers['content-type'], PROBLEM_TYPE, `${what}: problem+json`)
  if (served === undefined) t.match(headers[SERVED_HEADER], /./, `${what}: says which scenario served it`)
  else t.equal(headers[SERVED_HEADER], served, `${what}: served by ${served}`)
  t.same(checkResponse({ statusCode: got, headers, body: answer.body }, got), [], `${what}: meets the ${got} contract`)
  let body: Record<string, any> = {}
  try {
    body = JSON.parse(answer.body) as Record<string, any>
  } catch {}
  t.notOk('statusCode' in body || 'code' in body, `${what}: not Fastify's default error JSON`)
  return body
}

/**
 * A `sleep` for `buildApp` that holds a delayed answer until the test releases it: `held` settles
 * once an answer is being held, `release()` lets it go. No real timer runs.
 * @example
 * const gate = heldSleep()
 * const app = build(t, { sleep: gate.sleep })
 * await gate.held
 * gate.release()
 */
export function heldSleep (): { sleep: () => Promise<void>, held: Promise<void>, release: () => void } {
  let holding!: () => void
  let release!: () => void
  const held = new Promise<void>((resolve) => { holding = resolve })
  const released = new Promise<void>((resolve) => { release = resolve })
  return { sleep: () => { holding(); return released }, held, release }
}
