/**
 * The mock's own errors (admin API, X-Mock-* headers, Prefer) say what is wrong and where, and carry
 * the mock's mark: a `urn:konnect-invites-mock:problem:<kind>` type and `X-Mock-Scenario-Served:
 * mock-error`. Konnect-shaped answers of the invite route keep the published shape.
 */
import { readFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { SERVED_HEADER } from '../../contracts/headers.js'
import { Catalogue, RESERVED_IDS, ScenarioError } from '../../scenarios/catalogue.js'
import { MOCK_PROBLEM_KINDS } from '../../scenarios/outcome.js'
import { MOCK_ERROR_ID } from '../../contracts/headers.js'
import { invite, setScenario } from '../helpers/inject.js'
import { assertProblem, build } from '../helpers/app.js'
import { EVIL, send, server } from '../helpers/guard.js'

/** Asserts the answer is a problem of the mock's own, of this kind and status; returns its body. */
function assertMockError (t: Test, answer: LightMyRequestResponse, status: number, kind: string): Record<string, any> {
  const body = assertProblem(t, answer, status, { served: MOCK_ERROR_ID })
  t.equal(body.type, `urn:konnect-invites-mock:problem:${kind}`, `the mock's own type: ${kind}`)
  t.same(Object.keys(body).slice(0, 3), ['status', 'title', 'type'], 'type follows title, as in the published examples')
  return body
}

const put = (app: ReturnType<typeof build>, payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'PUT', url: '/__mock/scenario', headers, payload })

t.test('bad JSON to the admin API names the parse error and its position', async (t) => {
  const app = build(t)
  const cases: Array<[string, string]> = [
    ['{"id": "created"}}', 'The body is not JSON: Unexpected non-whitespace character after JSON at position 17'],
    ['{"id":}', 'The body is not JSON: Unexpected token \'}\' at position 6'],
    ['{"id": "rate-limited", }', 'The body is not JSON: Expected double-quoted property name at position 23'],
    ['{"id": "created"', 'The body is not JSON: Expected \',\' or \'}\' after property value at position 16, where the text ends'],
    ['{\n  "id": "created",\n  times: 2\n}', 'The body is not JSON: Expected double-quoted property name at position 23 (line 3, column 3)']
  ]
  for (const [payload, detail] of cases) {
    const body = assertMockError(t, await put(app, payload), 400, 'admin-request')
    t.equal(body.detail, detail, payload)
    t.same(body.invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }])
  }
  const poisoned = assertMockError(t, await put(app, '{"id":"created","__proto__":{"x":1}}'), 400, 'admin-request')
  t.equal(poisoned.detail, 'The body is refused: it holds a __proto__ or constructor.prototype key')
  t.equal((await invite(app)).statusCode, 201, 'nothing was set')
})

t.test('an empty body, or one of the wrong type or media type, says what the call takes', async (t) => {
  const app = build(t)
  t.equal(assertMockError(t, await put(app, ''), 400, 'admin-request').detail, 'The body is empty: PUT /__mock/scenario takes a JSON object (Content-Type: application/json)')
  t.equal(assertMockError(t, await put(app, '', {}), 400, 'admin-request').detail, 'The body is empty: PUT /__mock/scenario takes a JSON object (Content-Type: application/json)', 'no body and no Content-Type')
  t.equal(assertMockError(t, await put(app, '["created"]'), 400, 'admin-request').detail, 'The body is an array: PUT /__mock/scenario takes a JSON object')
  t.equal(assertMockError(t, await put(app, '"created"'), 400, 'admin-request').detail, 'The body is a string: PUT /__mock/scenario takes a JSON object')
  t.equal(assertMockError(t, await put(app, 'null'), 400, 'admin-request').detail, 'The body is null: PUT /__mock/scenario takes a JSON object')
  t.equal(assertMockError(t, await put(app, '7'), 400, 'admin-request').detail, 'The body is a number: PUT /__mock/scenario takes a JSON object')
  const text = assertMockError(t, await put(app, 'id=created', { 'content-type': 'text/plain' }), 415, 'admin-request')
  t.equal(text.detail, 'PUT /__mock/scenario takes a JSON body (Content-Type: application/json), not text/plain')
  t.equal(assertMockError(t, await put(app, 'x'.repeat(70_000)), 413, 'admin-request').detail, 'The request body is larger than 65536 bytes')
  t.equal((await app.inject({ method: 'DELETE', url: '/__mock/scenario', headers: { 'content-type': 'application/json' } })).statusCode, 200, 'an empty JSON body where none is needed is no error')
})

