import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import * as api from '../../server/index.js'
import { main } from '../../server/cli.js'
import { Recorder } from '../../scenarios/recorder.js'
import { yaml } from '../../scenarios/yaml.js'
import { build } from '../helpers/app.js'
import { capture } from '../helpers/cli-io.js'
import { invite } from '../helpers/inject.js'

const teapot = { id: 'teapot', title: 'Teapot', status: 418, body: { status: 418, title: 'Teapot', instance: 'konnect:trace:1', detail: 'short and stout' } }

const setupYaml = `scenarios:
  - id: teapot
    title: Teapot
    status: 418
    body: { status: 418, title: Teapot, instance: "konnect:trace:1", detail: short and stout }
global:
  sequence:
    - { id: rate-limited, times: 2 }
    - { id: teapot, times: 1 }
    - { id: default }
sessions:
  ci-1: { id: service-unavailable, times: 1 }
  ci-2:
    delayMs: 5
    sequence: [{ id: permission-denied, times: 1 }, { id: created }]
`

const active = async (app: FastifyInstance) => (await app.inject({ url: '/__mock/scenarios' })).json().active

t.test('a scenarios file sets the scenarios served from start-up, sequences included, and a reset puts them back', async (t) => {
  const dir = t.testdir({ 'setup.yaml': setupYaml, 'only-global.json': JSON.stringify({ global: { id: 'created', times: 1 } }) })
  const setup = api.loadScenarioSetup(join(dir, 'setup.yaml'))
  t.same(setup.scenarios.map((scenario) => scenario.id), ['teapot'])
  t.same(api.loadScenariosFile(join(dir, 'setup.yaml')), setup.scenarios, 'the scenarios alone, as before')
  t.same(api.loadScenarioSetup(join(dir, 'only-global.json')), { scenarios: [], global: { id: 'created', times: 1 } }, 'scenarios may be left out')

  const waits: number[] = []
  const app = build(t, { scenarios: setup.scenarios, startup: setup, sleep: async (ms: number) => { waits.push(ms) } })
  t.same(await active(app), {
    global: { id: 'rate-limited', remaining: 2, step: 1, steps: 3, sequence: [{ id: 'rate-limited', times: 2 }, { id: 'teapot', times: 1 }, { id: 'default' }] },
    sessions: {
      'ci-1': { id: 'service-unavailable', remaining: 1 },
      'ci-2': { id: 'permission-denied', remaining: 1, delayMs: 5, step: 1, steps: 2, sequence: [{ id: 'permission-denied', times: 1, delayMs: 5 }, { id: 'created', delayMs: 5 }] }
    },
    totalSessions: 2
  })
  const statuses = async (headers: Record<string, string>, n: number) => {
    const out = []
    for (let i = 0; i < n; i++) out.push((await invite(app, headers, { email: `u${i}@example.com` })).statusCode)
    return out
  }
  t.same(await statuses({}, 4), [429, 429, 418, 201], 'the global sequence, ending on the default behaviour')
  t.same(await statuses({ 'x-mock-session': 'ci-1' }, 2), [503, 201], 'a session\'s plain scenario with times, then the global one')
  t.same(await statuses({ 'x-mock-session': 'ci-2' }, 2), [403, 201], 'a session\'s sequence')
  t.same(waits, [5, 5])

  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  const reset = await active(app)
  t.match(reset.global, { id: 'rate-limited', remaining: 2, step: 1 }, 'the global sequence is back at its first step')
  t.match(reset.sessions, { 'ci-1': { id: 'service-unavailable', remaining: 1 }, 'ci-2': { step: 1, remaining: 1 } })
  t.same(await statuses({}, 1), [429])

  const flagWins = build(t, { scenarios: setup.scenarios, startup: setup, scenario: 'server-error' })
  t.same((await active(flagWins)).global, { id: 'server-error' }, '--scenario wins over the file\'s global')
  const flagDefault = build(t, { scenarios: setup.scenarios, startup: setup, scenario: 'default' })
  t.equal((await active(flagDefault)).global, null, '--scenario default means no scenario, whatever the file says')
})

