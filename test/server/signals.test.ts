import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { closeOnSignals, SHUTDOWN_GRACE_MS } from '../../server/cli.js'
import { buildApp } from '../../server/app.js'

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/** Runs fn with no other SIGINT/SIGTERM listeners (the test runner has its own), and removes what fn added. */
function isolatedSignals (t: Test): void {
  const saved = Object.fromEntries(SIGNALS.map((signal) => [signal, process.listeners(signal)]))
  for (const signal of SIGNALS) process.removeAllListeners(signal)
  t.teardown(() => {
    for (const signal of SIGNALS) {
      process.removeAllListeners(signal)
      for (const listener of saved[signal]!) process.on(signal, listener)
    }
  })
}

t.test('SIGTERM closes the app and exits 0; a second signal does nothing more', async (t) => {
  isolatedSignals(t)
  const app = buildApp()
  await app.listen({ port: 0, host: '127.0.0.1' })
  const codes: number[] = []
  const exited = new Promise<void>((resolve) => closeOnSignals(app, (code) => { codes.push(code); resolve() }))
  t.equal(process.listenerCount('SIGTERM'), 1)
  t.equal(process.listenerCount('SIGINT'), 1)
  process.emit('SIGTERM')
  process.emit('SIGINT')
  await exited
  t.same(codes, [0])
  t.equal(app.server.listening, false, 'the server is closed')
})

t.test('SIGINT works the same', async (t) => {
  isolatedSignals(t)
  const app = buildApp()
  const exited = new Promise<number>((resolve) => closeOnSignals(app, resolve))
  process.emit('SIGINT')
  t.equal(await exited, 0)
})

t.test('a close that fails exits 1', async (t) => {
  isolatedSignals(t)
  const app = { close: () => Promise.reject(new Error('stuck')) } as unknown as FastifyInstance
  const exited = new Promise<number>((resolve) => closeOnSignals(app, resolve))
  process.emit('SIGTERM')
  t.equal(await exited, 1)
})

t.test('a close that takes longer than the grace period exits 1', async (t) => {
  isolatedSignals(t)
  const app = { close: () => new Promise(() => {}) } as unknown as FastifyInstance
  const codes: number[] = []
  const timers: Array<{ ms: number, fn: () => void, unref: boolean }> = []
  const realSetTimeout = globalThis.setTimeout
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    const timer = { ms, fn, unref: false }
    timers.push(timer)
    return { unref: () => { timer.unref = true } }
  }) as unknown as typeof setTimeout
  try {
    closeOnSignals(app, (code) => codes.push(code))
    process.emit('SIGTERM')
  } finally {
    globalThis.setTimeout = realSetTimeout
  }
  t.equal(timers.length, 1)
  t.equal(timers[0]!.ms, SHUTDOWN_GRACE_MS)
  t.ok(timers[0]!.unref, 'the grace timer does not keep the process alive')
  t.same(codes, [], 'still waiting')
  timers[0]!.fn()
  t.same(codes, [1])
})
