/**
 * The scenario catalogue: every documented example of `POST /v3/invites`, the other answers a
 * client must survive (401, 403, 5xx, an HTML error page, a reset connection) and the delay
 * modifier. Scenarios are data; `compileScenario` turns each into a ready-to-send answer once.
 */
import { forbiddenExamples, inviteExamples, unauthorizedExample } from '../contracts/examples.js'
import { contractForStatus, PROBLEM_JSON, type ContractName } from '../contracts/schemas.js'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import { checkContract, type Violation } from '../contracts/validate.js'
import { DEFAULT_ID, MOCK_ERROR_ID, SERVED_HEADER, UPSTREAM_ID } from '../contracts/headers.js'
import { kebab, truncate } from '../contracts/internal/text.js'
import { didYouMean } from '../contracts/internal/suggest.js'
import { fixedRenderer, jsonRenderer, wireType, type Renderer } from './render.js'
import { CUT_BODY_SCENARIO, scenarioViolations } from '../contracts/scenario-rule.js'
import type { TransportFaultKind } from './outcome.js'
import type { ScenarioKind } from '../contracts/admin.js'

/** Where a scenario comes from; the admin API's schema is the one definition. */
export type { ScenarioKind }

export interface ScenarioDefinition {
  id: string
  title: string
  status: number
  kind: ScenarioKind
  description: string
  /** The published example's name, for `Prefer: example="…"`. */
  example?: string
  headers?: Record<string, string>
  /** A JSON body (sent as problem+json unless `contentType` says otherwise). */
  body?: unknown
  /** A raw text body, sent as is. */
  text?: string
  contentType?: string
  /** What the scenario does instead of answering. */
  action?: 'connection-reset' | 'default-behaviour' | TransportFaultKind
  /** Delay applied when the scenario is chosen without an explicit delay (a slow body's drip, how long unfinished headers hold). */
  delayMs?: number
  /** A deliberate fault: not held to its status's contract, only to its status, media type and a non-empty body. */
  fault?: boolean
  /** When a client meets this answer from the real service, in one short sentence (the dashboard's card). */
  when?: string
  /** What the answer says, in words: derived from a JSON body's `detail` or reasons unless given (a fault's, say). */
  says?: string
  /** A caveat worth knowing before relying on the answer (the published example names a field an invite does not send). */
  note?: string
}

/** Served values that are no scenario's, so no scenario may take them as its id: what each marks. */
export const RESERVED_IDS: ReadonlyMap<string, string> = new Map([
  [DEFAULT_ID, 'the default behaviour'],
  [UPSTREAM_ID, 'answers passed through from --upstream'],
  [MOCK_ERROR_ID, 'the mock\'s own errors']
])
/** Delay used by the `delay` scenario when no delay is given with it. */
export const DEFAULT_DELAY_MS = 2000
/** How long `slow-body` drips its body when no delay is given with it. */
export const SLOW_BODY_MS = 2000
/** How long `headers-never-finish` holds the socket when no delay is given: the default cap on delays (a lower `--max-delay` caps it too). */
export const HEADERS_HOLD_MS = 30_000
/** `Retry-After` (seconds) advertised by the forced 429 and 503 scenarios: short, so retrying clients finish fast. */
export const FORCED_RETRY_AFTER_S = 1

/** When a client meets each documented answer, and what to know about its published example, by id. */
const documentedTexts: Readonly<Record<string, Pick<ScenarioDefinition, 'when' | 'note'>>> = {
  'request-format-is-invalid': { when: 'The body is not JSON, or not a JSON object.' },
  'cannot-be-blank': {
    when: 'A required field is sent empty, such as "email": "".',
    note: 'The published example names the field `name`; the mock\'s own check of a blank address names `email`.'
  },
  'invalid-id-format': {
    when: 'An ID in the request is not in the format the API expects.',
    note: 'The published example names `teamID`, a field of the team operations, not of an invite.'
  },
  'must-be-a-valid-uuid-v4': {
    when: 'An ID in the request is not a UUID v4.',
    note: 'The published example names `id`, which an invite does not send.'
  },
  'system-teams-cannot-be-modified': {
    when: 'The request would change a system team Konnect manages itself.',
    note: 'The published example names `teamID`, a field of the team operations, not of an invite.'
  },
  'password-complexity': {
    when: 'A new password is too weak: the API lists every rule it breaks.',
    note: 'The published example names `new_password`, a field of the user operations, not of an invite.'
  },
  'authentication-settings-cannot-be-all-disabled': {
    when: 'A change would turn off every way to log in to the organization.',
    note: 'The published example names `oidc_auth_enabled`, `basic_auth_enabled` and `saml_auth_enabled`, the authentication settings\' fields.'
  },
  'oidc-needs-an-idp-configuration': {
    when: 'OIDC login is turned on before an identity provider is configured.',
    note: 'The published example names `oidc_auth_enabled`, an authentication setting, not an invite field.'
  },
  'idp-configuration-is-required': {
    when: 'The organization must configure an identity provider first.',
    note: 'The published example names `data`, which an invite does not send.'
  },
  'unsupported-filter-operation': {
    when: 'A list filter asks for an operation the API does not support.',
    note: 'The published example names `[filter][actions][contains]`, a query filter of the list operations.'
  },
  'user-is-already-active': { when: 'The address belongs to a user already active in the organization (seed one with --active-users).' },
  'rate-limited': { when: 'The token sent too many requests: wait Retry-After seconds, then retry.' }
}

