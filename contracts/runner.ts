/**
 * The contract runner: checks any server that claims to implement `POST /v3/invites` against the
 * documented contract. Against this mock (it has `/__mock`) it drives every scenario of the
 * catalogue; against anything else it runs only the live-safe checks, which never invite anyone
 * unless asked to. Also reads the mock's coverage of the documented examples.
 */
import { randomBytes } from 'node:crypto'
import type { Dispatcher } from 'undici'
import { CoverageResponse, ScenarioListResponse, ViolationsResponse, type ActiveScenarios, type ListedScenario } from './admin.js'
import { checkAgainst, expectationFor, preview, type ResponseViolation } from './assert.js'
import { DEFAULT_ID, INVITES_PATH, SCENARIO_HEADER, SERVED_HEADER, SESSION_HEADER, UPSTREAM_ID } from './headers.js'
import { documentedExamples } from './examples.js'
import { diffJson, type Json } from './openapi.js'
import { CUT_BODY_SCENARIO, scenarioExpectation } from './scenario-rule.js'
import { checkSchema } from './validate.js'
import { isEmail } from './formats.js'
import { truncate } from './internal/text.js'
import { parseJson } from './internal/json.js'
import type { Exchange } from './internal/exchange.js'
import { adminGet, adminHeaders, client, NoAnswerError, RunnerError, type Client } from './internal/http.js'

export { NoAnswerError, RunnerError } from './internal/http.js'

/** Delay asked of the `delay` scenario: enough to go through the delay path, short enough not to slow the run. */
const RUNNER_DELAY_MS = 10
/** The address the runner invites when a scenario needs one (never sent outside full mode). */
const RUNNER_EMAIL = 'contract-runner@example.com'
/** Token sent when none is given (any token is accepted by the mock unless it runs with --tokens). */
const DEFAULT_TOKEN = 'contract-runner'

export interface RunOptions {
  /** The server to check, e.g. `http://127.0.0.1:8080` or `https://global.api.konghq.com`. */
  baseUrl: string
  /** Bearer token for the checks that need one (default `contract-runner`, fine for this mock). */
  token?: string | undefined
  /** Send one real invite to this address (expects 201 or a 409 ConflictError). */
  inviteEmail?: string | undefined
  /** Run only the live-safe checks, and never call `/__mock`, even on this mock. */
  liveSafe?: boolean | undefined
  /** `X-Mock-Admin-Token` for the mock's admin API, when it requires one. */
  adminToken?: string | undefined
  /** Route every request through this undici Dispatcher. */
  dispatcher?: Dispatcher | undefined
}

/** A violation as the runner reports it: which check, what status came back, and where it broke. */
export interface RunViolation extends ResponseViolation {
  check: string
  /** The status received (0 when no answer came). */
  status: number
}

export interface CheckReport {
  name: string
  /** The status received (0 when no answer came). */
  status: number
  ok: boolean
  violations: RunViolation[]
}

export interface RunReport {
  baseUrl: string
  /** The real service behind the mock (`--upstream`), whose answers the live-safe checks went to. */
  upstream?: string
  /** `full` when the catalogue was driven through `/__mock`, `live-safe` otherwise. */
  mode: 'full' | 'live-safe'
  ok: boolean
  checks: CheckReport[]
  /** State the runner found on this mock and kept out of its verdicts, one sentence each. */
  notes?: string[]
}

/** The catalogue and what is active, when the server is this mock; undefined when it has no `/__mock`. */
async function detectMock (http: Client, options: RunOptions): Promise<ScenarioListResponse | undefined> {
  const health = await adminGet(http, '/__mock/health', options)
  const healthBody = parseJson(health.text) as { status?: unknown } | undefined
  if (health.statusCode !== 200 || healthBody?.status !== 'ok') return undefined
  const listed = await adminGet(http, '/__mock/scenarios', options)
  const body = parseJson(listed.text)
  if (listed.statusCode !== 200 || checkSchema(ScenarioListResponse, body).length > 0) return undefined
  return body as ScenarioListResponse
}

/**
 * How the checks of one run talk to the server: the token each sends, the headers a check of the
 * default behaviour adds, and the `X-Mock-Scenario-Served` values its answer may carry.
 */
