/**
 * The path of the endpoint and the mock's own request and response headers (lower case, as Node
 * hands them over), shared by the server, the typed client and the contract runner.
 */

/** The one endpoint of the published contract. */
export const INVITES_PATH = '/v3/invites'

/** Forces a scenario for one request (an id or a documented example name). */
export const SCENARIO_HEADER = 'x-mock-scenario'
/** Names the session whose sticky scenario applies. */
export const SESSION_HEADER = 'x-mock-session'
/** Holds an answer back this many milliseconds. */
export const DELAY_HEADER = 'x-mock-delay'
/** On every answer: the id of the scenario that produced it (`default` for the default behaviour). */
export const SERVED_HEADER = 'x-mock-scenario-served'
/** The admin token, when the mock runs with `--admin-token`. */
export const ADMIN_TOKEN_HEADER = 'x-mock-admin-token'
