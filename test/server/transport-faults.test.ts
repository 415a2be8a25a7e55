/**
 * The transport faults over real sockets, as undici sees them: a body cut short of its
 * Content-Length, a connection closed with no answer, a body dripped over time, a 201 whose JSON is
 * not JSON, a head that never ends. Each is journaled, and the server stays healthy after 1000 of each.
 */
import { connect } from 'node:net'
import t, { type Test } from 'tap'
import { Client, errors, fetch, request } from 'undici'
import { HEADERS_HOLD_MS, SLOW_BODY_MS } from '../../scenarios/catalogue.js'
import { DRIP_PIECES } from '../../server/reply.js'
import { build, listen } from '../helpers/app.js'
import { assertHealthy, exchange, parseAnswer } from '../helpers/wire.js'

const INVITE = { authorization: 'Bearer t', 'content-type': 'application/json' }
const BODY = '{"email":"ada@example.com"}'
/** Longest the empty reply may take to close before it counts as a hang. */
const HANG_MS = 5000
const FAULTS = ['truncated-body', 'empty-reply', 'slow-body', 'not-json-body', 'headers-never-finish']

/** A `sleep` the test drives: each call waits until the test releases it; `asked` lists the times asked for. */
function gatedSleep (): { sleep: (ms: number) => Promise<void>, asked: number[], release: () => void, waiting: () => number } {
  const asked: number[] = []
  const gates: Array<() => void> = []
  return {
    sleep: (ms) => {
      asked.push(ms)
      return new Promise<void>((resolve) => { gates.push(resolve) })
    },
    asked,
    release: () => { gates.shift()?.() },
    waiting: () => gates.length
  }
}

/** Waits (on the event loop, no timer) until `ready()` holds. */
async function until (ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setImmediate(resolve))
}

/** The raw request text of one invite forcing `scenario`. */
function rawInvite (scenario: string, extra = ''): string {
  return `POST /v3/invites HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\nX-Mock-Scenario: ${scenario}\r\n${extra}\r\n${BODY}`
}

async function journal (t: Test, app: Awaited<ReturnType<typeof build>>): Promise<Array<{ scenario: string, status: number, heldMs: number }>> {
  const res = await app.inject({ url: '/__mock/requests' })
  t.equal(res.statusCode, 200)
  return (res.json() as { requests: Array<{ scenario: string, status: number, heldMs: number }> }).requests
}

t.test('GET /__mock/scenarios lists the five faults, with when, says and the time the paced ones take', async (t) => {
  const app = build(t)
  const { scenarios } = (await app.inject({ url: '/__mock/scenarios' })).json() as { scenarios: Array<Record<string, unknown>> }
  const listed = scenarios.filter((s) => FAULTS.includes(s.id as string))
  t.same(listed.map((s) => s.id), FAULTS)
  for (const scenario of listed) {
    t.equal(scenario.fault, true, `${scenario.id}: a fault`)
    t.equal(scenario.kind, 'behaviour')
    t.match(scenario.when, /^\S.*\.$/, `${scenario.id}: when`)
    t.match(scenario.says, /^\S.*\.$/, `${scenario.id}: says`)
  }
  const byId = Object.fromEntries(listed.map((s) => [s.id, s]))
  t.match(byId['truncated-body'], { status: 409, contentType: 'application/problem+json; charset=utf-8' })
  t.notOk('example' in byId['truncated-body']!, 'a cut 409 is not the documented example: it does not count as covering it')
  t.match(byId['empty-reply'], { status: 0 })
  t.match(byId['slow-body'], { status: 409, delayMs: SLOW_BODY_MS })
  t.match(byId['not-json-body'], { status: 201, contentType: 'application/json; charset=utf-8' })
  t.match(byId['headers-never-finish'], { status: 0, delayMs: HEADERS_HOLD_MS })
  t.equal(SLOW_BODY_MS, 2000)
  t.equal(HEADERS_HOLD_MS, 30_000)
})