interface Plan {
  token: (check: string) => string
  force: Record<string, string>
  /** The served values a default-behaviour answer may carry (an answer without the header is not this mock's). */
  served: readonly string[]
}

/** The plan for a server that is not known to be this mock: the given token, nothing forced. */
function plainPlan (options: RunOptions): Plan {
  return { token: () => options.token ?? DEFAULT_TOKEN, force: {}, served: [DEFAULT_ID, UPSTREAM_ID] }
}

/** What is active on the mock, in words: the global scenario, the sessions that have one. */
function activeState (active: ActiveScenarios): { global?: string, sessions?: string } {
  const state: { global?: string, sessions?: string } = {}
  if (active.global !== null) state.global = `a global scenario (${active.global.id}) is active`
  if (active.totalSessions > 0) state.sessions = `${active.totalSessions} session${active.totalSessions === 1 ? ' has' : 's have'} a scenario`
  return state
}

/**
 * One invite of the default behaviour with `token` and a body the service refuses: how the mock
 * treats that token. A server that gives it no answer has told nothing about tokens: undefined.
 */
async function probe (http: Client, token: string): Promise<Exchange | undefined> {
  return await http.call('POST', INVITES_PATH, { 'content-type': 'application/json', authorization: `Bearer ${token}`, [SCENARIO_HEADER]: DEFAULT_ID }, '{}')
    .catch((error: unknown) => { noAnswer(error); return undefined })
}

/**
 * The plan against this mock, whatever a demo or a test left on it: every check of the default
 * behaviour forces it (`X-Mock-Scenario: default`), so no global scenario answers in its place
 * (sessions set by others never apply to the runner's own); each check sends a token of its own
 * when the mock accepts any, so no rate window is shared; with `--tokens`, the given token must be
 * one of them and have room for the checks. Throws a RunnerError of one line naming the state
 * when the checks could not give a sound verdict.
 */
async function mockPlan (http: Client, options: RunOptions, run: string, active: ActiveScenarios, defaultRequests: number, notes: string[]): Promise<Plan> {
  const state = activeState(active)
  if (state.global !== undefined) notes.push(`${state.global} on the mock: the checks of the default behaviour send X-Mock-Scenario: default`)
  if (state.sessions !== undefined) notes.push(`${state.sessions} on the mock: the runner's checks use fresh sessions of their own`)
  const plan: Plan = { token: (check) => `contract-runner-${run}-${check}`, force: { [SCENARIO_HEADER]: DEFAULT_ID }, served: [DEFAULT_ID] }
  const fresh = await probe(http, plan.token('probe'))
  if (fresh?.statusCode !== 401) {
    if (fresh?.headers['ratelimit-limit'] !== undefined) notes.push(`the mock rate-limits each token (RateLimit-Limit ${fresh.headers['ratelimit-limit']}): each check sends a token of its own`)
    return plan
  }
  const token = options.token
  if (token === undefined) throw new RunnerError(`the mock at ${http.baseUrl} accepts only the tokens of its --tokens list: pass one with --token`)
  const given = await probe(http, token)
  if (given?.statusCode === 401) throw new RunnerError(`the mock at ${http.baseUrl} accepts only the tokens of its --tokens list, and the --token given is not one of them`)
  const remaining = given?.headers['ratelimit-remaining']
  if (remaining !== undefined && Number(remaining) < defaultRequests) {
    // The mock sends RateLimit-Limit and RateLimit-Reset with RateLimit-Remaining.
    throw new RunnerError(`the mock at ${http.baseUrl} accepts only its --tokens and rate-limits each (RateLimit-Limit ${given!.headers['ratelimit-limit']!}): ` +
      `the --token given may send ${remaining} more, the checks need ${defaultRequests}; wait ${given!.headers['ratelimit-reset']!} s, or restart the mock without --rate-limit`)
  }
  notes.push('the mock accepts only its --tokens: every check sends the --token given')
  return { ...plan, token: () => token }
}

/**
 * Why a default-behaviour answer is not what its check expects, when the mock's state says so:
 * another scenario answered, the rate limit refused the token, or the token is not accepted.
 */
