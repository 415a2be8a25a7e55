/**
 * The scenario catalogue: every documented example of `POST /v3/invites`, the other answers a
 * client must survive (401, 403, 5xx, an HTML error page, a reset connection) and the delay
 * modifier. Scenarios are data; `compileScenario` turns each into a ready-to-send answer once.
 */
import { forbiddenExamples, inviteExamples, unauthorizedExample } from '../contracts/examples.js'
import { contractForStatus, PROBLEM_JSON, type ContractName } from '../contracts/schemas.js'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import { checkContract, type Violation } from '../contracts/validate.js'
import { scenarioViolations } from '../contracts/scenario-rule.js'

export type ScenarioKind = 'documented' | 'behaviour' | 'custom'

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
  action?: 'connection-reset' | 'default-behaviour'
  /** Delay applied when the scenario is chosen without an explicit delay. */
  delayMs?: number
  /** A deliberate fault: not held to its status's contract, only to its status, media type and a non-empty body. */
  fault?: boolean
}

/** The id of the unforced behaviour, as reported in `X-Mock-Scenario-Served`. */
export const DEFAULT_ID = 'default'
/** Delay used by the `delay` scenario when no delay is given with it. */
export const DEFAULT_DELAY_MS = 2000
/** `Retry-After` (seconds) advertised by the forced 429 and 503 scenarios: short, so retrying clients finish fast. */
export const FORCED_RETRY_AFTER_S = 1

const kebab = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

