/**
 * TypeBox schemas of the mock's admin API under `/__mock`: the request and response of every route.
 * The server declares them on its routes (Fastify validates requests and serializes answers with
 * them) and the contract runner checks the answers it reads against the same objects.
 */
import { Type, type Static } from '@sinclair/typebox'
import { Email, SessionName } from './formats.js'
import { MAX_SEQUENCE_STEPS } from './limits.js'
import { ResponseViolationSchema } from './assert.js'

/** The prefix of every admin route. */
export const ADMIN_PREFIX = '/__mock'

export const HealthResponse = Type.Object({ status: Type.Literal('ok') })
export type HealthResponse = Static<typeof HealthResponse>

/**
 * One step of a sequence: a scenario for the next `times` matching requests, held back `delayMs`.
 * Every step but the last has `times`; the last has none and stays until cleared.
 */
export const SequenceStep = Type.Object({
  id: Type.String({ minLength: 1 }),
  times: Type.Optional(Type.Integer({ minimum: 1 })),
  delayMs: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })
export type SequenceStep = Static<typeof SequenceStep>

/**
 * A sticky scenario as shown: `id` is `default` when it forces the default behaviour. For a
 * sequence, `id`, `remaining` and `delayMs` are those of the step answering now, `step` (from 1)
 * of `steps`, and `sequence` lists the steps as set.
 */
export const StickyView = Type.Object({
  id: Type.String(),
  remaining: Type.Optional(Type.Integer({ minimum: 1 })),
  delayMs: Type.Optional(Type.Integer({ minimum: 0 })),
  step: Type.Optional(Type.Integer({ minimum: 1 })),
  steps: Type.Optional(Type.Integer({ minimum: 1 })),
  sequence: Type.Optional(Type.Array(SequenceStep))
})
export type StickyView = Static<typeof StickyView>

/** What is active now: the global scenario and the first sessions' (at most LIST_LIMIT), with their total. */
export const ActiveScenarios = Type.Object({
  global: Type.Union([StickyView, Type.Null()]),
  sessions: Type.Record(Type.String(), StickyView),
  totalSessions: Type.Integer({ minimum: 0 })
})
export type ActiveScenarios = Static<typeof ActiveScenarios>

/** What a write changed: the global scenario, or one session's (`null` once cleared). */
export const ScenarioChange = Type.Union([
  Type.Object({ global: Type.Union([StickyView, Type.Null()]) }),
  Type.Object({ session: Type.String(), scenario: Type.Union([StickyView, Type.Null()]) })
])
export type ScenarioChange = Static<typeof ScenarioChange>

export const ScenarioKind = Type.Union([Type.Literal('documented'), Type.Literal('behaviour'), Type.Literal('custom')])
export type ScenarioKind = Static<typeof ScenarioKind>

export const ListedScenario = Type.Object({
  id: Type.String(),
  title: Type.String(),
  /** 0 for a scenario that answers nothing (the connection is reset or closed before a whole head). */
  status: Type.Integer(),
  kind: ScenarioKind,
  description: Type.String(),
  /** The published example the answer is, by name (for `Prefer: example="…"`). */
  example: Type.Optional(Type.String()),
  /** The `Content-Type` of the answer, when it has a body. */
  contentType: Type.Optional(Type.String()),
  /** How long the answer is held back when no delay is given with it, in milliseconds (for `slow-body`, its drip; for `headers-never-finish`, its hold). */
  delayMs: Type.Optional(Type.Integer({ minimum: 0 })),
  /** A deliberate fault: held to its status, its declared media type and a non-empty body, not to a contract. */
  fault: Type.Optional(Type.Boolean()),
  /** When a client meets this answer from the real service, in one sentence. */
  when: Type.Optional(Type.String()),
  /** What the answer says, in words: its `detail` or its reasons, or the fault. */
  says: Type.Optional(Type.String()),
  /** A caveat about the answer, such as a published example naming a field an invite does not send. */
  note: Type.Optional(Type.String())
})
export type ListedScenario = Static<typeof ListedScenario>

