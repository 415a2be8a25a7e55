import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { Client } from 'undici'
import { buildApp } from '../../server/app.js'
import { closingResponses } from '../../server/closing.js'
import { heldSleep, listen } from '../helpers/app.js'

t.test('after start(), answers of that server say Connection: close, with writeHead or a bare end()', async (t) => {
  const closing = closingResponses()
  const other = closingResponses()
  const answer = (res: ServerResponse, url: string | undefined): void => {
    if (url === '/head') res.writeHead(200, ['content-length', '2']).end('ok')
    else res.end('ok')
  }
  const server = createServer({ ServerResponse: closing.ServerResponse }, (req, res) => { answer(res, req.url) })
  const bystander = createServer({ ServerResponse: other.ServerResponse }, (req, res) => { answer(res, req.url) })
  for (const s of [server, bystander]) await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close(); bystander.close() })
  const client = new Client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  const bystanderClient = new Client(`http://127.0.0.1:${(bystander.address() as AddressInfo).port}`)
  t.teardown(() => Promise.all([client.close(), bystanderClient.close()]))
  const connection = async (c: Client, path: string): Promise<string | string[] | undefined> => {
    const res = await c.request({ method: 'GET', path })
    await res.body.dump()
    return res.headers.connection
  }
  t.equal(await connection(client, '/head'), 'keep-alive')
  t.equal(await connection(client, '/end'), 'keep-alive')
  closing.start()
  t.equal(await connection(client, '/head'), 'close', 'writeHead')
  t.equal(await connection(client, '/end'), 'close', 'a bare end()')
  t.equal(await connection(bystanderClient, '/head'), 'keep-alive', 'another server keeps its connections')
})

t.test('once the app closes, an answer held by a delay carries Connection: close over a real keep-alive socket', async (t) => {
  const gate = heldSleep()
  const app = buildApp({ sleep: gate.sleep })
  // Registered after the mock's own: runs once the mock knows it is closing.
  app.addHook('preClose', (done) => { gate.release(); done() })
  const { url } = await listen(t, app)
  const client = new Client(url, { pipelining: 1 })
  t.teardown(() => client.close())
  const invite = (headers: Record<string, string> = {}) => client.request({
    method: 'POST',
    path: '/v3/invites',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers },
    body: '{"email":"a@example.com"}'
  })

  const before = await invite()
  t.equal(before.statusCode, 201)
  t.equal(before.headers.connection, 'keep-alive', 'before closing the connection is kept')
  await before.body.dump()

  const held = invite({ 'x-mock-delay': '50' })
  await gate.held
  const closed = app.close()
  const res = await held
  t.equal(res.statusCode, 201, 'the answer in flight is still given')
  t.equal(res.headers.connection, 'close', 'and tells the client not to reuse the socket')
  t.notOk(res.headers['keep-alive'], 'no keep-alive timeout is announced')
  await res.body.dump()
  await closed
  t.equal(app.server.listening, false)
})