t.test('a body that breaks the schema names the route, the field and the reason', async (t) => {
  const app = build(t, { maxDelayMs: 50 })
  const body = assertMockError(t, await setScenario(app, { id: 5, times: 0 }), 400, 'admin-request')
  t.equal(body.detail, 'PUT /__mock/scenario: the body is refused: id must be a string; times must be at least 1')
  const query = assertMockError(t, await app.inject({ url: '/__mock/requests?limit=0' }), 400, 'admin-request')
  t.equal(query.detail, 'GET /__mock/requests: the query string is refused: limit must be a whole number from 1 to 100')
  const schemaQuery = assertMockError(t, await app.inject({ url: '/__mock/requests?session=a&session=b' }), 400, 'admin-request')
  t.match(schemaQuery.detail, /^GET \/__mock\/requests: the query string is refused: session /)
  const path = assertMockError(t, await app.inject({ method: 'PUT', url: '/__mock/users/not-an-address' }), 400, 'admin-request')
  t.match(path.detail, /^PUT \/__mock\/users\/:email: the path is refused: email /)
  const unknown = assertMockError(t, await setScenario(app, { id: 'rate-limitd' }), 400, 'admin-request')
  t.match(unknown.detail, /^PUT \/__mock\/scenario: no scenario has the id "rate-limitd" \(did you mean "rate-limited"\?\)\. Valid: default, request-format-is-invalid, /)
  t.match(assertMockError(t, await setScenario(app, { id: 'zzzz' }), 400, 'admin-request').detail, /"zzzz"\. Valid: /, 'no hint when nothing is close')
  const step = assertMockError(t, await setScenario(app, { sequence: [{ id: 'created', times: 1 }, { id: 'rate-limitd' }] }), 400, 'admin-request')
  t.equal(step.detail, 'PUT /__mock/scenario: sequence/1/id: unknown scenario "rate-limitd" (step 2) (did you mean "rate-limited"?)')
  const delay = assertMockError(t, await setScenario(app, { id: 'created', delayMs: 51 }), 400, 'admin-request')
  t.equal(delay.detail, 'PUT /__mock/scenario: delayMs: must be at most 50 milliseconds')
})

t.test('unknown admin routes, the admin token, caps and features not started are the mock\'s own', async (t) => {
  const app = build(t, { adminToken: 's3cret' })
  const token = { 'x-mock-admin-token': 's3cret' }
  t.equal(assertMockError(t, await app.inject({ url: '/__mock/health' }), 401, 'admin-token').detail,
    'X-Mock-Admin-Token is missing: this mock was started with --admin-token, so every admin call must carry it')
  t.equal(assertMockError(t, await app.inject({ url: '/__mock/health', headers: { 'x-mock-admin-token': 'nope' } }), 401, 'admin-token').detail,
    'X-Mock-Admin-Token does not match the --admin-token this mock was started with')
  t.equal(assertMockError(t, await app.inject({ url: '/__mock/scenarioz', headers: token }), 404, 'admin-route').detail, 'No route for GET /__mock/scenarioz')
  const wrongMethod = await app.inject({ method: 'POST', url: '/__mock/health', headers: token })
  t.equal(assertMockError(t, wrongMethod, 405, 'admin-route').detail, 'Method POST is not allowed on /__mock/health; use GET, HEAD')
  t.equal(wrongMethod.headers.allow, 'GET, HEAD')
  t.equal(assertMockError(t, await app.inject({ url: '/__mock/ca.pem', headers: token }), 404, 'not-enabled').detail,
    'There is no CA: the mock runs without --proxy (start it with --proxy to make one)')
})

