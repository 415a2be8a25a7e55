/**
 * The one error path: every error the server can produce (its own 404 and 405, body limits, media
 * types, parse and validation errors, HTTP-level client errors, crashes) leaves as
 * `application/problem+json` in the documented BaseError shape, never as Fastify's default JSON.
 * Errors about the mock's own controls (the admin API) say what is wrong and where, and carry the
 * mock's own mark (see `mockProblemOutcome`), so they never pass for Konnect's.
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify'
import type { BaseError, BadRequestError, InvalidParameter } from '../contracts/schemas.js'
import { badRequest, mockProblemOutcome, problem, problemOutcome, type MockProblemKind } from '../scenarios/outcome.js'
import { FORMATS } from '../contracts/formats.js'
import { truncate } from '../contracts/internal/text.js'
import { sendOutcome, writeOutcome } from './reply.js'
import { DEFAULT_ID } from '../contracts/headers.js'

/**
 * Sends a problem document the mock wrote itself, marked as served by the default behaviour.
 * @example sendProblem(request, reply, problem(404, 'No route for GET /x'))
 */
export function sendProblem (request: FastifyRequest, reply: FastifyReply, body: BaseError | BadRequestError, headers?: Record<string, string>): void {
  sendOutcome(request, reply, problemOutcome(body, DEFAULT_ID, headers))
}

/**
 * Sends a problem about the mock's own controls, marked as the mock's: `type`
 * `urn:konnect-invites-mock:problem:<kind>`, served as `mock-error`.
 * @example sendMockProblem(request, reply, 'admin-limit', problem(409, '1000 sessions already have a scenario'))
 */
export function sendMockProblem (request: FastifyRequest, reply: FastifyReply, kind: MockProblemKind, body: BaseError | BadRequestError, headers?: Record<string, string>): void {
  sendOutcome(request, reply, mockProblemOutcome(kind, body, headers))
}

const SOURCES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' }

/** One failed check of a route schema, said the way Konnect says it. */
function invalidParameter (error: FastifySchemaValidationError, source: string): InvalidParameter {
  const params = error.params as Record<string, unknown>
  const at = error.instancePath.slice(1).replace(/\//g, '.')
  const field = (name: unknown): string => at === '' ? String(name) : `${at}.${String(name)}`
  const limit = Number(params.limit)
  switch (error.keyword) {
    case 'required':
      return { field: field(params.missingProperty), reason: 'is a required field', rule: 'required', source }
    case 'additionalProperties':
      return { field: field(params.additionalProperty), reason: 'unexpected property', rule: 'unknown_property', source }
    case 'type':
      // The whole body of the wrong type (an array, a string, not JSON at all) is Konnect's "request format is invalid".
      if (at === '' && source === 'body') return { field: 'body', reason: 'request format is invalid' }
      return { field: at, reason: `must be ${params.type === 'integer' ? 'an' : 'a'} ${String(params.type)}`, rule: `is_${String(params.type)}` as 'is_string', source }
    case 'minLength':
      if (limit === 1) return { field: at, reason: 'cannot be blank', source }
      return { field: at, reason: `must have at least ${limit} characters`, rule: 'min_length', minimum: limit, source }
    case 'maxLength':
      return { field: at, reason: `must not have more than ${limit} characters`, rule: 'max_length', maximum: limit, source }
    case 'minimum':
      return { field: at, reason: `must be at least ${limit}`, rule: 'min', minimum: limit, source }
    case 'maximum':
      return { field: at, reason: `must be at most ${limit}`, rule: 'max', maximum: limit, source }
    case 'format':
      return { field: at, reason: FORMATS[params.format as keyof typeof FORMATS]?.reason ?? `must be a valid ${String(params.format)}`, rule: 'invalid', source }
  }
  return { field: at, reason: error.message!, source }
}

function fromError (error: FastifyError, bodyLimit: number): BaseError | BadRequestError {
  if (error.validation !== undefined) {
    const source = SOURCES[error.validationContext!]!
    const parameters = error.validation.map((failure) => invalidParameter(failure, source))
    return badRequest(parameters as [InvalidParameter, ...InvalidParameter[]])
  }
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

/** The methods a route may have: what a 405's `Allow` is chosen from. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

/**
 * Answers a request no route took: a 405 with `Allow` when the path has routes for other methods
 * (`routeOf` maps a path to the route pattern that would serve it, for parametric routes), else a
 * 404. With `kind`, the answer is the mock's own (a scope of its controls). Returns the status
 * sent, for the journal. Use as (or in) a scope's not-found handler.
 * @example app.setNotFoundHandler((request, reply) => { notFound(app, request, reply) })
 */
export function notFound (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, routeOf: (path: string) => string = (path) => path, kind?: MockProblemKind): 404 | 405 {
  const path = request.url.split('?')[0]!
  const url = routeOf(path)
  const allowed = METHODS.filter((method) => app.hasRoute({ method, url }))
  const send = (body: BaseError, headers?: Record<string, string>): void => {
    if (kind === undefined) sendProblem(request, reply, body, headers)
    else sendMockProblem(request, reply, kind, body, headers)
  }
  if (allowed.length > 0) {
    send(problem(405, `Method ${request.method} is not allowed on ${truncate(path, 200)}; use ${allowed.join(', ')}`), { allow: allowed.join(', ') })
    return 405
  }
  send(problem(404, `No route for ${request.method} ${truncate(path, 200)}`))
  return 404
}

/** What a body of the wrong type is, in words. */
function kindOf (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`
}

/**
 * The route that took a request, as `PUT /__mock/users/:email`. Only routed requests reach an
 * error handler (an unknown path goes to the not-found handler), so the pattern is always known.
 */
function routeName (request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url!}`
}

/** A route's schema refused the request: which route, which part, and every field with its reason. */
function validationDetail (request: FastifyRequest, body: BadRequestError): string {
  const route = routeName(request)
  const [first] = body.invalid_parameters
  if (first!.field === 'body' && first!.source === undefined) {
    return request.body === undefined
      ? `The body is empty: ${route} takes a JSON object (Content-Type: application/json)`
      : `The body is ${kindOf(request.body)}: ${route} takes a JSON object`
  }
  const part = first!.source === 'query' ? 'query string' : first!.source === 'path' ? 'path' : 'body'
  return `${route}: the ${part} is refused: ${body.invalid_parameters.map(({ field, reason }) => `${field} ${reason}`).join('; ')}`
}

/**
 * The error handler of the admin API's scope: the answers of the app's handler with a detail
 * that says what is wrong and where, marked as the mock's own (`admin-request`). A crash stays
 * the app's plain 500, logged.
 * @example app.setErrorHandler(adminErrorHandler(65536))
 */
export function adminErrorHandler (bodyLimit: number): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    const body = fromError(error, bodyLimit)
    if (body.status >= 500) {
      request.log.error({ reqId: request.id, err: error }, 'request failed')
      sendProblem(request, reply, body)
      return
    }
    if (error.validation !== undefined) body.detail = validationDetail(request, body as BadRequestError)
    else if (body.status === 415) {
      const type = request.headers['content-type']
      body.detail = `${routeName(request)} takes a JSON body (Content-Type: application/json), not ${type === undefined ? 'a body without Content-Type' : truncate(type, 80)}`
    }
    sendMockProblem(request, reply, 'admin-request', body)
  }
}

