/**
 * Scenario selection, first match wins: `X-Mock-Scenario`, then `Prefer`, then the session's sticky
 * scenario (`X-Mock-Session`), then the global one, then the default behaviour. Bad selector
 * headers answer a 400 problem listing what is valid.
 */
import { FORMATS, isSessionName } from '../contracts/formats.js'
import { truncate } from '../contracts/internal/text.js'
import { DELAY_HEADER, SCENARIO_HEADER, SESSION_HEADER } from '../contracts/headers.js'
import type { InvalidParameter } from '../contracts/schemas.js'
import { DEFAULT_ID, type Catalogue, type Scenario } from './catalogue.js'
import { badRequest, problemOutcome, type Outcome } from './outcome.js'
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

function invalidHeader (parameter: InvalidParameter, detail: string): Outcome {
  return problemOutcome(badRequest([parameter], detail), 'default')
}

function unknownChoice (header: string, given: string, choices: Array<string | number>, what: string): Outcome {
  const shown = truncate(given, 80)
  return invalidHeader(
    { field: header, rule: 'enum', reason: `must be one of the ${what}`, choices, source: 'header' },
    `Unknown ${what.replace(/s$/, '')} [${shown}]. Valid: ${choices.join(', ')}`
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
    if (catalogue.findStatus(status) === undefined) return unknownChoice('prefer', `code=${code}`, catalogue.statuses, 'status codes')
  }
  if (example === undefined) return catalogue.findStatus(status!)!
  const scenario = catalogue.findExample(example)
  if (scenario === undefined) return unknownChoice('prefer', example, catalogue.exampleNames, 'example names')
  if (status !== undefined && scenario.status !== status) {
    return invalidHeader(
      { field: 'prefer', rule: 'invalid', reason: `example "${example}" answers ${scenario.status}, not ${status}`, source: 'header' },
      `The example [${example}] does not answer with code [${status}]`
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
 * Chooses what answers an invite request. Returns an Outcome (a 400 problem) when a selector
 * header is invalid.
 * @example select({ 'x-mock-scenario': 'rate-limited' }, state, catalogue, 30000)
 */
export function select (headers: Headers, state: MockState, catalogue: Catalogue, maxDelayMs: number): Choice | Outcome {
  let delayMs: number | undefined
  const delayHeader = single(headers[DELAY_HEADER])
  if (delayHeader !== undefined) {
    if (!/^\s*\d{1,9}\s*$/.test(delayHeader)) {
      return invalidHeader({ field: DELAY_HEADER, rule: 'is_integer', reason: 'must be a whole number of milliseconds', source: 'header' },
        'X-Mock-Delay must be a whole number of milliseconds')
    }
    delayMs = Number(delayHeader)
    if (delayMs > maxDelayMs) {
      return invalidHeader({ field: DELAY_HEADER, rule: 'max', maximum: maxDelayMs, reason: `must be at most ${maxDelayMs}`, source: 'header' },
        `X-Mock-Delay must be at most ${maxDelayMs} milliseconds`)
    }
  }

  const forced = single(headers[SCENARIO_HEADER])?.trim()
  if (forced !== undefined && forced !== '') {
    if (forced === DEFAULT_ID) return { scenario: null, delayMs: delayMs ?? 0 }
    const scenario = catalogue.find(forced) ?? catalogue.findExample(forced)
    if (scenario === undefined) return unknownChoice(SCENARIO_HEADER, forced, [DEFAULT_ID, ...catalogue.ids], 'scenario ids')
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
    return invalidHeader({ field: SESSION_HEADER, rule: 'invalid', reason, source: 'header' }, `X-Mock-Session ${reason}`)
  }
  const sessionSticky = session === undefined ? undefined : state.sessions.get(session)
  if (sessionSticky !== undefined) return takeSticky(sessionSticky, () => state.sessions.delete(session!), delayMs, maxDelayMs)
  if (state.global !== null) return takeSticky(state.global, () => { state.global = null }, delayMs, maxDelayMs)
  return delayMs === undefined ? DEFAULT_CHOICE : { scenario: null, delayMs }
}

/** The most common choice, shared rather than made for each request. */
export const DEFAULT_CHOICE: Choice = Object.freeze({ scenario: null, delayMs: 0 })
