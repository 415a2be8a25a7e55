/**
 * The kit against Kong's Go SDK: replays every case the Go suite printed (`SDKCASE {...}` lines) with
 * the kit's `inviteUser` on the same mock, from the same state, and fails with one line per case where
 * the two disagree (status, error class, decoded fields, attempts, waits). Then writes or checks the
 * published matrix, docs/sdk-conformance.md.
 *
 * Usage: node dist/sdk-suite/test/sdk/compare.js --cases <go test -v log> --sdk-version v0.50.0 --matrix <file> [--write]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Agent, type Dispatcher } from 'undici'
import {
  BadRequestError, ConflictError, ConnectionError, ContractViolationError, IncompleteAnswerError, RateLimitedError, SDKError,
  inviteUser, type InviteUserOptions
} from '../../contracts/index.js'

interface RetrySpec { initialMs: number, maxMs: number, exponent: number, maxElapsedMs: number, retryConnectionErrors: boolean }

/** One case as the Go suite ran it, and what the SDK gave. */
interface GoCase {
  case: string
  scenario: string
  mock: string
  email: string
  token: string | null
  headers?: Record<string, string>
  rawBody?: string
  global?: { id: string, times?: number }
  before?: number
  retry?: RetrySpec
  /** The answers' Retry-After is an HTTP-date 1 to 2 s ahead, at one-second resolution. */
  retryAfterDate?: boolean
  status: number
  type: string
  fields?: Record<string, unknown>
  error?: string
  attempts: number
  elapsedMs?: number
}

/** What the kit gave for the same case. */
interface KitOutcome {
  status: number
  type: string
  fields: Record<string, unknown> | undefined
  attempts: number
  /** Each wait before a retry, and the range the SDK's rule allows for it. */
  waits: { ms: number, low: number, high: number, wholeSecond?: boolean }[]
}

/** Each Go SDK outcome and the kit's class that must match it; `undefined`: the kit has no counterpart. */
const TYPE_TABLE: Readonly<Record<string, string | undefined>> = {
  success: 'success',
  BadRequestError: 'BadRequestError',
  ConflictError: 'ConflictError',
  RateLimited: 'RateLimitedError',
  // v0.50.0's InviteUser maps 401 and 403 to SDKError, as the kit does; a newer SDK with these types
  // would disagree here, and the run says so.
  UnauthorizedError: undefined,
  ForbiddenError: undefined,
  SDKError: 'SDKError',
  // An answer whose body the SDK cannot decode into its model; the kit checks the body and says where it breaks.
  DecodeError: 'ContractViolationError',
  ConnectionError: 'ConnectionError',
  // The answer's body cut short (the SDK reads it whole for any status but 201).
  BodyReadError: 'IncompleteAnswerError'
}

/**
 * Where the kit is stricter than the SDK by design: it checks each documented error body against its
 * contract and throws ContractViolationError when the body breaks it, where the SDK's models decode
 * what they can (a body missing required fields gives the typed error with empty fields) or fail to
 * decode (DecodeError). The kit then must still agree on the status and the attempts.
 */
const STRICTER: ReadonlySet<string> = new Set(['BadRequestError', 'ConflictError', 'RateLimited', 'DecodeError'])

/** The fields each SDK error model decodes; other fields of the body are not compared. */
const SDK_FIELDS: Readonly<Record<string, readonly string[]>> = {
  BadRequestError: ['status', 'title', 'type', 'instance', 'detail', 'invalid_parameters'],
  ConflictError: ['status', 'title', 'type', 'instance', 'detail'],
  RateLimited: ['status', 'title', 'instance', 'detail'],
  SDKError: ['message', 'body']
}

const MOCK_VARIABLES: Readonly<Record<string, string>> = {
  plain: 'MOCK_URL',
  strict: 'MOCK_URL_STRICT',
  custom: 'MOCK_URL_CUSTOM',
  'upstream-502': 'MOCK_URL_UPSTREAM_502',
  'upstream-504': 'MOCK_URL_UPSTREAM_504',
  'upstream-date': 'MOCK_URL_UPSTREAM_DATE'
}

const SDK_MESSAGES = ['unknown content-type received', 'API error occurred', 'unknown status code returned']
/** The kit's fixed seed for the backoff's jitter. */
const SEED = 24
/** Slack on the Go side's measured time for the requests themselves and the scheduler, in ms. */
const SLACK_MS = 400

/** Within 5 ms of a whole second (the clock moves a little between reading the header and the wait). */
const nearWholeSecond = (ms: number) => Math.min(ms % 1000, 1000 - (ms % 1000)) <= 5

const withoutTraceIds = (text: string) => text.replace(/konnect:trace:\d+/g, 'konnect:trace:<id>')