const documented: ScenarioDefinition[] = inviteExamples.map((example) => ({
  id: kebab(example.name),
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

const behaviours: ScenarioDefinition[] = [
  {
    id: 'created',
    title: 'Created',
    status: 201,
    kind: 'behaviour',
    description: 'The invitation is sent: 201 with an empty body.'
  },
  {
    id: 'unauthenticated',
    title: 'Unauthorized',
    status: 401,
    kind: 'behaviour',
    description: 'No valid token: the API\'s documented "Unauthorized" example.',
    example: unauthorizedExample.name,
    body: unauthorizedExample.value
  },
  {
    id: 'permission-denied',
    title: 'Invalid Permissions',
    status: 403,
    kind: 'behaviour',
    description: 'The token lacks the administrator role: the API\'s documented "Invalid Permissions" example.',
    example: invalidPermissions.name,
    body: invalidPermissions.value
  },
  {
    id: 'server-error',
    title: 'Internal Server Error',
    status: 500,
    kind: 'behaviour',
    description: 'An unexpected server failure, as problem+json (the client\'s "API error occurred" path).',
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
    contentType: 'text/html; charset=utf-8',
    text: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n'
  },
  {
    id: 'connection-reset',
    title: 'Connection reset',
    status: 0,
    kind: 'behaviour',
    description: 'The socket is closed with no answer at all.',
    action: 'connection-reset'
  },
  {
    id: 'delay',
    title: 'Delay',
    status: 201,
    kind: 'behaviour',
    description: `The default behaviour, answered late (X-Mock-Delay or delayMs; ${DEFAULT_DELAY_MS} ms when neither is given).`,
    action: 'default-behaviour',
    delayMs: DEFAULT_DELAY_MS
  }
]

/** The built-in scenarios, documented examples first. */
export const builtInScenarios: readonly ScenarioDefinition[] = [...documented, ...behaviours]

/** A scenario compiled once: its answer is a few string concatenations away. */
export interface Scenario extends ScenarioDefinition {
  /** Content type of the answer, when it has a body. */
  responseType?: string
  /** Lower-cased headers to send, without content type. */
  responseHeaders: Record<string, string>
  /** Renders the body (with a fresh trace id in `instance`, when the body has one). */
  render?: Renderer
}

/** Renders a body; `bytes` is its length in UTF-8, the same on every call (trace ids have a fixed length). */
export interface Renderer {
  (): string
  readonly bytes: number
}

const INSTANCE_MARK = '\u0000instance\u0000'

/** The smallest and one past the largest value of a trace id's 9-digit counter. */
const COUNTER_FIRST = 100_000_000
const COUNTER_END = 1_000_000_000
/** Characters in every trace id: `konnect:trace:` and 19 digits. */
export const TRACE_ID_LENGTH = 33

/**
 * Konnect-style trace ids, `konnect:trace:` and 19 digits: a random 10-digit prefix, then a 9-digit
 * counter from a random start. Ids never repeat under one prefix, look unrelated across processes,
 * and cost one concatenation each; the prefix is drawn again when the counter runs out.
 * @example new TraceIds().next() // 'konnect:trace:4821937560123456789'
 */
export class TraceIds {
  private prefix = ''
  private counter = COUNTER_END

  /** `random` returns numbers in [0, 1), like Math.random; `counter` starts the counter at a given value. */
  constructor (private readonly random: () => number = Math.random, counter?: number) {
    this.reseed()
    if (counter !== undefined) this.counter = counter
  }

  next (): string {
    if (this.counter >= COUNTER_END) this.reseed()
    return this.prefix + this.counter++
  }

  private reseed (): void {
    this.prefix = `konnect:trace:${1_000_000_000 + Math.floor(this.random() * 9_000_000_000)}`
    this.counter = COUNTER_FIRST + Math.floor(this.random() * (COUNTER_END - COUNTER_FIRST) / 2)
  }
}

const traceIds = new TraceIds()

/** A fresh Konnect-style trace id: `konnect:trace:` and 19 digits. */
export function traceId (): string {
  return traceIds.next()
}

function fixedRenderer (text: string): Renderer {
  return Object.assign(() => text, { bytes: Buffer.byteLength(text) })
}

/**
 * Renders a JSON template whose `instance` is replaced by a fresh trace id on every call; the rest
 * of the bytes (key order included) stay as given.
 */
export function jsonRenderer (body: unknown): Renderer {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('instance' in body)) return fixedRenderer(JSON.stringify(body))
  const [head, tail] = JSON.stringify({ ...body, instance: INSTANCE_MARK }).split(JSON.stringify(INSTANCE_MARK)) as [string, string]
  const open = `${head}"`
  const close = `"${tail}`
  return Object.assign(() => open + traceIds.next() + close, { bytes: Buffer.byteLength(open) + TRACE_ID_LENGTH + Buffer.byteLength(close) })
}

/** The contract a scenario's body must meet, or undefined when its status and media type document none. */
export function contractOf (status: number, responseType: string | undefined): ContractName | undefined {
  if (status < 400 || responseType === undefined || !responseType.startsWith(PROBLEM_JSON)) return undefined
  return contractForStatus[status] ?? 'BaseError'
}

export class ScenarioError extends Error {
  constructor (readonly scenarioId: string, readonly violations: Violation[], message: string) {
    super(message)
    this.name = 'ScenarioError'
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
  const sent: Array<[string, string, string]> = [['/id', 'x-mock-scenario-served', definition.id]]
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
  if (definition.status >= 400 && definition.body === undefined && definition.text === undefined && definition.action === undefined) {
    const contract = contractOf(definition.status, definition.contentType ?? declaredType ?? PROBLEM_JSON)
    throw new ScenarioError(definition.id, [{ path: '/body', message: `Expected a body (${contract ?? 'text'})` }],
      `scenario "${definition.id}": a ${definition.status} needs a body at /body (${contract ?? 'text'})`)
  }
  if (definition.text !== undefined) {
    scenario.responseType = definition.contentType ?? declaredType ?? 'text/plain; charset=utf-8'
    scenario.render = fixedRenderer(definition.text)
  } else if (definition.body !== undefined) {
    scenario.responseType = definition.contentType ?? declaredType ?? (definition.status >= 400 ? PROBLEM_JSON : 'application/json; charset=utf-8')
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
