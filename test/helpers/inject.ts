/**
 * Short ways to call a built app in tests: an invite with a bearer token, and the admin calls.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

export const INSTANCE = /^konnect:trace:\d+$/

/**
 * POST /v3/invites with `Authorization: Bearer t` unless the headers say otherwise.
 * @example (await invite(app, { 'x-mock-scenario': 'rate-limited' })).statusCode // 429
 */
export function invite (app: FastifyInstance, headers: Record<string, string> = {}, payload: unknown = { email: 'new@example.com' }): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', ...headers }, payload: payload as string })
}

/**
 * PUT /__mock/scenario with a JSON body.
 * @example await setScenario(app, { id: 'rate-limited', times: 2 })
 */
export function setScenario (app: FastifyInstance, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'PUT', url: '/__mock/scenario', payload: body })
}
