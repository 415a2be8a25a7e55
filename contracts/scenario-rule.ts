/**
 * The one rule a scenario's answer is held to, by the mock's start-up check and by the contract
 * runner alike: it conforms to the contract of its status (media type, headers and body), or it is a
 * declared fault, which must answer its status with its declared media type and a non-empty body.
 */
import { checkAgainst, expectationFor, mediaTypeOf, type Expectation, type ResponseLike, type ResponseViolation } from './assert.js'

/** The built-in fault whose body is cut short of its Content-Length: its answer is checked without a body. */
export const CUT_BODY_SCENARIO = 'truncated-body'

/** What the rule needs to know of a scenario. */
export interface ScenarioShape {
  status: number
  /** A deliberate fault (an HTML error page, a plain-text 5XX…), not held to the contract. */
  fault?: boolean | undefined
  /** The Content-Type a fault declares. */
  contentType?: string | undefined
}

/**
 * What a scenario's answer must be.
 * @example scenarioExpectation({ status: 502, fault: true, contentType: 'text/html' }) // { status: 502, mediaType: 'text/html', nonEmptyBody: true }
 */
export function scenarioExpectation (scenario: ScenarioShape): Expectation {
  if (scenario.fault !== true) return expectationFor(scenario.status)
  const mediaType = mediaTypeOf(scenario.contentType)
  // A fault that declares a media type declares a body; one without answers its status alone.
  return { status: scenario.status, ...(mediaType === undefined ? {} : { mediaType, nonEmptyBody: true }) }
}

/**
 * Every way an answer breaks the rule for its scenario.
 * @example scenarioViolations({ status: 409 }, { statusCode: 409, headers: { 'content-type': 'text/plain' }, body: 'taken' })[0].path // '/headers/content-type'
 */
export function scenarioViolations (scenario: ScenarioShape, answer: ResponseLike): ResponseViolation[] {
  return checkAgainst(answer, scenarioExpectation(scenario))
}
