import t from 'tap'
import { inviteExamples } from '../../contracts/examples.js'
import {
  builtInScenarios, compileScenario, contractOf, DEFAULT_DELAY_MS, FORCED_RETRY_AFTER_S, HEADERS_HOLD_MS, ScenarioError, SLOW_BODY_MS, type ScenarioDefinition
} from '../../scenarios/catalogue.js'
import { jsonRenderer } from '../../scenarios/render.js'
import { TRACE_ID_LENGTH, traceId, TraceIds } from '../../scenarios/trace-id.js'
import { checkContract } from '../../contracts/validate.js'

const DOCUMENTED_IDS = [
  'request-format-is-invalid', 'cannot-be-blank', 'invalid-id-format', 'must-be-a-valid-uuid-v4', 'system-teams-cannot-be-modified',
  'password-complexity', 'authentication-settings-cannot-be-all-disabled', 'oidc-needs-an-idp-configuration',
  'idp-configuration-is-required', 'unsupported-filter-operation', 'user-is-already-active', 'rate-limited'
]

t.test('the catalogue: the documented invite examples, then the behaviours, each described', async (t) => {
  t.same(builtInScenarios.map((s) => s.id), [
    ...DOCUMENTED_IDS, 'created', 'unauthenticated', 'permission-denied', 'server-error', 'service-unavailable', 'bad-gateway-html',
    'connection-reset', 'delay', 'truncated-body', 'empty-reply', 'slow-body', 'not-json-body', 'headers-never-finish'
  ])
  for (const [i, scenario] of builtInScenarios.slice(0, inviteExamples.length).entries()) {
    t.equal(scenario.kind, 'documented')
    t.equal(scenario.example, inviteExamples[i]!.name)
    t.equal(scenario.title, inviteExamples[i]!.name)
    t.equal(scenario.status, inviteExamples[i]!.status)
    t.equal(scenario.body, inviteExamples[i]!.value)
  }
  for (const scenario of builtInScenarios.slice(inviteExamples.length)) t.equal(scenario.kind, 'behaviour', scenario.id)
  for (const scenario of builtInScenarios) {
    t.match(scenario.description, /^\S.*\.$/, `${scenario.id}: one-line description`)
    t.notMatch(scenario.description, /\n/)
  }
  const byId = new Map(builtInScenarios.map((s) => [s.id, s]))
  t.same(Object.fromEntries([...byId].map(([id, s]) => [id, s.status])), {
    ...Object.fromEntries(DOCUMENTED_IDS.map((id, i) => [id, inviteExamples[i]!.status])),
    created: 201,
    unauthenticated: 401,
    'permission-denied': 403,
    'server-error': 500,
    'service-unavailable': 503,
    'bad-gateway-html': 502,
    'connection-reset': 0,
    delay: 201,
    'truncated-body': 409,
    'empty-reply': 0,
    'slow-body': 409,
    'not-json-body': 201,
    'headers-never-finish': 0
  })
  t.same(byId.get('rate-limited')!.headers, { 'retry-after': String(FORCED_RETRY_AFTER_S), 'ratelimit-limit': '60', 'ratelimit-remaining': '0', 'ratelimit-reset': String(FORCED_RETRY_AFTER_S) })
  t.same(byId.get('service-unavailable')!.headers, { 'retry-after': String(FORCED_RETRY_AFTER_S) })
  t.equal(byId.get('delay')!.delayMs, DEFAULT_DELAY_MS)
  t.equal(byId.get('delay')!.action, 'default-behaviour')
  t.equal(byId.get('connection-reset')!.action, 'connection-reset')
  for (const id of ['truncated-body', 'empty-reply', 'slow-body', 'headers-never-finish']) {
    t.equal(byId.get(id)!.action, id, `${id} breaks its answer on the wire`)
    t.equal(byId.get(id)!.fault, true)
  }
  t.same(byId.get('truncated-body')!.body, inviteExamples.find((example) => example.status === 409)!.value, 'the 409 document, cut when sent')
  t.same(byId.get('slow-body')!.body, byId.get('truncated-body')!.body)
  t.equal(byId.get('slow-body')!.delayMs, SLOW_BODY_MS)
  t.equal(byId.get('headers-never-finish')!.delayMs, HEADERS_HOLD_MS)
  t.match(byId.get('not-json-body'), { action: undefined, fault: true, contentType: 'application/json', text: /^<html>/ })
})

