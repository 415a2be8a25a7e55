/**
 * The default behaviour, when no scenario is forced: act like the real service. Authentication,
 * then the token's rate window, then validation of the body, then the directory of users.
 */
import { inviteExamples, unauthorizedExample } from '../contracts/examples.js'
import { InviteUserRequest, type InvalidParameter } from '../contracts/schemas.js'
import { MAX_EMAIL_LENGTH } from '../contracts/limits.js'
import { compile } from '../contracts/validate.js'
import { badRequest, PROBLEM_TYPE, type Outcome } from './outcome.js'
import { jsonRenderer, type Renderer } from './render.js'
import { takeSlot, type RateLimit } from './rate-limit.js'
import type { MockState } from './state.js'
import { DEFAULT_ID } from '../contracts/headers.js'

/** Marks a body that is not JSON at all. */
export const MALFORMED = Symbol('malformed body')
/** The longest bearer token accepted. */
export const MAX_TOKEN_LENGTH = 4096

export interface BehaviourConfig {
  /** Accepted tokens; `null` accepts any non-empty bearer token. */
  tokens: ReadonlySet<string> | null
  rateLimit: RateLimit | null
}

export interface InviteRequest {
  authorization: string | undefined
  body: unknown
  now: number
}

const validInvite = compile(InviteUserRequest)
const example = (name: string) => inviteExamples.find((candidate) => candidate.name === name)!
const renderUnauthorized = jsonRenderer(unauthorizedExample.value)
const renderConflict = jsonRenderer(example('User is Already Active').value)
const renderRateLimited = jsonRenderer(example('Rate Limited').value)
const renderMalformed = jsonRenderer(example('Request Format is Invalid').value)
/** The 400 body of each validation failure, built on first use: validateInvite's reasons are fixed texts, one per failure. */
const invalidRenderers = new Map<string, Renderer>()

/**
 * Extracts the bearer token, or `undefined` when the header is missing or malformed.
 * @example bearerToken('Bearer kpat_abc') // 'kpat_abc'
 */
export function bearerToken (authorization: string | undefined): string | undefined {
  // A longer header cannot hold a token of at most MAX_TOKEN_LENGTH (scheme and blanks aside): no match tried.
  if (authorization === undefined || authorization.length > MAX_TOKEN_LENGTH + 64) return undefined
  const token = BEARER.exec(authorization)?.[1]
  return token === undefined || token.length > MAX_TOKEN_LENGTH ? undefined : token
}

/** `Bearer`, any case; spaces or tabs; the token (visible ASCII, as HTTP allows in a token); trailing blanks. */
const BEARER = /^bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i

/**
 * The Konnect-shaped problems of an invite body, or the email when it is valid.
 * @example validateInvite({ email: '' }) // [{ field: 'email', reason: 'cannot be blank' }]
 */
export function validateInvite (body: unknown): string | InvalidParameter[] | typeof MALFORMED {
  if (validInvite.Check(body)) return (body as InviteUserRequest).email
  if (body === MALFORMED || body === null || typeof body !== 'object' || Array.isArray(body)) return MALFORMED
  const email = (body as Record<string, unknown>).email
  if (email === undefined || email === null) return [{ field: 'email', reason: 'is a required field', rule: 'required', source: 'body' }]
  if (typeof email !== 'string') return [{ field: 'email', reason: 'must be a string', rule: 'is_string', source: 'body' }]
  if (email.trim() === '') return [{ field: 'email', reason: 'cannot be blank' }]
  if (email.length > MAX_EMAIL_LENGTH) {
    return [{ field: 'email', reason: `must not have more than ${MAX_EMAIL_LENGTH} characters`, rule: 'max_length', maximum: MAX_EMAIL_LENGTH, source: 'body' }]
  }
  return [{ field: 'email', reason: 'must be a valid email address', rule: 'invalid', source: 'body' }]
}

function rendered (status: number, example: string | undefined, render: Renderer, headers?: Record<string, string>): Outcome {
  return { status, served: DEFAULT_ID, example, headers, contentType: PROBLEM_TYPE, payload: render(), bytes: render.bytes }
}

/**
 * Answers an invite the way the real service would.
 * @example defaultBehaviour({ authorization: 'Bearer t', body: { email: 'a@b.co' }, now: Date.now() }, state, config).status // 201
 */
export function defaultBehaviour (request: InviteRequest, state: MockState, config: BehaviourConfig): Outcome {
  const token = bearerToken(request.authorization)
  if (token === undefined || (config.tokens !== null && !config.tokens.has(token))) {
    return rendered(401, unauthorizedExample.name, renderUnauthorized, { 'www-authenticate': 'Bearer' })
  }

  let headers: Record<string, string> | undefined
  if (config.rateLimit !== null) {
    const decision = takeSlot(state.rateWindow(token), config.rateLimit, request.now)
    headers = {
      'ratelimit-limit': String(decision.limit),
      'ratelimit-remaining': String(decision.remaining),
      'ratelimit-reset': String(decision.resetS)
    }
    if (!decision.allowed) return rendered(429, 'Rate Limited', renderRateLimited, { ...headers, 'retry-after': String(decision.resetS) })
  }

  const result = validateInvite(request.body)
  if (result === MALFORMED) return rendered(400, 'Request Format is Invalid', renderMalformed, headers)
  if (typeof result !== 'string') {
    const reason = result[0]!.reason
    let render = invalidRenderers.get(reason)
    if (render === undefined) {
      render = jsonRenderer(badRequest(result as [InvalidParameter]))
      invalidRenderers.set(reason, render)
    }
    return rendered(400, reason === 'cannot be blank' ? 'Cannot be Blank' : undefined, render, headers)
  }
  if (state.recordInvite(result, request.now) === null) return rendered(409, 'User is Already Active', renderConflict, headers)
  return headers === undefined ? CREATED : { status: 201, served: DEFAULT_ID, headers }
}

/** The answer to a valid invite without rate-limit headers: one shared, frozen outcome. */
const CREATED: Outcome = Object.freeze({ status: 201, served: DEFAULT_ID })
