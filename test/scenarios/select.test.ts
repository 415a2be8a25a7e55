import t from 'tap'
import { DEFAULT_MAX_DELAY_MS, select, type Choice } from '../../scenarios/select.js'
import { MAX_SESSION_LENGTH } from '../../contracts/limits.js'
import { builtInScenarios, Catalogue, ScenarioError } from '../../scenarios/catalogue.js'
import type { Outcome } from '../../scenarios/outcome.js'
import { MockState } from '../../scenarios/state.js'
import { documentedExampleNames } from '../helpers/published.js'

const catalogue = new Catalogue()
const choice = (result: Choice | Outcome): Choice => {
  if ('served' in result) throw new Error(`expected a choice, got ${result.payload}`)
  return result
}
const problemOf = (result: Choice | Outcome) => {
  if (!('served' in result)) throw new Error('expected a problem')
  return { status: result.status, contentType: result.contentType, body: JSON.parse(String(result.payload)) }
}
const pick = (headers: Record<string, string | string[]>, state = new MockState()) =>
  select(headers, state, catalogue, DEFAULT_MAX_DELAY_MS)

t.test('Catalogue: lookups by id, example name and status', async (t) => {
  t.equal(catalogue.find('cannot-be-blank')?.status, 400)
  t.equal(catalogue.find('Cannot be Blank'), undefined, 'find is by id only')
  t.equal(catalogue.findExample('cannot BE blank')?.id, 'cannot-be-blank', 'example names are case-insensitive')
  t.equal(catalogue.findExample('rate-limited')?.id, 'rate-limited', 'an id works as an example name')
  t.equal(catalogue.findExample('Invalid Permissions')?.id, 'permission-denied')
  t.equal(catalogue.findExample('nope'), undefined)
  t.equal(catalogue.findStatus(400)?.id, 'request-format-is-invalid', 'the first example of a status')
  t.equal(catalogue.findStatus(201)?.id, 'created', 'the delay modifier is not a 201 of its own')
  t.equal(catalogue.findStatus(0), undefined)
  t.same(catalogue.statuses, [201, 400, 401, 403, 409, 429, 500, 502, 503])
  t.same(catalogue.ids, builtInScenarios.map((s) => s.id), 'a catalogue of no custom scenarios is the built-in one')
  t.same(catalogue.exampleNames.slice(-3), ['Rate Limited', 'Unauthorized', 'Invalid Permissions'])
  t.same(catalogue.exampleNames, documentedExampleNames(), 'the examples of the built-in scenarios')
})

t.test('Catalogue: custom scenarios join, a taken id is refused', async (t) => {
  const withCustom = new Catalogue([{ id: 'teapot', title: 'Teapot', status: 418, kind: 'custom', description: 'x.', body: { status: 418, title: 't', instance: 'i', detail: 'd' } }])
  t.equal(withCustom.find('teapot')?.kind, 'custom')
  t.equal(withCustom.findStatus(418)?.id, 'teapot')
  t.throws(() => new Catalogue([{ id: 'created', title: 'Again', status: 201, kind: 'custom', description: 'x.' }]),
    new ScenarioError('created', [], 'scenario "created": the id is already taken'))
})

t.test('precedence: header, then Prefer, then session, then global, then default', async (t) => {
  const state = new MockState()
  const blank = catalogue.find('cannot-be-blank')!
  const conflict = catalogue.find('user-is-already-active')!
  const forbidden = catalogue.find('permission-denied')!
  state.global = { scenario: blank }
  state.sessions.set('s1', { scenario: conflict })
  const all = { 'x-mock-scenario': 'created', prefer: 'code=429', 'x-mock-session': 's1' }
  t.equal(choice(pick(all, state)).scenario?.id, 'created')
  t.equal(choice(pick({ ...all, 'x-mock-scenario': '' }, state)).scenario?.id, 'rate-limited', 'an empty header is no choice')
  t.equal(choice(pick({ prefer: 'respond-async', 'x-mock-session': 's1' }, state)).scenario?.id, 'user-is-already-active', 'a Prefer without example or code is no choice')
  t.equal(choice(pick({ 'x-mock-session': 'other' }, state)).scenario?.id, 'cannot-be-blank', 'another session gets the global one')
  t.equal(choice(pick({}, state)).scenario?.id, 'cannot-be-blank')
  state.global = { scenario: null }
  t.equal(choice(pick({}, state)).scenario, null, 'a sticky default behaviour')
  state.global = null
  t.same(pick({}, state), { scenario: null, delayMs: 0 })
  state.sessions.set('s2', { scenario: forbidden })
  t.equal(choice(pick({ 'x-mock-session': ['s2'] }, state)).scenario?.id, 'permission-denied', 'repeated headers are joined')
  t.equal(choice(pick({ 'x-mock-scenario': ['server-error'] })).scenario?.id, 'server-error')
  state.global = { scenario: blank }
  t.same(pick({ 'x-mock-scenario': 'default', 'x-mock-delay': '4' }, state), { scenario: null, delayMs: 4 }, 'the header can force the default behaviour')
  t.same(pick({ 'x-mock-scenario': 'default' }, state), { scenario: null, delayMs: 0 })
})

