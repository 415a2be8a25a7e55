import { once } from 'node:events'
import { connect, createServer, type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { startFakeKonnect } from '../helpers/fake-konnect.js'
import { spawnListening, type Listening } from '../helpers/spawn.js'

// Each test starts the entry point under the TypeScript loader, which takes seconds on a busy machine.
t.setTimeout(180_000)

const ENTRY = fileURLToPath(new URL('../../server/server.ts', import.meta.url))

/** Starts the real entry point (TypeScript source, same loader as the tests) and resolves once it listens. */
function startServer (...args: string[]): Promise<Listening> {
  return spawnListening([...process.execArgv, ENTRY, '--port', '0', '--log-level', 'silent', ...args])
}

/** Resolves true when a TCP connection to the port is refused, false when it is accepted. */
function refused (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

async function until (what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`gave up waiting until ${what}`)
}

t.test('at the default log level the start prints one line, the URL; the log keeps its level after it', async (t) => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const deadPort = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const { child, url, stdout } = await startServer('--log-level', 'info', '--upstream', `http://127.0.0.1:${deadPort}`)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  t.same(stdout().split('\n').filter((line) => !line.startsWith('{')), [`konnect-invites-mock listening on ${url}`, ''])
  t.notMatch(stdout(), /"msg":"listening/, 'no listening line from the framework')
  const answer = await request(`${url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"ada@example.com"}' })
  t.equal(answer.statusCode, 502)
  await answer.body.dump()
  await until('the warning is logged', async () => stdout().includes('"msg":"upstream unreachable"'))
  t.pass('a warning after the start reaches the log')
})

t.test('SIGTERM finishes the request in flight, refuses new connections and exits 0', async (t) => {
  // The request in flight is held by a fake upstream until the test lets it go, not by a real delay.
  const upstream = await startFakeKonnect(t)
  let release!: () => void
  upstream.hold = new Promise<void>((resolve) => { release = resolve })
  t.teardown(() => release())
  const { child, url, port } = await startServer('--upstream', upstream.url)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>

  const inFlight = request(`${url}/v3/invites`, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: '{"email":"late@example.com"}'
  })
  await until('the request in flight reached the upstream', async () => upstream.received.length === 1)

  child.kill('SIGTERM')
  await until('new connections are refused', () => refused(port))

  release()
  const res = await inFlight
  t.equal(res.statusCode, 201, 'the request in flight is answered')
  t.equal(res.headers['x-mock-scenario-served'], 'upstream')
  t.equal(res.headers.connection, 'close', 'answered after SIGTERM: the client must not reuse the socket')
  await res.body.dump()

  const [code, signal] = await exited
  t.equal(signal, null, 'the process was not killed')
  t.equal(code, 0, 'it exits 0')
  t.ok(await refused(port), 'nothing listens any more')
})

t.test('SIGTERM on an idle server exits 0 at once', async (t) => {
  const { child } = await startServer()
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  child.kill('SIGTERM')
  t.same(await exited, [0, null])
})

t.test('a delayed answer that outlasts --shutdown-grace is cut: exit 1 and one line on stderr', async (t) => {
  const { child, url, stderr } = await startServer('--shutdown-grace', '50')
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const set = await request(`${url}/__mock/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'delay', session: 'slow', times: 1, delayMs: 10_000 }) })
  await set.body.dump()
  const inFlight = request(`${url}/v3/invites`, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'x-mock-session': 'slow' },
    body: '{"email":"late@example.com"}'
  }).then(() => 'answered', (error: Error) => error.name)
  await until('the slow request is being handled', async () => {
    const res = await request(`${url}/__mock/scenarios`)
    const body = await res.body.json() as { active: { sessions: Record<string, unknown> } }
    return !('slow' in body.active.sessions)
  })
  child.kill('SIGTERM')
  t.same(await exited, [1, null], 'exit 1 once the grace ran out, long before the delay ends')
  t.not(await inFlight, 'answered', 'the held answer was cut')
  t.equal(stderr(), 'konnect-invites-mock: requests still open after the shutdown grace of 50 ms were cut (see --shutdown-grace)\n')
})