t.test('truncated-body: the head promises the whole 409 document, half of it comes, then the socket closes', async (t) => {
  const app = build(t)
  const { url, port } = await listen(t, app)
  const raw = parseAnswer(await exchange(port, [rawInvite('truncated-body')], true))
  t.equal(raw.status, 409)
  t.equal(raw.headers['x-mock-scenario-served'], 'truncated-body')
  t.equal(raw.headers['content-type'], 'application/problem+json; charset=utf-8')
  const promised = Number(raw.headers['content-length'])
  t.ok(promised > 100, 'the whole document is promised')
  t.equal(Buffer.byteLength(raw.body), promised >> 1, 'half of it is sent')
  t.match(raw.body, /^\{"status":409,"title":"Resource Conflict"/)
  t.notOk(raw.headers.connection, 'the head announced nothing unusual')

  const res = await request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'truncated-body' }, body: BODY })
  t.equal(res.statusCode, 409, 'the status and headers arrive')
  await t.rejects(res.body.text(), errors.SocketError, 'reading the body fails: the other side closed')

  const viaFetch = await fetch(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'truncated-body' }, body: BODY })
  t.equal(viaFetch.status, 409)
  await t.rejects(viaFetch.json(), 'fetch fails on the cut body too')

  t.match(await journal(t, app), [{ scenario: 'truncated-body', status: 409 }, { scenario: 'truncated-body', status: 409 }, { scenario: 'truncated-body', status: 409 }], 'journaled with the status it promised')
  await assertHealthy(t, app)
})

t.test('empty-reply: the request is read whole, then the connection closes cleanly with nothing written', async (t) => {
  const app = build(t)
  const { url, port } = await listen(t, app)
  const outcome = await new Promise<{ bytes: number, error: string | undefined }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let bytes = 0
    let error: string | undefined
    socket.setTimeout(HANG_MS, () => { socket.destroy(); reject(new Error('no close')) })
    socket.on('connect', () => socket.write(rawInvite('empty-reply')))
    socket.on('data', (chunk: Buffer) => { bytes += chunk.length })
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code })
    socket.on('end', () => socket.end())
    socket.on('close', () => resolve({ bytes, error }))
  })
  t.same(outcome, { bytes: 0, error: undefined }, 'no byte, and a clean close (FIN, not a reset)')

  await t.rejects(request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'empty-reply' }, body: BODY }),
    { code: 'UND_ERR_SOCKET', message: 'other side closed' }, 'undici: a socket closed with no response')
  await t.rejects(fetch(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'empty-reply' }, body: BODY }),
    { message: 'fetch failed', cause: { code: 'UND_ERR_SOCKET' } })
  t.match(await journal(t, app), [{ scenario: 'empty-reply', status: 0 }, { scenario: 'empty-reply', status: 0 }, { scenario: 'empty-reply', status: 0 }], 'journaled with no status')
  await assertHealthy(t, app)
})

t.test('slow-body: the head at once, the body in pieces as the (injected) clock lets them go', async (t) => {
  const gate = gatedSleep()
  const app = build(t, { sleep: gate.sleep })
  const { url } = await listen(t, app)
  const client = new Client(url)
  t.teardown(() => client.close())
  const res = await client.request({ method: 'POST', path: '/v3/invites', headers: { ...INVITE, 'x-mock-scenario': 'slow-body', 'x-mock-delay': '500' }, body: BODY })
  t.equal(res.statusCode, 409, 'the head came before any piece was let go')
  t.equal(res.headers['x-mock-scenario-served'], 'slow-body')
  const promised = Number(res.headers['content-length'])
  const pieces: Buffer[] = []
  res.body.on('data', (chunk: Buffer) => pieces.push(chunk))
  const ended = new Promise((resolve) => res.body.on('end', resolve))
  const size = (): number => Buffer.concat(pieces).length
  for (let i = 0; i < DRIP_PIECES; i++) {
    const expected = Math.floor(i * promised / DRIP_PIECES)
    await until(() => gate.waiting() === 1 && size() >= expected)
    t.equal(size(), expected, `piece ${i + 1} waits for the clock`)
    gate.release()
  }
  await ended
  t.equal(size(), promised)
  t.match(JSON.parse(Buffer.concat(pieces).toString()), { status: 409, title: 'Resource Conflict', detail: 'User is already active' })
  t.same(gate.asked, Array(DRIP_PIECES).fill(500 / DRIP_PIECES), 'the asked time, evenly spread: X-Mock-Delay sets the drip')

  gate.asked.length = 0
  const put = await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'slow-body', times: 1 } })
  t.equal(put.statusCode, 200)
  const sticky = client.request({ method: 'POST', path: '/v3/invites', headers: INVITE, body: BODY }).then((r) => r.body.text())
  for (let i = 0; i < DRIP_PIECES; i++) {
    await until(() => gate.waiting() === 1)
    gate.release()
  }
  t.match(await sticky, /User is already active/)
  t.same(gate.asked, Array(DRIP_PIECES).fill(SLOW_BODY_MS / DRIP_PIECES), 'its own 2 s when no delay is given')
  t.match(await journal(t, app), [{ scenario: 'slow-body', status: 409, heldMs: 0 }, { scenario: 'slow-body', status: 409, heldMs: 0 }], 'journaled at once, not as held back')
})

