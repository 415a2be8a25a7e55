/**
 * What the kit's inviteUser makes of each transport fault, over real sockets: a clear error for
 * each, never a raw undici error, and success where the SDK succeeds (a 201 whose body it ignores).
 */
import t, { type Test } from 'tap'
import { Agent } from 'undici'
import { ConflictError, ConnectionError, IncompleteAnswerError, inviteUser } from '../../contracts/client.js'
import { build, listen } from '../helpers/app.js'

/** A sleep that never lets go: the server's drip or hold waits until the client gives up. */
const never = (): Promise<void> => new Promise(() => {})

async function mock (t: Test, options = {}): Promise<{ url: string, invite: (scenario: string, extra?: object) => Promise<unknown>, sent: () => Promise<number> }> {
  const app = build(t, options)
  const { url } = await listen(t, app)
  const invite = (scenario: string, extra = {}) =>
    inviteUser({ baseUrl: url, token: 'kpat_x', email: 'ada@example.com', headers: { 'x-mock-scenario': scenario }, ...extra })
  const sent = async () => ((await app.inject({ url: '/__mock/requests' })).json() as { requests: unknown[] }).requests.length
  return { url, invite, sent }
}

t.test('truncated-body: IncompleteAnswerError with the promised status, what arrived, and no retry', async (t) => {
  const { url, invite, sent } = await mock(t)
  const error = await invite('truncated-body').catch((e: unknown) => e) as IncompleteAnswerError
  t.type(error, IncompleteAnswerError)
  t.equal(error.name, 'IncompleteAnswerError')
  t.equal(error.statusCode, 409)
  t.equal(error.contentType, 'application/problem+json; charset=utf-8')
  t.equal(error.code, 'UND_ERR_SOCKET')
  const promised = Number(error.headers['content-length'])
  t.equal(error.receivedBytes, promised >> 1)
  t.equal(error.message, `409 answer from ${url}/v3/invites cut short: ${promised >> 1} of ${promised} body bytes received (UND_ERR_SOCKET)`)
  t.type(error.cause, Error)
  t.notOk(error instanceof ConnectionError, 'an answer came: not a connection error')
  await t.rejects(invite('truncated-body', { retries: { strategy: 'backoff', backoff: { initialIntervalMs: 1, maxIntervalMs: 1, exponent: 1, maxElapsedTimeMs: 1000 }, retryConnectionErrors: true } }), IncompleteAnswerError)
  t.equal(await sent(), 2, 'never retried, as the SDK reads a body only once its retries are done')
})

t.test('empty-reply: ConnectionError, the socket closed with no answer', async (t) => {
  const { url, invite } = await mock(t)
  await t.rejects(invite('empty-reply'), { constructor: ConnectionError, code: 'UND_ERR_SOCKET', message: `no answer from ${url}/v3/invites: UND_ERR_SOCKET` })
})

t.test('slow-body: the ConflictError it is, late; with a shorter body timeout, IncompleteAnswerError', async (t) => {
  const { invite } = await mock(t)
  const conflict = await invite('slow-body', { headers: { 'x-mock-scenario': 'slow-body', 'x-mock-delay': '20' } }).catch((e: unknown) => e) as ConflictError
  t.type(conflict, ConflictError)
  t.equal(conflict.body.detail, 'User is already active')

  // Waits on real timers: it proves undici's own body timeout, a socket timer it checks every half second, becomes IncompleteAnswerError.
  const stuck = await mock(t, { sleep: never })
  const dispatcher = new Agent({ bodyTimeout: 50 })
  t.teardown(() => dispatcher.close())
  const error = await stuck.invite('slow-body', { dispatcher }).catch((e: unknown) => e) as IncompleteAnswerError
  t.type(error, IncompleteAnswerError)
  t.equal(error.code, 'UND_ERR_BODY_TIMEOUT')
  t.match(error.message, /^409 answer from .* cut short: 0 of \d+ body bytes received \(UND_ERR_BODY_TIMEOUT\)$/)
})

t.test('slow-body aborted by the caller\'s signal: the abort, not a mapped error', async (t) => {
  const { invite } = await mock(t, { sleep: never })
  const controller = new AbortController()
  const pending = invite('slow-body', { signal: controller.signal })
  setTimeout(() => controller.abort(), 50)
  await t.rejects(pending, { name: 'AbortError' })
})

t.test('not-json-body: a 201 succeeds, its body ignored as the SDK ignores it', async (t) => {
  const { invite } = await mock(t)
  const result = await invite('not-json-body') as { statusCode: number, headers: Record<string, string> }
  t.equal(result.statusCode, 201)
  t.equal(result.headers['content-type'], 'application/json; charset=utf-8')
})

t.test('headers-never-finish: ConnectionError from the client\'s headers timeout, or from the server\'s hold', async (t) => {
  // Waits on real timers: it proves undici's own headers timeout, a socket timer it checks every half second, becomes ConnectionError.
  const { invite } = await mock(t, { sleep: never })
  const dispatcher = new Agent({ headersTimeout: 50 })
  t.teardown(() => dispatcher.close())
  await t.rejects(invite('headers-never-finish', { dispatcher }), { constructor: ConnectionError, code: 'UND_ERR_HEADERS_TIMEOUT' })
  const held = await mock(t)
  await t.rejects(held.invite('headers-never-finish', { headers: { 'x-mock-scenario': 'headers-never-finish', 'x-mock-delay': '10' } }), { constructor: ConnectionError, code: 'UND_ERR_SOCKET' })
})

t.test('IncompleteAnswerError without a Content-Length or a code says what it has', async (t) => {
  const error = new IncompleteAnswerError('http://x/v3/invites', 400, {}, 12, new Error('terminated'))
  t.equal(error.message, '400 answer from http://x/v3/invites cut short: 12 body bytes received (terminated)')
  t.equal(error.code, undefined)
  t.equal(error.contentType, undefined)
})