/**
 * The scenarios file (`--scenarios-file`): its path, whether `--watch` reads it again on change,
 * when it was last loaded well (ISO 8601), and, while the last change was refused, why (one line) and when.
 */
export const ScenariosFileStatus = Type.Object({
  path: Type.String(),
  watching: Type.Boolean(),
  loadedAt: Type.String(),
  error: Type.Optional(Type.String()),
  errorAt: Type.Optional(Type.String())
})
export type ScenariosFileStatus = Static<typeof ScenariosFileStatus>

export const ScenarioListResponse = Type.Object({
  active: ActiveScenarios,
  scenarios: Type.Array(ListedScenario),
  /** Only when a scenarios file is set. */
  scenariosFile: Type.Optional(ScenariosFileStatus)
})
export type ScenarioListResponse = Static<typeof ScenarioListResponse>

/**
 * `PUT /__mock/scenario`: one scenario (`id`, with `times`) or a `sequence` of steps, never both;
 * `delayMs` holds back every answer (a step's own `delayMs` wins for that step).
 */
export const SetScenarioRequest = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1 })),
  sequence: Type.Optional(Type.Array(SequenceStep, { minItems: 1, maxItems: MAX_SEQUENCE_STEPS })),
  times: Type.Optional(Type.Integer({ minimum: 1 })),
  session: Type.Optional(SessionName),
  delayMs: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })
export type SetScenarioRequest = Static<typeof SetScenarioRequest>

/** `?session=`: one session (empty means none); a repeated parameter is refused. */
export const SessionQuery = Type.Object({
  session: Type.Optional(SessionName)
})
export type SessionQuery = Static<typeof SessionQuery>

/**
 * A journal entry, as the journal builds it and `GET /__mock/requests` lists it. More fields than
 * these pass through (a newer server's entries still read).
 */
export const JournalEntry = Type.Object({
  seq: Type.Integer(),
  /** When it was answered, ISO 8601. */
  time: Type.String(),
  method: Type.String(),
  url: Type.String(),
  /** The `X-Mock-Session` header, if any. */
  session: Type.Union([Type.String(), Type.Null()]),
  scenario: Type.String(),
  status: Type.Integer(),
  /** How long the answer was held back by a delay, in ms (0 when sent at once). */
  heldMs: Type.Number(),
  headers: Type.Record(Type.String(), Type.String()),
  body: Type.Optional(Type.Unknown()),
  /** The step of the sequence that answered (from 1), of `steps`, when a sequence did. */
  step: Type.Optional(Type.Integer({ minimum: 1 })),
  steps: Type.Optional(Type.Integer({ minimum: 1 })),
  /** `proxy` when the request came through a `--proxy` tunnel. */
  via: Type.Optional(Type.Literal('proxy')),
  /** The host the tunnel was opened for, with `via`. */
  host: Type.Optional(Type.String()),
  /** What was not kept of the request, when something was. */
  cut: Type.Optional(Type.Object({
    headers: Type.Optional(Type.Integer()),
    headerBytes: Type.Optional(Type.Integer()),
    urlChars: Type.Optional(Type.Integer())
  })),
  /** How the upstream's answer broke its contract (answers passed through from `--upstream` only). */
  violations: Type.Optional(Type.Array(ResponseViolationSchema))
}, { additionalProperties: true })
export type JournalEntry = Static<typeof JournalEntry>

/**
 * The journal's filters, as sent: `?email=`, `?status=`, `?scenario=`, `?method=`, `?session=`,
 * `?since=<ISO 8601>` and `?after=<seq>` (read by contracts/requests-filter.ts). A repeated or
 * unknown parameter is refused, so a misspelt filter never widens a count.
 */
const requestsFilterFields = {
  email: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  scenario: Type.Optional(Type.String()),
  method: Type.Optional(Type.String()),
  session: Type.Optional(SessionName),
  since: Type.Optional(Type.String()),
  after: Type.Optional(Type.String())
}