t.test('slow-body: a client whose body timeout is shorter than a piece\'s wait gives up (real 50 ms timeout)', async (t) => {
  // Waits on real timers: it proves undici's own body timeout, a socket timer it checks every half second, ends a stalled read.
  const gate = gatedSleep()
  const app = build(t, { sleep: gate.sleep })
  const { url } = await listen(t, app)
  const client = new Client(url, { bodyTimeout: 50 })
  t.teardown(() => client.close())
  const res = await client.request({ method: 'POST', path: '/v3/invites', headers: { ...INVITE, 'x-mock-scenario': 'slow-body' }, body: BODY })
  t.equal(res.statusCode, 409)
  await t.rejects(res.body.text(), errors.BodyTimeoutError)
  // The client closed its socket: the next piece finds the answer gone and the drip stops there.
  await until(() => gate.waiting() === 1)
  gate.release()
  await until(() => gate.waiting() === 0)
  t.equal(gate.asked.length, 1, 'no piece after the client went away')
  await assertHealthy(t, app)
})

t.test('slow-body over a real clock: the body takes the asked time, the head does not', async (t) => {
  const { url } = await listen(t, build(t))
  const started = performance.now()
  const res = await request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'slow-body', 'x-mock-delay': '100' }, body: BODY })
  const head = performance.now() - started
  await res.body.text()
  const whole = performance.now() - started
  t.ok(whole >= 95, `the body after ${whole.toFixed(0)} ms`)
  // The pieces are timed from the moment the head is written: nearly all the asked time comes after it.
  t.ok(whole - head >= 80, `the head in ${head.toFixed(0)} ms, the body ${(whole - head).toFixed(0)} ms after it`)
})

t.test('slow-body: a clock that fails ends the answer and logs why', async (t) => {
  const lines: string[] = []
  const app = build(t, { sleep: async () => { throw new Error('clock broke') }, logger: { level: 'error', stream: { write: (line: string) => { lines.push(line) } } } })
  const { url } = await listen(t, app)
  const res = await request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'slow-body' }, body: BODY })
  await t.rejects(res.body.text())
  t.match(lines.join(''), /"message":"clock broke".*"msg":"slow body could not be written"/)
  await assertHealthy(t, app)
})

t.test('not-json-body: a 201 labelled JSON whose body does not parse', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  const res = await fetch(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'not-json-body' }, body: BODY })
  t.equal(res.status, 201)
  t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
  await t.rejects(res.json(), SyntaxError, 'a JSON parse failure')
  const again = await request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'not-json-body' }, body: BODY })
  t.match(await again.body.text(), /^<html>/)
  t.match(await journal(t, app), [{ scenario: 'not-json-body', status: 201 }, { scenario: 'not-json-body', status: 201 }])
})

t.test('headers-never-finish: a status line and two headers, then nothing until the client\'s headers timeout fires (real 100 ms timeout)', async (t) => {
  // Waits on real timers: it proves undici's own headers timeout, a socket timer it checks every half second, ends a head that never finishes.
  const gate = gatedSleep()
  const app = build(t, { sleep: gate.sleep })
  const { url, port } = await listen(t, app)
  const client = new Client(url, { headersTimeout: 100 })
  t.teardown(() => client.close())
  await t.rejects(client.request({ method: 'POST', path: '/v3/invites', headers: { ...INVITE, 'x-mock-scenario': 'headers-never-finish' }, body: BODY }),
    errors.HeadersTimeoutError, 'the client\'s own timeout ends the wait')
  t.same(gate.asked, [HEADERS_HOLD_MS], 'the server would have held the socket 30 s')

  // What is on the wire: released by the test, the hold ends with the socket closed.
  const seen = exchange(port, [rawInvite('headers-never-finish')], true)
  await until(() => gate.waiting() === 2)
  gate.release()
  gate.release()
  const text = await seen
  t.match(text, /^HTTP\/1\.1 201 Created\r\nx-mock-scenario-served: headers-never-finish\r\ndate: [^\r]+ GMT\r\n$/, 'the head stops before its blank line')
  t.match(await journal(t, app), [{ scenario: 'headers-never-finish', status: 0 }, { scenario: 'headers-never-finish', status: 0 }], 'journaled with no status')
})

