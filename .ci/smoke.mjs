// A fast check of the built package on whichever Node runs it (`node .ci/smoke.mjs`): it starts
// dist/server/bin.js, sends one invite per scenario of the catalogue with X-Mock-Scenario, loads
// the dashboard's files, then drives buildApp through app.inject() and the InProcessDispatcher.
// Exits 1 with one line per failure.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { request } from 'undici'

const root = new URL('../', import.meta.url)
const failures = []
const check = (ok, what) => { if (!ok) failures.push(what) }
const invite = { authorization: 'Bearer smoke', 'content-type': 'application/json' }
const body = JSON.stringify({ email: 'ada@example.com' })

async function startServer () {
  const child = spawn(process.execPath, ['dist/server/bin.js', '--port', '0', '--host', '127.0.0.1'], {
    cwd: root, stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = once(child, 'exit').then(([code]) => { throw new Error(`the server exited with ${code} before listening`) })
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1]
      if (url) return url
    }
    throw new Error('the server closed its output before listening')
  })()
  const timeout = new Promise((_resolve, reject) => setTimeout(() => reject(new Error('the server did not listen within 20 s')), 20_000).unref())
  return { child, url: await Promise.race([listening, exited, timeout]) }
}

async function overTheWire () {
  const { child, url } = await startServer()
  try {
    const { scenarios } = await (await fetch(`${url}/__mock/scenarios`)).json()
    check(scenarios.length > 0, 'GET /__mock/scenarios lists the catalogue')
    for (const { id, status } of scenarios) {
      const headers = { ...invite, 'x-mock-scenario': id, 'x-mock-delay': '1' }
      try {
        const res = await fetch(`${url}/v3/invites`, { method: 'POST', headers, body })
        check(res.status === status, `scenario ${id}: status ${res.status}, expected ${status}`)
        check(res.headers.get('x-mock-scenario-served') === id, `scenario ${id}: X-Mock-Scenario-Served ${res.headers.get('x-mock-scenario-served')}`)
        const cut = await res.arrayBuffer().then(() => false, () => true)
        check(cut === (id === 'truncated-body'), `scenario ${id}: ${cut ? 'a body cut short' : 'a whole body'}`)
      } catch (error) {
        // Only the scenarios that close the socket (a reset, an empty reply, unfinished headers) answer nothing.
        check(status === 0, `scenario ${id}: no answer (${error.message})`)
      }
    }
    for (const [path, type] of [['/', 'text/html'], ['/dashboard.js', 'text/javascript'], ['/dashboard.css', 'text/css']]) {
      const res = await fetch(url + path)
      const text = await res.text()
      check(res.status === 200 && res.headers.get('content-type')?.startsWith(type) && text.length > 0, `dashboard ${path}: ${res.status} ${res.headers.get('content-type')}`)
    }
    console.log(`smoke: ${scenarios.length} scenarios over the wire`)
  } finally {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

async function inProcess () {
  const { buildApp, InProcessDispatcher } = await import(new URL('dist/server/index.js', root).href)
  const app = buildApp()
  const injected = await app.inject({ method: 'POST', url: '/v3/invites', headers: invite, payload: body })
  check(injected.statusCode === 201, `app.inject(): ${injected.statusCode}, expected 201`)
  const dispatcher = new InProcessDispatcher(app)
  const created = await request('http://konnect.test/v3/invites', { dispatcher, method: 'POST', headers: invite, body })
  await created.body.dump()
  check(created.statusCode === 201, `InProcessDispatcher: ${created.statusCode}, expected 201`)
  const limited = await request('http://konnect.test/v3/invites', { dispatcher, method: 'POST', headers: { ...invite, 'x-mock-scenario': 'rate-limited' }, body })
  const problem = await limited.body.json()
  check(limited.statusCode === 429 && problem.status === 429, `InProcessDispatcher rate-limited: ${limited.statusCode}`)
  check(app.server.listening === false, 'InProcessDispatcher never listens')
  await dispatcher.close()
  await app.close()
  console.log('smoke: app.inject() and InProcessDispatcher')
}

try {
  await overTheWire()
  await inProcess()
} catch (error) {
  failures.push(error.stack ?? String(error))
}
for (const failure of failures) console.error(`smoke (Node ${process.version}): ${failure}`)
if (failures.length > 0) process.exitCode = 1
else console.log(`smoke: passed on Node ${process.version}`)
