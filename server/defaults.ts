/**
 * Every default of the mock in one frozen object, read by the command line (`--help` shows them)
 * and by `buildApp` (which fills what its options leave out).
 */
import { DEFAULT_MAX_DELAY_MS } from '../scenarios/select.js'
import { DEFAULT_JOURNAL_LIMIT } from '../scenarios/state.js'

/**
 * The defaults. Limits the scenarios enforce themselves (delay cap, journal size) are defined
 * there and only gathered here, since scenarios/ must not depend on the server.
 * @example DEFAULTS.bodyLimit // 65536
 */
export const DEFAULTS = Object.freeze({
  port: 8080,
  host: '127.0.0.1',
  scenario: undefined,
  rateLimit: null,
  activeUsers: Object.freeze([]) as readonly string[],
  tokens: null,
  admin: true,
  adminToken: undefined,
  logLevel: 'info',
  /** Largest request body, in bytes. */
  bodyLimit: 64 * 1024,
  maxDelayMs: DEFAULT_MAX_DELAY_MS,
  journalLimit: DEFAULT_JOURNAL_LIMIT,
  /** Names the journal hides besides the secrets it always hides. */
  redact: Object.freeze([]) as readonly string[],
  /** `Host` names the admin API and dashboard accept besides loopback ones. */
  allowedHosts: Object.freeze([]) as readonly string[],
  /** Browser origins allowed to call the invites endpoint. */
  corsOrigins: Object.freeze([]) as readonly string[],
  /** Milliseconds a client gets to send a whole request (0 turns the limit off). */
  requestTimeout: 30_000,
  /** Milliseconds a client gets to send the request headers (0 turns the limit off). */
  headersTimeout: 10_000,
  /** Milliseconds an idle keep-alive connection is kept open. */
  keepAliveTimeout: 5000,
  /** Milliseconds open requests get to finish after SIGINT/SIGTERM: longer than the largest default delay. */
  shutdownGrace: 35_000
} as const)

/**
 * An object without its `undefined` properties, so spreading it over defaults keeps them.
 * @example definedOnly({ a: 1, b: undefined }) // { a: 1 }
 */
export function definedOnly<T extends object> (object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>
}
