/**
 * The stress run: the built mock with every bounded store filled to its cap by worst-case input
 * (the journal with requests carrying the most headers, URL and body it keeps; sessions with the
 * longest names; active users and pending invites), while invites run and the admin API is polled
 * as an open dashboard would, and faster. Prints the invites' p99, the slowest admin call of each
 * kind (every admin call is timed), and the server's RSS. The poller runs in a worker thread, so a
 * call's time is the mock's and the network's, not the wait behind the load generator in this
 * thread; each admin route is called once before the fill, and that cold first call (code not yet
 * compiled) is reported on its own line. Then, with the stores still full, the same invite goes
 * over plain HTTP and through the mock's HTTPS proxy (`--proxy`, TLS kept alive, undici's
 * ProxyAgent trusting the mock's CA), one after the other with the same client, and new tunnels are
 * opened one at a time to time CONNECT plus the TLS handshake.
 *
 *   npm run stress                      the whole run, its figures as text
 *   npm run stress -- --json            the same, as JSON
 *   npm run stress -- --duration 20     seconds of measured invites (default 15)
 */
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import autocannon from 'autocannon'
import { Pool, ProxyAgent, type Dispatcher } from 'undici'
import { MOCK_ENTRY, procMb, start, stop } from './process.js'

/** The caps the run fills (the mock's defaults, and the largest journal it accepts). */
const CAPS = { journal: 10_000, sessions: 1000, users: 10_000, invites: 10_000 } as const
/** What a run should stay within. */
export const STRESS_TARGETS = { invitesP99Ms: 10, adminMs: 50, rssMb: 250 } as const

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits

/** The invite every measured load sends. */
const INVITE = { headers: { 'content-type': 'application/json', authorization: 'Bearer kpat_stress' }, body: JSON.stringify({ email: 'ada@example.com' }) }
/** The host the proxied invites are addressed to. */
const KONNECT = 'global.api.konghq.com'
/** New tunnels opened one at a time for the handshake figure. */
const HANDSHAKES = 200

const STRESS_HELP = `Usage: npm run stress -- [options]

Fills every bounded store of the built mock to its cap with worst-case input, then times invites,
admin calls and the HTTPS proxy meanwhile.

Options:
  --json                 print the figures as JSON
  --duration <s>         seconds of measured invites, and of each proxy load (default 15)
  --connections <n>      concurrent connections of the invite load (default 10)
  -h, --help             print this help and exit
`

/**
 * The heaviest request the journal keeps whole: 70 header lines of about 8 KiB (past the 64 lines and
 * 8 KiB it keeps), a 2 KiB URL with secrets in the query, a 4 KiB JSON body of many small fields,
 * some of them secrets, so reading an entry costs the most parsing and redacting.
 */
function worstCaseRequest (n: number): { path: string, headers: Record<string, string>, body: string } {
  const headers: Record<string, string> = { authorization: `Bearer kpat_${n}`, 'content-type': 'application/json', 'x-api-key': 'secret', 'x-mock-session': `stress-${n % 50}` }
  for (let i = 0; headers[`x-fill-${i}`] === undefined && i < 66; i++) headers[`x-fill-${i}`] = `${i}-`.padEnd(110, 'v')
  const path = `/v3/invites?token=t${n}&pad=`.padEnd(2048, 'q')
  const fields: Record<string, string> = { email: `worst-${n}@example.com`, password: 'p' }
  let body = JSON.stringify(fields)
  for (let i = 0; body.length < 4000; i++) {
    fields[i % 7 === 0 ? `token_${i}` : `field_${i}`] = 'v'.repeat(8)
    body = JSON.stringify(fields)
  }
  return { path, headers, body }
}

/** Every admin call's duration, by call. */
class AdminTimings {
  readonly byCall = new Map<string, number[]>()

