import t from 'tap'
import { MAX_SEQUENCE_STEPS } from '../../contracts/limits.js'
import { checkSchema } from '../../contracts/validate.js'
import { RequestsResponse, ScenarioChange, ScenarioListResponse } from '../../contracts/admin.js'
import { assertProblem, build, heldSleep } from '../helpers/app.js'
import { invite, setScenario } from '../helpers/inject.js'
import type { FastifyInstance } from 'fastify'

const story = { sequence: [{ id: 'rate-limited', times: 2 }, { id: 'service-unavailable', times: 1 }, { id: 'server-error', times: 1 }, { id: 'default' }] }

async function active (app: FastifyInstance): Promise<Record<string, any>> {
  const answer = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.same(checkSchema(ScenarioListResponse, answer), [], 'GET /__mock/scenarios meets its schema')
  return answer.active
}

t.test('a sequence answers each step in turn, shows where it is and stays on its last step', async (t) => {
  const app = build(t)
  const put = await setScenario(app, story)
  t.equal(put.statusCode, 200)
  t.same(checkSchema(ScenarioChange, put.json()), [])
  t.same(put.json(), {
    global: { id: 'rate-limited', remaining: 2, step: 1, steps: 4, sequence: [{ id: 'rate-limited', times: 2 }, { id: 'service-unavailable', times: 1 }, { id: 'server-error', times: 1 }, { id: 'default' }] }
  }, 'the answer shows the first step and the steps as set')

  const seen: Array<[number, string, unknown]> = []
  for (let i = 0; i < 6; i++) {
    const answer = await invite(app, {}, { email: `user${i}@example.com` })
    const { global } = await active(app)
    seen.push([answer.statusCode, answer.headers['x-mock-scenario-served'] as string, global === null ? null : [global.id, global.step, global.remaining]])
  }
  t.same(seen, [
    [429, 'rate-limited', ['rate-limited', 1, 1]],
    [429, 'rate-limited', ['service-unavailable', 2, 1]],
    [503, 'service-unavailable', ['server-error', 3, 1]],
    [500, 'server-error', ['default', 4, undefined]],
    [201, 'default', ['default', 4, undefined]],
    [201, 'default', ['default', 4, undefined]]
  ], 'each answer, then where the sequence stands: the last step stays')

  const journal = (await app.inject({ url: '/__mock/requests' })).json()
  t.same(checkSchema(RequestsResponse, journal), [], 'the journal meets its schema')
  t.same(journal.requests.map((entry: Record<string, unknown>) => [entry.scenario, entry.step, entry.steps]), [
    ['rate-limited', 1, 4], ['rate-limited', 1, 4], ['service-unavailable', 2, 4], ['server-error', 3, 4], ['default', 4, 4], ['default', 4, 4]
  ], 'each journal entry names the step that answered')
})

t.test('a request forced by a header neither spends a step nor carries one', async (t) => {
  const app = build(t)
  await setScenario(app, { sequence: [{ id: 'rate-limited', times: 1 }, { id: 'created' }] })
  t.equal((await invite(app, { 'x-mock-scenario': 'server-error' })).statusCode, 500)
  t.equal((await invite(app, { prefer: 'code=403' })).statusCode, 403)
  t.match((await active(app)).global, { step: 1, remaining: 1 })
  t.equal((await invite(app)).statusCode, 429)
  t.equal((await invite(app)).statusCode, 201)
  const entries = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.same(entries.map((entry: Record<string, unknown>) => 'step' in entry), [false, false, true, true])
})

t.test('a session sequence leaves the global scenario and other sessions alone, then falls through to nothing', async (t) => {
  const app = build(t)
  await setScenario(app, { id: 'permission-denied' })
  const put = await setScenario(app, { session: 'ci-1', sequence: [{ id: 'rate-limited', times: 1 }, { id: 'created' }] })
  t.match(put.json(), { session: 'ci-1', scenario: { id: 'rate-limited', step: 1, steps: 2 } })
  const served = async (session?: string) => (await invite(app, session === undefined ? {} : { 'x-mock-session': session })).headers['x-mock-scenario-served']
  t.same([await served('ci-1'), await served('ci-2'), await served(), await served('ci-1'), await served('ci-1')],
    ['rate-limited', 'permission-denied', 'permission-denied', 'created', 'created'])
  const { global, sessions } = await active(app)
  t.same(global, { id: 'permission-denied' })
  t.match(sessions['ci-1'], { id: 'created', step: 2, steps: 2 })
})

t.test('each step keeps its own delay; the body\'s delayMs is for the steps without one', async (t) => {
  const waits: number[] = []
  const app = build(t, { sleep: async (ms: number) => { waits.push(ms) } })
  const put = await setScenario(app, { delayMs: 40, sequence: [{ id: 'rate-limited', times: 1, delayMs: 5 }, { id: 'delay', times: 1 }, { id: 'created' }] })
  t.same(put.json().global.sequence, [{ id: 'rate-limited', times: 1, delayMs: 5 }, { id: 'delay', times: 1, delayMs: 40 }, { id: 'created', delayMs: 40 }])
  t.match(put.json().global, { delayMs: 5 })
  for (let i = 0; i < 3; i++) await invite(app)
  t.same(waits, [5, 40, 40])
  t.equal((await invite(app, { 'x-mock-delay': '7' })).statusCode, 201)
  t.same(waits, [5, 40, 40, 7], 'X-Mock-Delay still wins over a step\'s delay')

  const own = build(t, { sleep: async (ms: number) => { waits.push(ms) } })
  await setScenario(own, { sequence: [{ id: 'delay' }] })
  await invite(own)
  t.equal(waits.at(-1), 2000, 'without a delay set, a step is held as its scenario is')
})

