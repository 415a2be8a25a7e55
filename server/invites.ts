/**
 * `POST /v3/invites`: choose a scenario, resolve it to an outcome, send it through one reply path.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DEFAULT_ID, type Scenario } from '../scenarios/catalogue.js'
import { defaultBehaviour, MALFORMED } from '../scenarios/behaviour.js'
import { problem, problemOutcome, type Outcome } from '../scenarios/outcome.js'
import { DEFAULT_CHOICE, select } from '../scenarios/select.js'
import { SERVED_HEADER } from './errors.js'
import type { MockContext } from './context.js'

export const INVITES_PATH = '/v3/invites'

/** Parses a body's text: its value, or MALFORMED for empty text, bad JSON and prototype poisoning. */
export type ParseJson = (request: FastifyRequest, text: string) => unknown

/**
 * Fastify's own JSON parser (prototype poisoning refused), answering MALFORMED instead of an error
 * so the route, not the parser, decides what a bad body gets.
 * @example jsonParser(app)(request, '{"email":"a@b.co"}') // { email: 'a@b.co' }
 */
export function jsonParser (app: FastifyInstance): ParseJson {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  // Fastify's parser answers through a callback, synchronously: one callback for all requests.
  let parsed: unknown
  const keep = (error: Error | null, value: unknown): void => { parsed = error === null ? value : MALFORMED }
  return (request, text) => {
    if (text === '') return MALFORMED
    parseJson(request, text, keep)
    return parsed
  }
}

function resolve (scenario: Scenario | null, request: FastifyRequest, context: MockContext, parse: ParseJson, now: number): Outcome {
  if (scenario === null || scenario.action === 'default-behaviour') {
    const text = request.body as string | undefined
    const body = text === undefined ? undefined : parse(request, text)
    const outcome = defaultBehaviour({ authorization: request.headers.authorization, body, now }, context.state, context.behaviour)
    // The default behaviour may answer with a shared outcome: a copy carries the scenario's id.
    return scenario === null ? outcome : { ...outcome, served: scenario.id }
  }
  if (scenario.action === 'connection-reset') return { status: 0, served: scenario.id, reset: true }
  const render = scenario.render
  return {
    status: scenario.status,
    served: scenario.id,
    example: scenario.example,
    headers: scenario.responseHeaders,
    contentType: scenario.responseType,
    payload: render?.(),
    bytes: render?.bytes
  }
}

/** Media types as they go on the wire; the types come from the compiled catalogue and a few constants, so the map stays small. */
const wireTypes = new Map<string, string>()

/**
 * The `Content-Type` sent for a media type: JSON types (`application/json`, `…+json`) without a
 * charset parameter get `; charset=utf-8`, others go as given.
 * @example wireType('application/problem+json') // 'application/problem+json; charset=utf-8'
 */
export function wireType (type: string): string {
  let wire = wireTypes.get(type)
  if (wire === undefined) {
    const trimmed = type.trim().replace(/;$/, '')
    const [media, ...parameters] = trimmed.split(';')
    const hasCharset = parameters.some((parameter) => parameter.trim().toLowerCase().startsWith('charset='))
    wire = media!.toLowerCase().includes('json') && !hasCharset ? `${trimmed}; charset=utf-8` : trimmed
    wireTypes.set(type, wire)
  }
  return wire
}

/**
 * Sends an outcome: the single reply path of the invites route. Bodies are already serialized,
 * so the answer is written in one `writeHead` and `end`, past Fastify's generic send path (no
 * hooks run on this route; Node adds Date, Connection and Keep-Alive as for any answer).
 * @example sendOutcome(request, reply, { status: 201, served: 'created' })
 */
export function sendOutcome (request: FastifyRequest, reply: FastifyReply, outcome: Outcome, log: FastifyBaseLogger = request.log): FastifyReply {
  reply.hijack()
  if (outcome.reset === true) {
    const socket = request.raw.socket
    // app.inject() has no TCP socket to reset: destroying the response makes the injection fail the same way.
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else reply.raw.destroy()
    return reply
  }
  const payload = outcome.payload
  // The usual answers take their headers in one array literal, sized once.
  const head: string[] = payload === undefined
    ? [SERVED_HEADER, outcome.served, 'content-length', '0']
    : [SERVED_HEADER, outcome.served, 'content-type', wireType(outcome.contentType!), 'content-length', String(outcome.bytes ?? Buffer.byteLength(payload))]
  const extra = outcome.headers
  if (extra !== undefined) for (const name in extra) head.push(name, extra[name]!)
  try {
    reply.raw.writeHead(outcome.status, head)
  } catch (error) {
    // Scenarios are checked for sendable headers when compiled, so this is a bug: answer it
    // instead of leaving the client waiting on a reply Fastify no longer owns.
    log.error({ reqId: request.id, err: error }, 'answer could not be written')
    return sendOutcome(request, reply, problemOutcome(problem(500, 'An unexpected error occurred'), DEFAULT_ID), log)
  }
  reply.raw.end(payload)
  return reply
}

/** Resolves and sends an answer; `heldMs` is how long it was held back (a delay), for the journal. */
function answer (request: FastifyRequest, reply: FastifyReply, context: MockContext, parse: ParseJson, scenario: Scenario | null, heldMs: number): void {
  const now = context.now()
  const outcome = resolve(scenario, request, context, parse, now)
  context.state.countServed(outcome.served, outcome.example)
  context.journal(request, outcome.served, outcome.status, heldMs, now)
  sendOutcome(request, reply, outcome, context.log)
}

export async function invitesRoute (app: FastifyInstance, context: MockContext): Promise<void> {
  // Bodies are kept as text and parsed only when the default behaviour reads them: a scenario
  // answers whatever the body, and the journal parses its copy when it is read.
  const parse = jsonParser(app)
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => { done(null, text) })

  // Not an async handler: most answers are sent synchronously, with no promise per request.
  app.post(INVITES_PATH, (request, reply) => {
    const choice = select(request.headers, context.state, context.catalogue, context.maxDelayMs)
    // Only an invite no scenario was chosen for reaches the real service: forced ones answer here.
    if (choice === DEFAULT_CHOICE && context.upstream !== undefined) return context.upstream.forward(request, reply, context)
    if ('served' in choice) {
      context.journal(request, choice.served, choice.status, 0, context.now())
      sendOutcome(request, reply, choice, context.log)
    } else if (choice.delayMs > 0) {
      // Only a delay is timed: an answer sent at once takes microseconds, which the journal's
      // hundredths of a millisecond would show as 0 anyway.
      const started = performance.now()
      return sleep(choice.delayMs).then(() => answer(request, reply, context, parse, choice.scenario, performance.now() - started))
    } else {
      answer(request, reply, context, parse, choice.scenario, 0)
    }
  })
}
