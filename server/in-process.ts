/**
 * The mock inside a Node process: `startMockServer()` for code that needs a URL, and
 * `InProcessDispatcher`, an undici Dispatcher that hands each request to `app.inject()`, so undici's
 * `request` and `fetch` reach the mock with no socket and no port at all.
 */
import type { AddressInfo } from 'node:net'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { Dispatcher, errors } from 'undici'
import { buildApp, type MockOptions } from './app.js'
import { listenUrl } from './address.js'

export interface StartOptions extends MockOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string
  /** Port to listen on (default 0: any free port). */
  port?: number
}

export interface MockServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  app: FastifyInstance
  /** Stops listening and waits for open requests to finish. */
  close: () => Promise<void>
}

/**
 * Builds the mock and listens on a free port of 127.0.0.1.
 * @example
 * const mock = await startMockServer({ activeUsers: ['taken@example.com'] })
 * await fetch(`${mock.url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"taken@example.com"}' }) // 409
 * await mock.close()
 */
export async function startMockServer (options: StartOptions = {}): Promise<MockServer> {
  const { host = '127.0.0.1', port = 0, ...mockOptions } = options
  const app = buildApp({ ...mockOptions, allowedHosts: [host, ...mockOptions.allowedHosts ?? []] })
  try {
    await app.listen({ host, port })
  } catch (error) {
    await app.close()
    throw error
  }
  const address = app.server.address() as AddressInfo
  return { url: listenUrl(address.address, address.port), app, close: () => app.close() }
}

type Handler = Dispatcher.DispatchHandler
type HeaderValue = string | string[]

/** The controller undici gives a handler: abort, pause and resume one in-process exchange. */
class InjectController implements Dispatcher.DispatchController {
  #aborted = false
  #paused = false
  #reason: Error | null = null
  #waiting: Array<() => void> = []

  constructor (private readonly onAbort: (reason: Error) => void) {}

  get aborted (): boolean { return this.#aborted }
  get paused (): boolean { return this.#paused }
  get reason (): Error | null { return this.#reason }

  abort (reason: Error): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.resume()
    queueMicrotask(() => this.onAbort(reason))
  }

  pause (): void { this.#paused = true }

  resume (): void {
    this.#paused = false
    for (const wake of this.#waiting.splice(0)) wake()
  }

  /** Resolves once the handler is not paused (or the exchange was aborted). */
  async resumed (): Promise<void> {
    if (this.#paused) await new Promise<void>((resolve) => { this.#waiting.push(resolve) })
  }
}

function rawHeaders (headers: Record<string, HeaderValue>): Buffer[] {
  const raw: Buffer[] = []
  for (const [name, value] of Object.entries(headers)) {
    for (const item of [value].flat()) raw.push(Buffer.from(name, 'latin1'), Buffer.from(item, 'latin1'))
  }
  return raw
}

/** Adapts a handler written for undici's older callback interface (what `request` and `fetch` pass) to the controller interface. */
function controllerHandler (handler: Handler): Handler {
  if (typeof handler.onRequestStart === 'function') return handler
  return {
    onRequestStart: (controller) => handler.onConnect?.((reason) => controller.abort(reason ?? new errors.RequestAbortedError())),
    onResponseStart: (controller, statusCode, headers, statusMessage) => {
      handler.onResponseStarted?.()
      const keepGoing = handler.onHeaders?.(statusCode, rawHeaders(headers as Record<string, HeaderValue>), () => controller.resume(), String(statusMessage))
      if (keepGoing === false) controller.pause()
    },
    onResponseData: (controller, chunk) => {
      if (handler.onData?.(chunk) === false) controller.pause()
    },
    onResponseEnd: () => handler.onComplete?.([]),
    onResponseError: (_controller, error) => handler.onError?.(error)
  }
}

function requestHeaders (headers: Dispatcher.DispatchOptions['headers']): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {}
  const add = (name: string, value: unknown): void => {
    if (value === undefined || value === null) return
    const key = name.toLowerCase()
    const values = Array.isArray(value) ? value.map(String) : [String(value)]
    const previous = out[key]
    out[key] = previous === undefined ? (values.length === 1 ? values[0]! : values) : [previous, values].flat()
  }
  if (headers === null || headers === undefined) return out
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) add(String(headers[i]), headers[i + 1])
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<[string, unknown]>) add(name, value)
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value)
  }
  return out
}

