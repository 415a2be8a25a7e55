/**
 * Everything the mock remembers, in one object owned by one app instance: sticky scenarios (global
 * and per session), the request journal, the directory of users and invites, rate windows and
 * scenario coverage. `reset()` returns it to its start-up state.
 */
import { LIST_LIMIT } from '../contracts/limits.js'
import type { Scenario } from './catalogue.js'
import { Journal } from './journal-ring.js'
import { createRedactor } from './redact.js'
import { ViolationLog } from './violations.js'

/** A scenario made sticky through the admin API or `--scenario`. `scenario: null` forces the default behaviour. */
export interface Sticky {
  scenario: Scenario | null
  /** Matching requests left before it falls through (or, in a sequence, moves on); undefined means until cleared. */
  remaining?: number
  delayMs?: number
  /** The steps, when this is a sequence: `scenario`, `remaining` and `delayMs` are then those of step `step`. */
  sequence?: readonly SequenceStep[]
  /** The step answering now, from 1 (with `sequence`). */
  step?: number
}

/** One step of a sequence: every step but the last has `times`. */
interface SequenceStep {
  scenario: Scenario | null
  times?: number
  delayMs?: number
}

/**
 * A sticky scenario that answers each step of `steps` in turn, starting at the first.
 * @example sequenceSticky([{ scenario: rateLimited, times: 2 }, { scenario: null }]).remaining // 2
 */
export function sequenceSticky (steps: readonly SequenceStep[]): Sticky {
  const sticky: Sticky = { scenario: null, sequence: steps, step: 0 }
  nextStep(sticky)
  return sticky
}

/**
 * Moves a sequence on to its next step. Called where a request spends the last `times` of a step,
 * in the same synchronous turn, so concurrent requests each see exactly one step.
 */
export function nextStep (sticky: Sticky): void {
  const step = sticky.sequence![sticky.step!]!
  sticky.step!++
  sticky.scenario = step.scenario
  sticky.remaining = step.times
  sticky.delayMs = step.delayMs
}

/** A copy of a sticky scenario, a sequence back at its first step: what a reset puts back. */
function fresh (sticky: Sticky): Sticky {
  return sticky.sequence === undefined ? { ...sticky } : sequenceSticky(sticky.sequence)
}

/** A pending invite; times in ms since the epoch. */
export interface Invite {
  email: string
  firstInvitedAt: number
  lastInvitedAt: number
  count: number
}

export interface StateOptions {
  activeUsers?: readonly string[]
  journalLimit?: number
  maxInvites?: number
  maxRateKeys?: number
  maxSessions?: number
  maxActiveUsers?: number
  /** Header, query and body field names the journal hides besides the built-in ones. */
  redact?: readonly string[]
  initialGlobal?: Sticky | null
  /** Sessions' scenarios at start-up (the scenarios file's `sessions`), put back by a reset. */
  initialSessions?: ReadonlyMap<string, Sticky>
  /** The clock `since` is read from: the app's, so a test's fake clock decides it (default `Date.now`). */
  now?: () => number
}

export const DEFAULT_JOURNAL_LIMIT = 1000
/** Pending invites kept before the oldest is forgotten (keeps memory flat under load). */
const DEFAULT_MAX_INVITES = 10_000
/** Tokens whose rate window is tracked at once; the least recently seen is dropped beyond it. */
const DEFAULT_MAX_RATE_KEYS = 10_000
/** Sessions with a scenario at once; setting one more is refused (a 409) rather than dropping another's. */
export const DEFAULT_MAX_SESSIONS = 1000
/** Active users at once; seeding one more is refused (a 409). */
export const DEFAULT_MAX_ACTIVE_USERS = 10_000

/**
 * Normalizes an address the way mail systems compare them: the domain is case-insensitive,
 * the local part is kept as written.
 * @example normalizeEmail('Ada@Example.COM') // 'Ada@example.com'
 */
