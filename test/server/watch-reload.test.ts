import { rmSync, writeFileSync } from 'node:fs'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { invite, setScenario } from '../helpers/inject.js'
import { fileStatus, teapot, watched } from '../helpers/watch.js'

// What a reload does, read by calling it directly (the watcher is off): no timer is waited on.

const active = async (app: FastifyInstance) => (await app.inject({ url: '/__mock/scenarios' })).json().active
const reload = (app: FastifyInstance) => { app.mock.scenariosFile!.reload() }
const messages = (lines: Array<{ msg: string }>) => lines.map(({ msg }) => msg)

t.test('an active scenario whose id is gone is cleared with a line naming it; the others stay, on the new definitions', async (t) => {
  const { app, path, lines } = await watched(t, JSON.stringify([teapot('v1'), teapot('k1', 'kettle')]), { watch: false })
  for (const body of [
    { id: 'teapot', times: 3 },
    { session: 'a', sequence: [{ id: 'created', times: 1 }, { id: 'kettle' }] },
    { session: 'b', id: 'rate-limited' },
    { session: 'c', id: 'kettle', times: 2 },
    { session: 'd', sequence: [{ id: 'rate-limited', times: 2 }, { id: 'teapot' }] },
    { session: 'e', id: 'default' }
  ]) t.equal((await setScenario(app, body)).statusCode, 200)
  t.equal((await invite(app, { 'x-mock-session': 'd' })).statusCode, 429, 'session d spends one of its first step')

  writeFileSync(path, JSON.stringify([teapot('v2')]))
  reload(app)
  t.same(messages(lines), [
    `${path}: reloaded, 1 custom scenario`,
    `${path}: session "a": the active scenario is cleared: "kettle" is no longer a scenario`,
    `${path}: session "c": the active scenario is cleared: "kettle" is no longer a scenario`
  ])
  t.same(await active(app), {
    global: { id: 'teapot', remaining: 3 },
    sessions: {
      b: { id: 'rate-limited' },
      d: { id: 'rate-limited', remaining: 1, step: 1, steps: 2, sequence: [{ id: 'rate-limited', times: 2 }, { id: 'teapot' }] },
      e: { id: 'default' }
    },
    totalSessions: 3
  }, 'a sequence keeps its step and what is left of it')
  t.equal((await invite(app)).json().detail, 'v2', 'the global scenario answers with its new body')
  t.same([(await invite(app, { 'x-mock-session': 'd' })).statusCode, (await invite(app, { 'x-mock-session': 'd' })).json().detail], [429, 'v2'])
  t.equal((await invite(app, { 'x-mock-scenario': 'kettle' })).statusCode, 400, 'the gone scenario is unknown')
  const counted = (await app.inject({ url: '/__mock/coverage' })).json().scenarios.filter(({ kind }: { kind: string }) => kind === 'custom')
  t.same(counted.map(({ id }: { id: string }) => id), ['teapot'], 'coverage lists the reloaded catalogue')

  writeFileSync(path, '[]')
  reload(app)
  t.same(messages(lines).slice(3), [
    `${path}: reloaded, 0 custom scenarios`,
    `${path}: global: the active scenario is cleared: "teapot" is no longer a scenario`,
    `${path}: session "d": the active scenario is cleared: "teapot" is no longer a scenario`
  ])
  t.same(await active(app), { global: null, sessions: { b: { id: 'rate-limited' }, e: { id: 'default' } }, totalSessions: 2 })
})

