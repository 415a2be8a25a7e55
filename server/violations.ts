/**
 * `GET /__mock/violations`: the contract violations found in upstream answers (`--upstream`), newest
 * last, bounded. `upstream` names the service (null when invites are not passed through), `total`
 * counts every violating answer since start-up or the last reset, and `after=<seq>` lists only later ones.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { badRequest } from '../scenarios/outcome.js'
import type { MockContext } from './context.js'
import { sendProblem } from './errors.js'

/**
 * Serves the violations report. Registered by the admin API, under its prefix and token check.
 * @example app.register(violationsRoutes, { context })
 */
export async function violationsRoutes (app: FastifyInstance, { context }: { context: MockContext }): Promise<void> {
  app.get('/violations', async (request, reply: FastifyReply) => {
    const after = (request.query as Record<string, unknown>).after
    if (after !== undefined && (typeof after !== 'string' || !/^\d{1,15}$/.test(after))) {
      return sendProblem(reply, badRequest([{ field: 'after', rule: 'is_integer', reason: 'must be a whole number', source: 'query' }], 'after must be the seq of a listed report'))
    }
    const log = context.state.violations
    return { upstream: context.upstream?.url ?? null, total: log.total, violations: log.list(after === undefined ? 0 : Number(after)) }
  })
}
