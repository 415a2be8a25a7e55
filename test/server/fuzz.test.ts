import fc from 'fast-check'
import t from 'tap'
import { contractForStatus, PROBLEM_JSON } from '../../contracts/schemas.js'
import { checkContract } from '../../contracts/validate.js'
import { contractOf } from '../../scenarios/catalogue.js'
import { build } from '../helpers/app.js'
import { assertHealthy } from '../helpers/wire.js'
import { MOCK_ERROR_ID } from '../../contracts/headers.js'

const SEED = 20_261_126
const RUNS = 300
const MAX_DELAY_MS = 5

const app = build(t, { maxDelayMs: MAX_DELAY_MS, rateLimit: { limit: 40, windowMs: 60_000 } })
const { catalogue } = app.mock
/** Scenarios that answer at once and whole (not the reset one, the transport faults or the delay, which sleeps 2 s by default). */
const immediate = catalogue.list.filter((scenario) => scenario.action === undefined)

const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 60 })
/** A header that is absent one time in `absentOneIn`. */
const header = <T>(arb: fc.Arbitrary<T>, absentOneIn = 2) => fc.option(arb, { nil: undefined, freq: absentOneIn })
const mostly = <T>(likely: fc.Arbitrary<T>, other: fc.Arbitrary<T>) => fc.oneof({ arbitrary: likely, weight: 4 }, { arbitrary: other, weight: 1 })

const request = fc.record({
  url: fc.constantFrom('/v3/invites', '/v3/invites', '/v3/invites', '/v3/invites?email=a@example.com', '/v3/invite', '/'),
  body: fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.record({ email: mostly(fc.emailAddress(), fc.oneof(printable, fc.jsonValue({ maxDepth: 2 }))) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
    fc.emailAddress().map((email) => JSON.stringify({ email })),
    fc.string({ maxLength: 80 }),
    fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes))
  ),
  headers: fc.record({
    'content-type': header(mostly(
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'),
      fc.oneof(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', PROBLEM_JSON), printable)
    ), 8),
    authorization: header(mostly(fc.constantFrom('Bearer t', 'Bearer kpat_fuzz', 'bearer t'), fc.oneof(fc.constant('Basic dTpw'), printable.map((s) => `Bearer ${s}`), printable)), 8),
    'x-mock-scenario': header(fc.oneof(fc.constantFrom(...immediate.map((scenario) => scenario.id)), printable)),
    prefer: header(fc.oneof(
      fc.constantFrom('code=400', 'code=409', 'code=429', 'code=201', 'code=500', 'example="Cannot be Blank"', 'example=User is Already Active', 'code=400, example="Rate Limited"', 'respond-async'),
      printable
    )),
    'x-mock-delay': header(fc.oneof(fc.integer({ min: 0, max: MAX_DELAY_MS + 3 }).map(String), printable)),
    'x-mock-session': header(fc.oneof(fc.constantFrom('a', 'b'), printable))
  }, { requiredKeys: [] })
})

type Fuzzed = typeof request extends fc.Arbitrary<infer T> ? T : never

