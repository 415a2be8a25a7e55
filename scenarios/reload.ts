/**
 * The scenarios a mock serves from start-up (`--scenario`, a scenarios file's `global` and
 * `sessions`) made into sticky ones against a catalogue, and the active scenarios of a running mock
 * moved onto the catalogue of a reloaded scenarios file (`--watch`). Start-up and a reload share
 * `startupScenarios`, so both judge a file's starting scenarios by the same rules.
 */
import { FORMATS, isSessionName } from '../contracts/formats.js'
import { DEFAULT_ID } from '../contracts/headers.js'
import { ScenarioError, UnknownScenarioError, type Catalogue } from './catalogue.js'
import type { MockState, Sticky } from './state.js'
import { checkScenarioBody, stickyOf, type ScenarioBody } from './sticky.js'

/** What is served from start-up, and put back by a reset: the global scenario and the sessions'. */
export interface StartupScenarios {
  global: Sticky | null
  sessions: ReadonlyMap<string, Sticky>
}

/** Where the starting scenarios come from: `--scenario` (which wins over `global`) and a file's `global` and `sessions`. */
export interface StartupSource {
  scenario?: string | undefined
  global?: ScenarioBody | undefined
  sessions?: Readonly<Record<string, ScenarioBody>> | undefined
}

/**
 * The starting scenarios against `catalogue`. Throws a ScenarioError when one names an unknown id,
 * breaks a sequence's rules or a delay is over `maxDelayMs`, or a session name is not one.
 * @example startupScenarios(new Catalogue(), { global: { id: 'rate-limited', times: 2 } }, 30000).global?.remaining // 2
 */
export function startupScenarios (catalogue: Catalogue, source: StartupSource, maxDelayMs: number): StartupScenarios {
  const starting = (where: string, body: ScenarioBody): Sticky => {
    const problem = checkScenarioBody(body, catalogue.ids, maxDelayMs)
    if (problem !== undefined) throw new ScenarioError(body.id ?? body.sequence?.[0]?.id ?? '', [], `${where}: ${problem.detail}`)
    return stickyOf(body, catalogue)
  }
  let global = source.global === undefined ? null : starting('global', source.global)
  if (source.scenario !== undefined) {
    const scenario = source.scenario === DEFAULT_ID ? null : catalogue.find(source.scenario)
    if (scenario === undefined) throw new UnknownScenarioError(source.scenario, [DEFAULT_ID, ...catalogue.ids])
    global = scenario === null ? null : { scenario }
  }
  const sessions = new Map<string, Sticky>()
  for (const [name, body] of Object.entries(source.sessions ?? {})) {
    if (!isSessionName(name)) throw new ScenarioError('', [], `session "${name.slice(0, 80)}": the name ${FORMATS['session-name'].reason}`)
    sessions.set(name, starting(`session "${name}"`, body))
  }
  return { global, sessions }
}

/** An active scenario a reload cleared: where it was set (`global`, `session "x"`) and the id it named that is gone. */
export interface ClearedScenario {
  where: string
  id: string
}

/**
 * A sticky scenario on another catalogue: the same step, `remaining` and delays, each scenario the
 * one of the same id there. The id of the first scenario (current or of any step) it lacks otherwise.
 */
function moved (sticky: Sticky, catalogue: Catalogue): Sticky | { gone: string } {
  const ids = [sticky.scenario, ...(sticky.sequence ?? []).map((step) => step.scenario)].map((scenario) => scenario?.id ?? DEFAULT_ID)
  const gone = ids.find((id) => id !== DEFAULT_ID && catalogue.find(id) === undefined)
  if (gone !== undefined) return { gone }
  const find = (scenario: Sticky['scenario']) => scenario === null ? null : catalogue.find(scenario.id)!
  const copy: Sticky = { ...sticky, scenario: find(sticky.scenario) }
  if (sticky.sequence !== undefined) copy.sequence = sticky.sequence.map((step) => ({ ...step, scenario: find(step.scenario) }))
  return copy
}

/**
 * Puts a reloaded scenarios file in place in `state`, as at start-up: its starting scenarios become
 * what a reset puts back, its sessions' are served from their first step, and so is its global one
 * when `applyGlobal` (a file's `global` without `--scenario`). The other active scenarios stay, on
 * the new catalogue; one naming an id the catalogue lacks, in any step, is cleared and returned.
 * Everything is built before `state` changes, in one synchronous turn: no request sees a mix.
 * @example applyReload(state, new Catalogue(custom), startup, true) // [{ where: 'global', id: 'teapot' }]
 */
export function applyReload (state: MockState, catalogue: Catalogue, startup: StartupScenarios, applyGlobal: boolean): ClearedScenario[] {
  const cleared: ClearedScenario[] = []
  const keep = (where: string, sticky: Sticky): Sticky | null => {
    const result = moved(sticky, catalogue)
    if (!('gone' in result)) return result
    cleared.push({ where, id: result.gone })
    return null
  }
  const global = applyGlobal ? 'start' : state.global === null ? null : keep('global', state.global)
  const sessions = new Map<string, Sticky | 'start'>()
  for (const [name, sticky] of state.sessions) {
    const kept = startup.sessions.has(name) ? 'start' : keep(`session "${name}"`, sticky)
    if (kept !== null) sessions.set(name, kept)
  }
  for (const name of startup.sessions.keys()) sessions.set(name, 'start')
  state.replaceScenarios(startup, global, sessions)
  return cleared
}