  /** Makes an admin call, answer read whole, and records how long it took; resolves with its status and body. */
  async time (pool: Pool, call: string, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: string): Promise<{ status: number, text: string }> {
    const started = performance.now()
    const res = await pool.request({ method, path, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) })
    const text = await res.body.text()
    const ms = performance.now() - started
    if (res.statusCode >= 500) throw new Error(`${method} ${path} answered ${res.statusCode}`)
    const list = this.byCall.get(call) ?? []
    list.push(ms)
    this.byCall.set(call, list)
    return { status: res.statusCode, text }
  }

  /** Adds the calls another thread timed. */
  merge (byCall: Iterable<[string, number[]]>): void {
    for (const [call, ms] of byCall) this.byCall.set(call, [...(this.byCall.get(call) ?? []), ...ms])
  }

  report (): Array<{ call: string, count: number, maxMs: number, p50Ms: number }> {
    return [...this.byCall].map(([call, ms]) => {
      const sorted = [...ms].sort((a, b) => a - b)
      return { call, count: ms.length, maxMs: round(sorted[sorted.length - 1]!, 2), p50Ms: round(sorted[sorted.length >> 1]!, 2) }
    })
  }
}

/** Runs `tasks` calls of `task`, `width` at a time. */
async function parallel (tasks: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks) await task(next++)
  }))
}

/** Fills the journal with worst-case requests (which also fills the pending invites), `amount` of them. */
function worstCaseLoad (url: string, amount: number, connections: number, rate?: number): Promise<autocannon.Result> {
  let n = 0
  return autocannon({
    url,
    connections,
    amount,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: [{
      method: 'POST',
      setupRequest: (request) => {
        const heavy = worstCaseRequest(n++)
        return { ...request, path: heavy.path, headers: heavy.headers, body: heavy.body }
      }
    }]
  })
}

const LONG_SESSION = 's1-'.padEnd(200, 'x')

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0

interface ClientLoad { rps: number, p50Ms: number, p99Ms: number, errors: number }

/**
 * `connections` loops, each sending the stress invite and waiting for its answer, for `durationS`
 * seconds through `dispatcher` to `origin`: one client for plain HTTP and the proxy alike, so the
 * two figures differ only by the path. Errors are failed requests and 5xx answers.
 */
async function clientLoad (dispatcher: Dispatcher, origin: string, connections: number, durationS: number): Promise<ClientLoad> {
  const ms: number[] = []
  let errors = 0
  const started = performance.now()
  const until = started + durationS * 1000
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      const sent = performance.now()
      try {
        const res = await dispatcher.request({ origin, path: '/v3/invites', method: 'POST', headers: INVITE.headers, body: INVITE.body })
        await res.body.dump()
        if (res.statusCode >= 500) errors++
        ms.push(performance.now() - sent)
      } catch {
        errors++
      }
    }
  }))
  const sorted = ms.sort((a, b) => a - b)
  return { rps: Math.round(ms.length / ((performance.now() - started) / 1000)), p50Ms: round(percentile(sorted, 0.5), 2), p99Ms: round(percentile(sorted, 0.99), 2), errors }
}

/** Opens a tunnel to Konnect's host and finishes the TLS handshake in it; resolves with the milliseconds it took. */
async function tunnelHandshake (port: number, ca: string): Promise<number> {
  const started = performance.now()
  const socket = netConnect(port, '127.0.0.1')
  const timer = setTimeout(() => { socket.destroy(new Error(`no tunnel to ${KONNECT} within 5 s`)) }, 5000)
  try {
    socket.write(`CONNECT ${KONNECT}:443 HTTP/1.1\r\nhost: ${KONNECT}:443\r\n\r\n`)
    // A listener, not for-await: leaving the loop would destroy the socket the TLS client needs.
    const head = await new Promise<string>((resolve, reject) => {
      let text = ''
      const onData = (chunk: Buffer): void => {
        text += String(chunk)
        if (!text.includes('\r\n\r\n')) return
        socket.removeListener('data', onData)
        socket.pause()
        resolve(text)
      }
      socket.on('data', onData)
      socket.once('error', reject)
      socket.once('close', () => { reject(new Error(`CONNECT ${KONNECT}:443: the mock closed the connection`)) })
    })
    if (!head.startsWith('HTTP/1.1 200 ')) throw new Error(`CONNECT ${KONNECT}:443 answered ${head.split('\r\n')[0]}`)
    const tls = tlsConnect({ socket, servername: KONNECT, ca })
    await once(tls, 'secureConnect')
    const ms = performance.now() - started
    tls.destroy()
    return ms
  } finally {
    clearTimeout(timer)
    socket.destroy()
  }
}

