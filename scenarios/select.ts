/**
 * Scenario selection, first match wins: `X-Mock-Scenario`, then `Prefer`, then the session's sticky
 * scenario (`X-Mock-Session`), then the global one, then the default behaviour. A bad selector
 * header is a mistake about the mock's own controls: a 400 problem of the mock's (served as
 * `mock-error`, never a scenario) saying which header, what it holds and what is valid.
 */
import { FORMATS, isSessionName } from '../contracts/formats.js'
import { truncate } from '../contracts/internal/text.js'
import { DELAY_HEADER, SCENARIO_HEADER, SESSION_HEADER } from '../contracts/headers.js'
import type { InvalidParameter } from '../contracts/schemas.js'
import type { Catalogue, Scenario } from './catalogue.js'
import { DEFAULT_ID } from '../contracts/headers.js'
import { didYouMean } from '../contracts/internal/suggest.js'
import { badRequest, mockProblemOutcome, type MockProblemKind, type Outcome } from './outcome.js'
import { nextStep, type MockState, type Sticky } from './state.js'

/** Default cap on `X-Mock-Delay` and `delayMs`, in milliseconds. */
export const DEFAULT_MAX_DELAY_MS = 30_000

/** What selection decided: a scenario, or `null` for the default behaviour. */
export interface Choice {
  scenario: Scenario | null
  delayMs: number
  /** The step of a sequence this answer is (from 1), of `steps`, when a sequence chose it. */
  step?: number
  steps?: number
}

type Headers = Record<string, string | string[] | undefined>

/** A header's value as one string; each header is read where it is used, so each read stays cheap. */
function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

function invalidHeader (parameter: InvalidParameter, detail: string, kind: MockProblemKind = 'mock-header'): Outcome {
  return mockProblemOutcome(kind, badRequest([parameter], detail))
}

/** `said` is what the header holds, as the message quotes it: `X-Mock-Scenario: "nope"`, `Prefer: code=418`. */
function unknownChoice (header: string, said: string, choices: Array<string | number>, what: string, near = ''): Outcome {
  return invalidHeader(
    { field: header, rule: 'enum', reason: `must be one of the ${what}`, choices, source: 'header' },
    `${said} names no ${what.replace(/s$/, '')} of this mock${near}. Valid: ${choices.join(', ')}`,
    header === 'prefer' ? 'prefer' : 'mock-header'
  )
}

/**
 * Parses a `Prefer` header into its preferences (lower-cased names, unquoted values).
 * @example parsePrefer('code=400, example="Cannot be Blank"') // Map { 'code' => '400', 'example' => 'Cannot be Blank' }
 */