export function normalizeEmail (email: string): string {
  // Most addresses come in lower case: such an address is its own key, with no string built.
  if (email.toLowerCase() === email) return email
  const at = email.lastIndexOf('@')
  return at < 0 ? email : email.slice(0, at) + email.slice(at).toLowerCase()
}

export class MockState {
  global: Sticky | null
  readonly sessions = new Map<string, Sticky>()
  readonly journal: Journal
  /** Normalized address → address as seeded. */
  readonly activeUsers = new Map<string, string>()
  /** Normalized address → pending invite, oldest first. */
  readonly invites = new Map<string, Invite>()
  /** Token → timestamps (ms) of the requests inside the current window, oldest first. */
  readonly rateWindows = new Map<string, number[]>()
  /** Answers served since the last reset: by scenario id (or `default`), and by documented example name. */
  readonly coverage = { scenarios: new Map<string, number>(), examples: new Map<string, number>() }
  /** Contract violations of upstream answers (`--upstream`). */
  readonly violations = new ViolationLog()
  /** When the state was created or last reset (ISO 8601). */
  since: string

  private readonly seededUsers: readonly string[]
  private initialGlobal: Sticky | null
  private initialSessions: ReadonlyMap<string, Sticky>
  private readonly maxInvites: number
  private readonly maxRateKeys: number
  private readonly maxSessions: number
  private readonly maxActiveUsers: number
  private readonly now: () => number

  constructor (options: StateOptions = {}) {
    this.journal = new Journal(options.journalLimit ?? DEFAULT_JOURNAL_LIMIT, createRedactor(options.redact))
    this.seededUsers = options.activeUsers ?? []
    this.initialGlobal = options.initialGlobal ?? null
    this.initialSessions = options.initialSessions ?? new Map()
    this.maxInvites = options.maxInvites ?? DEFAULT_MAX_INVITES
    this.maxRateKeys = options.maxRateKeys ?? DEFAULT_MAX_RATE_KEYS
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS
    this.maxActiveUsers = options.maxActiveUsers ?? DEFAULT_MAX_ACTIVE_USERS
    this.now = options.now ?? Date.now
    this.since = new Date(this.now()).toISOString()
    this.global = this.initialGlobal === null ? null : fresh(this.initialGlobal)
    for (const [name, sticky] of this.initialSessions) this.sessions.set(name, fresh(sticky))
    for (const email of this.seededUsers) this.addActiveUser(email)
  }

  /**
   * Makes an address an active user (no longer pending). Returns false, changing nothing, when the
   * cap is reached and the address is not already active.
   */
  addActiveUser (email: string): boolean {
    const key = normalizeEmail(email)
    if (this.activeUsers.size >= this.maxActiveUsers && !this.activeUsers.has(key)) return false
    this.activeUsers.set(key, email)
    this.invites.delete(key)
    return true
  }

  /** The first `LIST_LIMIT` active users as seeded, and how many there are. */
  listActiveUsers (): { users: string[], total: number } {
    return { users: first(this.activeUsers.values(), LIST_LIMIT), total: this.activeUsers.size }
  }

  /**
   * Sets a session's scenario. Returns false, changing nothing, when the cap is reached and the
   * session has none yet.
   */
  setSession (name: string, sticky: Sticky): boolean {
    if (this.sessions.size >= this.maxSessions && !this.sessions.has(name)) return false
    this.sessions.set(name, sticky)
    return true
  }

  /** The first `LIST_LIMIT` sessions with a scenario, and how many there are. */
  listSessions (): { sessions: Array<[string, Sticky]>, total: number } {
    return { sessions: first(this.sessions.entries(), LIST_LIMIT), total: this.sessions.size }
  }

  removeActiveUser (email: string): void {
    this.activeUsers.delete(normalizeEmail(email))
  }

  isActive (email: string): boolean {
    return this.activeUsers.has(normalizeEmail(email))
  }