/** Plain HTTP, then the proxy, with the same client; then new tunnels one at a time. */
async function proxyLoad (url: string, ca: string, connections: number, durationS: number): Promise<{ plain: ClientLoad, proxied: ClientLoad, handshake: { count: number, firstMs: number, p50Ms: number, p99Ms: number } }> {
  const port = Number(new URL(url).port)
  const firstMs = round(await tunnelHandshake(port, ca), 2)
  const pool = new Pool(url, { connections })
  const agent = new ProxyAgent({ uri: url, requestTls: { ca }, connections })
  try {
    // Plain HTTP is warm from the run above; the proxy's TLS path gets one untimed second too.
    await clientLoad(agent, `https://${KONNECT}`, connections, 1)
    const plain = await clientLoad(pool, url, connections, durationS)
    const proxied = await clientLoad(agent, `https://${KONNECT}`, connections, durationS)
    const times: number[] = []
    for (let i = 0; i < HANDSHAKES; i++) times.push(await tunnelHandshake(port, ca))
    times.sort((a, b) => a - b)
    return { plain, proxied, handshake: { count: HANDSHAKES, firstMs, p50Ms: round(percentile(times, 0.5), 2), p99Ms: round(percentile(times, 0.99), 2) } }
  } finally {
    await Promise.all([pool.close(), agent.close()])
  }
}

/** One round of the calls an open dashboard (and a busy script) makes; resolves with the next `after`. */
async function pollRound (pool: Pool, admin: AdminTimings, after: number): Promise<number> {
  await admin.time(pool, 'GET /__mock/requests (newest page)', 'GET', '/__mock/requests')
  const page = await admin.time(pool, 'GET /__mock/requests?after=', 'GET', `/__mock/requests?after=${after}`)
  // An address asks for every entry's body: the count that costs the most.
  await admin.time(pool, 'GET /__mock/requests/count?email=', 'GET', '/__mock/requests/count?email=worst-1%40example.com&method=POST')
  await admin.time(pool, 'GET /__mock/scenarios', 'GET', '/__mock/scenarios')
  await admin.time(pool, 'GET /__mock/invites', 'GET', '/__mock/invites')
  await admin.time(pool, 'GET /__mock/users', 'GET', '/__mock/users')
  await admin.time(pool, 'GET /__mock/coverage', 'GET', '/__mock/coverage')
  await admin.time(pool, 'PUT /__mock/scenario', 'PUT', '/__mock/scenario', JSON.stringify({ id: 'created', session: LONG_SESSION }))
  await admin.time(pool, 'DELETE /__mock/scenario?session=', 'DELETE', `/__mock/scenario?session=${LONG_SESSION}`)
  return (JSON.parse(page.text) as { next: number }).next
}

/**
 * The worker thread: one untimed round to compile this thread's code and open its connection, then
 * says it is ready, polls the admin API every 200 ms until told to stop, and posts its timings.
 */
async function poller (url: string): Promise<void> {
  const pool = new Pool(url, { connections: 1 })
  const admin = new AdminTimings()
  const stop = new AbortController()
  parentPort!.once('message', () => { stop.abort() })
  let after = await pollRound(pool, new AdminTimings(), 0)
  parentPort!.postMessage('ready')
  while (!stop.signal.aborted) {
    after = await pollRound(pool, admin, after)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await pool.close()
  parentPort!.postMessage([...admin.byCall])
}

async function run (): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      duration: { type: 'string', default: '15' },
      connections: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) {
    process.stdout.write(STRESS_HELP)
    return 0
  }
  const durationS = Number(values.duration)
  const connections = Number(values.connections)
  if (!Number.isInteger(durationS) || durationS < 1) throw new Error(`--duration expects a positive whole number, got "${values.duration}"`)
  if (!Number.isInteger(connections) || connections < 1) throw new Error(`--connections expects a positive whole number, got "${values.connections}"`)

  const caDir = mkdtempSync(join(tmpdir(), 'stress-ca-'))
  try {
    return await stress(durationS, connections, values.json === true, caDir)
  } finally {
    rmSync(caDir, { recursive: true, force: true })
  }
}