t.test('the file\'s global and sessions apply as at start-up, and a reset puts the new ones back', async (t) => {
  const { app, path } = await watched(t, JSON.stringify({ scenarios: [teapot('v1')], global: { id: 'teapot', times: 1 } }), { watch: false })
  t.same((await active(app)).global, { id: 'teapot', remaining: 1 })
  t.equal((await setScenario(app, { session: 'mine', id: 'server-error' })).statusCode, 200)
  t.equal((await setScenario(app, { session: 'ci', id: 'server-error' })).statusCode, 200)

  writeFileSync(path, JSON.stringify({
    scenarios: [teapot('v2')],
    global: { sequence: [{ id: 'created', times: 1 }, { id: 'teapot' }] },
    sessions: { ci: { id: 'rate-limited', times: 1 } }
  }))
  reload(app)
  t.same(await active(app), {
    global: { id: 'created', remaining: 1, step: 1, steps: 2, sequence: [{ id: 'created', times: 1 }, { id: 'teapot' }] },
    sessions: { mine: { id: 'server-error' }, ci: { id: 'rate-limited', remaining: 1 } },
    totalSessions: 2
  }, 'the file\'s session replaces the one set through the admin API')
  t.equal((await invite(app, { 'x-mock-session': 'ci' })).statusCode, 429)
  t.same(Object.keys((await active(app)).sessions), ['mine'], 'the session\'s times are spent')
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.same(await active(app), {
    global: { id: 'created', remaining: 1, step: 1, steps: 2, sequence: [{ id: 'created', times: 1 }, { id: 'teapot' }] },
    sessions: { ci: { id: 'rate-limited', remaining: 1 } },
    totalSessions: 1
  }, 'a reset puts back what the reloaded file sets')

  t.equal((await setScenario(app, { id: 'server-error' })).statusCode, 200)
  writeFileSync(path, JSON.stringify({ scenarios: [teapot('v3')] }))
  reload(app)
  t.same((await active(app)).global, { id: 'server-error' }, 'a file without global leaves the active one')
})

t.test('--scenario wins over the file\'s global, and must stay a scenario the mock has', async (t) => {
  const { app, path, lines } = await watched(t, JSON.stringify([teapot('v1')]), { watch: false, scenario: 'teapot' })
  writeFileSync(path, JSON.stringify({ scenarios: [teapot('v2')], global: { id: 'created' } }))
  reload(app)
  t.same((await active(app)).global, { id: 'teapot' }, 'the file\'s global is not applied')
  t.equal((await invite(app)).json().detail, 'v2')

  writeFileSync(path, JSON.stringify({ global: { id: 'created' } }))
  reload(app)
  const status = await fileStatus(app)
  t.match(status?.error, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: --scenario: unknown scenario "teapot"; valid: default, request-format-is-invalid, .*, created, `))
  t.equal(lines.at(-1)!.msg, `${status!.error as string} (the last good scenarios stay)`)
  t.equal((await invite(app)).json().detail, 'v2', 'the last good file stays')

  const defaulted = await watched(t, JSON.stringify({ global: { id: 'created' } }), { watch: false, scenario: 'default' })
  t.equal((await active(defaulted.app)).global, null)
  reload(defaulted.app)
  t.equal((await active(defaulted.app)).global, null, '--scenario default: no global, whatever the file says')
})

t.test('a change that leaves the text as it was changes nothing; the same text after a refusal applies', async (t) => {
  const text = JSON.stringify({ scenarios: [teapot('v1')], global: { sequence: [{ id: 'rate-limited', times: 1 }, { id: 'teapot' }] } })
  const { app, path, lines } = await watched(t, text, { watch: false })
  reload(app)
  t.equal(lines.length, 1, 'the first reload reads the file')
  t.equal((await invite(app)).statusCode, 429)
  reload(app)
  t.equal(lines.length, 1, 'the same text again: nothing logged')
  t.match((await active(app)).global, { id: 'teapot', step: 2 }, 'nor restarted')

  rmSync(path)
  reload(app)
  writeFileSync(path, text)
  reload(app)
  t.same(messages(lines).slice(1), [`${path}: cannot read it (ENOENT) (the last good scenarios stay)`, `${path}: reloaded, 1 custom scenario`])
  t.notOk('error' in (await fileStatus(app))!)
})
