/**
 * A scenario body, as `PUT /__mock/scenario` and the scenarios file's `global` and `sessions` give
 * it, made into a sticky scenario. Its schema checks types and bounds; the rules it cannot say are
 * checked here, once for both: `id` or `sequence` (never both), every id known, `times` on every
 * step of a sequence but the last (which stays, so it has none), delays under the cap.
 */
import { didYouMean } from '../contracts/internal/suggest.js'
import { truncate } from '../contracts/internal/text.js'
import type { InvalidParameter } from '../contracts/schemas.js'
import type { Catalogue } from './catalogue.js'
import { DEFAULT_ID } from '../contracts/headers.js'
import { sequenceSticky, type Sticky } from './state.js'

/** One scenario (`id`, `times`) or a sequence of steps; `delayMs` for every step without its own. */
export interface ScenarioBody {
  id?: string | undefined
  sequence?: ReadonlyArray<{ id: string, times?: number | undefined, delayMs?: number | undefined }> | undefined
  times?: number | undefined
  delayMs?: number | undefined
}

/** What is wrong with a scenario body: the parameter as Konnect lists it, and one line that names its path. */
interface BodyProblem {
  parameter: InvalidParameter
  detail: string
}

function wrong (field: string, rule: 'required' | 'invalid', reason: string, detail: string): BodyProblem {
  return { parameter: { field, rule, reason, source: 'body' }, detail }
}

function tooLong (field: string, delayMs: number | undefined, maxDelayMs: number): BodyProblem | undefined {
  if (delayMs === undefined || delayMs <= maxDelayMs) return undefined
  return { parameter: { field, rule: 'max', maximum: maxDelayMs, reason: `must be at most ${maxDelayMs}`, source: 'body' }, detail: `${field.replace(/\./g, '/')}: must be at most ${maxDelayMs} milliseconds` }
}

/**
 * What is wrong with a scenario body, or `undefined` when nothing is. `ids` are the scenarios that
 * exist (`default` always does); a path names a step by its index from 0, the detail by its number from 1.
 * @example checkScenarioBody({ sequence: [{ id: 'nope' }] }, ['rate-limited'], 30000)?.detail // 'sequence/0/id: unknown scenario "nope" (step 1)'
 */
export function checkScenarioBody (body: ScenarioBody, ids: readonly string[], maxDelayMs: number): BodyProblem | undefined {
  const { id, sequence, times, delayMs } = body
  const choices = [DEFAULT_ID, ...ids]
  if (sequence === undefined) {
    if (id === undefined) return wrong('id', 'required', 'is a required field (or give sequence)', 'Give id (one scenario) or sequence (a list of steps)')
    if (!choices.includes(id)) {
      return { parameter: { field: 'id', rule: 'enum', reason: 'must be one of the scenario ids', choices, source: 'body' }, detail: `no scenario has the id "${truncate(id, 80)}"${didYouMean(id, choices)}. Valid: ${choices.join(', ')}` }
    }
    return tooLong('delayMs', delayMs, maxDelayMs)
  }
  if (id !== undefined) return wrong('sequence', 'invalid', 'cannot be given with id', 'Give either id or sequence, not both')
  if (times !== undefined) return wrong('times', 'invalid', 'belongs to the steps of a sequence', 'times: give each step of a sequence its own times')
  const last = sequence.length - 1
  for (const [index, step] of sequence.entries()) {
    const at = `sequence.${index}`
    if (!choices.includes(step.id)) {
      return { parameter: { field: `${at}.id`, rule: 'enum', reason: 'must be one of the scenario ids', choices, source: 'body' }, detail: `sequence/${index}/id: unknown scenario "${truncate(step.id, 80)}" (step ${index + 1})${didYouMean(step.id, choices)}` }
    }
    if (index < last && step.times === undefined) {
      return wrong(`${at}.times`, 'required', 'is required on every step but the last', `sequence/${index}/times: step ${index + 1} of ${last + 1} needs times (only the last step stays)`)
    }
    if (index === last && step.times !== undefined) {
      return wrong(`${at}.times`, 'invalid', 'must be left out on the last step, which stays', `sequence/${index}/times: the last step stays until cleared, so it takes no times`)
    }
    const problem = tooLong(`${at}.delayMs`, step.delayMs, maxDelayMs)
    if (problem !== undefined) return problem
  }
  return tooLong('delayMs', delayMs, maxDelayMs)
}

/**
 * The sticky scenario a body checked by `checkScenarioBody` sets: a sequence starts at its first step.
 * @example stickyOf({ id: 'rate-limited', times: 2 }, catalogue) // { scenario: <rate-limited>, remaining: 2 }
 */
export function stickyOf (body: ScenarioBody, catalogue: Catalogue): Sticky {
  const { id, sequence, times, delayMs } = body
  const find = (scenarioId: string) => scenarioId === DEFAULT_ID ? null : catalogue.find(scenarioId)!
  if (sequence === undefined) {
    return { scenario: find(id!), ...(times === undefined ? {} : { remaining: times }), ...(delayMs === undefined ? {} : { delayMs }) }
  }
  return sequenceSticky(sequence.map((step) => ({ scenario: find(step.id), times: step.times, delayMs: step.delayMs ?? delayMs })))
}
