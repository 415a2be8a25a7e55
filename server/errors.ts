/**
 * The one error path: every error the server can produce (its own 404 and 405, body limits, media
 * types, parse and validation errors, HTTP-level client errors, crashes) leaves as
 * `application/problem+json` in the documented BaseError shape, never as Fastify's default JSON.
 */
import type { Socket } from 'node:net'
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEM_JSON, type BaseError, type BadRequestError } from '../contracts/schemas.js'
import { badRequest, problem } from '../scenarios/outcome.js'

export const SERVED_HEADER = 'x-mock-scenario-served'

/**
 * Sends a problem document, the single exit point for problem+json written by the server itself.
 * @example return sendProblem(reply, problem(404, 'Route GET /x not found'))
 */
export function sendProblem (reply: FastifyReply, body: BaseError | BadRequestError, headers: Record<string, string> = {}): FastifyReply {
  return reply
    .code(body.status)
    .headers(headers)
    .header(SERVED_HEADER, 'default')
    .type(PROBLEM_JSON)
    .send(JSON.stringify(body))
}

function fromError (error: FastifyError, bodyLimit: number): BaseError | BadRequestError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, `The request body is larger than ${bodyLimit} bytes`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'Unsupported media type: send the body as application/json')
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return badRequest([{ field: 'body', reason: 'request format is invalid' }], 'The body length does not match Content-Length')
  }
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
  if (status >= 500) return problem(500, 'An unexpected error occurred')
  if (status === 400) return badRequest([{ field: 'body', reason: 'request format is invalid' }], error.message)
  return problem(status, error.message)
}

interface RouteEntry { pattern: RegExp, methods: Set<string> }

/** Route patterns (`/__mock/users/:email`) → methods, filled as routes are added, to tell a 405 from a 404. */
function watchRoutes (app: FastifyInstance): Map<string, RouteEntry> {
  const table = new Map<string, RouteEntry>()
  app.addHook('onRoute', (route) => {
    const entry = table.get(route.url) ?? {
      pattern: new RegExp(`^${route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')}$`),
      methods: new Set<string>()
    }
    for (const method of [route.method].flat()) entry.methods.add(method)
    table.set(route.url, entry)
  })
  return table
}

/** Told of every error answer the handlers below send, so it can be journaled. */
export type ErrorObserver = (request: FastifyRequest, status: number) => void

/**
 * Installs the error handler and the 404/405 handler. Call before routes are registered (it
 * watches them to answer 405 with `Allow`). Server errors are logged to `log`.
 */
export function installErrorHandling (app: FastifyInstance, bodyLimit: number, observe: ErrorObserver, log: FastifyBaseLogger): void {
  const routes = watchRoutes(app)

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = fromError(error, bodyLimit)
    if (body.status >= 500) log.error({ reqId: request.id, err: error }, 'request failed')
    observe(request, body.status)
    return sendProblem(reply, body)
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!
    const allowed = new Set<string>()
    for (const route of routes.values()) if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method)
    observe(request, allowed.size > 0 ? 405 : 404)
    if (allowed.size > 0) {
      return sendProblem(reply, problem(405, `Method ${request.method} is not allowed on ${path}; use ${[...allowed].join(', ')}`),
        { allow: [...allowed].join(', ') })
    }
    return sendProblem(reply, problem(404, `No route for ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`))
  })
}

/**
 * Answers HTTP-level client errors (malformed requests, oversized headers, timeouts) as problem+json
 * on the raw socket, since they never reach a route. Used as Fastify's `clientErrorHandler`.
 */
export function clientErrorHandler (error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW'
    ? 431
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'HPE_TIMEOUT' ? 408 : 400
  const detail = status === 431
    ? 'The request headers are too large'
    : status === 408 ? 'The request was not received in time' : 'The request is not valid HTTP'
  const body = status === 400 ? badRequest([{ field: 'request', reason: 'is not valid HTTP' }], detail) : problem(status, detail)
  const payload = JSON.stringify(body)
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
    `content-type: ${PROBLEM_JSON}\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n${SERVED_HEADER}: default\r\nconnection: close\r\n\r\n${payload}`)
}
