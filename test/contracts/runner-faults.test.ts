/**
 * The contract runner's rule for the cut body: the built-in `truncated-body` must answer its status
 * and media type and then break off; a whole body is a violation, and so is a cut anywhere else.
 */
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { runContract } from '../../contracts/runner.js'
import { listen } from '../helpers/app.js'

const CONFLICT = '{"status":409,"title":"Resource Conflict","instance":"konnect:trace:1","detail":"User is already active"}'

/** A server that says it is this mock, lists one scenario and answers every invite with `answer`. */
async function fakeMock (t: Test, listed: Record<string, unknown>, answer: (reply: import('fastify').FastifyReply) => unknown): Promise<string> {
  const app: FastifyInstance = Fastify()
  app.get('/__mock/health', async () => ({ status: 'ok' }))
  app.get('/__mock/violations', async (_request, reply) => reply.code(404).send())
  app.get('/__mock/scenarios', async () => ({ active: { global: null, sessions: {}, totalSessions: 0 }, scenarios: [listed] }))
  app.put('/__mock/scenario', async () => ({ global: null }))
  app.post('/v3/invites', async (_request, reply) => answer(reply))
  return (await listen(t, app)).url
}

const truncated = { id: 'truncated-body', title: 'Body cut short', status: 409, kind: 'behaviour', description: 'Cut.', fault: true, contentType: 'application/problem+json; charset=utf-8' }

function whole (reply: import('fastify').FastifyReply): unknown {
  return reply.code(409).header('x-mock-scenario-served', 'truncated-body').type('application/problem+json; charset=utf-8').send(CONFLICT)
}

function cut (reply: import('fastify').FastifyReply, served: string): void {
  reply.hijack()
  reply.raw.writeHead(409, { 'x-mock-scenario-served': served, 'content-type': 'application/problem+json; charset=utf-8', 'content-length': String(CONFLICT.length) })
  reply.raw.write(CONFLICT.slice(0, 20), () => reply.raw.socket?.destroySoon())
}

t.test('truncated-body answered whole is a violation: the body must break off', async (t) => {
  const url = await fakeMock(t, truncated, whole)
  const report = await runContract({ baseUrl: url })
  t.same(report.checks[0], {
    name: 'scenario:truncated-body',
    status: 409,
    ok: false,
    violations: [{ check: 'scenario:truncated-body', status: 409, path: '/body', expected: 'a body cut short of its Content-Length', got: `the whole body (${CONFLICT.length} bytes)` }]
  })
})

t.test('truncated-body cut short conforms; the same cut under a custom scenario is no answer', async (t) => {
  const good = await runContract({ baseUrl: await fakeMock(t, truncated, (reply) => cut(reply, 'truncated-body')) })
  t.same(good.checks[0], { name: 'scenario:truncated-body', status: 409, ok: true, violations: [] })

  const custom = { ...truncated, id: 'my-conflict', kind: 'custom' }
  const bad = await runContract({ baseUrl: await fakeMock(t, custom, (reply) => cut(reply, 'my-conflict')) })
  t.match(bad.checks[0], { name: 'scenario:my-conflict', status: 0, ok: false, violations: [{ path: '/status', expected: '409', got: /^no answer/ }] })
})