/**
 * Answers a plain-HTTP proxy request (a target in absolute form, `GET http://host/path`) with a 400
 * and says so; a request for a path is left alone. The router serves `http://host/path` as `/path`,
 * so the guard's hooks ask this first on every route, and the 404 handler on the rest.
 * @example if (refusedPlainProxy(request, reply)) return
 */
export function refusedPlainProxy (request: FastifyRequest, reply: FastifyReply): boolean {
  const url = request.url
  if (url.charCodeAt(0) === 47) return false
  sendProblem(request, reply, badRequest([{ field: 'url', reason: 'must be a path (origin form)', source: 'path' }],
    `${request.method} ${truncate(url.split('?')[0]!, 200)} is a plain-HTTP proxy request: this mock proxies only HTTPS (CONNECT, with --proxy); send https:// URLs through it, or call it directly at a path`))
  return true
}

/** Told of every error answer the handlers below send, so it can be journaled. */
export type ErrorObserver = (request: FastifyRequest, status: number) => void

/**
 * Installs the error handler and the app's 404/405 handler (a plugin with a prefix may set its own
 * for its paths). Server errors are logged with the request's logger.
 * @example installErrorHandling(app, 65536, () => {})
 */
export function installErrorHandling (app: FastifyInstance, bodyLimit: number, observe: ErrorObserver): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = fromError(error, bodyLimit)
    if (body.status >= 500) request.log.error({ reqId: request.id, err: error }, 'request failed')
    observe(request, body.status)
    sendProblem(request, reply, body)
  })

  app.setNotFoundHandler((request, reply) => {
    observe(request, refusedPlainProxy(request, reply) ? 400 : notFound(app, request, reply))
  })
}

/**
 * Answers HTTP-level client errors (malformed requests, oversized headers, timeouts) as problem+json
 * on the raw socket (the connection is closed after it), since they never reach a route. Used as Fastify's `clientErrorHandler`.
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
  writeOutcome(socket, problemOutcome(body, DEFAULT_ID))
}

/**
 * Without a `connect` listener Node drops a CONNECT request with no answer at all; without
 * `--proxy` the mock is no proxy, so it answers 405 problem+json and closes the connection.
 */
export function refuseConnect (_request: IncomingMessage, socket: Duplex): void {
  writeOutcome(socket as Socket, problemOutcome(problem(405, 'Method CONNECT is not allowed: this server is not a proxy (start it with --proxy to intercept Konnect\'s API hosts)'), DEFAULT_ID))
}
