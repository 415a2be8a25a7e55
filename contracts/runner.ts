/**
 * The contract runner: checks any server that claims to implement `POST /v3/invites` against the
 * documented contract. Against this mock (it has `/__mock`) it drives every scenario of the
 * catalogue; against anything else it runs only the live-safe checks, which never invite anyone
 * unless asked to. Also reads the mock's coverage of the documented examples.
 */
import { randomBytes } from 'node:crypto'
import { request, type Dispatcher } from 'undici'
import { CoverageResponse, ScenarioListResponse, ViolationsResponse, type ListedScenario } from './admin.js'
import { checkAgainst, expectationFor, normalizeHeaders, preview, type ResponseViolation } from './assert.js'
import { ADMIN_TOKEN_HEADER, INVITES_PATH, SERVED_HEADER, SESSION_HEADER } from './headers.js'
import { documentedExamples } from './examples.js'
import { diffJson, type Json } from './openapi.js'
import { CUT_BODY_SCENARIO, scenarioExpectation } from './scenario-rule.js'
import { checkSchema } from './validate.js'
import { isEmail } from './formats.js'
import { truncate } from './internal/text.js'
import { parseJson } from './internal/json.js'
import type { Exchange } from './internal/exchange.js'

/** Delay asked of the `delay` scenario: enough to go through the delay path, short enough not to slow the run. */
const RUNNER_DELAY_MS = 10
/** The address the runner invites when a scenario needs one (never sent outside full mode). */
const RUNNER_EMAIL = 'contract-runner@example.com'
/** Token sent when none is given (any token is accepted by the mock unless it runs with --tokens). */
const DEFAULT_TOKEN = 'contract-runner'

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

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
}

