/**
 * The one way out for an answer the mock makes itself: invites, problem documents for admin and
 * routing errors, and HTTP-level client errors written on the bare socket. Admin success bodies
 * are the only answers that leave through Fastify's `reply.send` (with their response schemas).
 */
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SERVED_HEADER } from '../contracts/headers.js'
import { DEFAULT_ID } from '../scenarios/catalogue.js'
import { problem, problemOutcome, type Outcome } from '../scenarios/outcome.js'

/** The answer's headers as Node's flat `[name, value, …]` list. */
function headerList (outcome: Outcome): string[] {
  const payload = outcome.payload
  const length = payload === undefined ? '0' : String(outcome.bytes ?? Buffer.byteLength(payload))
  // The usual answers take their headers in one array literal, sized once.
  const head: string[] = outcome.contentType === undefined
    ? [SERVED_HEADER, outcome.served, 'content-length', length]
    : [SERVED_HEADER, outcome.served, 'content-type', outcome.contentType, 'content-length', length]
  const extra = outcome.headers
  if (extra !== undefined) {
    for (const name in extra) {
      const value = extra[name]!
      if (typeof value === 'string') head.push(name, value)
      else for (const item of value) head.push(name, item)
    }
  }
  return head
}

/**
 * Writes an outcome: through a ServerResponse in one `writeHead` and `end`, or, for a client error
 * Node's parser raised before any request existed (always a problem with a body), as raw HTTP/1.1
 * on the socket, which is then closed.
 * Throws when Node refuses a header (a bug: scenarios are checked for sendable headers when compiled).
 * @example writeOutcome(reply.raw, { status: 201, served: 'created' })
 */
export function writeOutcome (target: ServerResponse | Socket, outcome: Outcome): void {
  const head = headerList(outcome)
  if ('writeHead' in target) {
    target.writeHead(outcome.status, head)
    target.end(outcome.payload)
    return
  }
  let text = `HTTP/1.1 ${outcome.status} ${STATUS_CODES[outcome.status]!}\r\n`
  for (let i = 0; i < head.length; i += 2) text += `${head[i]}: ${head[i + 1]}\r\n`
  target.end(`${text}date: ${new Date().toUTCString()}\r\nconnection: close\r\n\r\n${outcome.payload!}`)
}

/**
 * Sends an outcome for a request Fastify routed: the reply is hijacked and written in one go (no
 * hooks run past this point; Node adds Date, Connection and Keep-Alive as for any answer).
 * A reset outcome closes the connection without an answer.
 * @example sendOutcome(request, reply, problemOutcome(problem(404, 'No route for GET /x'), 'default'))
 */
export function sendOutcome (request: FastifyRequest, reply: FastifyReply, outcome: Outcome): void {
  reply.hijack()
  if (outcome.reset === true) {
    const socket = request.raw.socket
    // app.inject() has no TCP socket to reset: destroying the response makes the injection fail the same way.
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else reply.raw.destroy()
    return
  }
  try {
    writeOutcome(reply.raw, outcome)
  } catch (error) {
    // Answer the bug instead of leaving the client waiting on a reply Fastify no longer owns.
    request.log.error({ reqId: request.id, err: error }, 'answer could not be written')
    writeOutcome(reply.raw, problemOutcome(problem(500, 'An unexpected error occurred'), DEFAULT_ID))
  }
}