t.test('past a cap, the 409 is the mock\'s own', async (t) => {
  const app = build(t)
  for (let i = 0; i < 1000; i++) app.mock.state.setSession(`s${i}`, { scenario: null })
  t.match(assertMockError(t, await setScenario(app, { id: 'created', session: 'one-more' }), 409, 'admin-limit').detail, /^1000 sessions already have a scenario/)
  for (let i = 0; i < 10_000; i++) app.mock.state.addActiveUser(`u${i}@example.com`)
  t.match(assertMockError(t, await app.inject({ method: 'PUT', url: '/__mock/users/more@example.com' }), 409, 'admin-limit').detail, /^10000 users are active/)
})

t.test('Prefer naming no scenario is the mock\'s error, never a 400 passing as the default behaviour', async (t) => {
  const app = build(t)
  const statuses = app.mock.catalogue.statuses.join(', ')
  for (const code of ['418', '299', 'abc']) {
    const answer = await invite(app, { prefer: `code=${code}` })
    const body = assertMockError(t, answer, 400, 'prefer')
    t.equal(body.detail, `Prefer: code=${code} names no status code of this mock. Valid: ${statuses}`)
    t.not(answer.headers[SERVED_HEADER], 'default')
  }
  const example = assertMockError(t, await invite(app, { prefer: 'example="Rate Limitd"' }), 400, 'prefer')
  t.match(example.detail, /^Prefer: example="Rate Limitd" names no example name of this mock \(did you mean "Rate Limited"\?\)\. Valid: Request Format is Invalid, /)
  const mismatch = assertMockError(t, await invite(app, { prefer: 'code=409, example="Cannot be Blank"' }), 400, 'prefer')
  t.equal(mismatch.detail, 'Prefer: example="Cannot be Blank" answers 400, not code=409: drop code or make them agree')
  const journal = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.same(journal.map((entry: { scenario: string }) => entry.scenario), Array(5).fill(MOCK_ERROR_ID), 'the journal says the mock refused them')
  t.same((await app.inject({ url: `/__mock/requests/count?scenario=${MOCK_ERROR_ID}` })).json(), { count: 5 }, 'and its filter finds them')
})

t.test('bad X-Mock-* headers say which header, what it holds and what is valid', async (t) => {
  const app = build(t, { maxDelayMs: 100 })
  const scenario = assertMockError(t, await invite(app, { 'x-mock-scenario': 'rate-limitd' }), 400, 'mock-header')
  t.match(scenario.detail, /^X-Mock-Scenario: "rate-limitd" names no scenario id of this mock \(did you mean "rate-limited"\?\)\. Valid: default, /)
  t.match(assertMockError(t, await invite(app, { 'x-mock-scenario': 'Rate Limitd' }), 400, 'mock-header').detail, /\(did you mean "Rate Limited"\?\)/, 'example names are hinted too')
  t.equal(assertMockError(t, await invite(app, { 'x-mock-delay': 'soon' }), 400, 'mock-header').detail, 'X-Mock-Delay: "soon" is not a whole number of milliseconds (0 to 100)')
  t.equal(assertMockError(t, await invite(app, { 'x-mock-delay': '500' }), 400, 'mock-header').detail, 'X-Mock-Delay: 500 is over the cap of 100 milliseconds (--max-delay)')
  t.match(assertMockError(t, await invite(app, { 'x-mock-session': ' padded' }), 400, 'mock-header').detail, /^X-Mock-Session: " padded" is no session name: it must be printable ASCII/)
  t.equal(assertMockError(t, await invite(app, { 'x-mock-scenario': 'mock-error' }), 400, 'mock-header').invalid_parameters[0].field, 'x-mock-scenario', 'mock-error is no scenario')
})