/** The journal's filters and `?limit=` (1 to MAX_PAGE), as sent. */
export const RequestsQuery = Type.Object({ ...requestsFilterFields, limit: Type.Optional(Type.String()) }, { additionalProperties: false })
export type RequestsQuery = Static<typeof RequestsQuery>

/** `GET /__mock/requests/count`: the journal's filters, as sent. */
export const RequestsCountQuery = Type.Object(requestsFilterFields, { additionalProperties: false })
export type RequestsCountQuery = Static<typeof RequestsCountQuery>

/** How many journal entries match the filters. */
export const RequestsCountResponse = Type.Object({ count: Type.Integer({ minimum: 0 }) })
export type RequestsCountResponse = Static<typeof RequestsCountResponse>

/** A page of the journal, oldest first; `next` is the `after` that asks for what follows. */
export const RequestsResponse = Type.Object({
  requests: Type.Array(JournalEntry),
  next: Type.Integer(),
  more: Type.Boolean(),
  oldest: Type.Integer()
})
export type RequestsResponse = Static<typeof RequestsResponse>

export const CoverageResponse = Type.Object({
  /** When counting started (start-up or the last reset), ISO 8601. */
  since: Type.String(),
  /** Answers of the default behaviour that matched no documented example. */
  default: Type.Integer(),
  scenarios: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), status: Type.Integer(), kind: ScenarioKind, served: Type.Integer() })),
  examples: Type.Array(Type.Object({ name: Type.String(), status: Type.Integer(), scenario: Type.String(), served: Type.Integer() }))
})
export type CoverageResponse = Static<typeof CoverageResponse>

export const PendingInvite = Type.Object({
  email: Type.String(),
  firstInvitedAt: Type.String(),
  lastInvitedAt: Type.String(),
  count: Type.Integer({ minimum: 1 })
})
export const InvitesResponse = Type.Object({ invites: Type.Array(PendingInvite), total: Type.Integer({ minimum: 0 }) })
export type InvitesResponse = Static<typeof InvitesResponse>

export const ActiveUser = Type.Object({ email: Type.String(), status: Type.Literal('active') })
export type ActiveUser = Static<typeof ActiveUser>
export const UsersResponse = Type.Object({ users: Type.Array(ActiveUser), total: Type.Integer({ minimum: 0 }) })
export type UsersResponse = Static<typeof UsersResponse>

/** `PUT /users/:email` seeds an address, so it must be one. */
export const NewUserParams = Type.Object({ email: Email })
export type NewUserParams = Static<typeof NewUserParams>
/** `DELETE /users/:email` forgets whatever it is given. */
export const UserParams = Type.Object({ email: Type.String() })
export type UserParams = Static<typeof UserParams>

/** `?after=<seq>`: only the violation reports after that one. */
export const ViolationsQuery = Type.Object({ after: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })) })
export type ViolationsQuery = Static<typeof ViolationsQuery>

/** One way an answer broke its contract. */
export const ResponseViolationView = ResponseViolationSchema

/** One upstream answer that broke its contract (`status` is the upstream's), with the request it answered. */
const ViolationReport = Type.Object({
  seq: Type.Integer(),
  /** When it was answered, ISO 8601. */
  time: Type.String(),
  method: Type.String(),
  url: Type.String(),
  status: Type.Integer(),
  violations: Type.Array(ResponseViolationView)
})
export type ViolationReport = Static<typeof ViolationReport>

/**
 * `GET /__mock/violations`: the upstream (`null` when invites are not passed through), how many of its
 * answers broke their contract since start-up or the last reset, and the last ones kept, newest last.
 */
export const ViolationsResponse = Type.Object({
  upstream: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer({ minimum: 0 }),
  violations: Type.Array(ViolationReport)
})
export type ViolationsResponse = Static<typeof ViolationsResponse>

/** The answer of the calls that answer nothing (`204 No Content`). */
export const NoContent = Type.Null()
