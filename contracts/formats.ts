/**
 * The two string rules the mock holds every input to: an email address and a session name. Each is
 * one function, registered as a `format` both with TypeBox (the contract kit's checkers) and with
 * the app's Ajv (route schemas), so an invite, the admin API, the flags and the runner agree.
 */
import { FormatRegistry, Type } from '@sinclair/typebox'
import { MAX_EMAIL_LENGTH, MAX_SESSION_LENGTH } from './limits.js'

/** A custom scenario's id, as the scenarios file and the journal's `scenario` filter take it: up to 64 of a-z, 0-9, `.`, `_`, `-`. */
export const SCENARIO_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$'

const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

/**
 * Whether a string is an email address in the sense of the contract's `format: email`: at most
 * MAX_EMAIL_LENGTH characters, domain labels of at most 63.
 * @example isEmail('james.c.woods@example.com') // true
 */
export function isEmail (value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value)
}

/** HTTP trims header values and carries other bytes as latin1, so only such a name can arrive in `X-Mock-Session`. */
const SESSION_NAME = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/

/**
 * Whether a string is a session name an `X-Mock-Session` header can carry: printable ASCII with no
 * leading or trailing spaces, at most MAX_SESSION_LENGTH characters.
 * @example isSessionName('checkout tests') // true
 * @example isSessionName(' padded') // false
 */
export function isSessionName (value: string): boolean {
  return value.length <= MAX_SESSION_LENGTH && SESSION_NAME.test(value)
}

/**
 * Each format: its check, and the `reason` a refused value gets in `invalid_parameters`. An empty
 * session name passes the format: a schema says whether empty is allowed (`minLength`), so a blank
 * value is reported once, as blank.
 */
export const FORMATS = {
  email: { check: isEmail, reason: 'must be a valid email address' },
  'session-name': {
    check: (value: string) => value === '' || isSessionName(value),
    reason: `must be printable ASCII with no leading or trailing spaces, at most ${MAX_SESSION_LENGTH} characters`
  }
} as const satisfies Record<string, { check: (value: string) => boolean, reason: string }>

for (const [name, { check }] of Object.entries(FORMATS)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check)

/** An email address (`PUT /__mock/users/{email}`, `--active-users`, the runner's `--invite-email`). */
export const Email = Type.String({ format: 'email' })
/** A session name (`X-Mock-Session`, `session` and `?session=` on the admin API). */
export const SessionName = Type.String({ minLength: 1, format: 'session-name' })