const documented: ScenarioDefinition[] = inviteExamples.map((example) => ({
  id: kebab(example.name),
  ...documentedTexts[kebab(example.name)],
  title: example.name,
  status: example.status,
  kind: 'documented',
  description: `The published "${example.name}" example (${example.status}).`,
  example: example.name,
  body: example.value,
  ...(example.status === 429
    ? {
        headers: {
          'retry-after': String(FORCED_RETRY_AFTER_S),
          'ratelimit-limit': '60',
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(FORCED_RETRY_AFTER_S)
        }
      }
    : {})
}))

const invalidPermissions = forbiddenExamples.find((example) => example.name === 'Invalid Permissions')!
// A body the client must read whole to map the answer (a ConflictError), on a status no client retries.
const alreadyActive = inviteExamples.find((example) => example.status === 409)!

const behaviours: ScenarioDefinition[] = [
  {
    id: 'created',
    title: 'Created',
    status: 201,
    kind: 'behaviour',
    description: 'The invitation is sent: 201 with an empty body.',
    when: 'A valid token invites an address that is new or still pending: the invitation is (re)sent.',
    says: 'Nothing: an empty body.'
  },
  {
    id: 'unauthenticated',
    title: 'Unauthorized',
    status: 401,
    kind: 'behaviour',
    description: 'No valid token: the API\'s documented "Unauthorized" example.',
    when: 'The bearer token is missing, malformed, expired or unknown.',
    example: unauthorizedExample.name,
    body: unauthorizedExample.value
  },
  {
    id: 'permission-denied',
    title: 'Invalid Permissions',
    status: 403,
    kind: 'behaviour',
    description: 'The token lacks the administrator role: the API\'s documented "Invalid Permissions" example.',
    when: 'The token\'s user is not an organization administrator.',
    example: invalidPermissions.name,
    body: invalidPermissions.value
  },
  {
    id: 'server-error',
    title: 'Internal Server Error',
    status: 500,
    kind: 'behaviour',
    description: 'An unexpected server failure, as problem+json (the client\'s "API error occurred" path).',
    when: 'The service fails unexpectedly; the Go SDK retries a 500 when retries are on.',
    body: {
      status: 500,
      title: 'Internal Server Error',
      instance: 'konnect:trace:0',
      detail: 'An unexpected error occurred'
    }
  },
  {
    id: 'service-unavailable',
    title: 'Service Unavailable',
    status: 503,
    kind: 'behaviour',
    description: 'The service is down for a moment: 503 problem+json with Retry-After.',
    when: 'The service is briefly down (maintenance, overload): retry after Retry-After.',
    headers: { 'retry-after': String(FORCED_RETRY_AFTER_S) },
    body: {
      status: 503,
      title: 'Service Unavailable',
      instance: 'konnect:trace:0',
      detail: 'The service is temporarily unavailable'
    }
  },
  {
    id: 'bad-gateway-html',
    title: 'Bad Gateway (HTML)',
    status: 502,
    kind: 'behaviour',
    description: 'A proxy\'s HTML error page: 502 text/html (the client\'s unknown content-type path).',
    when: 'A proxy or load balancer in front of the API answers with its own page.',
    says: 'An HTML page, not problem+json: the SDK reports an unknown content type.',
    contentType: 'text/html; charset=utf-8',
    fault: true,
    text: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n'
  },
  {
    id: 'connection-reset',
    title: 'Connection reset',
    status: 0,
    kind: 'behaviour',
    description: 'The socket is closed with no answer at all.',
    when: 'The network or the server drops the connection mid-request.',
    says: 'Nothing at all: the socket closes before any status line.',
    action: 'connection-reset'
  },
  {
    id: 'delay',
    title: 'Delay',
    status: 201,
    kind: 'behaviour',
    description: `The default behaviour, answered late (X-Mock-Delay or delayMs; ${DEFAULT_DELAY_MS} ms when neither is given).`,
    when: 'The service is slow to answer: a client without a timeout waits with it.',
    says: `What the default behaviour answers, ${DEFAULT_DELAY_MS} ms late unless a delay is given.`,
    action: 'default-behaviour',
    delayMs: DEFAULT_DELAY_MS
  },
  {
    id: CUT_BODY_SCENARIO,
    title: 'Body cut short',
    status: 409,
    kind: 'behaviour',
    description: 'The 409 "User is Already Active" answer cut off half-way: Content-Length promises more than is sent, then the socket closes.',
    when: 'A proxy, a load balancer or the network drops the connection while the answer is on its way.',
    says: 'Half a problem document: the body ends before its Content-Length, so it cannot be read whole.',
    action: 'truncated-body',
    fault: true,
    body: alreadyActive.value
  },
  {
    id: 'empty-reply',
    title: 'Empty reply',
    status: 0,
    kind: 'behaviour',
    description: 'The request is read whole, then the connection closes without a byte of answer.',
    when: 'The server or a proxy in front of it goes away (a crash, a restart, an idle cut) after taking the request.',
    says: 'Nothing: the connection closes cleanly, with no reset, before any status line.',
    action: 'empty-reply',
    fault: true
  },
  {
    id: 'slow-body',
    title: 'Slow body',
    status: 409,
    kind: 'behaviour',
    description: `The 409 "User is Already Active" answer: headers at once, the body dripped over ${SLOW_BODY_MS} ms (X-Mock-Delay or delayMs sets the time).`,
    when: 'The network is congested or a proxy buffers badly: the answer starts, then trickles in.',
    says: 'The documented 409, whole but slow: a client whose body timeout is shorter gives up first.',
    action: 'slow-body',
    delayMs: SLOW_BODY_MS,
    fault: true,
    body: alreadyActive.value
  },
  {
    id: 'not-json-body',
    title: 'Not JSON',
    status: 201,
    kind: 'behaviour',
    description: 'A 201 whose Content-Type says application/json and whose body is an HTML page.',
    when: 'A gateway, captive portal or misconfigured proxy answers in the API\'s place with a page of its own.',
    says: 'An HTML page labelled JSON: parsing it fails; a client that ignores the 201\'s body, as the SDK does, succeeds.',
    contentType: 'application/json',
    fault: true,
    text: '<html><body><h1>Invitation sent</h1></body></html>\n'
  },
  {
    id: 'headers-never-finish',
    title: 'Headers never finish',
    status: 0,
    kind: 'behaviour',
    description: `A status line and two headers, then nothing until the socket closes after ${HEADERS_HOLD_MS} ms, or --max-delay if lower (X-Mock-Delay or delayMs sets the time).`,
    when: 'The server stalls half-way through its answer: only the client\'s own timeout ends the wait sooner.',
    says: 'An unfinished head (HTTP/1.1 201 Created, no blank line): no complete answer ever arrives.',
    action: 'headers-never-finish',
    delayMs: HEADERS_HOLD_MS,
    fault: true
  }
]