t.test('X-Mock-Scenario accepts ids and example names, refuses the rest with the valid ids', async (t) => {
  t.equal(choice(pick({ 'x-mock-scenario': ' rate-limited ' })).scenario?.id, 'rate-limited')
  t.equal(choice(pick({ 'x-mock-scenario': 'User is Already Active' })).scenario?.id, 'user-is-already-active')
  const bad = problemOf(pick({ 'x-mock-scenario': 'nope' }))
  t.equal(bad.status, 400)
  t.equal(bad.contentType, 'application/problem+json; charset=utf-8')
  t.same(bad.body.invalid_parameters, [{ field: 'x-mock-scenario', rule: 'enum', reason: 'must be one of the scenario ids', choices: ['default', ...catalogue.ids], source: 'header' }])
  t.equal(bad.body.detail, `X-Mock-Scenario: "nope" names no scenario id of this mock. Valid: default, ${catalogue.ids.join(', ')}`)
  t.equal(bad.body.type, 'urn:konnect-invites-mock:problem:mock-header', 'the mock\'s own problem')
  const near = problemOf(pick({ 'x-mock-scenario': 'cannot-be-blnk' }))
  t.match(near.body.detail, /^X-Mock-Scenario: "cannot-be-blnk" names no scenario id of this mock \(did you mean "cannot-be-blank"\?\)\. Valid: /)
  const long = problemOf(pick({ 'x-mock-scenario': 'x'.repeat(100) }))
  t.match(long.body.detail, `X-Mock-Scenario: "${'x'.repeat(80)}…" names no`, 'a long id is cut in the message')
})

t.test('Prefer: example, code, both, and what is refused', async (t) => {
  t.equal(choice(pick({ prefer: 'example="Password Complexity"' })).scenario?.id, 'password-complexity')
  t.equal(choice(pick({ prefer: 'example=Password Complexity' })).scenario?.id, 'password-complexity')
  t.equal(choice(pick({ prefer: 'code=409' })).scenario?.id, 'user-is-already-active')
  t.equal(choice(pick({ prefer: 'code=400, example="IdP configuration is required"' })).scenario?.id, 'idp-configuration-is-required')
  const names = problemOf(pick({ prefer: 'example="Nope"' }))
  t.same(names.body.invalid_parameters, [{ field: 'prefer', rule: 'enum', reason: 'must be one of the example names', choices: catalogue.exampleNames, source: 'header' }])
  t.match(names.body.detail, /^Prefer: example="Nope" names no example name of this mock\. Valid: Request Format is Invalid, /)
  t.equal(names.body.type, 'urn:konnect-invites-mock:problem:prefer')
  for (const code of ['418', 'abc', '4000']) {
    const codes = problemOf(pick({ prefer: `code=${code}` }))
    t.same(codes.body.invalid_parameters, [{ field: 'prefer', rule: 'enum', reason: 'must be one of the status codes', choices: catalogue.statuses, source: 'header' }], code)
    t.equal(codes.body.detail, `Prefer: code=${code} names no status code of this mock. Valid: ${catalogue.statuses.join(', ')}`)
  }
  const mismatch = problemOf(pick({ prefer: 'code=409, example="Cannot be Blank"' }))
  t.same(mismatch.body.invalid_parameters, [{ field: 'prefer', rule: 'invalid', reason: 'example "Cannot be Blank" answers 400, not 409', source: 'header' }])
  t.equal(mismatch.body.detail, 'Prefer: example="Cannot be Blank" answers 400, not code=409: drop code or make them agree')
})

