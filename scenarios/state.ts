/**
 * Everything the mock remembers, in one object owned by one app instance: sticky scenarios (global
 * and per session), the request journal, the directory of users and invites, rate windows and
 * scenario coverage. `reset()` returns it to its start-up state.
 */
import type { Scenario } from './catalogue.js'

/** A scenario made sticky through the admin API or `--scenario`. `scenario: null` forces the default behaviour. */
export interface Sticky {
  scenario: Scenario | null
  /** Matching requests left before it falls through; undefined means until cleared. */
  remaining?: number
  delayMs?: number
}

export interface JournalEntry {
  seq: number
  time: string
  method: string
  url: string
  session: string | null
  scenario: string
  status: number
  durationMs: number
  headers: Record<string, string>
  body?: unknown
}

export interface Invite {
  email: string
  firstInvitedAt: string
  lastInvitedAt: string
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
  return at < 0 ? email : email.slice(0, at) + email.slice(at).toLowerCase()
}

let lastMs = Number.NaN
let lastIso = ''

/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked (formatting a date costs
 * more than the rest of a journal entry, and under load many requests share a millisecond).
 * @example isoTime(0) // '1970-01-01T00:00:00.000Z'
 */
export function isoTime (ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString()
    lastMs = ms
  }
  return lastIso
}

/** A fixed-size ring of journal entries, newest last. */
class Journal {
  private entries: Array<JournalEntry | undefined>
  private next = 0
  private size = 0
  private seq = 0

  constructor (readonly limit: number) {
    this.entries = new Array(limit)
  }

  push (entry: Omit<JournalEntry, 'seq'>): void {
    if (this.limit === 0) return
    this.entries[this.next] = { seq: ++this.seq, ...entry }
    this.next = (this.next + 1) % this.limit
    if (this.size < this.limit) this.size++
  }

  list (): JournalEntry[] {
    const out: JournalEntry[] = []
    const start = (this.next - this.size + this.limit) % this.limit
    for (let i = 0; i < this.size; i++) out.push(this.entries[(start + i) % this.limit]!)
    return out
  }

  clear (): void {
    this.entries = new Array(this.limit)
    this.next = 0
    this.size = 0
  }
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

  recordInvite (email: string, now: number): Invite {
    const key = normalizeEmail(email)
    const at = isoTime(now)
    const previous = this.invites.get(key)
    if (previous !== undefined) this.invites.delete(key)
    const invite: Invite = previous === undefined
      ? { email, firstInvitedAt: at, lastInvitedAt: at, count: 1 }
      : { ...previous, lastInvitedAt: at, count: previous.count + 1 }
    this.invites.set(key, invite)
    if (this.invites.size > this.maxInvites) this.invites.delete(this.invites.keys().next().value!)
    return invite
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
    this.since = new Date().toISOString()
    for (const email of this.seededUsers) this.addActiveUser(email)
  }
}