export function parsePrefer (value: string): Map<string, string> {
  const preferences = new Map<string, string>()
  for (const match of value.matchAll(/([^=,;\s]+)[ \t]*(?:=[ \t]*("(?:[^"\\]|\\.)*"|[^,;]*))?/g)) {
    const name = match[1]!.toLowerCase()
    let raw = (match[2] ?? '').trim()
    if (raw.startsWith('"')) raw = raw.slice(1, -1).replace(/\\(.)/g, '$1')
    if (!preferences.has(name)) preferences.set(name, raw)
  }
  return preferences
}

function fromPrefer (value: string, catalogue: Catalogue): Scenario | Outcome | undefined {
  const preferences = parsePrefer(value)
  const example = preferences.get('example')
  const code = preferences.get('code')
  if (example === undefined && code === undefined) return undefined
  let status: number | undefined
  if (code !== undefined) {
    status = /^\d{3}$/.test(code) ? Number(code) : Number.NaN
    if (catalogue.findStatus(status) === undefined) return unknownChoice('prefer', `Prefer: code=${truncate(code, 80)}`, catalogue.statuses, 'status codes')
  }
  if (example === undefined) return catalogue.findStatus(status!)!
  const scenario = catalogue.findExample(example)
  if (scenario === undefined) return unknownChoice('prefer', `Prefer: example="${truncate(example, 80)}"`, catalogue.exampleNames, 'example names', didYouMean(example, catalogue.exampleNames))
  if (status !== undefined && scenario.status !== status) {
    return invalidHeader(
      { field: 'prefer', rule: 'invalid', reason: `example "${example}" answers ${scenario.status}, not ${status}`, source: 'header' },
      `Prefer: example="${example}" answers ${scenario.status}, not code=${status}: drop code or make them agree`,
      'prefer'
    )
  }
  return scenario
}

/** A scenario's own delay (the `delay` scenario's default, a custom `delayMs`), never over the cap. */
function ownDelay (scenario: Scenario | null, maxDelayMs: number): number {
  return Math.min(scenario?.delayMs ?? 0, maxDelayMs)
}

/**
 * The choice a sticky scenario makes for one request, spending one of its `times`: past the last,
 * a plain one is dropped and a sequence moves to its next step. Decided here, synchronously, so
 * concurrent requests each spend exactly one.
 */
function takeSticky (sticky: Sticky, drop: () => void, delayMs: number | undefined, maxDelayMs: number): Choice {
  const scenario = sticky.scenario
  const choice: Choice = { scenario, delayMs: delayMs ?? sticky.delayMs ?? ownDelay(scenario, maxDelayMs) }
  if (sticky.sequence !== undefined) {
    choice.step = sticky.step!
    choice.steps = sticky.sequence.length
  }
  // Every step of a sequence but the last has times, and the last has none: a sequence is never dropped.
  if (sticky.remaining !== undefined && --sticky.remaining <= 0) {
    if (sticky.sequence === undefined) drop()
    else nextStep(sticky)
  }
  return choice
}

/**
 * Chooses what answers an invite request. Returns an Outcome (a 400 problem of the mock's own)
 * when a selector header is invalid.
 * @example select({ 'x-mock-scenario': 'rate-limited' }, state, catalogue, 30000)
 */
export function select (headers: Headers, state: MockState, catalogue: Catalogue, maxDelayMs: number): Choice | Outcome {
  let delayMs: number | undefined
  const delayHeader = single(headers[DELAY_HEADER])
  if (delayHeader !== undefined) {
    if (!/^\s*\d{1,9}\s*$/.test(delayHeader)) {
      return invalidHeader({ field: DELAY_HEADER, rule: 'is_integer', reason: 'must be a whole number of milliseconds', source: 'header' },
        `X-Mock-Delay: "${truncate(delayHeader, 40)}" is not a whole number of milliseconds (0 to ${maxDelayMs})`)
    }
    delayMs = Number(delayHeader)
    if (delayMs > maxDelayMs) {
      return invalidHeader({ field: DELAY_HEADER, rule: 'max', maximum: maxDelayMs, reason: `must be at most ${maxDelayMs}`, source: 'header' },
        `X-Mock-Delay: ${delayMs} is over the cap of ${maxDelayMs} milliseconds (--max-delay)`)
    }
  }

  const forced = single(headers[SCENARIO_HEADER])?.trim()
  if (forced !== undefined && forced !== '') {
    if (forced === DEFAULT_ID) return { scenario: null, delayMs: delayMs ?? 0 }
    const scenario = catalogue.find(forced) ?? catalogue.findExample(forced)
    if (scenario === undefined) {
      const ids = [DEFAULT_ID, ...catalogue.ids]
      return unknownChoice(SCENARIO_HEADER, `X-Mock-Scenario: "${truncate(forced, 80)}"`, ids, 'scenario ids', didYouMean(forced, [...ids, ...catalogue.exampleNames]))
    }
    return { scenario, delayMs: delayMs ?? ownDelay(scenario, maxDelayMs) }
  }

  const prefer = single(headers.prefer)
  if (prefer !== undefined) {
    const preferred = fromPrefer(prefer, catalogue)
    if (preferred !== undefined) {
      if ('served' in preferred) return preferred
      return { scenario: preferred, delayMs: delayMs ?? ownDelay(preferred, maxDelayMs) }
    }
  }

  const session = single(headers[SESSION_HEADER])
  // An empty header names no session; anything else must be a name the admin API accepts.
  if (session !== undefined && session !== '' && !isSessionName(session)) {
    const reason = FORMATS['session-name'].reason
    return invalidHeader({ field: SESSION_HEADER, rule: 'invalid', reason, source: 'header' }, `X-Mock-Session: "${truncate(session, 80)}" is no session name: it ${reason}`)
  }
  const sessionSticky = session === undefined ? undefined : state.sessions.get(session)
  if (sessionSticky !== undefined) return takeSticky(sessionSticky, () => state.sessions.delete(session!), delayMs, maxDelayMs)
  if (state.global !== null) return takeSticky(state.global, () => { state.global = null }, delayMs, maxDelayMs)
  return delayMs === undefined ? DEFAULT_CHOICE : { scenario: null, delayMs }
}

/** The most common choice, shared rather than made for each request. */
export const DEFAULT_CHOICE: Choice = Object.freeze({ scenario: null, delayMs: 0 })