t.test('Konnect-shaped answers keep the published shape and the default mark', async (t) => {
  const app = build(t)
  const invalid = await invite(app, {}, { email: 'nope' })
  const body = assertProblem(t, invalid, 400, { served: 'default' })
  t.notOk('type' in body, 'the validation error has no type of the mock\'s')
  const notJson = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, payload: '{"email":}' })
  t.same(assertProblem(t, notJson, 400, { served: 'default' }).invalid_parameters, [{ field: 'body', reason: 'request format is invalid' }])
  const documented = await invite(app, { 'x-mock-scenario': 'cannot-be-blank' })
  t.notOk('type' in assertProblem(t, documented, 400, { served: 'cannot-be-blank' }))
  const outside = await app.inject({ url: '/v3/users' })
  t.equal(assertProblem(t, outside, 404, { served: 'default' }).type, 'https://httpstatuses.com/404', 'outside the mock\'s controls, a 404 is the plain one')
})

t.test('docs/admin-api.md lists every kind, as the code says it', async (t) => {
  const page = readFileSync(new URL('../../docs/admin-api.md', import.meta.url), 'utf8')
  const rows = [...page.matchAll(/^\| `([a-z-]+)` \| (.+) \|$/gm)].map(([, kind, when]) => [kind, when!.replace(/`/g, '')])
  t.same(rows, Object.entries(MOCK_PROBLEM_KINDS), 'one row per kind, in order, with its meaning')
})

t.test('the admin guard\'s refusals are the mock\'s own (a real socket: in-process calls pass the guard)', async (t) => {
  const { port, host } = await server(t)
  const foreignHost = await send(port, 'GET /__mock/health HTTP/1.1', { host: 'evil.example' })
  const hostBody = assertProblem(t, foreignHost, 403, { served: MOCK_ERROR_ID })
  t.match(hostBody, { type: 'urn:konnect-invites-mock:problem:admin-guard', detail: 'Host evil.example is not a name of this server; start the mock with --allowed-hosts to add it' })
  const page = await send(port, 'PUT /__mock/scenario HTTP/1.1', { host, origin: EVIL, 'content-type': 'application/json' }, '{"id":"created"}')
  t.match(assertProblem(t, page, 403, { served: MOCK_ERROR_ID }), { type: 'urn:konnect-invites-mock:problem:admin-guard', detail: `Pages from ${EVIL} may not use the admin API` })
  const noHost = await send(port, 'GET /__mock/health HTTP/1.0', {})
  t.match(assertProblem(t, noHost, 403, { served: MOCK_ERROR_ID }), { type: 'urn:konnect-invites-mock:problem:admin-guard', detail: 'Send a Host header naming this server to use the admin API and the dashboard' })
  const invitePage = await send(port, 'POST /v3/invites HTTP/1.1', { host, origin: EVIL, authorization: 'Bearer t', 'content-type': 'application/json' }, '{"email":"a@example.com"}')
  t.equal(assertProblem(t, invitePage, 403).type, 'https://httpstatuses.com/403', 'a page refused on the invite route is left as it was')
})

t.test('no scenario may take a served value as its id', async (t) => {
  for (const id of ['mock-error', 'default', 'upstream']) {
    t.throws(() => new Catalogue([{ id, title: 'Mine', status: 201, kind: 'custom', description: 'mine' }]), new ScenarioError(id, [], `scenario "${id}": the id is reserved (X-Mock-Scenario-Served says "${id}" for ${RESERVED_IDS.get(id)!})`))
  }
})

t.test('a crash in an admin call is the plain 500, logged, never blamed on the caller', async (t) => {
  const lines: string[] = []
  const app = build(t, { logger: { stream: { write: (line: string) => { lines.push(line) } } } })
  app.mock.state.journal.page = () => { throw new Error('boom') }
  const answer = await app.inject({ url: '/__mock/requests' })
  const body = assertProblem(t, answer, 500, { served: 'default' })
  t.match(body, { type: 'https://httpstatuses.com/500', detail: 'An unexpected error occurred' })
  t.match(JSON.parse(lines[0]!), { msg: 'request failed', err: { message: 'boom' } })
})