/** Why an answer breaks the rules, or null when it is fine. Body limits and media types are checked before any scenario is chosen. */
function violation (input: Fuzzed, status: number, headers: Record<string, unknown>, body: string): string | null {
  const type = String(headers['content-type'] ?? '')
  const served = String(headers['x-mock-scenario-served'] ?? '')
  const forced = input.headers['x-mock-scenario']
  const delay = input.headers['x-mock-delay']
  const delayOk = delay === undefined || (/^\s*\d{1,9}\s*$/.test(delay) && Number(delay) <= MAX_DELAY_MS)
  const beforeRoute = status === 413 || status === 415
  if (input.url.startsWith('/v3/invites') && !beforeRoute && delayOk && forced !== undefined && catalogue.find(forced.trim()) !== undefined && served !== forced.trim()) {
    return `X-Mock-Scenario ${forced} was not served (got ${served})`
  }
  const ownError = served === MOCK_ERROR_ID
  if (ownError) {
    const { prefer, ...mine } = input.headers
    if (prefer === undefined && !Object.keys(mine).some((name) => name.startsWith('x-mock-'))) return 'a mock error with no X-Mock-* or Prefer header'
    if (status !== 400 || !/"type":"urn:konnect-invites-mock:problem:(mock-header|prefer)"/.test(body)) return `a mock error that is no 400 about a selector header: ${status}`
  }
  const scenario = served === 'default' || ownError ? undefined : catalogue.find(served)
  if (served !== 'default' && !ownError && scenario === undefined) return `unknown X-Mock-Scenario-Served "${served}"`
  if (scenario !== undefined && scenario.action !== 'default-behaviour') {
    if (status !== scenario.status) return `scenario ${served} answered ${status}, documented ${scenario.status}`
    const contract = contractOf(scenario.status, scenario.responseType)
    if (contract !== undefined) {
      const problems = checkContract(contract, JSON.parse(body))
      if (problems.length > 0) return `scenario ${served} breaks ${contract}: ${JSON.stringify(problems[0])}`
    }
    if (scenario.responseType !== undefined && !type.startsWith(scenario.responseType.split(';')[0]!)) return `scenario ${served} sent ${type}`
    return null
  }
  if (status === 201) return body === '' ? null : '201 with a body'
  if (status >= 500) return `a server error ${status} without a scenario asking for it`
  if (status < 400) return `unexpected status ${status}`
  if (!type.startsWith(PROBLEM_JSON)) return `${status} sent as ${type}`
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(body) as Record<string, unknown>
  } catch {
    return `${status} body is not JSON`
  }
  if ('statusCode' in parsed) return 'Fastify default error JSON'
  const problems = checkContract(contractForStatus[status] ?? 'BaseError', parsed)
  return problems.length === 0 ? null : `${status} breaks its contract: ${JSON.stringify(problems[0])}`
}

t.test('random bodies and headers always get 201, a schema-valid problem+json, or the scenario asked for', async (t) => {
  const statuses = new Map<number, number>()
  const served = new Set<string>()
  await fc.assert(fc.asyncProperty(request, async (input) => {
    const headers = Object.fromEntries(Object.entries(input.headers).filter(([, value]) => value !== undefined)) as Record<string, string>
    const res = await app.inject({ method: 'POST', url: input.url, headers, payload: input.body })
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    served.add(String(res.headers['x-mock-scenario-served']))
    const reason = violation(input, res.statusCode, res.headers, res.body)
    if (reason !== null) throw new Error(reason)
  }), { seed: SEED, numRuns: RUNS })
  t.equal([...statuses.values()].reduce((a, b) => a + b, 0), RUNS, `${RUNS} requests answered`)
  for (const status of [201, 400, 401, 415]) t.ok(statuses.has(status), `the inputs reached ${status}`)
  t.ok(served.size > 5, `the inputs chose scenarios too (${[...served].join(', ')})`)
  await assertHealthy(t, app)
})

t.test('the oracle itself rejects what it should', async (t) => {
  const input = { url: '/v3/invites', body: '{}', headers: {} } as Fuzzed
  t.equal(violation(input, 500, { 'content-type': PROBLEM_JSON, 'x-mock-scenario-served': 'default' }, '{}'), 'a server error 500 without a scenario asking for it')
  t.equal(violation(input, 400, { 'content-type': 'application/json', 'x-mock-scenario-served': 'default' }, '{}'), '400 sent as application/json')
  t.equal(violation(input, 400, { 'content-type': PROBLEM_JSON, 'x-mock-scenario-served': 'default' }, '{"statusCode":400}'), 'Fastify default error JSON')
  t.match(violation(input, 404, { 'content-type': PROBLEM_JSON, 'x-mock-scenario-served': 'default' }, '{"status":404}'), /breaks its contract/)
  t.equal(violation(input, 201, { 'x-mock-scenario-served': 'default' }, 'x'), '201 with a body')
  t.equal(violation({ ...input, headers: { 'x-mock-scenario': 'created' } }, 201, { 'x-mock-scenario-served': 'default' }, ''), 'X-Mock-Scenario created was not served (got default)')
  t.equal(violation(input, 409, { 'x-mock-scenario-served': 'rate-limited' }, '{}'), 'scenario rate-limited answered 409, documented 429')
  t.equal(violation(input, 400, { 'content-type': PROBLEM_JSON, 'x-mock-scenario-served': MOCK_ERROR_ID }, '{}'), 'a mock error with no X-Mock-* or Prefer header')
  t.equal(violation({ ...input, headers: { prefer: 'code=418' } }, 400, { 'content-type': PROBLEM_JSON, 'x-mock-scenario-served': MOCK_ERROR_ID }, '{"status":400}'), 'a mock error that is no 400 about a selector header: 400')
})
