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
/** `X-Mock-Scenario-Served` of the default behaviour: not a scenario id, and no scenario may take it. */
export const DEFAULT_ID = 'default'
/** `X-Mock-Scenario-Served` of an answer passed through from `--upstream`. */
export const UPSTREAM_ID = 'upstream'
/** `X-Mock-Scenario-Served` of the mock's own errors (its admin API, `X-Mock-*`, `Prefer`). */
export const MOCK_ERROR_ID = 'mock-error'
/** The admin token, when the mock runs with `--admin-token`. */
export const ADMIN_TOKEN_HEADER = 'x-mock-admin-token'