function stateViolations (answer: Exchange, plan: Plan, expected: number): ResponseViolation[] {
  const served = answer.headers[SERVED_HEADER]
  if (served === undefined) return []
  if (!plan.served.includes(served)) {
    return [{ path: `/headers/${SERVED_HEADER}`, expected: `${plan.served.join(' or ')} (the default behaviour)`, got: `${preview(served)}: a scenario active on the mock answered instead (clear it with DELETE /__mock/scenario or POST /__mock/reset)` }]
  }
  // No check of the default behaviour expects a 429: one is the rate limit refusing the token.
  if (answer.statusCode === 429) {
    return [{ path: '/headers/ratelimit-remaining', expected: 'a request within the rate limit', got: `${preview(answer.headers['ratelimit-remaining'])}: the mock's --rate-limit refused this token (Retry-After ${preview(answer.headers['retry-after'])} s)` }]
  }
  if (answer.statusCode === 401 && expected !== 401) {
    return [{ path: '/headers/authorization', expected: 'a token the mock accepts', got: 'refused: the mock accepts only its --tokens; pass one with --token' }]
  }
  return []
}

async function readViolations (http: Client, options: RunOptions, after: number): Promise<ViolationsResponse | undefined> {
  const answer = await adminGet(http, `/__mock/violations?after=${after}`, options)
  const body = parseJson(answer.text)
  return answer.statusCode === 200 && checkSchema(ViolationsResponse, body).length === 0 ? body as ViolationsResponse : undefined
}

/** The upstream of a mock passing invites through, and the last violation seen before the run. */
async function detectUpstream (http: Client, options: RunOptions): Promise<{ upstream: string, after: number } | undefined> {
  const report = await readViolations(http, options, 0)
  if (report?.upstream === null || report === undefined) return undefined
  return { upstream: report.upstream, after: report.total }
}

/** The violations the mock found in the upstream's answers during the run, reported as the runner's own. */
async function upstreamViolations (http: Client, options: RunOptions, since: { after: number }): Promise<CheckReport> {
  const report = await readViolations(http, options, since.after)
  if (report === undefined) return finish('upstream', 0, [{ path: '/admin/violations', expected: 'a report from GET /__mock/violations', got: 'none' }])
  const violations = report.violations.flatMap((entry) => entry.violations.map((violation) => ({ check: 'upstream', status: entry.status, ...violation })))
  return { name: 'upstream', status: 0, ok: violations.length === 0, violations }
}

const knownExamples = documentedExamples

function documentedBodyViolations (scenario: ListedScenario, text: string): ResponseViolation[] {
  if (scenario.kind === 'custom') return []
  const example = knownExamples.find((candidate) => candidate.name === scenario.example && candidate.status === scenario.status)
  const body = parseJson(text)
  if (example === undefined || body === undefined) return []
  return diffJson(example.value as Json, body as Json, { keyOrder: true }, '/body').filter((difference) => difference.path !== '/body/instance')
}

function finish (name: string, status: number, violations: ResponseViolation[]): CheckReport {
  return { name, status, ok: violations.length === 0, violations: violations.map((violation) => ({ check: name, status, ...violation })) }
}

function noAnswer (error: unknown): Exchange | ResponseViolation {
  if (!(error instanceof NoAnswerError)) throw error
  return { path: '/status', expected: 'an answer', got: `no answer (${error.code})` }
}