t.test('X-Mock-Delay: whole milliseconds, capped, over every way of choosing', async (t) => {
  t.equal(choice(pick({ 'x-mock-delay': '15' })).delayMs, 15)
  t.equal(choice(pick({ 'x-mock-delay': ' 7 ', 'x-mock-scenario': 'created' })).delayMs, 7)
  t.equal(choice(pick({ 'x-mock-delay': '0', 'x-mock-scenario': 'delay' })).delayMs, 0, 'an explicit delay wins over the scenario\'s own')
  t.equal(choice(pick({ 'x-mock-scenario': 'delay' })).delayMs, 2000, 'the delay scenario alone waits its default')
  t.equal(choice(pick({ prefer: 'example=delay' })).delayMs, 2000)
  t.equal(choice(pick({ prefer: 'example=delay', 'x-mock-delay': '3' })).delayMs, 3)
  for (const bad of ['-1', '1.5', 'soon', '1234567890']) {
    const problem = problemOf(pick({ 'x-mock-delay': bad }))
    t.same(problem.body.invalid_parameters, [{ field: 'x-mock-delay', rule: 'is_integer', reason: 'must be a whole number of milliseconds', source: 'header' }], bad)
    t.equal(problem.body.detail, `X-Mock-Delay: "${bad}" is not a whole number of milliseconds (0 to ${DEFAULT_MAX_DELAY_MS})`)
  }
  t.equal(choice(select({ 'x-mock-scenario': 'delay' }, new MockState(), catalogue, 100)).delayMs, 100, 'the cap applies to a scenario\'s own delay')
  t.equal(choice(select({ prefer: 'example=delay' }, new MockState(), catalogue, 0)).delayMs, 0)
  const capped = new MockState()
  capped.global = { scenario: catalogue.find('delay')! }
  t.equal(choice(select({}, capped, catalogue, 50)).delayMs, 50)
  const over = problemOf(select({ 'x-mock-delay': '101' }, new MockState(), catalogue, 100))
  t.same(over.body.invalid_parameters, [{ field: 'x-mock-delay', rule: 'max', maximum: 100, reason: 'must be at most 100', source: 'header' }])
  t.equal(over.body.detail, 'X-Mock-Delay: 101 is over the cap of 100 milliseconds (--max-delay)')
})

t.test('sticky scenarios: times, delay, session length', async (t) => {
  const state = new MockState()
  const created = catalogue.find('created')!
  const delay = catalogue.find('delay')!
  state.global = { scenario: created, remaining: 2, delayMs: 5 }
  t.same(pick({}, state), { scenario: created, delayMs: 5 })
  t.equal(state.global?.remaining, 1)
  t.same(pick({ 'x-mock-delay': '1' }, state), { scenario: created, delayMs: 1 })
  t.equal(state.global, null, 'spent after two')
  t.same(pick({}, state), { scenario: null, delayMs: 0 })
  state.sessions.set('s', { scenario: delay, remaining: 1 })
  t.same(pick({ 'x-mock-session': 's' }, state), { scenario: delay, delayMs: 2000 })
  t.equal(state.sessions.has('s'), false, 'a spent session scenario is dropped')
  state.sessions.set('d', { scenario: null, delayMs: 9 })
  t.same(pick({ 'x-mock-session': 'd' }, state), { scenario: null, delayMs: 9 })
  state.sessions.set('n', { scenario: null })
  t.same(pick({ 'x-mock-session': 'n' }, state), { scenario: null, delayMs: 0 })
  t.same(pick({ 'x-mock-session': 'x'.repeat(MAX_SESSION_LENGTH) }, state), { scenario: null, delayMs: 0 })
  const long = problemOf(pick({ 'x-mock-session': 'x'.repeat(MAX_SESSION_LENGTH + 1) }, state))
  t.same(long.body.invalid_parameters, [{ field: 'x-mock-session', rule: 'invalid', reason: `must be printable ASCII with no leading or trailing spaces, at most ${MAX_SESSION_LENGTH} characters`, source: 'header' }])
})
