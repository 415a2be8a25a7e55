/**
 * A mock built from a real scenarios file, watched or not, with its log lines kept and a clock the
 * test moves; and a bounded wait for something the watcher does on its own time.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { MockOptions } from '../../server/app.js'
import { loadScenarioSetup } from '../../scenarios/custom.js'
import { build } from './app.js'

/** A custom 418 whose detail says which version of the file it came from. */
export const teapot = (detail: string, id = 'teapot') => ({ id, title: 'Teapot', status: 418, body: { status: 418, title: 'Teapot', instance: 'konnect:trace:1', detail } })

/** The start of the fake clock, in ms since the epoch. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z')

export interface Watched {
  app: FastifyInstance
  path: string
  /** The log lines written so far: level and message. */
  lines: Array<{ level: number, msg: string }>
  /** Moves the app's clock on. */
  tick: (ms: number) => void
}

/**
 * Writes `text` as `scenarios.yaml` in a fresh folder, builds the mock from it as the command line
 * does (with `watch` unless the options say otherwise) and waits until it is ready (watching, from
 * the file as written).
 * @example const { app, path, lines } = await watched(t, JSON.stringify({ scenarios: [teapot('v1')] }))
 */
export async function watched (t: Test, text: string, options: MockOptions = {}): Promise<Watched> {
  const dir = t.testdir({ 'scenarios.yaml': text })
  const path = join(dir, 'scenarios.yaml')
  const setup = loadScenarioSetup(path)
  const lines: Watched['lines'] = []
  let clock = T0
  const app = build(t, {
    scenarios: setup.scenarios,
    startup: setup,
    scenariosFile: path,
    watch: true,
    now: () => clock,
    logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line) as Watched['lines'][number]) } } },
    ...options
  })
  await app.ready()
  // The watcher takes the file's first status on the thread pool, after ready: a change written
  // before that becomes its starting point and is never seen. A status read queued behind it
  // settles once it is taken.
  await stat(path)
  return { app, path, lines, tick: (ms) => { clock += ms } }
}

/**
 * Calls `check` every 20 ms until it gives something truthy, which it returns; fails once `withinMs`
 * have passed. For what the watcher does on its own timers, so the wait is real.
 * @example await until(async () => (await status(app, 'coffee')) === 418, 1000, 'the edit applies')
 */
export async function until<T> (check: () => Promise<T>, withinMs: number, what: string): Promise<{ value: NonNullable<T>, ms: number }> {
  const start = Date.now()
  for (;;) {
    const value = await check()
    const ms = Date.now() - start
    if (value !== undefined && value !== null && value !== false) return { value, ms }
    if (ms > withinMs) throw new Error(`${what}: not within ${withinMs} ms`)
    await sleep(20)
  }
}

/** The `scenariosFile` field of `GET /__mock/scenarios`. */
export async function fileStatus (app: FastifyInstance): Promise<Record<string, unknown> | undefined> {
  return (await app.inject({ url: '/__mock/scenarios' })).json().scenariosFile
}
