/**
 * `POST /v3/invites`: choose a scenario, resolve it to an outcome, send it through one reply path.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Scenario } from '../scenarios/catalogue.js'
import { defaultBehaviour } from '../scenarios/behaviour.js'
import type { Outcome } from '../scenarios/outcome.js'
import { select } from '../scenarios/select.js'
import { SERVED_HEADER } from './errors.js'
import type { MockContext } from './context.js'

export const INVITES_PATH = '/v3/invites'

function resolve (scenario: Scenario | null, request: FastifyRequest, context: MockContext): Outcome {
  if (scenario === null || scenario.action === 'default-behaviour') {
    const outcome = defaultBehaviour({ authorization: request.headers.authorization, body: request.body, now: context.now() }, context.state, context.behaviour)
    if (scenario !== null) outcome.served = scenario.id
    return outcome
  }
  if (scenario.action === 'connection-reset') return { status: 0, served: scenario.id, reset: true }
  const outcome: Outcome = { status: scenario.status, served: scenario.id, headers: scenario.responseHeaders }
  if (scenario.example !== undefined) outcome.example = scenario.example
  if (scenario.render !== undefined) {
    outcome.contentType = scenario.responseType!
    outcome.payload = scenario.render()
  }
  return outcome
}

/**
 * Sends an outcome: the single reply path of the invites route.
 * @example sendOutcome(request, reply, { status: 201, served: 'created' })
 */
export function sendOutcome (request: FastifyRequest, reply: FastifyReply, outcome: Outcome): FastifyReply {
  if (outcome.reset === true) {
    reply.hijack()
    const socket = request.raw.socket
    // app.inject() has no TCP socket to reset: destroying the response makes the injection fail the same way.
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else reply.raw.destroy()
    return reply
  }
  reply.code(outcome.status).header(SERVED_HEADER, outcome.served)
  if (outcome.headers !== undefined) reply.headers(outcome.headers)
  if (outcome.payload === undefined) return reply.send()
  return reply.type(outcome.contentType!).send(outcome.payload)
}

function answer (request: FastifyRequest, reply: FastifyReply, context: MockContext, scenario: Scenario | null): void {
  const outcome = resolve(scenario, request, context)
  context.state.countServed(outcome.served, outcome.example)
  context.journal(request, outcome.served, outcome.status, reply.elapsedTime)
  sendOutcome(request, reply, outcome)
}

export async function invitesRoute (app: FastifyInstance, context: MockContext): Promise<void> {
  // Not an async handler: most answers are sent synchronously, with no promise per request.
  app.post(INVITES_PATH, (request, reply) => {
    const choice = select(request.headers, context.state, context.catalogue, context.maxDelayMs)
    if ('served' in choice) {
      context.journal(request, choice.served, choice.status, reply.elapsedTime)
      sendOutcome(request, reply, choice)
    } else if (choice.delayMs > 0) {
      return sleep(choice.delayMs).then(() => answer(request, reply, context, choice.scenario))
    } else {
      answer(request, reply, context, choice.scenario)
    }
  })
}