t.test('headers-never-finish: without a client timeout, the server\'s hold closes the socket (X-Mock-Delay sets it, --max-delay caps it)', async (t) => {
  const app = build(t, { maxDelayMs: 40 })
  const { url } = await listen(t, app)
  const started = performance.now()
  await t.rejects(request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'headers-never-finish' }, body: BODY }),
    { code: 'UND_ERR_SOCKET' }, 'no answer: the socket closed mid-head')
  t.ok(performance.now() - started >= 35, 'held about the cap')
  await t.rejects(request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'headers-never-finish', 'x-mock-delay': '5' }, body: BODY }),
    { code: 'UND_ERR_SOCKET' })
  const capped = await request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'headers-never-finish', 'x-mock-delay': '41' }, body: BODY })
  t.equal(capped.statusCode, 400, 'a delay over the cap is refused, as for any scenario')
  await capped.body.dump()
  await assertHealthy(t, app)
})

t.test('X-Mock-Delay holds back a fault that is not paced, as it does any scenario', async (t) => {
  const gate = gatedSleep()
  const app = build(t, { sleep: gate.sleep })
  const { url } = await listen(t, app)
  const pending = request(`${url}/v3/invites`, { method: 'POST', headers: { ...INVITE, 'x-mock-scenario': 'empty-reply', 'x-mock-delay': '7' }, body: BODY })
  await until(() => gate.waiting() === 1)
  t.same(gate.asked, [7])
  gate.release()
  await t.rejects(pending, { code: 'UND_ERR_SOCKET' })
})

t.test('through app.inject(), with no socket to break, the faults fail the injection; a slow body comes whole', async (t) => {
  const app = build(t, { sleep: async () => {} })
  const inject = (scenario: string) => app.inject({ method: 'POST', url: '/v3/invites', headers: { ...INVITE, 'x-mock-scenario': scenario }, payload: BODY })
  for (const scenario of ['truncated-body', 'empty-reply', 'headers-never-finish']) await t.rejects(inject(scenario), { code: 'LIGHT_ECONNRESET' }, scenario)
  const slow = await inject('slow-body')
  t.equal(slow.statusCode, 409)
  t.equal(slow.json().detail, 'User is already active')
  t.equal((await inject('not-json-body')).body, '<html><body><h1>Invitation sent</h1></body></html>\n')
})

t.test('the server stays healthy after 1000 of each fault (20 clients, 50 short-lived requests each)', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  for (const scenario of FAULTS) {
    const started = performance.now()
    let failed = 0
    let answered = 0
    // X-Mock-Delay: 0 makes the paced faults instant (no drip, no hold).
    const headers = { ...INVITE, 'x-mock-scenario': scenario, 'x-mock-delay': '0' }
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 50; i++) {
        try {
          const res = await request(`${url}/v3/invites`, { method: 'POST', headers, body: BODY })
          await res.body.text()
          answered++
        } catch {
          failed++
        }
      }
    }))
    const fails = scenario === 'slow-body' || scenario === 'not-json-body' ? 0 : 1000
    t.same({ answered, failed }, { answered: 1000 - fails, failed: fails }, `${scenario}: every one seen as what it is`)
    t.comment(`${scenario}: 1000 in ${(performance.now() - started).toFixed(0)} ms`)
  }
  const count = (await app.inject({ url: '/__mock/coverage' })).json() as { scenarios: Array<{ id: string, served: number }> }
  t.same(count.scenarios.filter((s) => FAULTS.includes(s.id)).map((s) => s.served), [1000, 1000, 1000, 1000, 1000], 'each counted 1000 times')
  const created = await request(`${url}/v3/invites`, { method: 'POST', headers: INVITE, body: BODY })
  t.equal(created.statusCode, 201, 'a normal invite afterwards')
  await created.body.dump()
  const connections = await new Promise<number>((resolve, reject) => app.server.getConnections((error, count) => { if (error) reject(error); else resolve(count) }))
  t.ok(connections <= 20, `no connection left behind (${connections} open, the clients' keep-alive ones at most)`)
  await assertHealthy(t, app)
})
