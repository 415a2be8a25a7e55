/**
 * Everything the mock remembers, in one object owned by one app instance: sticky scenarios (global
 * and per session), the request journal, the directory of users and invites, rate windows and
 * scenario coverage. `reset()` returns it to its start-up state.
 */
import type { Scenario } from './catalogue.js'
import { Journal } from './journal.js'
import { ViolationLog } from './violations.js'

/** A scenario made sticky through the admin API or `--scenario`. `scenario: null` forces the default behaviour. */
export interface Sticky {
  scenario: Scenario | null
  /** Matching requests left before it falls through; undefined means until cleared. */
  remaining?: number
  delayMs?: number
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
  initialGlobal?: Sticky | null
}

export const DEFAULT_JOURNAL_LIMIT = 1000
/** Pending invites kept before the oldest is forgotten (keeps memory flat under load). */
export const DEFAULT_MAX_INVITES = 10_000
/** Tokens whose rate window is tracked at once; the least recently seen is dropped beyond it. */
export const DEFAULT_MAX_RATE_KEYS = 10_000

/**
 * Normalizes an address the way mail systems compare them: the domain is case-insensitive,
 * the local part is kept as written.
 * @example normalizeEmail('Ada@Example.COM') // 'Ada@example.com'
 */
export function normalizeEmail (email: string): string {
  const at = email.lastIndexOf('@')
  if (at < 0) return email
  // Most addresses arrive with a lower-case ASCII domain: answer those without building a string.
  for (let i = at + 1; i < email.length; i++) {
    const code = email.charCodeAt(i)
    if ((code >= 65 && code <= 90) || code > 127) return email.slice(0, at) + email.slice(at).toLowerCase()
  }
  return email
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
  since = new Date().toISOString()

  private readonly seededUsers: readonly string[]
  private readonly initialGlobal: Sticky | null
  private readonly maxInvites: number
  private readonly maxRateKeys: number

  constructor (options: StateOptions = {}) {
    this.journal = new Journal(options.journalLimit ?? DEFAULT_JOURNAL_LIMIT)
    this.seededUsers = options.activeUsers ?? []
    this.initialGlobal = options.initialGlobal ?? null
    this.maxInvites = options.maxInvites ?? DEFAULT_MAX_INVITES
    this.maxRateKeys = options.maxRateKeys ?? DEFAULT_MAX_RATE_KEYS
    this.global = this.initialGlobal === null ? null : { ...this.initialGlobal }
    for (const email of this.seededUsers) this.addActiveUser(email)
  }

  addActiveUser (email: string): void {
    const key = normalizeEmail(email)
    this.activeUsers.set(key, email)
    this.invites.delete(key)
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

  /** The pending invites, oldest first, with ISO 8601 times. */
  listInvites (): Array<{ email: string, firstInvitedAt: string, lastInvitedAt: string, count: number }> {
    return [...this.invites.values()].map(({ email, firstInvitedAt, lastInvitedAt, count }) => ({
      email,
      firstInvitedAt: new Date(firstInvitedAt).toISOString(),
      lastInvitedAt: new Date(lastInvitedAt).toISOString(),
      count
    }))
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

  /** Back to the start-up state: seeded users and the `--scenario` default are kept, the rest is gone. */
  reset (): void {
    this.global = this.initialGlobal === null ? null : { ...this.initialGlobal }
    this.sessions.clear()
    this.journal.clear()
    this.activeUsers.clear()
    this.invites.clear()
    this.rateWindows.clear()
    this.coverage.scenarios.clear()
    this.coverage.examples.clear()
    this.violations.clear()
    this.since = new Date().toISOString()
    for (const email of this.seededUsers) this.addActiveUser(email)
  }
}
