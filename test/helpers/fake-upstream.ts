/**
 * A stand-in for the real service behind `--upstream`: a Fastify app on 127.0.0.1, port 0, that
 * answers `POST /v3/invites` with exactly the bytes a test gives it and keeps what it received.
 */
import type { Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { listen } from './app.js'

export interface RawAnswer {
  status: number
  /** Header name, value pairs, written as given. */
  headers: string[]
  body: string
}

interface Received {
  method: string
  url: string
  rawHeaders: string[]
  body: string
}

export interface FakeUpstream {
  url: string
  app: FastifyInstance
  received: Received[]
  /** What the next invites get; `'hang'` never answers, `'reset'` drops the connection. */
  answer: RawAnswer | 'hang' | 'reset'
}

/**
 * Starts the stand-in; close it in teardown.
 * @example const upstream = await startUpstream(t); upstream.answer = { status: 201, headers: [], body: '' }
 */
export async function startUpstream (t: Test): Promise<FakeUpstream> {
  const app = Fastify({ forceCloseConnections: true })
  const fake: FakeUpstream = { url: '', app, received: [], answer: { status: 201, headers: [], body: '' } }
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => { done(null, text) })
  app.post('/v3/invites', (request, reply) => {
    fake.received.push({ method: request.method, url: request.url, rawHeaders: request.raw.rawHeaders, body: (request.body as string | undefined) ?? '' })
    reply.hijack()
    const answer = fake.answer
    if (answer === 'hang') return
    if (answer === 'reset') {
      request.raw.socket.destroy()
      return
    }
    reply.raw.writeHead(answer.status, [...answer.headers, 'content-length', String(Buffer.byteLength(answer.body))])
    reply.raw.end(answer.body)
  })
  fake.url = (await listen(t, app)).url
  return fake
}