t.test('a bad starting scenario in a file is one line naming the file, the entry and the path', async (t) => {
  const files: Record<string, unknown> = {
    'unknown.yaml': { global: { sequence: [{ id: 'rate-limited', times: 1 }, { id: 'x' }] } },
    'no-times.json': { sessions: { 'ci-1': { sequence: [{ id: 'rate-limited' }, { id: 'created' }] } } },
    'last-times.yaml': { global: { sequence: [{ id: 'created', times: 3 }] } },
    'both.yaml': { global: { id: 'created', sequence: [{ id: 'created' }] } },
    'plain-unknown.yaml': { global: { id: 'nope' } },
    'slow.yaml': { global: { sequence: [{ id: 'created', delayMs: 700_000 }] } },
    'zero.yaml': { global: { sequence: [{ id: 'created', times: 0 }, { id: 'created' }] } },
    'session-name.yaml': { sessions: { ' padded': { id: 'created' } } },
    'session-field.yaml': { global: { id: 'created', session: 'ci-1' } }
  }
  const dir = t.testdir(Object.fromEntries(Object.entries(files).map(([name, data]) => [name, name.endsWith('.json') ? JSON.stringify(data) : yaml().stringify(data)])))
  const cases: Array<[string, string | RegExp]> = [
    ['unknown.yaml', 'global: sequence/1/id: unknown scenario "x" (step 2)'],
    ['no-times.json', 'session "ci-1": sequence/0/times: step 1 of 2 needs times (only the last step stays)'],
    ['last-times.yaml', 'global: sequence/0/times: the last step stays until cleared, so it takes no times'],
    ['both.yaml', 'global: Give either id or sequence, not both'],
    ['plain-unknown.yaml', /^global: no scenario has the id "nope"\. Valid: default, /],
    ['slow.yaml', 'global: sequence/0/delayMs: must be at most 600000 milliseconds'],
    ['zero.yaml', 'the file: /global/sequence/0/times: Expected integer to be greater or equal to 1'],
    ['session-name.yaml', 'session " padded": the name must be printable ASCII with no leading or trailing spaces, at most 200 characters'],
    ['session-field.yaml', 'the file: /global/session: Unexpected property']
  ]
  for (const [name, message] of cases) {
    const file = join(dir, name)
    const error = t.throws(() => api.loadScenarioSetup(file), name) as Error
    t.type(error, api.ScenarioFileError)
    if (typeof message === 'string') t.equal(error.message, `${file}: ${message}`, name)
    else t.match(error.message.slice(file.length + 2), message, name)
    t.notMatch(error.message, /\n/, `${name}: one line`)
  }
  t.throws(() => api.parseScenarioSetup('global: { id: created, delayMs: 50 }', 'x.yaml', 10), { message: 'x.yaml: global: delayMs: must be at most 10 milliseconds' }, 'delays are held to --max-delay')
})

t.test('buildApp refuses a bad starting scenario with a ScenarioError naming the entry', async (t) => {
  t.throws(() => api.buildApp({ startup: { global: { sequence: [{ id: 'nope' }] } } }), { name: 'ScenarioError', message: 'global: sequence/0/id: unknown scenario "nope" (step 1)' })
  t.throws(() => api.buildApp({ startup: { global: { sequence: [{ id: 'created', delayMs: 100 }] } }, maxDelayMs: 50 }), { message: 'global: sequence/0/delayMs: must be at most 50 milliseconds' })
  t.throws(() => api.buildApp({ startup: { sessions: { 'ci-1': { times: 2 } } } }), { message: 'session "ci-1": Give id (one scenario) or sequence (a list of steps)' })
  t.throws(() => api.buildApp({ startup: { sessions: { '': { id: 'created' } } } }), { message: /^session "": the name must be printable ASCII/ })
  const error = t.throws(() => api.buildApp({ startup: { global: { id: 'nope' } } })) as InstanceType<typeof api.ScenarioError>
  t.equal(error.scenarioId, 'nope')
})