/** The run itself, with the proxy's CA in `caDir`. */
async function stress (durationS: number, connections: number, json: boolean, caDir: string): Promise<number> {
  const mock = await start(MOCK_ENTRY, ['--port', '0', '--log-level', 'silent', '--journal-limit', String(CAPS.journal), '--proxy', '--ca-dir', caDir])
  const pool = new Pool(mock.url, { connections: 4 })
  const admin = new AdminTimings()
  try {
    // Warm up: each admin route once, timed apart (its code is compiled on this first call).
    const cold = new AdminTimings()
    await pollRound(pool, cold, 0)
    await cold.time(pool, 'PUT /__mock/users/{email}', 'PUT', '/__mock/users/cold@example.com')
    await cold.time(pool, 'DELETE /__mock/users/{email}', 'DELETE', '/__mock/users/cold@example.com')
    const coldest = cold.report().reduce((a, b) => b.maxMs > a.maxMs ? b : a)

    // Fill: the journal (and the invites) with worst-case requests, sessions with 200-character names, users with 254-character addresses.
    const filled = performance.now()
    await worstCaseLoad(mock.url, CAPS.journal + 500, 4)
    await parallel(CAPS.sessions, 4, (i) => admin.time(pool, 'PUT /__mock/scenario', 'PUT', '/__mock/scenario',
      JSON.stringify({ id: 'server-error', session: `s${i}-`.padEnd(200, 'x'), times: 1_000_000 })))
    const domain = `${'d'.repeat(60)}.${'d'.repeat(60)}.${'d'.repeat(60)}.example`
    await parallel(CAPS.users, 4, (i) => admin.time(pool, 'PUT /__mock/users/{email}', 'PUT', `/__mock/users/${`u${i}`.padEnd(254 - domain.length - 1, 'a')}@${domain}`))
    const fillS = round((performance.now() - filled) / 1000)
    const refused = await admin.time(pool, 'PUT /__mock/scenario', 'PUT', '/__mock/scenario', JSON.stringify({ id: 'created', session: 'one-more' }))
    if (refused.status !== 409) throw new Error(`the session cap did not hold: one more session answered ${refused.status}`)

    // Measure: invites run while worst-case requests keep the journal churning and the admin API is polled.
    const polling = new Worker(fileURLToPath(import.meta.url), { workerData: { url: mock.url } })
    await once(polling, 'message')
    const polled = once(polling, 'message') as Promise<[Array<[string, number[]]>]>
    const churn = worstCaseLoad(mock.url, durationS * 200, 1, 200)
    const invites = await autocannon({
      url: `${mock.url}/v3/invites`,
      method: 'POST',
      headers: INVITE.headers,
      body: INVITE.body,
      connections,
      duration: durationS
    })
    polling.postMessage('stop')
    const [[timings]] = await Promise.all([polled, churn])
    admin.merge(timings)
    // Its work is done once it has posted; ending it here does not wait on whatever else keeps a thread alive.
    await polling.terminate()
    const rss = { nowMb: procMb(mock.child.pid!, 'VmRSS'), peakMb: procMb(mock.child.pid!, 'VmHWM') }
    const proxy = await proxyLoad(mock.url, readFileSync(join(caDir, 'ca.pem'), 'utf8'), connections, durationS)
    const rssAfterProxyMb = procMb(mock.child.pid!, 'VmHWM')
    const calls = admin.report()
    const slowest = calls.reduce((a, b) => b.maxMs > a.maxMs ? b : a)
    const met = {
      invitesP99: invites.latency.p99 <= STRESS_TARGETS.invitesP99Ms,
      admin: slowest.maxMs <= STRESS_TARGETS.adminMs,
      rss: rss.peakMb !== null && rss.peakMb < STRESS_TARGETS.rssMb
    }
    const report = {
      node: process.version,
      cpus: availableParallelism(),
      caps: CAPS,
      fillS,
      invites: { connections, durationS, rps: Math.round(invites.requests.mean), p50Ms: invites.latency.p50, p99Ms: invites.latency.p99, maxMs: invites.latency.max, errors: invites.errors + invites.non2xx },
      slowestAdmin: slowest,
      admin: calls,
      coldFirstCall: coldest,
      rss,
      proxy: { connections, durationS, ...proxy, rssPeakMb: rssAfterProxyMb },
      targets: STRESS_TARGETS,
      met
    }
    const out = (line = ''): void => { process.stdout.write(`${line}\n`) }
    if (json) {
      out(JSON.stringify(report, null, 2))
    } else {
      const mark = (ok: boolean): string => ok ? 'ok' : 'MISSED'
      out(`konnect-invites-mock stress: Node ${process.version}, ${availableParallelism()} CPUs; filled journal ${CAPS.journal} (worst-case entries), sessions ${CAPS.sessions}, users ${CAPS.users}, invites ${CAPS.invites} in ${fillS} s`)
      out(`invites (${connections} connections, ${durationS} s, with worst-case requests at 200/s and the admin API polled every 200 ms): ` +
        `${report.invites.rps} req/s, p50 ${report.invites.p50Ms} ms, p99 ${report.invites.p99Ms} ms, max ${report.invites.maxMs} ms, errors ${report.invites.errors}`)
      out(`first call of each admin route after start, cold (not counted): slowest ${coldest.call}, ${coldest.maxMs} ms`)
      out('admin calls while full (slowest, median, count):')
      for (const call of calls) out(`  ${call.call.padEnd(40)} ${String(call.maxMs).padStart(8)} ms ${String(call.p50Ms).padStart(8)} ms ${String(call.count).padStart(7)}`)
      out(`RSS of the server: ${rss.nowMb} MB now, ${rss.peakMb} MB at its peak`)
      const { plain, proxied, handshake } = proxy
      out(`invites, plain HTTP then through the proxy (TLS kept alive), one undici client, ${connections} connections, ${durationS} s each, stores full:`)
      out(`  plain HTTP ${String(plain.rps).padStart(7)} req/s, p50 ${plain.p50Ms} ms, p99 ${plain.p99Ms} ms, errors ${plain.errors}`)
      out(`  proxy      ${String(proxied.rps).padStart(7)} req/s, p50 ${proxied.p50Ms} ms, p99 ${proxied.p99Ms} ms, errors ${proxied.errors} (${plain.rps > 0 ? `${Math.round(proxied.rps / plain.rps * 100)}% of plain` : 'plain HTTP answered nothing'})`)
      out(`new tunnel (CONNECT, 200, TLS handshake), one at a time: first ${handshake.firstMs} ms (its certificate made), then median ${handshake.p50Ms} ms, p99 ${handshake.p99Ms} ms over ${handshake.count}`)
      out(`RSS of the server after the proxy load: ${rssAfterProxyMb} MB at its peak`)
      out(`targets: invites p99 <= ${STRESS_TARGETS.invitesP99Ms} ms ${mark(met.invitesP99)}, slowest admin call <= ${STRESS_TARGETS.adminMs} ms (${slowest.call}: ${slowest.maxMs} ms) ${mark(met.admin)}, RSS < ${STRESS_TARGETS.rssMb} MB ${mark(met.rss)}`)
    }
    return met.invitesP99 && met.admin && met.rss ? 0 : 1
  } finally {
    await pool.close()
    await stop(mock)
  }
}

if (isMainThread) {
  run().then((code) => { process.exitCode = code }, (error: Error) => {
    process.stderr.write(`stress: ${error.message}\n`)
    process.exitCode = 2
  })
} else {
  await poller((workerData as { url: string }).url)
}