/** How long a derived `says` may grow: a card's line, not the body. */
const SAYS_MAX = 160

/**
 * What a JSON error body says, in words: its `detail`, or else its `invalid_parameters` as
 * `field: reason` (the first two, and how many more); undefined when it says neither.
 * @example saysOf({ detail: '', invalid_parameters: [{ field: 'name', reason: 'cannot be blank' }] }) // 'name: cannot be blank'
 */
export function saysOf (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { detail, invalid_parameters: parameters } = body as { detail?: unknown, invalid_parameters?: unknown }
  if (typeof detail === 'string' && detail.trim() !== '') return truncate(detail.trim(), SAYS_MAX)
  if (!Array.isArray(parameters)) return undefined
  const reasons = parameters.flatMap((item: { field?: unknown, reason?: unknown }) =>
    typeof item?.reason === 'string' ? [typeof item.field === 'string' ? `${item.field}: ${item.reason}` : item.reason] : [])
  if (reasons.length === 0) return undefined
  const more = reasons.length > 2 ? `; and ${reasons.length - 2} more` : ''
  return truncate(reasons.slice(0, 2).join('; ') + more, SAYS_MAX)
}

/** The built-in scenarios, documented examples first. */
export const builtInScenarios: readonly ScenarioDefinition[] = [...documented, ...behaviours]