/** The run could not happen at all: bad options, an unreachable server, a refused admin API. */
export class RunnerError extends Error {
  constructor (message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** A request got no answer (the connection was reset or closed); a violation for a check, fatal for an admin call. */
export class NoAnswerError extends RunnerError {
  constructor (message: string, readonly code: string) {
    super(message)
  }
}

interface Client {
  baseUrl: string
  /** Sends a request; a body that breaks off is no answer, unless `cutOk`, when the exchange says `cut`. */
  call: (method: Dispatcher.HttpMethod, path: string, headers: Record<string, string>, body?: string, cutOk?: boolean) => Promise<Exchange>
}

function client (baseUrl: string, dispatcher: Dispatcher | undefined): Client {
  let base: URL
  try {
    base = new URL(baseUrl)
  } catch {
    throw new RunnerError(`not a URL: ${baseUrl}`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new RunnerError(`not an http(s) URL: ${baseUrl}`)
  return {
    baseUrl: base.href.replace(/\/$/, ''),
    async call (method, path, headers, body, cutOk = false) {
      const url = new URL(path, base).href
      try {
        const response = await request(url, { method, headers, ...(body === undefined ? {} : { body }), ...(dispatcher === undefined ? {} : { dispatcher }) })
        const answer = { statusCode: response.statusCode, headers: normalizeHeaders(response.headers) }
        if (!cutOk) return { ...answer, text: await response.body.text() }
        return await response.body.text().then((text) => ({ ...answer, text }), (error: Error) => ({ ...answer, text: '', cut: error.message }))
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code
        if (code !== undefined && UNREACHABLE.has(code)) throw new RunnerError(`cannot reach ${base.origin}: ${code}`)
        throw new NoAnswerError(`no answer from ${method} ${url}: ${code ?? (error as Error).message}`, code ?? (error as Error).message)
      }
    }
  }
}

function adminHeaders (options: RunOptions): Record<string, string> {
  return options.adminToken === undefined ? {} : { [ADMIN_TOKEN_HEADER]: options.adminToken }
}

/** A GET on the admin API; a refusal by this mock (it marks every answer with X-Mock-Scenario-Served) needs the admin token. */
async function adminGet (http: Client, path: string, options: RunOptions): Promise<Exchange> {
  const answer = await http.call('GET', path, adminHeaders(options))
  if ((answer.statusCode === 401 || answer.statusCode === 403) && answer.headers[SERVED_HEADER] !== undefined) {
    throw new RunnerError(`the admin API at ${http.baseUrl}${path} answered ${answer.statusCode}: pass the mock's admin token (--admin-token)${path === '/__mock/health' ? ' or run with --live-safe' : ''}`)
  }
  return answer
}

/** The catalogue when the server is this mock, or undefined when it has no `/__mock`. */
async function detectMock (http: Client, options: RunOptions): Promise<ListedScenario[] | undefined> {
  const health = await adminGet(http, '/__mock/health', options)
  const healthBody = parseJson(health.text) as { status?: unknown } | undefined
  if (health.statusCode !== 200 || healthBody?.status !== 'ok') return undefined
  const listed = await adminGet(http, '/__mock/scenarios', options)
  const body = parseJson(listed.text)
  if (listed.statusCode !== 200 || checkSchema(ScenarioListResponse, body).length > 0) return undefined
  return (body as ScenarioListResponse).scenarios
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

async function runScenario (http: Client, scenario: ListedScenario, options: RunOptions, session: string): Promise<CheckReport> {
  const name = `scenario:${scenario.id}`
  const put = await http.call('PUT', '/__mock/scenario', { 'content-type': 'application/json', ...adminHeaders(options) },
    JSON.stringify({ id: scenario.id, session, times: 1, ...(scenario.delayMs === undefined ? {} : { delayMs: RUNNER_DELAY_MS }) }))
  if (put.statusCode !== 200) return finish(name, 0, [{ path: '/admin/scenario', expected: '200 from PUT /__mock/scenario', got: `${put.statusCode} ${preview(put.text)}` }])
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.token ?? DEFAULT_TOKEN}`, [SESSION_HEADER]: session }
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

async function runLiveCheck (http: Client, check: LiveCheck, options: RunOptions): Promise<CheckReport> {
  const name = `live:${check.name}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (check.anonymous !== true) headers.authorization = `Bearer ${options.token ?? DEFAULT_TOKEN}`
  const answer = await http.call('POST', INVITES_PATH, headers, check.body).catch(noAnswer)
  if (!('statusCode' in answer)) return finish(name, 0, [{ ...answer, expected: String(check.status) }])
  const violations = checkAgainst({ statusCode: answer.statusCode, headers: answer.headers, body: answer.text }, expectationFor(check.status))
  if (check.field !== undefined && answer.statusCode === check.status) violations.push(...fieldViolations(answer.text, check.field))
  return finish(name, answer.statusCode, violations)
}

async function runInvite (http: Client, email: string, options: RunOptions): Promise<CheckReport> {
  const name = 'live:invite'
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.token ?? DEFAULT_TOKEN}` }
  const answer = await http.call('POST', INVITES_PATH, headers, JSON.stringify({ email })).catch(noAnswer)
  if (!('statusCode' in answer)) return finish(name, 0, [{ ...answer, expected: '201 or 409' }])
  const response = { statusCode: answer.statusCode, headers: answer.headers, body: answer.text }
  if (answer.statusCode === 201) return finish(name, 201, checkAgainst(response, expectationFor(201)))
  if (answer.statusCode === 409) return finish(name, 409, checkAgainst(response, expectationFor('ConflictError')))
  return finish(name, answer.statusCode, [{ path: '/status', expected: '201 or 409', got: String(answer.statusCode) }])
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
  const scenarios = options.liveSafe === true ? undefined : await detectMock(http, options)
  // A mock passing invites to the real service is checked through: its own scenarios are not the point.
  const passThrough = scenarios === undefined ? undefined : await detectUpstream(http, options)
  const checks: CheckReport[] = []
  if (scenarios !== undefined && passThrough === undefined) {
    const run = randomBytes(4).toString('hex')
    // Ids are at most 64 characters of [a-z0-9._-], so every such name is one the mock accepts.
    for (const scenario of scenarios) checks.push(await runScenario(http, scenario, options, `contract-${run}-${scenario.id}`))
  }
  for (const check of liveChecks) checks.push(await runLiveCheck(http, check, options))
  if (options.inviteEmail !== undefined) checks.push(await runInvite(http, options.inviteEmail, options))
  if (passThrough !== undefined) checks.push(await upstreamViolations(http, options, passThrough))
  const mode = scenarios === undefined || passThrough !== undefined ? 'live-safe' : 'full'
  return { baseUrl: http.baseUrl, ...(passThrough === undefined ? {} : { upstream: passThrough.upstream }), mode, ok: checks.every((check) => check.ok), checks }
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
  const answer = await adminGet(http, '/__mock/coverage', { baseUrl, ...options })
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