t.test('every built-in compiles and meets the contract of its status', async (t) => {
  for (const definition of builtInScenarios) {
    const scenario = compileScenario(definition)
    if (definition.body !== undefined) {
      const body = JSON.parse(scenario.render!())
      const contract = contractOf(scenario.status, scenario.responseType)!
      t.ok(contract, `${definition.id} has a contract`)
      t.same(checkContract(contract, body), [], definition.id)
    }
  }
})

t.test('traceId is a fresh konnect trace id of 19 digits', async (t) => {
  const ids = new Set(Array.from({ length: 50 }, traceId))
  for (const id of ids) t.match(id, /^konnect:trace:\d{19}$/)
  t.ok(ids.size > 45, 'fresh on each call')
})

t.test('TraceIds: a random prefix, then a counter; a new prefix when the counter runs out', async (t) => {
  const draws = [0.5, 0.25, 0.75, 0]
  const ids = new TraceIds(() => draws.shift()!, 999_999_998)
  t.equal(ids.next(), 'konnect:trace:5500000000999999998')
  t.equal(ids.next(), 'konnect:trace:5500000000999999999')
  t.equal(ids.next(), 'konnect:trace:7750000000100000000', 'prefix drawn again, counter restarted')
  t.equal(ids.next(), 'konnect:trace:7750000000100000001')
  const own = new TraceIds()
  const many = Array.from({ length: 1000 }, () => own.next())
  t.equal(new Set(many).size, many.length, 'no repeats')
  for (const id of many.slice(0, 20)) t.equal(id.length, TRACE_ID_LENGTH)
  t.equal(new TraceIds(() => 0.999_999_999_9).next().length, TRACE_ID_LENGTH, 'the largest draws keep the length')
})

t.test('a renderer knows its length in bytes before rendering', async (t) => {
  for (const definition of builtInScenarios) {
    const { render } = compileScenario(definition)
    if (render !== undefined) t.equal(render.bytes, Buffer.byteLength(render()), definition.id)
  }
  const accented = jsonRenderer({ status: 409, title: 'Conflit', instance: 'x', detail: 'Déjà actif — réessayez' })
  t.equal(accented.bytes, Buffer.byteLength(accented()), 'UTF-8, not characters')
  t.equal(compileScenario({ id: 'x', title: 'X', status: 502, kind: 'custom', description: 'x.', text: 'Échec', fault: true }).render!.bytes, 6)
})

t.test('jsonRenderer keeps the bytes and renews instance in place', async (t) => {
  const render = jsonRenderer({ status: 409, title: 'T', instance: 'konnect:trace:1', detail: 'D' })
  const a = render()
  const b = render()
  t.match(a, /^\{"status":409,"title":"T","instance":"konnect:trace:\d{19}","detail":"D"\}$/)
  t.not(a, b, 'a fresh instance each time')
  t.equal(jsonRenderer({ a: 1 })(), '{"a":1}', 'no instance: fixed')
  t.equal(jsonRenderer([1, 2])(), '[1,2]')
  t.equal(jsonRenderer(null)(), 'null')
  t.equal(jsonRenderer('text')(), '"text"')
})

t.test('contractOf: by status for problem+json error answers only', async (t) => {
  t.equal(contractOf(400, 'application/problem+json'), 'BadRequestError')
  t.equal(contractOf(429, 'application/problem+json; charset=utf-8'), 'RateLimitedError')
  t.equal(contractOf(418, 'application/problem+json'), 'BaseError')
  t.equal(contractOf(201, 'application/problem+json'), undefined)
  t.equal(contractOf(400, 'application/json'), undefined)
  t.equal(contractOf(400, undefined), undefined)
})

