import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { closeOnSignals } from '../../server/cli.js'
import { buildApp } from '../../server/app.js'
import { DEFAULTS } from '../../server/defaults.js'

/** Every process event a graceful close listens to. */
const EVENTS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGUSR2', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'beforeExit'] as const
/** Emits a signal as Node does, with its name as the argument. */
const signal = (name: NodeJS.Signals): boolean => process.emit(name as 'SIGINT', name)

/** A grace short enough for a test to wait for it. */
const GRACE_MS = 30
/**
 * A grace a clean close of an idle app (a few ms at most) stays well within, even on a loaded
 * machine; no longer, since the graceful-close timer outlives the test and holds the file open
 * until it fires (process.exit is captured, nothing exits).
 */
const AMPLE_MS = 100

interface Closing {
  /** Resolves with the next code passed to process.exit. */
  exit: () => Promise<number>
  codes: number[]
  lines: string[]
}

/**
 * Runs closeOnSignals with no other listeners on its events (the test runner has its own) and
 * process.exit captured; restores both at the end of the test.
 */
function closing (t: Test, app: FastifyInstance, graceMs = GRACE_MS): Closing {
  const saved = Object.fromEntries(EVENTS.map((event) => [event, process.listeners(event as 'SIGINT')]))
  for (const event of EVENTS) process.removeAllListeners(event)
  t.teardown(() => {
    for (const event of EVENTS) {
      process.removeAllListeners(event)
      for (const listener of saved[event]!) process.on(event as 'SIGINT', listener as () => void)
    }
  })
  const codes: number[] = []
  const waiting: Array<(code: number) => void> = []
  t.capture(process, 'exit', (code: number) => {
    codes.push(code)
    waiting.shift()?.(code)
  })
  const lines: string[] = []
  closeOnSignals(app, graceMs, (line) => { lines.push(line) })
  return { exit: () => new Promise((resolve) => waiting.push(resolve)), codes, lines }
}

t.test('SIGTERM closes the app and exits 0', async (t) => {
  const app = buildApp()
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { exit, lines } = closing(t, app, AMPLE_MS)
  t.equal(process.listenerCount('SIGTERM'), 1)
  t.equal(process.listenerCount('SIGINT'), 1)
  const exited = exit()
  signal('SIGTERM')
  t.equal(await exited, 0)
  t.equal(app.server.listening, false, 'the server is closed')
  t.same(lines, [], 'nothing on stderr')
})

t.test('SIGINT works the same', async (t) => {
  const app = buildApp()
  const { exit } = closing(t, app, AMPLE_MS)
  const exited = exit()
  signal('SIGINT')
  t.equal(await exited, 0)
})

t.test('a close that fails exits 1 with one line on stderr', async (t) => {
  const app = { close: () => Promise.reject(new Error('stuck')) } as unknown as FastifyInstance
  const { exit, lines } = closing(t, app)
  const exited = exit()
  signal('SIGTERM')
  t.equal(await exited, 1)
  t.equal(lines.length, 1)
  t.match(lines[0], /^konnect-invites-mock: closing failed: Error: stuck/)
})

t.test('a close that outlasts the grace exits 1 with one line on stderr', async (t) => {
  const app = { close: () => new Promise(() => {}) } as unknown as FastifyInstance
  const { exit, lines } = closing(t, app)
  const exited = exit()
  const began = performance.now()
  signal('SIGTERM')
  t.equal(await exited, 1)
  t.ok(performance.now() - began >= GRACE_MS - 1, 'not before the grace ran out')
  t.same(lines, [`konnect-invites-mock: requests still open after the shutdown grace of ${GRACE_MS} ms were cut (see --shutdown-grace)`])
})

t.test('a second signal while closing exits 1 at once', async (t) => {
  const app = { close: () => new Promise(() => {}) } as unknown as FastifyInstance
  const { exit, codes, lines } = closing(t, app)
  const second = exit()
  signal('SIGTERM')
  signal('SIGINT')
  t.same(codes, [1], 'exited without waiting')
  t.same(lines, ['konnect-invites-mock: second SIGINT: exiting without waiting for open requests'])
  await second
  // The first close runs out of grace in turn (the real process has exited by then): wait for it
  // here, while process.exit is still captured.
  await exit()
})

t.test('an uncaught error is printed, and the app closed, exit 1', async (t) => {
  const app = buildApp()
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { exit, lines } = closing(t, app)
  const exited = exit()
  process.emit('uncaughtException' as 'SIGINT', new Error('boom') as never)
  t.equal(await exited, 1)
  t.equal(app.server.listening, false, 'the server is closed')
  t.equal(lines.length, 1)
  t.match(lines[0], /^konnect-invites-mock: unexpected error, closing: Error: boom/)
  process.emit('uncaughtException' as 'SIGINT', new Error('again') as never)
  t.match(lines[1], /^konnect-invites-mock: unexpected error while closing: Error: again/)
})

t.test('the default grace outlasts the longest default delay and request timeout', async (t) => {
  t.ok(DEFAULTS.shutdownGrace > DEFAULTS.maxDelayMs)
  t.ok(DEFAULTS.shutdownGrace > DEFAULTS.requestTimeout)
})