async function runScenario (http: Client, scenario: ListedScenario, options: RunOptions, session: string, plan: Plan): Promise<CheckReport> {
  const name = `scenario:${scenario.id}`
  const put = await http.call('PUT', '/__mock/scenario', { 'content-type': 'application/json', ...adminHeaders(options) },
    JSON.stringify({ id: scenario.id, session, times: 1, ...(scenario.delayMs === undefined ? {} : { delayMs: RUNNER_DELAY_MS }) }))
  if (put.statusCode !== 200) return finish(name, 0, [{ path: '/admin/scenario', expected: '200 from PUT /__mock/scenario', got: `${put.statusCode} ${preview(put.text)}` }])
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${plan.token(name)}`, [SESSION_HEADER]: session }
  const cuts = scenario.kind !== 'custom' && scenario.id === CUT_BODY_SCENARIO
  const answer = await http.call('POST', INVITES_PATH, headers, JSON.stringify({ email: RUNNER_EMAIL }), cuts).catch(noAnswer)
  if (!('statusCode' in answer)) {
    return finish(name, 0, scenario.status === 0 ? [] : [{ ...answer, expected: String(scenario.status) }])
  }
  if (scenario.status === 0) {
    return finish(name, answer.statusCode, [{ path: '/status', expected: 'no answer (the connection closes first)', got: String(answer.statusCode) }])
  }
  const response = { statusCode: answer.statusCode, headers: answer.headers, body: answer.text }
  // A cut body is checked by its status and media type: what arrived of it is not a document.
  const violations = checkAgainst(response, { ...scenarioExpectation(scenario), ...(cuts ? { nonEmptyBody: false } : {}) })
  if (cuts && answer.cut === undefined) {
    violations.push({ path: '/body', expected: 'a body cut short of its Content-Length', got: `the whole body (${Buffer.byteLength(answer.text)} bytes)` })
  }
  if (answer.headers[SERVED_HEADER] !== scenario.id) {
    violations.push({ path: `/headers/${SERVED_HEADER}`, expected: scenario.id, got: preview(answer.headers[SERVED_HEADER]) })
  }
  if (answer.statusCode === scenario.status) violations.push(...documentedBodyViolations(scenario, answer.text))
  return finish(name, answer.statusCode, violations)
}

interface LiveCheck {
  name: string
  body: string
  status: number
  /** The field an `invalid_parameters` item must name. */
  field?: string
  anonymous?: boolean
}

const liveChecks: readonly LiveCheck[] = [
  { name: 'no-token', body: JSON.stringify({ email: RUNNER_EMAIL }), status: 401, anonymous: true },
  { name: 'missing-email', body: '{}', status: 400, field: 'email' },
  { name: 'blank-email', body: '{"email":""}', status: 400, field: 'email' },
  { name: 'invalid-email', body: '{"email":"not-an-email"}', status: 400, field: 'email' },
  { name: 'malformed-json', body: '{"email":', status: 400, field: 'body' },
  { name: 'array-body', body: JSON.stringify([{ email: RUNNER_EMAIL }]), status: 400, field: 'body' }
]

function fieldViolations (text: string, field: string): ResponseViolation[] {
  const items = (parseJson(text) as { invalid_parameters?: unknown } | undefined)?.invalid_parameters
  if (!Array.isArray(items)) return []
  const fields = items.map((item) => (item as { field?: unknown } | null)?.field)
  if (fields.includes(field)) return []
  return [{ path: '/body/invalid_parameters', expected: `an item with field ${JSON.stringify(field)}`, got: `fields ${preview(fields)}` }]
}

async function runLiveCheck (http: Client, check: LiveCheck, plan: Plan): Promise<CheckReport> {
  const name = `live:${check.name}`
  const headers: Record<string, string> = { 'content-type': 'application/json', ...plan.force }
  if (check.anonymous !== true) headers.authorization = `Bearer ${plan.token(name)}`
  const answer = await http.call('POST', INVITES_PATH, headers, check.body).catch(noAnswer)
  if (!('statusCode' in answer)) return finish(name, 0, [{ ...answer, expected: String(check.status) }])
  const violations = checkAgainst({ statusCode: answer.statusCode, headers: answer.headers, body: answer.text }, expectationFor(check.status))
  if (check.field !== undefined && answer.statusCode === check.status) violations.push(...fieldViolations(answer.text, check.field))
  violations.push(...stateViolations(answer, plan, check.status))
  return finish(name, answer.statusCode, violations)
}

async function runInvite (http: Client, email: string, plan: Plan): Promise<CheckReport> {
  const name = 'live:invite'
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${plan.token(name)}`, ...plan.force }
  const answer = await http.call('POST', INVITES_PATH, headers, JSON.stringify({ email })).catch(noAnswer)
  if (!('statusCode' in answer)) return finish(name, 0, [{ ...answer, expected: '201 or 409' }])
  const response = { statusCode: answer.statusCode, headers: answer.headers, body: answer.text }
  const state = stateViolations(answer, plan, answer.statusCode === 409 ? 409 : 201)
  if (answer.statusCode === 201) return finish(name, 201, [...checkAgainst(response, expectationFor(201)), ...state])
  if (answer.statusCode === 409) return finish(name, 409, [...checkAgainst(response, expectationFor('ConflictError')), ...state])
  return finish(name, answer.statusCode, [{ path: '/status', expected: '201 or 409', got: String(answer.statusCode) }, ...state])
}

