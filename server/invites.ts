/**
 * `POST /v3/invites`: choose a scenario, resolve it to an outcome, send it through one reply path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { INVITES_PATH } from '../contracts/headers.js'
import type { Scenario } from '../scenarios/catalogue.js'
import { defaultBehaviour, MALFORMED } from '../scenarios/behaviour.js'
import { PACED_FAULTS, type Outcome } from '../scenarios/outcome.js'
import { DEFAULT_CHOICE, select, type Choice } from '../scenarios/select.js'
import { sendOutcome } from './reply.js'
import { parseBody } from './json-body.js'
import type { MockContext } from './context.js'
import { corsPreflight, type Guard } from './guard.js'

/**
 * A body's JSON value, or MALFORMED for empty text, bad JSON and prototype poisoning, so the route,
 * not the parser, decides what a bad body gets.
 * @example readInviteBody('{"email":"a@b.co"}') // { email: 'a@b.co' }
 */
export function readInviteBody (text: string): unknown {
  if (text === '') return MALFORMED
  try {
    return parseBody(text)
  } catch {
    return MALFORMED
  }
}

function resolve (scenario: Scenario | null, request: FastifyRequest, context: MockContext, now: number, faultMs: number): Outcome {
  if (scenario === null || scenario.action === 'default-behaviour') {
    const text = request.body as string | undefined
    const body = text === undefined ? undefined : readInviteBody(text)
    const outcome = defaultBehaviour({ authorization: request.headers.authorization, body, now }, context.state, context.behaviour)
    // The default behaviour may answer with a shared outcome: a copy carries the scenario's id.
    return scenario === null ? outcome : { ...outcome, served: scenario.id }
  }
  if (scenario.action === 'connection-reset') return { status: 0, served: scenario.id, reset: true }
  const render = scenario.render
  const outcome: Outcome = {
    status: scenario.status,
    served: scenario.id,
    example: scenario.example,
    headers: scenario.responseHeaders,
    contentType: scenario.responseType,
    payload: render?.(),
    bytes: render?.bytes
  }
  if (scenario.action !== undefined) outcome.fault = { kind: scenario.action, ms: faultMs }
  return outcome
}

/**
 * Resolves and sends an answer; `heldMs` is how long it was held back (a delay), for the journal.
 * A paced transport fault, never held back, takes the choice's delay as its own time.
 */
function answer (request: FastifyRequest, reply: FastifyReply, context: MockContext, choice: Choice, heldMs: number): void {
  const now = context.now()
  const outcome = resolve(choice.scenario, request, context, now, choice.delayMs)
  context.state.countServed(outcome.served, outcome.example)
  context.record(request, outcome.served, outcome.status, heldMs, now, undefined, choice)
  sendOutcome(request, reply, outcome)
}

/**
 * The invites endpoint, in a scope whose `onRequest` hook is the guard's `invites` one (which the
 * CORS preflight shares).
 * @example app.register(invitesRoute, { guard: createGuard({ allowedHosts: [], corsOrigins: [] }) })
 */
export async function invitesRoute (app: FastifyInstance, { guard }: { guard: Guard }): Promise<void> {
  const context = app.mock
  app.addHook('onRequest', guard.invites)
  await app.register(corsPreflight, guard)

  // Bodies are kept as text and parsed only when the default behaviour reads them: a scenario
  // answers whatever the body, and the journal parses its copy when it is read.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => { done(null, text) })

  // Not an async handler: most answers are sent synchronously, with no promise per request.
  app.post(INVITES_PATH, (request, reply) => {
    const choice = select(request.headers, context.state, context.catalogue, context.maxDelayMs)
    // Only an invite no scenario was chosen for reaches the real service: forced ones answer here.
    if (choice === DEFAULT_CHOICE && context.upstream !== undefined) return context.upstream.forward(request, reply, context)
    if ('served' in choice) {
      context.record(request, choice.served, choice.status, 0, context.now())
      sendOutcome(request, reply, choice)
    } else if (PACED_FAULTS.has(choice.scenario?.action ?? '')) {
      // A slow body or unfinished headers take the delay as their own time, starting at once.
      answer(request, reply, context, choice, 0)
    } else if (choice.delayMs > 0) {
      // Only a delay is timed, on the app's clock: the journal would show an answer sent at once as 0 ms anyway.
      const started = context.now()
      return context.sleep(choice.delayMs).then(() => answer(request, reply, context, choice, context.now() - started))
    } else {
      answer(request, reply, context, choice, 0)
    }
  })
}