/** A scenario compiled once: its answer is a few string concatenations away. */
export interface Scenario extends ScenarioDefinition {
  /** The `Content-Type` of the answer as it goes on the wire, when it has a body. */
  responseType?: string
  /** Lower-cased headers to send, without content type. */
  responseHeaders: Record<string, string>
  /** Renders the body (with a fresh trace id in `instance`, when the body has one). */
  render?: Renderer
}

/** The contract a scenario's body must meet, or undefined when its status and media type document none. */
export function contractOf (status: number, responseType: string | undefined): ContractName | undefined {
  if (status < 400 || responseType === undefined || !responseType.startsWith(PROBLEM_JSON)) return undefined
  return contractForStatus[status] ?? 'BaseError'
}

/**
 * A scenario that breaks its contract, or a scenario id that names none; `buildApp` throws it.
 * @example
 * import { buildApp, ScenarioError } from 'konnect-invites-mock/server'
 * try { buildApp({ scenario: 'nope' }) } catch (error) { if (error instanceof ScenarioError) console.error(error.message) }
 */
export class ScenarioError extends Error {
  constructor (readonly scenarioId: string, readonly violations: Violation[], message: string) {
    super(message)
    this.name = 'ScenarioError'
  }
}

/**
 * The starting scenario (`buildApp`'s `scenario`, `--scenario`) names none the mock has. Its message
 * gives the nearest id and every valid one; the command line adds the flag or variable it came from.
 */
export class UnknownScenarioError extends ScenarioError {
  constructor (id: string, ids: readonly string[]) {
    super(id, [], `unknown scenario "${truncate(id, 80)}"${didYouMean(id, ids)}; valid: ${ids.join(', ')}`)
    this.name = 'UnknownScenarioError'
  }
}

/**
 * Checks a scenario against the contract of its status and compiles its answer.
 * Throws a ScenarioError naming the scenario and the failing path when the body breaks the contract.
 * @example compileScenario(builtInScenarios[0]).render!() // '{"status":400,...}'
 */
export function compileScenario (definition: ScenarioDefinition): Scenario {
  const responseHeaders: Record<string, string> = {}
  let declaredType: string | undefined
  // The id goes out in X-Mock-Scenario-Served and the type in Content-Type: all must be sendable.
  const sent: Array<[string, string, string]> = [['/id', SERVED_HEADER, definition.id]]
  if (definition.contentType !== undefined) sent.push(['/contentType', 'content-type', definition.contentType])
  for (const [name, value] of Object.entries(definition.headers ?? {})) sent.push([`/headers/${name}`, name, value])
  for (const [path, name, value] of sent) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
    } catch {
      throw new ScenarioError(definition.id, [{ path, message: 'Expected a valid HTTP header' }],
        `scenario ${JSON.stringify(definition.id)}: ${path} cannot be sent as an HTTP header (${JSON.stringify(name)}: ${JSON.stringify(value)})`)
    }
  }
  for (const [name, value] of Object.entries(definition.headers ?? {})) {
    const lower = name.toLowerCase()
    if (lower === 'content-type') declaredType = value
    else responseHeaders[lower] = value
  }
  const scenario: Scenario = { ...definition, responseHeaders }
  const says = definition.says ?? saysOf(definition.body)
  if (says !== undefined) scenario.says = says
  if (definition.status >= 400 && definition.body === undefined && definition.text === undefined && definition.action === undefined) {
    const contract = contractOf(definition.status, definition.contentType ?? declaredType ?? PROBLEM_JSON)
    throw new ScenarioError(definition.id, [{ path: '/body', message: `Expected a body (${contract ?? 'text'})` }],
      `scenario "${definition.id}": a ${definition.status} needs a body at /body (${contract ?? 'text'})`)
  }
  if (definition.text !== undefined) {
    // An empty text is an answer without a body (an upstream's bare 500, recorded): typed only if declared.
    const type = definition.contentType ?? declaredType ?? (definition.text === '' ? undefined : 'text/plain; charset=utf-8')
    if (type !== undefined) scenario.responseType = wireType(type)
    if (definition.text !== '') scenario.render = fixedRenderer(definition.text)
  } else if (definition.body !== undefined) {
    scenario.responseType = wireType(definition.contentType ?? declaredType ?? (definition.status >= 400 ? PROBLEM_JSON : 'application/json'))
    const contract = contractOf(definition.status, scenario.responseType)
    const violations = contract === undefined || definition.fault === true ? [] : checkContract(contract, definition.body)
    if (violations.length > 0) {
      const first = violations[0]!
      throw new ScenarioError(definition.id, violations,
        `scenario "${definition.id}": body breaks ${contract} at ${first.path || '/'}: ${first.message}`)
    }
    scenario.render = jsonRenderer(definition.body)
  }
  if (definition.kind === 'custom') checkCustomRule(scenario)
  return scenario
}