/** mulberry32: a small seeded generator, so the kit's jitter is the same on every run. */
function seeded (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** How long the answer's head, or a pause in its body, may take: the Go suite's bound on one request. */
const CALL_TIMEOUT_MS = 15_000

/**
 * The kit's requests for one case: bounded like the Go suite's, and with the case's raw body in place
 * of the kit's JSON when it has one, as the Go suite's RoundTripper does.
 */
class CaseAgent extends Agent {
  constructor (private readonly raw: string | undefined) { super({ headersTimeout: CALL_TIMEOUT_MS, bodyTimeout: CALL_TIMEOUT_MS }) }
  override dispatch (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return super.dispatch(this.raw === undefined ? options : { ...options, body: this.raw }, handler)
  }
}

function mockUrl (name: string): string {
  const url = process.env[MOCK_VARIABLES[name] ?? '']
  if (url === undefined || url === '') throw new Error(`${MOCK_VARIABLES[name] ?? name} is not set: run the suite with npm run test:sdk`)
  return url
}

async function admin (base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, base), {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  })
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status}`)
  const text = await response.text()
  return text === '' ? undefined : JSON.parse(text)
}

async function journalInvites (base: string): Promise<number> {
  const journal = await admin(base, 'GET', '/__mock/requests?method=POST') as { requests: { url: string }[] }
  return journal.requests.filter((entry) => entry.url.startsWith('/v3/invites')).length
}

function kitFields (error: unknown, goType: string): Record<string, unknown> | undefined {
  if (error instanceof SDKError) {
    return { message: SDK_MESSAGES.find((message) => error.message.startsWith(message)) ?? error.message, body: withoutTraceIds(error.body) }
  }
  if (error instanceof BadRequestError || error instanceof ConflictError || error instanceof RateLimitedError) {
    const body = JSON.parse(withoutTraceIds(JSON.stringify(error.body))) as Record<string, unknown>
    const kept = SDK_FIELDS[goType] ?? Object.keys(body)
    return Object.fromEntries(kept.filter((key) => key in body).map((key) => [key, body[key]]))
  }
  return undefined
}

/** The kit's class for an error; anything else it let escape is named as it came, so the run reports it. */
function kitType (error: unknown): string {
  for (const ErrorClass of [BadRequestError, ConflictError, RateLimitedError, SDKError, ContractViolationError, IncompleteAnswerError, ConnectionError]) {
    if (error instanceof ErrorClass) return ErrorClass.name
  }
  return `unmapped ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
}

/** Plays the case with the kit, from the same mock state the Go suite started from. */
async function replay (goCase: GoCase): Promise<KitOutcome> {
  const base = mockUrl(goCase.mock)
  await admin(base, 'POST', '/__mock/reset', {})
  if (goCase.global !== undefined) await admin(base, 'PUT', '/__mock/scenario', goCase.global)
  const options: InviteUserOptions = {
    baseUrl: base,
    token: goCase.token ?? undefined,
    email: goCase.email,
    headers: goCase.headers ?? {}
  }
  for (let i = 0; i < (goCase.before ?? 0); i++) await inviteUser(options)
  const waits: KitOutcome['waits'] = []
  const agent = new CaseAgent(goCase.rawBody)
  options.dispatcher = agent
  if (goCase.retry !== undefined) {
    const retry = goCase.retry
    // The clock runs with real time while a request is on the wire and skips each wait, as if it had passed.
    let slept = 0
    const now = () => Date.now() + slept
    let draws = 0
    const random = seeded(SEED)
    options.retries = {
      strategy: 'backoff',
      backoff: { initialIntervalMs: retry.initialMs, maxIntervalMs: retry.maxMs, exponent: retry.exponent, maxElapsedTimeMs: retry.maxElapsedMs },
      retryConnectionErrors: retry.retryConnectionErrors,
      now,
      random: () => { draws++; return random() },
      sleep: async (ms) => {
        // A wait drawn from the jitter may lie anywhere the SDK's rule allows; a header's wait is exact,
        // but for an HTTP-date, which ends on a whole second 1 to 2 s ahead whenever it is read.
        const base = retry.initialMs * (waits.length + 1) ** retry.exponent
        if (draws > 0) waits.push({ ms, low: Math.min(base * 0.75, retry.maxMs), high: Math.min(base * 1.25, retry.maxMs) })
        else if (goCase.retryAfterDate === true) waits.push({ ms, low: 1000, high: 2000, wholeSecond: nearWholeSecond(now() + ms) })
        else waits.push({ ms, low: ms, high: ms })
        draws = 0
        slept += ms
      }
    }
  }
  let outcome: Omit<KitOutcome, 'attempts' | 'waits'>
  try {
    const result = await inviteUser(options)
    outcome = { status: result.statusCode, type: 'success', fields: undefined }
  } catch (error) {
    outcome = {
      status: (error as { statusCode?: number }).statusCode ?? 0,
      type: kitType(error),
      fields: kitFields(error, goCase.type)
    }
  } finally {
    agent.destroy().catch(() => {})
  }
  const attempts = await journalInvites(base) - (goCase.before ?? 0)
  if (goCase.global !== undefined) await admin(base, 'DELETE', '/__mock/scenario')
  return { ...outcome, attempts, waits }
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === ''

/** A value with its keys sorted and its empty members (absent, null, '') left out, as one text. */
function canonicalValue (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue)
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value).filter(([, member]) => !isEmpty(member)).sort(([a], [b]) => a < b ? -1 : 1)
  return Object.fromEntries(entries.map(([key, member]) => [key, canonicalValue(member)]))
}