const custom = (extra: Partial<ScenarioDefinition>): ScenarioDefinition =>
  ({ id: 'x', title: 'X', status: 418, kind: 'custom', description: 'x.', ...extra })

t.test('compileScenario: media types and headers', async (t) => {
  const text = compileScenario(custom({ status: 502, text: '<p>down</p>', contentType: 'text/html', fault: true }))
  t.equal(text.responseType, 'text/html')
  t.equal(text.render!(), '<p>down</p>')
  t.equal(compileScenario(custom({ status: 500, text: 'oops', fault: true })).responseType, 'text/plain; charset=utf-8')
  const declared = compileScenario(custom({ status: 500, text: 'oops', headers: { 'Content-Type': 'text/csv', 'X-Thing': '1' }, fault: true }))
  t.equal(declared.responseType, 'text/csv', 'a content-type header is the media type')
  t.same(declared.responseHeaders, { 'x-thing': '1' }, 'other headers lower-cased, content type left out')
  t.equal(compileScenario(custom({ status: 200, body: { ok: true } })).responseType, 'application/json; charset=utf-8')
  t.equal(compileScenario(custom({ body: { status: 418, title: 't', instance: 'i', detail: 'd' } })).responseType, 'application/problem+json; charset=utf-8', 'the wire type, worked out once')
  t.equal(compileScenario(custom({ body: { weird: true }, contentType: 'application/json', fault: true })).render!(), '{"weird":true}', 'no contract outside problem+json')
  const empty = compileScenario(custom({ status: 204 }))
  t.equal(empty.render, undefined)
  t.equal(empty.responseType, undefined)
  t.same(empty.responseHeaders, {})
})

t.test('compileScenario refuses an error without a body and a body that breaks its contract', async (t) => {
  t.throws(() => compileScenario(custom({ status: 400 })), new ScenarioError('x', [], 'scenario "x": a 400 needs a body at /body (BadRequestError)'))
  t.throws(() => compileScenario(custom({ status: 500, contentType: 'text/html' })), { message: 'scenario "x": a 500 needs a body at /body (text)' })
  const error = t.throws(() => compileScenario(custom({ status: 409, body: { status: 409, title: 'Conflict', instance: 'i' } }))) as ScenarioError
  t.equal(error.name, 'ScenarioError')
  t.equal(error.scenarioId, 'x')
  t.equal(error.message, 'scenario "x": body breaks ConflictError at /detail: Expected required property')
  t.ok(error.violations.length >= 1)
  t.throws(() => compileScenario(custom({ status: 400, body: 'text' })), { message: 'scenario "x": body breaks BadRequestError at /: Expected object' })
})

t.test('compileScenario refuses an id, a type or a header that cannot go out as an HTTP header', async (t) => {
  const cases: Array<[Partial<ScenarioDefinition>, string, string]> = [
    [{ status: 201, headers: { 'x-a': 'line\nbreak' } }, '/headers/x-a', 'scenario "x": /headers/x-a cannot be sent as an HTTP header ("x-a": "line\\nbreak")'],
    [{ status: 201, headers: { 'bad name': 'v' } }, '/headers/bad name', 'scenario "x": /headers/bad name cannot be sent as an HTTP header ("bad name": "v")'],
    [{ status: 500, text: 'down', contentType: 'text/plain\r\nx-evil: 1' }, '/contentType', 'scenario "x": /contentType cannot be sent as an HTTP header ("content-type": "text/plain\\r\\nx-evil: 1")'],
    [{ id: 'two\nlines', status: 201 }, '/id', 'scenario "two\\nlines": /id cannot be sent as an HTTP header ("x-mock-scenario-served": "two\\nlines")']
  ]
  for (const [extra, path, message] of cases) {
    const error = t.throws(() => compileScenario(custom(extra)), { message }) as ScenarioError
    t.equal(error.name, 'ScenarioError')
    t.same(error.violations, [{ path, message: 'Expected a valid HTTP header' }])
  }
  t.ok(compileScenario(custom({ status: 201, headers: { 'x-ok': 'fine value' } })), 'a sendable header is accepted')
})
