import t from 'tap'
import { Client } from 'undici'
import { checkContract } from '../../contracts/validate.js'
import { builtInScenarios, DEFAULT_DELAY_MS } from '../../scenarios/catalogue.js'
import { build, listen } from '../helpers/app.js'

t.test('every scenario of the catalogue over a real socket', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  const client = new Client(url)
  t.teardown(() => client.close())
  const post = async (headers: Record<string, string>, body = '{"email":"new@example.com"}') => {
    const res = await client.request({ method: 'POST', path: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers }, body })
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
  }

  const created = await post({ 'x-mock-scenario': 'created' })
  t.equal(created.status, 201)
  t.equal(created.text, '')
  t.equal(created.headers['x-mock-scenario-served'], 'created')

  for (const [id, status, contract] of [['unauthenticated', 401, 'UnauthorizedError'], ['permission-denied', 403, 'ForbiddenError'], ['server-error', 500, 'BaseError'], ['service-unavailable', 503, 'BaseError']] as const) {
    const res = await post({ 'x-mock-scenario': id })
    t.equal(res.status, status, id)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', id)
    t.equal(res.headers['x-mock-scenario-served'], id)
    t.same(checkContract(contract, JSON.parse(res.text)), [], `${id} meets ${contract}`)
  }
  const unavailable = await post({ 'x-mock-scenario': 'service-unavailable' })
  t.equal(unavailable.headers['retry-after'], '1')

  const html = await post({ 'x-mock-scenario': 'bad-gateway-html' })
  t.equal(html.status, 502)
  t.equal(html.headers['content-type'], 'text/html; charset=utf-8')
  t.match(html.text, /<h1>502 Bad Gateway<\/h1>/)
  t.equal(html.headers['x-mock-scenario-served'], 'bad-gateway-html')

  for (const scenario of builtInScenarios.filter((s) => s.kind === 'documented')) {
    const res = await post({ 'x-mock-scenario': scenario.id })
    t.equal(res.status, scenario.status, scenario.id)
    t.equal(res.headers['x-mock-scenario-served'], scenario.id)
  }
  const plain = await post({})
  t.equal(plain.status, 201)
  t.equal(plain.headers['x-mock-scenario-served'], 'default')
  const missing = await client.request({ method: 'GET', path: '/nowhere' })
  t.equal(missing.headers['x-mock-scenario-served'], 'default', 'the server\'s own errors say so too')
  await missing.body.dump()
})

t.test('connection-reset closes the socket without an answer', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  const client = new Client(url)
  t.teardown(() => client.destroy())
  await t.rejects(client.request({ method: 'POST', path: '/v3/invites', headers: { 'x-mock-scenario': 'connection-reset', 'content-type': 'application/json' }, body: '{}' }),
    { code: /^(UND_ERR_SOCKET|ECONNRESET)$/ })
  const journal = (await app.inject({ url: '/__mock/requests' })).json().requests
  t.match(journal, [{ scenario: 'connection-reset', status: 0 }], 'journaled once, with no status')
  t.equal(journal.length, 1)
  const fresh = new Client(url)
  t.teardown(() => fresh.close())
  const after = await fresh.request({ method: 'GET', path: '/__mock/health' })
  t.same(await after.body.json(), { status: 'ok' }, 'the server goes on')
})

t.test('connection-reset through app.inject fails the injection instead of hanging', async (t) => {
  const app = build(t)
  await t.rejects(app.inject({ method: 'POST', url: '/v3/invites', headers: { 'x-mock-scenario': 'connection-reset' }, payload: {} }), { code: 'LIGHT_ECONNRESET' })
})

t.test('delay: X-Mock-Delay and delayMs hold the answer back by the asked time', async (t) => {
  const asked: number[] = []
  const app = build(t, { sleep: async (ms) => { asked.push(ms) } })
  const { url } = await listen(t, app)
  const client = new Client(url)
  t.teardown(() => client.close())
  const post = async (headers: Record<string, string>) => {
    const res = await client.request({ method: 'POST', path: '/v3/invites', headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers }, body: '{"email":"a@example.com"}' })
    await res.body.dump()
    return { status: res.statusCode, served: res.headers['x-mock-scenario-served'] }
  }
  t.match(await post({ 'x-mock-scenario': 'delay', 'x-mock-delay': '30' }), { status: 201, served: 'delay' })
  t.match(await post({ 'x-mock-scenario': 'created', 'x-mock-delay': '30' }), { status: 201, served: 'created' }, 'the delay modifies any scenario')
  const put = await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'delay', delayMs: 30, times: 1 } })
  t.same(put.json().global, { id: 'delay', remaining: 1, delayMs: 30 })
  t.match(await post({}), { status: 201, served: 'delay' }, 'the sticky delayMs')
  t.match(await post({ 'x-mock-scenario': 'delay' }), { status: 201, served: 'delay' })
  t.match(await post({}), { status: 201, served: 'default' })
  t.same(asked, [30, 30, 30, DEFAULT_DELAY_MS], 'each delay as asked, the scenario\'s own when none is; none for an answer sent at once')
})
