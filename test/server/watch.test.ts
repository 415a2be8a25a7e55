import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { main } from '../../server/cli.js'
import { buildApp } from '../../server/app.js'
import { ScenarioFileError, parseScenarioSetup } from '../../scenarios/custom.js'
import { capture } from '../helpers/cli-io.js'
import { invite, setScenario } from '../helpers/inject.js'
import { T0, fileStatus, teapot, until, watched } from '../helpers/watch.js'

// These tests write real files and wait for the watcher, which polls the file's status every 100 ms
// and reads it once it has been quiet for 200 ms: the waits are real, each bounded.

const file = (...scenarios: unknown[]) => JSON.stringify({ scenarios })
/** The detail of the answer `id` gives, or its status when it has none. */
const detail = async (app: FastifyInstance, id: string) => {
  const res = await invite(app, { 'x-mock-scenario': id })
  return res.statusCode === 418 ? res.json().detail as string : res.statusCode
}
const watchers = () => process.getActiveResourcesInfo().filter((name) => name === 'StatWatcher').length

t.test('a good edit applies within a second, and GET /__mock/scenarios says when it was loaded', async (t) => {
  // Waits on real timers: it proves the watcher's own polling and settling apply a real edit within a second.
  const { app, path, lines, tick } = await watched(t, file(teapot('v1')))
  t.same(await fileStatus(app), { path, watching: true, loadedAt: new Date(T0).toISOString() }, 'loaded at start-up, on the app\'s clock')
  tick(5000)
  writeFileSync(path, file(teapot('v2'), teapot('fresh', 'coffee')))
  const { ms } = await until(async () => await detail(app, 'coffee') === 'fresh', 1000, 'the new scenario is served')
  t.ok(ms <= 1000, `applied in ${ms} ms`)
  t.equal(await detail(app, 'teapot'), 'v2', 'the edited scenario serves its new body')
  t.same(await fileStatus(app), { path, watching: true, loadedAt: new Date(T0 + 5000).toISOString() })
  t.same(lines.map(({ level, msg }) => [level, msg]), [[30, `${path}: reloaded, 2 custom scenarios`]], 'one info line')
})

t.test('a bad edit keeps the last good file, and says why in one line naming the file and the position', async (t) => {
  // Waits on real timers: it proves the watcher reports a refused edit of the real file, then applies the next good one.
  const { app, path, lines, tick } = await watched(t, file(teapot('v1')))
  const bad = 'scenarios:\n  - id: teapot\n    title: [Teapot\n'
  const expected = t.throws(() => parseScenarioSetup(bad, path), ScenarioFileError, 'start-up refuses the same text') as unknown as Error
  t.match(expected.message, /^.*scenarios\.yaml: not valid YAML: .* \(line \d+, column \d+\)$/)
  tick(1000)
  writeFileSync(path, bad)
  const { value: status } = await until(async () => { const s = await fileStatus(app); return s?.error === undefined ? undefined : s }, 2000, 'the refusal is reported')
  t.same(status, { path, watching: true, loadedAt: new Date(T0).toISOString(), error: expected.message, errorAt: new Date(T0 + 1000).toISOString() })
  t.equal(await detail(app, 'teapot'), 'v1', 'the last good scenarios are served')
  t.same(lines.map(({ level, msg }) => [level, msg]), [[40, `${expected.message} (the last good scenarios stay)`]], 'one warning line')
  t.notMatch(lines[0]!.msg, /\n/)

  writeFileSync(path, file(teapot('v3')))
  await until(async () => await detail(app, 'teapot') === 'v3', 2000, 'a good edit applies again')
  t.notOk('error' in (await fileStatus(app))!, 'the error is gone after a good load')
})

t.test('a deleted file keeps the last good one; one re-created by rename (as editors save) applies', async (t) => {
  // Waits on real timers: it proves the polling watcher follows the path through a delete, a re-create and a save by rename.
  const { app, path, lines } = await watched(t, file(teapot('v1')))
  rmSync(path)
  await until(async () => (await fileStatus(app))?.error, 2000, 'the deletion is reported')
  t.equal((await fileStatus(app))!.error, `${path}: cannot read it (ENOENT)`)
  t.equal(lines.at(-1)!.msg, `${path}: cannot read it (ENOENT) (the last good scenarios stay)`)
  t.equal(await detail(app, 'teapot'), 'v1')

  const temporary = join(path, '..', '.scenarios.yaml.swp')
  writeFileSync(temporary, file(teapot('v2')))
  renameSync(temporary, path)
  await until(async () => await detail(app, 'teapot') === 'v2', 2000, 'the re-created file applies')
  t.notOk('error' in (await fileStatus(app))!)

  // A save by rename over the file that exists: a new inode under the same name.
  writeFileSync(temporary, file(teapot('v3')))
  renameSync(temporary, path)
  await until(async () => await detail(app, 'teapot') === 'v3', 2000, 'a rename over the file applies')
})