async function requestBody (body: unknown): Promise<Buffer | undefined> {
  if (body === null || body === undefined) return undefined
  if (typeof body === 'string') return Buffer.from(body)
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (typeof body === 'object' && (Symbol.asyncIterator in body || Symbol.iterator in body)) {
    const chunks: Buffer[] = []
    for await (const chunk of body as AsyncIterable<string | Uint8Array>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk))
    return Buffer.concat(chunks)
  }
  throw new errors.InvalidArgumentError('body must be a string, bytes, an iterable or a stream')
}

function withQuery (path: string, query: Record<string, unknown> | undefined): string {
  if (query === undefined) return path
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) for (const item of [value].flat()) search.append(name, String(item))
  return `${path}${path.includes('?') ? '&' : '?'}${search.toString()}`
}

function responseHeaders (headers: Record<string, unknown>): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {}
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.map(String) : String(value)
  return out
}

/**
 * An undici Dispatcher that serves every request from a mock app through `app.inject()`: no socket
 * is opened and the app need not listen. The origin of the URL is ignored (its host is sent as `Host`).
 * Closing the dispatcher does not close the app.
 * @example
 * import { request, fetch } from 'undici'
 * const app = buildApp()
 * const dispatcher = new InProcessDispatcher(app)
 * const res = await request('http://mock/v3/invites', { dispatcher, method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"a@example.com"}' })
 * res.statusCode // 201
 * const again = await fetch('http://mock/__mock/requests', { dispatcher })
 */
export class InProcessDispatcher extends Dispatcher {
  #closed: Error | null = null
  readonly #running = new Map<Promise<void>, InjectController>()

  constructor (readonly app: FastifyInstance) {
    super()
  }

  override dispatch (options: Dispatcher.DispatchOptions, handler: Handler): boolean {
    const target = controllerHandler(handler)
    let finished = false
    const finish = (): boolean => {
      const first = !finished
      finished = true
      return first
    }
    const fail = (error: Error): void => {
      if (finish()) target.onResponseError?.(controller, error)
    }
    const controller = new InjectController(fail)
    if (this.#closed !== null) {
      fail(this.#closed)
      return false
    }
    const run = this.#exchange(options, target, controller, finish)
      .catch((error: Error & { code?: string }) => fail(error.code === 'LIGHT_ECONNRESET' ? new errors.SocketError('other side closed') : error))
      .finally(() => this.#running.delete(run))
    this.#running.set(run, controller)
    return true
  }

  async #exchange (options: Dispatcher.DispatchOptions, handler: Handler, controller: InjectController, finish: () => boolean): Promise<void> {
    handler.onRequestStart?.(controller, {})
    if (controller.aborted) return
    const payload = await requestBody(options.body)
    const headers = requestHeaders(options.headers)
    if (headers.host === undefined && options.origin !== undefined) headers.host = new URL(String(options.origin)).host
    const inject: InjectOptions = { method: options.method as InjectOptions['method'], url: withQuery(options.path, options.query), headers }
    if (payload !== undefined) inject.payload = payload
    const response = await this.app.inject(inject)
    if (controller.aborted) return
    handler.onResponseStart?.(controller, response.statusCode, responseHeaders(response.headers), response.statusMessage)
    if (response.rawPayload.length > 0 && !controller.aborted) handler.onResponseData?.(controller, response.rawPayload)
    await controller.resumed()
    if (controller.aborted || !finish()) return
    handler.onResponseEnd?.(controller, {})
  }

  override close (): Promise<void>
  override close (callback: () => void): void
  override close (callback?: () => void): Promise<void> | void {
    this.#closed ??= new errors.ClientClosedError()
    const done = Promise.allSettled(this.#running.keys()).then(() => {})
    if (callback === undefined) return done
    done.then(callback)
  }

  override destroy (): Promise<void>
  override destroy (error: Error | null): Promise<void>
  override destroy (callback: () => void): void
  override destroy (error: Error | null, callback: () => void): void
  override destroy (errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' || errorOrCallback === undefined || errorOrCallback === null ? null : errorOrCallback
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback
    this.#closed = new errors.ClientDestroyedError()
    for (const controller of this.#running.values()) controller.abort(error ?? this.#closed)
    this.#running.clear()
    if (done === undefined) return Promise.resolve()
    queueMicrotask(done)
  }
}