t.test('a delayed answer is journaled with the step chosen for it, however the sequence moved meanwhile', async (t) => {
  const gate = heldSleep()
  const app = build(t, { sleep: gate.sleep })
  await setScenario(app, { sequence: [{ id: 'rate-limited', times: 1, delayMs: 100 }, { id: 'created' }] })
  const held = invite(app)
  await gate.held
  t.equal((await invite(app)).statusCode, 201, 'the next request meets step 2 at once')
  gate.release()
  t.equal((await held).statusCode, 429)
  const entries = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.same(entries.map((entry: Record<string, unknown>) => [entry.status, entry.step]), [[201, 2], [429, 1]])
})

t.test('reset and DELETE /__mock/scenario clear a sequence', async (t) => {
  const app = build(t)
  await setScenario(app, story)
  await setScenario(app, { ...story, session: 'ci-1' })
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/scenario?session=ci-1' })).statusCode, 200)
  t.same((await active(app)).sessions, {})
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/scenario' })).statusCode, 200)
  t.equal((await invite(app)).statusCode, 201)
  await setScenario(app, story)
  await invite(app)
  t.equal((await app.inject({ method: 'POST', url: '/__mock/reset' })).statusCode, 204)
  t.same(await active(app), { global: null, sessions: {}, totalSessions: 0 })
})

t.test('a bad sequence is a 400 naming the step, and changes nothing', async (t) => {
  const app = build(t, { maxDelayMs: 1000 })
  await setScenario(app, { id: 'created' })
  const steps = (n: number) => Array.from({ length: n }, (_, i) => i < n - 1 ? { id: 'created', times: 1 } : { id: 'created' })
  // Schema failures (the last four) are worded by the app's error handler; the rest here.
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp?]> = [
    ['an unknown id', { sequence: [{ id: 'rate-limited', times: 1 }, { id: 'x' }] }, { field: 'sequence.1.id', rule: 'enum' }, /^PUT \/__mock\/scenario: sequence\/1\/id: unknown scenario "x" \(step 2\)$/],
    ['a step but the last without times', { sequence: [{ id: 'rate-limited' }, { id: 'created' }] }, { field: 'sequence.0.times', rule: 'required' }, /^PUT \/__mock\/scenario: sequence\/0\/times: step 1 of 2 needs times/],
    ['the last step with times', { sequence: [{ id: 'rate-limited', times: 2 }] }, { field: 'sequence.0.times', rule: 'invalid' }, /^PUT \/__mock\/scenario: sequence\/0\/times: the last step stays/],
    ['a sequence with an id', { id: 'created', sequence: [{ id: 'created' }] }, { field: 'sequence', rule: 'invalid' }, /either id or sequence/],
    ['a sequence with times', { times: 2, sequence: [{ id: 'created' }] }, { field: 'times', rule: 'invalid' }, /each step/],
    ['neither id nor sequence', { session: 'ci-1' }, { field: 'id', rule: 'required' }, /Give id/],
    ['a step delayed past the cap', { sequence: [{ id: 'created', delayMs: 1001 }] }, { field: 'sequence.0.delayMs', rule: 'max', maximum: 1000 }, /^PUT \/__mock\/scenario: sequence\/0\/delayMs: must be at most 1000/],
    ['a sequence delayed past the cap', { delayMs: 1001, sequence: [{ id: 'created' }] }, { field: 'delayMs', rule: 'max', maximum: 1000 }, /^PUT \/__mock\/scenario: delayMs: must be at most 1000/],
    ['no steps', { sequence: [] }, { field: 'sequence' }],
    [`more than ${MAX_SEQUENCE_STEPS} steps`, { sequence: steps(MAX_SEQUENCE_STEPS + 1) }, { field: 'sequence' }],
    ['times below 1', { sequence: [{ id: 'created', times: 0 }, { id: 'created' }] }, { field: 'sequence.0.times', rule: 'min' }],
    ['an unknown field in a step', { sequence: [{ id: 'created', nope: 1 }] }, { field: 'sequence.0.nope', rule: 'unknown_property' }]
  ]
  for (const [what, body, parameter, detail] of cases) {
    const answer = await setScenario(app, body)
    const problem = assertProblem(t, answer, 400, { served: 'mock-error', what })
    t.equal(problem.type, 'urn:konnect-invites-mock:problem:admin-request', `${what}: the mock's own problem`)
    t.match(problem.invalid_parameters[0], { ...parameter, source: 'body' }, `${what}: names the field`)
    if (detail !== undefined) t.match(problem.detail, detail, `${what}: says why`)
  }
  const { choices } = (await setScenario(app, { sequence: [{ id: 'nope' }] })).json().invalid_parameters[0]
  t.ok(choices[0] === 'default' && choices.includes('rate-limited'), 'an unknown id lists the valid ones')
  t.equal((await setScenario(app, { sequence: steps(MAX_SEQUENCE_STEPS) })).statusCode, 200, `${MAX_SEQUENCE_STEPS} steps are fine`)
  t.equal((await setScenario(app, { sequence: [{ id: 'created' }] })).statusCode, 200, 'one step is fine')
  t.same((await active(app)).global, { id: 'created', step: 1, steps: 1, sequence: [{ id: 'created' }] })
})