t.test('a burst of writes is read once, when it has settled', async (t) => {
  // Waits on real timers: it proves the settle timer reads a burst once, and nothing more in the 400 ms (more than a poll and a settle) after.
  const { app, path, lines } = await watched(t, file(teapot('v1')))
  // An editor's save: the file is emptied, written in parts, then whole; no part is read.
  for (const text of ['', '{"scenarios": [', file(teapot('half')).slice(0, 30), file(teapot('v2'))]) {
    writeFileSync(path, text)
    await sleep(10)
  }
  await until(async () => await detail(app, 'teapot') === 'v2', 2000, 'the final text applies')
  await sleep(400)
  t.same(lines.map(({ msg }) => msg), [`${path}: reloaded, 1 custom scenario`], 'one reload, no refusal')
})

t.test('requests never see half a catalogue', async (t) => {
  // Waits on real timers: it proves a reload started by the real watcher swaps the catalogue and the active scenario in one turn.
  const { app, path } = await watched(t, file(teapot('v1')))
  t.equal((await setScenario(app, { id: 'teapot' })).statusCode, 200)
  // One answer shows both the catalogue and the active scenario: a swap of one without the other
  // would show the global teapot beside a list without it.
  const view = async () => {
    const { active, scenarios } = (await app.inject({ url: '/__mock/scenarios' })).json()
    const ids = scenarios.map(({ id }: { id: string }) => id).filter((id: string) => ['teapot', 'coffee', 'kettle'].includes(id)).join(',')
    return `${ids} | ${String(active.global?.id)}`
  }
  writeFileSync(path, file(teapot('v2', 'coffee'), teapot('v2', 'kettle')))
  const seen = new Set<string>()
  await until(async () => {
    const now = await view()
    seen.add(now)
    return now.startsWith('coffee')
  }, 2000, 'the new file applies')
  t.same([...seen].filter((now) => !['teapot | teapot', 'coffee,kettle | undefined'].includes(now)), [], `only whole swaps: ${[...seen].join('; ')}`)
})

t.test('the watcher closes with the app: no handle is left open', async (t) => {
  // Waits on real timers: it proves nothing is read after close, in the 400 ms (more than a poll and a settle) a pending read would take.
  const before = watchers()
  const { app, path, lines } = await watched(t, file(teapot('v1')))
  t.equal(watchers(), before + 1, 'watching once ready')
  writeFileSync(path, file(teapot('v2')))
  await app.close()
  t.equal(watchers(), before, 'the watcher is gone once closed')
  await sleep(400)
  t.same(lines, [], 'nothing is read after close')

  const unwatched = await watched(t, file(teapot('v1')), { watch: false })
  t.equal(watchers(), before, 'no watcher without watch')
  t.same(await fileStatus(unwatched.app), { path: unwatched.path, watching: false, loadedAt: new Date(T0).toISOString() })
  t.notOk('scenariosFile' in (await buildApp().inject({ url: '/__mock/scenarios' })).json(), 'no field without a scenarios file')
})

t.test('watch needs a scenarios file', async (t) => {
  t.throws(() => buildApp({ watch: true }), { name: 'TypeError', message: 'watch needs scenariosFile: the file to read again' })
})

t.test('the command line: --watch needs --scenarios-file; MOCK_WATCH=1 watches', async (t) => {
  // Waits on real timers: it proves MOCK_WATCH=1 starts the real watcher, which applies an edit.
  for (const [argv, env, message] of [
    [['--port', '0', '--watch'], {}, 'konnect-invites-mock: --watch needs --scenarios-file <path>'],
    [['--port', '0'], { MOCK_WATCH: '1' }, 'konnect-invites-mock: MOCK_WATCH needs --scenarios-file <path>']
  ] as const) {
    const { io, out, err } = capture()
    t.equal(await main(argv, env, io), 2)
    t.same(out, [])
    t.same(err, [message])
  }

  const dir = t.testdir({ 'scenarios.json': file(teapot('v1')) })
  const path = join(dir, 'scenarios.json')
  const { io, err } = capture()
  const before = watchers()
  const app = await main(['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent', '--scenarios-file', path], { MOCK_WATCH: '1' }, io) as FastifyInstance
  t.teardown(() => app.close())
  t.same(err, [])
  t.match(await fileStatus(app), { path, watching: true })
  t.equal(watchers(), before + 1)
  writeFileSync(path, file(teapot('v2')))
  await until(async () => await detail(app, 'teapot') === 'v2', 2000, 'the edit applies')
  await app.close()
  t.equal(watchers(), before, 'closing the app ends the watcher')
})
