/**
 * The ceiling for the benchmark: a bare Fastify route on the same path that parses the JSON body
 * and answers 201, or one static problem+json body. Whatever the mock does beyond this costs
 * throughput, so the mock's requests per second divided by this server's is the figure to watch.
 *
 * Run: `node dist/bench/ceiling.js [--port <n>]`; it prints `ceiling listening on http://…`.
 */
import Fastify from 'fastify'

const PROBLEM = 'application/problem+json'
const BAD_REQUEST = JSON.stringify({
  status: 400,
  title: 'Bad Request',
  detail: '',
  instance: 'konnect:trace:0',
  invalid_parameters: [{ field: 'email', reason: 'cannot be blank' }]
})
const CONFLICT = JSON.stringify({
  status: 409,
  title: 'Conflict',
  instance: 'konnect:trace:0',
  detail: 'User is already active'
})

/**
 * Builds the ceiling app: `POST /v3/invites` answers 201 to a non-blank `email`, a static 409 when
 * `X-Mock-Scenario` is sent, and a static 400 otherwise.
 * @example const app = ceilingApp(); await app.listen({ port: 0 })
 */
export function ceilingApp () {
  const app = Fastify({ logger: false })
  app.post('/v3/invites', async (request, reply) => {
    if (request.headers['x-mock-scenario'] !== undefined) return reply.code(409).type(PROBLEM).send(CONFLICT)
    const email = (request.body as { email?: unknown } | null)?.email
    if (typeof email === 'string' && email.trim() !== '') return reply.code(201).send()
    return reply.code(400).type(PROBLEM).send(BAD_REQUEST)
  })
  return app
}

const portFlag = process.argv.indexOf('--port')
const app = ceilingApp()
const address = await app.listen({ port: portFlag > 0 ? Number(process.argv[portFlag + 1]) : 0, host: '127.0.0.1' })
process.stdout.write(`ceiling listening on ${address}\n`)
const close = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
process.once('SIGTERM', close)
process.once('SIGINT', close)