/** The fields the SDK decoded against the kit's, in one canonical text each. */
function canonical (fields: Record<string, unknown> | undefined, keys: readonly string[]): string {
  return JSON.stringify(canonicalValue(Object.fromEntries(keys.map((key) => [key, fields?.[key]]))))
}

/** Every way the kit's outcome disagrees with the SDK's, one line each. */
function disagreements (goCase: GoCase, kit: KitOutcome): string[] {
  const found: string[] = []
  const stricter = kit.type === 'ContractViolationError' && STRICTER.has(goCase.type)
  const expectedType = stricter ? kit.type : TYPE_TABLE[goCase.type]
  if (expectedType === undefined) found.push(`the SDK gave ${goCase.type}, which the kit has no class for`)
  else if (kit.type !== expectedType) found.push(`the SDK gave ${goCase.type}, so the kit should throw ${expectedType}, it gave ${kit.type}`)
  if (kit.status !== goCase.status) found.push(`status: the SDK saw ${goCase.status}, the kit ${kit.status}`)
  const keys = SDK_FIELDS[goCase.type]
  if (keys !== undefined && kit.type === expectedType && !stricter) {
    const sdk = canonical(goCase.fields, keys)
    const ours = canonical(kit.fields, keys)
    if (sdk !== ours) found.push(`fields: the SDK decoded ${sdk}, the kit ${ours}`)
  }
  if (kit.attempts !== goCase.attempts) found.push(`attempts: the SDK made ${goCase.attempts}, the kit ${kit.attempts}`)
  if (goCase.elapsedMs !== undefined) {
    const low = kit.waits.reduce((sum, wait) => sum + wait.low, 0)
    const high = kit.waits.reduce((sum, wait) => sum + wait.high, 0)
    const outside = kit.waits.find((wait) => wait.ms < wait.low || wait.ms > wait.high)
    if (kit.waits.some((wait) => wait.wholeSecond === false)) found.push('the kit\'s wait for an HTTP-date does not end on the whole second the date names')
    if (outside !== undefined) found.push(`the kit waited ${outside.ms} ms where the SDK's rule allows ${outside.low} to ${outside.high}`)
    if (goCase.elapsedMs < low || goCase.elapsedMs > high + SLACK_MS) {
      found.push(`waits: the kit's schedule [${kit.waits.map((wait) => Math.round(wait.ms)).join(', ')}] ms allows ${Math.round(low)} to ${Math.round(high)} ms in all, the SDK took ${goCase.elapsedMs} ms`)
    }
  }
  return found
}

/** The title with the detail (else the first reason) of a decoded problem; for an SDKError, its message and the same read from its body. */
function decodedSummary (fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return ''
  if (typeof fields.message === 'string') {
    let body: unknown
    try {
      body = JSON.parse(String(fields.body))
    } catch {}
    const problem = typeof body === 'object' && body !== null ? decodedSummary(body as Record<string, unknown>) : ''
    return problem === '' ? fields.message : `${fields.message}: ${problem}`
  }
  const reasons = Array.isArray(fields.invalid_parameters) ? fields.invalid_parameters as { reason?: unknown }[] : []
  const detail = [fields.detail, reasons[0]?.reason].find((text) => typeof text === 'string' && text !== '')
  return `${typeof fields.title === 'string' ? fields.title : ''}${detail === undefined ? '' : `: ${String(detail)}`}`
}

