/**
 * The one way out for an answer the mock makes itself: invites, problem documents for admin and
 * routing errors, HTTP-level client errors written on the bare socket, and the transport faults
 * (a body cut short, an empty reply, a slow body, a head that never ends). Admin success bodies
 * are the only answers that leave through Fastify's `reply.send` (with their response schemas).
 */
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DEFAULT_ID, SERVED_HEADER } from '../contracts/headers.js'
import { problem, problemOutcome, type Outcome, type TransportFault } from '../scenarios/outcome.js'

/** Pieces a slow body is dripped in (fewer when the body has fewer bytes). */
export const DRIP_PIECES = 10

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
  target.end(`${rawHead(outcome.status, head)}connection: close\r\n\r\n${outcome.payload!}`)
}

/** A status line and header lines as raw HTTP/1.1 text, with a Date, not yet ended by the blank line. */
function rawHead (status: number, head: string[]): string {
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status]!}\r\n`
  for (let i = 0; i < head.length; i += 2) text += `${head[i]}: ${head[i + 1]}\r\n`
  return `${text}date: ${new Date().toUTCString()}\r\n`
}

/** The request's TCP (or TLS) socket; undefined under `app.inject()`, which has none to break. */
function tcpSocket (request: FastifyRequest): Socket | undefined {
  const socket = request.raw.socket
  return typeof socket.resetAndDestroy === 'function' ? socket : undefined
}

/**
 * Drips a body over `ms`: the head at once, then DRIP_PIECES pieces at even intervals, the last at
 * `ms`. Stops when the client goes away.
 */
async function drip (response: ServerResponse, outcome: Outcome, ms: number, sleep: (ms: number) => Promise<unknown>): Promise<void> {
  response.writeHead(outcome.status, headerList(outcome))
  response.flushHeaders()
  const body = Buffer.from(outcome.payload!)
  const pieces = Math.min(DRIP_PIECES, body.length)
  for (let i = 0; i < pieces; i++) {
    if (ms > 0) await sleep(ms / pieces)
    if (response.destroyed) return
    response.write(body.subarray(Math.floor(i * body.length / pieces), Math.floor((i + 1) * body.length / pieces)))
  }
  response.end()
}

/**
 * Breaks an answer on the wire as its fault says. On a socket: a body cut at half its
 * Content-Length, then the socket closes; the socket closed with nothing written; the body dripped;
 * a head with no blank line, then the socket closed after `ms`. Under `app.inject()`, where there is
 * no socket, a cut body, an empty reply and unfinished headers fail the injection as a reset does.
 * Only built-in scenarios carry a fault, and the two that cut or drip a body have one.
 */
function writeFault (request: FastifyRequest, reply: FastifyReply, outcome: Outcome, fault: TransportFault): void {
  const socket = tcpSocket(request)
  const context = request.server.mock
  const close = (): void => { if (socket === undefined) reply.raw.destroy(); else socket.destroySoon() }
  switch (fault.kind) {
    case 'truncated-body': {
      const body = Buffer.from(outcome.payload!)
      if (socket === undefined) {
        reply.raw.writeHead(outcome.status, headerList(outcome))
        reply.raw.write(body.subarray(0, body.length >> 1))
      } else {
        socket.write(Buffer.concat([Buffer.from(`${rawHead(outcome.status, headerList(outcome))}\r\n`, 'latin1'), body.subarray(0, body.length >> 1)]))
      }
      close()
      return
    }
    case 'empty-reply':
      close()
      return
    case 'slow-body':
      drip(reply.raw, outcome, fault.ms, context.sleep).catch((error: unknown) => {
        context.log.error({ reqId: request.id, err: error }, 'slow body could not be written')
        reply.raw.destroy()
      })
      return
    case 'headers-never-finish':
      // The head of the success the client waits for, short of the blank line that would end it.
      socket?.write(rawHead(201, [SERVED_HEADER, outcome.served]), 'latin1')
      context.sleep(fault.ms).then(close, close)
  }
}

/**
 * Sends an outcome for a request Fastify routed: the reply is hijacked and written in one go (no
 * hooks run past this point; Node adds Date, Connection and Keep-Alive as for any answer).
 * A reset outcome closes the connection without an answer; a transport fault breaks the answer as it says.
 * @example sendOutcome(request, reply, problemOutcome(problem(404, 'No route for GET /x'), 'default'))
 */
export function sendOutcome (request: FastifyRequest, reply: FastifyReply, outcome: Outcome): void {
  reply.hijack()
  if (outcome.reset === true) {
    const socket = tcpSocket(request)
    // app.inject() has no TCP socket to reset: destroying the response makes the injection fail the same way.
    if (socket !== undefined) socket.resetAndDestroy()
    else reply.raw.destroy()
    return
  }
  if (outcome.fault !== undefined) {
    writeFault(request, reply, outcome, outcome.fault)
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