  /**
   * Records a pending invite, or counts a re-invite; the oldest first invite is forgotten past the
   * bound. Returns `null`, recording nothing, when the address is an active user's.
   */
  recordInvite (email: string, now: number): Invite | null {
    const key = normalizeEmail(email)
    if (this.activeUsers.has(key)) return null
    const previous = this.invites.get(key)
    if (previous !== undefined) {
      previous.lastInvitedAt = now
      previous.count++
      return previous
    }
    const invite: Invite = { email, firstInvitedAt: now, lastInvitedAt: now, count: 1 }
    this.invites.set(key, invite)
    if (this.invites.size > this.maxInvites) this.invites.delete(this.invites.keys().next().value!)
    return invite
  }

  /** The first `LIST_LIMIT` pending invites, oldest first, with ISO 8601 times, and how many there are. */
  listInvites (): { invites: Array<{ email: string, firstInvitedAt: string, lastInvitedAt: string, count: number }>, total: number } {
    const invites = first(this.invites.values(), LIST_LIMIT).map(({ email, firstInvitedAt, lastInvitedAt, count }) => ({
      email,
      firstInvitedAt: new Date(firstInvitedAt).toISOString(),
      lastInvitedAt: new Date(lastInvitedAt).toISOString(),
      count
    }))
    return { invites, total: this.invites.size }
  }

  /** The rate window of a token, most recently used last (so the stalest is dropped first). */
  rateWindow (token: string): number[] {
    let window = this.rateWindows.get(token)
    if (window === undefined) {
      window = []
      if (this.rateWindows.size >= this.maxRateKeys) this.rateWindows.delete(this.rateWindows.keys().next().value!)
    } else {
      this.rateWindows.delete(token)
    }
    this.rateWindows.set(token, window)
    return window
  }

  countServed (id: string, example: string | undefined): void {
    this.coverage.scenarios.set(id, (this.coverage.scenarios.get(id) ?? 0) + 1)
    if (example !== undefined) this.coverage.examples.set(example, (this.coverage.examples.get(example) ?? 0) + 1)
  }

  /**
   * Takes the starting scenarios of a reloaded scenarios file (`--watch`): what a reset puts back
   * from now on, and the active ones, where `'start'` marks one served afresh from `startup` (which holds it).
   * One synchronous swap, so no request sees half of it.
   */
  replaceScenarios (startup: { global: Sticky | null, sessions: ReadonlyMap<string, Sticky> }, global: Sticky | null | 'start', sessions: ReadonlyMap<string, Sticky | 'start'>): void {
    this.initialGlobal = startup.global
    this.initialSessions = startup.sessions
    this.global = global === 'start' ? fresh(startup.global!) : global
    this.sessions.clear()
    for (const [name, sticky] of sessions) this.sessions.set(name, sticky === 'start' ? fresh(startup.sessions.get(name)!) : sticky)
  }

  /**
   * Back to the start-up state: seeded users and the start-up scenarios (`--scenario`, the scenarios
   * file's, sequences at their first step) are put back, the rest is gone.
   */
  reset (): void {
    this.global = this.initialGlobal === null ? null : fresh(this.initialGlobal)
    this.sessions.clear()
    for (const [name, sticky] of this.initialSessions) this.sessions.set(name, fresh(sticky))
    this.journal.clear()
    this.activeUsers.clear()
    this.invites.clear()
    this.rateWindows.clear()
    this.coverage.scenarios.clear()
    this.coverage.examples.clear()
    this.violations.clear()
    this.since = new Date(this.now()).toISOString()
    for (const email of this.seededUsers) this.addActiveUser(email)
  }
}

/** The first `count` items of an iterator, without walking the rest. */
function first<T> (items: Iterator<T>, count: number): T[] {
  const out: T[] = []
  for (let item = items.next(); !item.done && out.length < count; item = items.next()) out.push(item.value)
  return out
}