t.test('the command line starts with a file\'s sequence, and stops with one line on a bad one', async (t) => {
  const dir = t.testdir({ 'setup.yaml': setupYaml, 'bad.yaml': 'global:\n  sequence:\n    - { id: rate-limited }\n    - { id: default }\n', 'slow.yaml': 'global: { id: created, delayMs: 5000 }\n' })
  const { io, out, err } = capture()
  const app = await main(['--port', '0', '--log-level', 'silent', '--scenarios-file', join(dir, 'setup.yaml')], {}, io) as FastifyInstance
  t.teardown(() => app.close())
  t.match(out, [/listening/])
  t.same(err, [])
  t.match((await active(app)).global, { step: 1, steps: 3 })

  for (const [argv, line] of [
    [['--port', '0', '--scenarios-file', join(dir, 'bad.yaml')], `konnect-invites-mock: ${join(dir, 'bad.yaml')}: global: sequence/0/times: step 1 of 2 needs times (only the last step stays)`],
    [['--port', '0', '--max-delay', '1000', '--scenarios-file', join(dir, 'slow.yaml')], `konnect-invites-mock: ${join(dir, 'slow.yaml')}: global: delayMs: must be at most 1000 milliseconds`]
  ] as const) {
    const bad = capture()
    t.equal(await main(argv, {}, bad.io), 2)
    t.same(bad.err, [line])
    t.same(bad.out, [])
  }
})

t.test('recording into a scenarios file keeps its starting scenarios', async (t) => {
  const dir = t.testdir({ 'record.yaml': setupYaml, 'record.json': JSON.stringify({ global: { id: 'created' }, scenarios: [teapot] }), 'bare.yaml': 'global: { id: created }\n' })
  for (const name of ['record.yaml', 'record.json', 'bare.yaml']) {
    const file = join(dir, name)
    const recorder = new Recorder(file, { onError: (error) => { throw error } })
    recorder.record({ status: 409, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify({ status: 409, title: 'Conflict', instance: 'konnect:trace:2', detail: 'taken' }) }, { rawHeaders: [], url: '/v3/invites', body: undefined })
    await recorder.flush()
    const setup = api.loadScenarioSetup(file)
    t.equal(setup.scenarios.length, name === 'bare.yaml' ? 1 : 2, `${name}: the recorded answer is added`)
    t.ok(setup.global !== undefined, `${name}: global is kept`)
    if (name === 'record.yaml') t.same(Object.keys(setup.sessions ?? {}), ['ci-1', 'ci-2'], 'sessions are kept')
    else t.same(Object.keys(yaml().parse(readFileSync(file, 'utf8'))), ['global', 'scenarios'], `${name}: in the order written, scenarios added last`)
  }
})

t.test('recording into a new or empty file starts the form its extension takes', async (t) => {
  const dir = t.testdir({ 'empty.yaml': '', 'empty.json': '' })
  const shapes = []
  for (const name of ['new.json', 'new.yaml', 'empty.json', 'empty.yaml']) {
    const file = join(dir, name)
    const recorder = new Recorder(file, { onError: (error) => { throw error } })
    recorder.record({ status: 500, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify({ status: 500, title: 'Internal Server Error', instance: 'konnect:trace:3', detail: 'boom' }) }, { rawHeaders: [], url: '/v3/invites', body: undefined })
    await recorder.flush()
    const text = readFileSync(file, 'utf8')
    shapes.push(Array.isArray(name.endsWith('.json') ? JSON.parse(text) : yaml().parse(text)))
  }
  t.same(shapes, [true, false, true, false], 'JSON a list, YAML a document under scenarios')
})