/** A table cell: one line, pipes escaped, and the suite's loopback ports (new on every run) left out. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>')

/** The published matrix: one row per case, in the order the Go suite ran them. */
function matrix (rows: { goCase: GoCase, kit: KitOutcome }[], sdkVersion: string): string {
  const lines = [
    '# Kong\'s Go SDK against the mock: the conformance matrix',
    '',
    `Made by \`npm run test:sdk\` with \`github.com/Kong/sdk-konnect-go\` ${sdkVersion}, the newest release the Go`,
    'module proxy serves to this project (v0.51.0 to v0.62.0 answer 403 there). Each row is one call of the',
    'SDK\'s `Invites.InviteUser` against the mock and the same call through the kit\'s `inviteUser`, which must',
    'agree on the status, the error class, every decoded field, the attempts and the waits (the kit with a',
    'fixed seed and a fake clock, the SDK measured). Regenerate with `npm run test:sdk -- --write`; the suite',
    'fails while this file differs from its run.',
    '',
    'A case is `scenario/<id>` (an `X-Mock-Scenario` of the catalogue), `custom/<id>` (test/sdk/scenarios.yaml),',
    '`default/…` (the default behaviour, some on a mock with `--tokens`, `--active-users` and `--rate-limit 1/h`),',
    '`upstream/…` (`--upstream` to a closed port, and to a server that never answers) or `retry/…` (the SDK\'s',
    '`retry.Config`; `retry/http-date` through `--upstream` to a server answering 429 with an HTTP-date).',
    'Status 0: no answer came. Retried: "off" when the call had no retry configuration.',
    'DecodeError: the SDK got the answer but its body did not decode into its model; BodyReadError: the body',
    'was cut short. "(stricter)": the kit checks each documented error body against its contract and throws',
    'ContractViolationError where the SDK decodes a body that lacks required fields into its typed error with',
    'those fields empty.',
    '',
    '| Case | Scenario | Status | Go SDK type | What the SDK decoded | Kit type | Retried? | Attempts |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const { goCase, kit } of rows) {
    const retried = goCase.retry === undefined ? 'off' : goCase.attempts > 1 ? 'yes' : 'no'
    const kitType = kit.type === 'ContractViolationError' && goCase.type !== 'DecodeError' ? `${kit.type} (stricter)` : kit.type
    const said = decodedSummary(goCase.fields)
    lines.push(`| ${cell(goCase.case)} | ${cell(goCase.scenario)} | ${goCase.status} | ${goCase.type} | ${cell(String(said))} | ${kitType} | ${retried} | ${goCase.attempts} |`)
  }
  return `${lines.join('\n')}\n`
}

/** The cases of a `go test -v` log, in order. */
function readCases (log: string): GoCase[] {
  return log.split('\n').filter((line) => line.startsWith('SDKCASE ')).map((line) => JSON.parse(line.slice('SDKCASE '.length)) as GoCase)
}

async function main (): Promise<number> {
  const { values } = parseArgs({
    options: { cases: { type: 'string' }, 'sdk-version': { type: 'string' }, matrix: { type: 'string' }, write: { type: 'boolean', default: false } }
  })
  if (values.cases === undefined || values['sdk-version'] === undefined || values.matrix === undefined) {
    console.error('compare: --cases <go test -v log>, --sdk-version and --matrix <file> are required')
    return 2
  }
  const cases = readCases(readFileSync(values.cases, 'utf8'))
  if (cases.length === 0) {
    console.error('compare: the Go suite printed no SDKCASE line')
    return 1
  }
  const rows: { goCase: GoCase, kit: KitOutcome }[] = []
  let failed = 0
  for (const goCase of cases) {
    const kit = await replay(goCase)
    rows.push({ goCase, kit })
    if (goCase.elapsedMs !== undefined) {
      console.log(`test:sdk: ${goCase.case}: ${goCase.attempts} attempt${goCase.attempts === 1 ? '' : 's'}; the SDK took ${goCase.elapsedMs} ms, the kit waited [${kit.waits.map((wait) => Math.round(wait.ms)).join(', ')}] ms`)
    }
    for (const line of disagreements(goCase, kit)) {
      console.error(`test:sdk: ${goCase.case}: ${line}`)
      failed++
    }
  }
  console.log(`test:sdk: ${cases.length} cases, the kit and the SDK ${failed === 0 ? 'agree on every one' : `disagree ${failed} times`}`)
  const produced = matrix(rows, values['sdk-version'])
  if (values.write) {
    writeFileSync(values.matrix, produced)
    console.log(`test:sdk: wrote ${values.matrix}`)
  } else {
    let committed = ''
    try {
      committed = readFileSync(values.matrix, 'utf8')
    } catch {}
    if (committed !== produced) {
      // The matrix is a table: the rows only one side has say what changed.
      const before = new Set(committed.split('\n'))
      const after = new Set(produced.split('\n'))
      const changed = [
        ...[...before].filter((line) => !after.has(line)).map((line) => `- ${line}`),
        ...[...after].filter((line) => !before.has(line)).map((line) => `+ ${line}`)
      ]
      for (const line of changed.slice(0, 20)) console.error(`test:sdk: ${line}`)
      if (changed.length > 20) console.error(`test:sdk: … and ${changed.length - 20} more lines`)
      console.error(`test:sdk: ${values.matrix} differs from this run; if the change is meant, regenerate it with npm run test:sdk -- --write`)
      failed++
    }
  }
  return failed === 0 ? 0 : 1
}

process.exitCode = await main()