/**
 * Runs the contract checks against a server and reports every check and every violation. Throws a
 * RunnerError when the run cannot happen (bad URL, unreachable server, admin API refused).
 * @example
 * const report = await runContract({ baseUrl: 'http://127.0.0.1:8080' })
 * report.mode // 'full'
 * report.checks.filter((check) => !check.ok) // []
 */
export async function runContract (options: RunOptions): Promise<RunReport> {
  if (options.inviteEmail !== undefined && !isEmail(options.inviteEmail)) {
    throw new RunnerError(`inviteEmail: "${truncate(options.inviteEmail, 80)}" is not an email address the service accepts`)
  }
  const http = client(options.baseUrl, options.dispatcher)
  const mock = options.liveSafe === true ? undefined : await detectMock(http, options)
  // A mock passing invites to the real service is checked through: its own scenarios are not the point.
  const passThrough = mock === undefined ? undefined : await detectUpstream(http, options)
  const checks: CheckReport[] = []
  const notes: string[] = []
  let plan = plainPlan(options)
  if (mock !== undefined && passThrough !== undefined) {
    if (mock.active.global !== null) {
      throw new RunnerError(`the mock at ${http.baseUrl} has a global scenario (${mock.active.global.id}) active, which answers in place of its upstream: clear it (DELETE /__mock/scenario) before checking through it`)
    }
    plan = { ...plan, served: [UPSTREAM_ID] }
  }
  if (mock !== undefined && passThrough === undefined) {
    const run = randomBytes(4).toString('hex')
    // The requests that go through the default behaviour, and so through the rate limit: the live
    // checks with a token, the real invite, and the scenarios that delay it (a fault's delayMs is
    // its own pace, not the default behaviour's).
    const defaultRequests = liveChecks.filter((check) => check.anonymous !== true).length + (options.inviteEmail === undefined ? 0 : 1) +
      mock.scenarios.filter((scenario) => scenario.delayMs !== undefined && scenario.fault !== true).length
    plan = await mockPlan(http, options, run, mock.active, defaultRequests, notes)
    // Ids are at most 64 characters of [a-z0-9._-], so every such name is one the mock accepts.
    for (const scenario of mock.scenarios) checks.push(await runScenario(http, scenario, options, `contract-${run}-${scenario.id}`, plan))
  }
  for (const check of liveChecks) checks.push(await runLiveCheck(http, check, plan))
  if (options.inviteEmail !== undefined) checks.push(await runInvite(http, options.inviteEmail, plan))
  if (passThrough !== undefined) checks.push(await upstreamViolations(http, options, passThrough))
  const mode = mock === undefined || passThrough !== undefined ? 'live-safe' : 'full'
  return {
    baseUrl: http.baseUrl,
    ...(passThrough === undefined ? {} : { upstream: passThrough.upstream }),
    mode,
    ok: checks.every((check) => check.ok),
    checks,
    ...(notes.length === 0 ? {} : { notes })
  }
}

export interface CoverageExample { name: string, status: number, scenario: string, served: number }

export interface CoverageReport extends CoverageResponse {
  /** Documented examples served at least once. */
  exercised: CoverageExample[]
  /** Documented examples never served: the error paths no test exercised. */
  missing: CoverageExample[]
}

/**
 * Reads which scenarios and documented examples the mock has served since its last reset.
 * @example
 * const coverage = await readCoverage('http://127.0.0.1:8080')
 * coverage.missing.map((example) => example.name) // ['Password Complexity', …]
 */
export async function readCoverage (baseUrl: string, options: { adminToken?: string | undefined, dispatcher?: Dispatcher | undefined } = {}): Promise<CoverageReport> {
  const http = client(baseUrl, options.dispatcher)
  const answer = await adminGet(http, '/__mock/coverage', options)
  const body = parseJson(answer.text)
  if (answer.statusCode !== 200 || checkSchema(CoverageResponse, body).length > 0) {
    throw new RunnerError(`${http.baseUrl}/__mock/coverage answered ${answer.statusCode} without a coverage report: is it this mock, with its admin API on?`)
  }
  const coverage = body as CoverageResponse
  return {
    ...coverage,
    exercised: coverage.examples.filter((example) => example.served > 0),
    missing: coverage.examples.filter((example) => example.served === 0)
  }
}
