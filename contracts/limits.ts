/**
 * The size limits the contracts and the scenarios share, so a route, the selection and the
 * contract runner refuse the same values.
 */

/** The longest email address accepted (RFC 5321's path limit, less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254
/** The longest session name accepted (`X-Mock-Session`, or `session` on the admin API). */
export const MAX_SESSION_LENGTH = 200
/** Items an admin list answers with at most, next to their total, so no answer grows with the state. */
export const LIST_LIMIT = 100
/** Journal pages hold at most this many entries. */
export const MAX_PAGE = 100
/** Steps a scenario sequence holds at most (`sequence` on the admin API and in the scenarios file). */
export const MAX_SEQUENCE_STEPS = 20