/** The compiled catalogue with its lookup tables. */
export class Catalogue {
  readonly list: readonly Scenario[]
  private readonly byId = new Map<string, Scenario>()
  private readonly byExample = new Map<string, Scenario>()
  private readonly byStatus = new Map<number, Scenario>()

  /**
   * Compiles the built-in scenarios and the given custom ones; throws a ScenarioError on a body
   * that breaks its contract, an id used twice or one reserved for a served value.
   * @example new Catalogue().find('cannot-be-blank')?.status // 400
   */
  constructor (custom: readonly ScenarioDefinition[] = []) {
    this.list = [...builtInScenarios, ...custom].map((definition) => {
      const reserved = RESERVED_IDS.get(definition.id)
      if (reserved !== undefined) {
        throw new ScenarioError(definition.id, [], `scenario "${definition.id}": the id is reserved (X-Mock-Scenario-Served says "${definition.id}" for ${reserved})`)
      }
      if (this.byId.has(definition.id)) {
        throw new ScenarioError(definition.id, [], `scenario "${definition.id}": the id is already taken`)
      }
      const scenario = compileScenario(definition)
      this.byId.set(scenario.id, scenario)
      if (scenario.example !== undefined) this.byExample.set(scenario.example.toLowerCase(), scenario)
      if (scenario.status > 0 && scenario.action === undefined && !this.byStatus.has(scenario.status)) {
        this.byStatus.set(scenario.status, scenario)
      }
      return scenario
    })
  }

  get ids (): string[] {
    return this.list.map((scenario) => scenario.id)
  }

  get exampleNames (): string[] {
    return this.list.flatMap((scenario) => scenario.example === undefined ? [] : [scenario.example])
  }

  get statuses (): number[] {
    return [...this.byStatus.keys()].sort((a, b) => a - b)
  }

  /** A scenario by id, or `undefined`. */
  find (id: string): Scenario | undefined {
    return this.byId.get(id)
  }

  /** A scenario by documented example name (case-insensitive) or by id. */
  findExample (name: string): Scenario | undefined {
    return this.byExample.get(name.toLowerCase()) ?? this.byId.get(name)
  }

  /** The first scenario answering with this status (documented ones first). */
  findStatus (status: number): Scenario | undefined {
    return this.byStatus.get(status)
  }
}

/** Where a violation of the answer lies in the scenario's definition. */
function definitionPath (scenario: Scenario, path: string): string {
  if (path === '/headers/content-type') {
    const declared = Object.keys(scenario.headers ?? {}).find((name) => name.toLowerCase() === 'content-type')
    return scenario.contentType === undefined && declared !== undefined ? `/headers/${declared}` : '/contentType'
  }
  return scenario.text !== undefined && path === '/body' ? '/text' : path
}

/** The rule the contract runner applies too: conform to the status's contract, or be a declared fault. */
function checkCustomRule (scenario: Scenario): void {
  const answer = {
    statusCode: scenario.status,
    headers: { ...scenario.responseHeaders, ...(scenario.responseType === undefined ? {} : { 'content-type': scenario.responseType }) },
    body: scenario.render?.() ?? ''
  }
  const [first] = scenarioViolations({ status: scenario.status, fault: scenario.fault, contentType: scenario.responseType }, answer)
  if (first === undefined) return
  const path = definitionPath(scenario, first.path)
  const rule = scenario.fault === true ? 'a declared fault' : `the contract of a ${scenario.status}; set fault: true if this answer is a deliberate fault`
  throw new ScenarioError(scenario.id, [{ path, message: `expected ${first.expected}, got ${first.got}` }],
    `scenario "${scenario.id}": ${path}: expected ${first.expected}, got ${first.got} (${rule})`)
}
