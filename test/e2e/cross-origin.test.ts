import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { startMockServer } from '../../server/in-process.js'
import { launchChromium } from '../helpers/chromium.js'

// Three page loads and a dozen fetches in a browser: more than tap's default 30 s on a busy machine.
t.setTimeout(120_000)
const REBOUND = 'rebind.test'

/** A page server on `host`, standing in for a site the browser has open. */
async function pageServer (t: Test, host: string): Promise<string> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end('<!doctype html><title>another site</title><p>another site</p>')
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://${host === '127.0.0.1' ? 'localhost' : host}:${(server.address() as AddressInfo).port}`
}

interface Seen { method: string, url: string, origin: string | undefined, status: number }

/** What a page managed: a status, or the error fetch threw (a refused preflight). */
async function tryFetch (page: Page, url: string, init: Record<string, unknown>): Promise<{ type?: string, status?: number, error?: string }> {
  return page.evaluate(async ([url, init]) => {
    try {
      const res = await fetch(url as string, init as RequestInit)
      return { type: res.type, status: res.status }
    } catch (error) {
      return { error: String(error) }
    }
  }, [url, init] as const)
}

async function adminJson (url: string): Promise<any> {
  const res = await request(url)
  return res.body.json()
}

t.test('pages from other origins cannot drive the mock; an origin given with --cors-origin can invite', async (t) => {
  const hostile = await pageServer(t, '127.0.0.2')
  const frontEnd = await pageServer(t, '127.0.0.1')
  const mock = await startMockServer({ corsOrigins: [frontEnd] })
  t.teardown(() => mock.close())
  const mockPort = new URL(mock.url).port

  // What the mock itself answered, to prove the pages' requests reached it and were refused.
  const seen: Seen[] = []
  mock.app.server.on('request', (req, res) => {
    res.on('finish', () => seen.push({ method: req.method!, url: req.url!, origin: req.headers.origin, status: res.statusCode }))
  })

  const browser = await launchChromium(t, [`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`])

  // The state a test run would have built: a scenario with times left, a journal, an invite, coverage.
  const set = await request(`${mock.url}/__mock/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'created', times: 2 }) })
  t.equal(set.statusCode, 200)
  await set.body.dump()
  await (await request(`${mock.url}/__mock/users/ada@example.com`, { method: 'PUT' })).body.dump()
  const invite = await request(`${mock.url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'x-mock-scenario': 'default' }, body: '{"email":"grace@example.com"}' })
  t.equal(invite.statusCode, 201)
  await invite.body.dump()
  const before = {
    scenarios: await adminJson(`${mock.url}/__mock/scenarios`),
    requests: await adminJson(`${mock.url}/__mock/requests`),
    coverage: await adminJson(`${mock.url}/__mock/coverage`),
    invites: await adminJson(`${mock.url}/__mock/invites`),
    users: await adminJson(`${mock.url}/__mock/users`)
  }
  t.match(before.scenarios.active.global, { id: 'created', remaining: 2 })
  t.equal(before.requests.requests.length, 1)

  await t.test('a page on another origin tries reset, scenario changes and bodyless invites', async (t) => {
    const page = await browser.newPage()
    await page.goto(`${hostile}/`)
    const noCors = { method: 'POST', mode: 'no-cors' }
    const attempts: Array<[string, string, Record<string, unknown>]> = [
      ['reset', '/__mock/reset', noCors],
      ['a scenario change, no-cors', '/__mock/scenario', { ...noCors, body: '{"id":"rate-limited"}', headers: { 'content-type': 'text/plain' } }],
      ['a user removal', '/__mock/users/ada@example.com', { method: 'DELETE' }],
      ['a scenario change, CORS', '/__mock/scenario', { method: 'PUT', body: '{"id":"rate-limited"}', headers: { 'content-type': 'application/json' } }],
      ['a bodyless invite', '/v3/invites', noCors],
      ['another bodyless invite', '/v3/invites', noCors],
      ['an invite with a text body', '/v3/invites', { ...noCors, body: '{"email":"x@example.com"}', headers: { 'content-type': 'text/plain' } }],
      ['an invite with CORS', '/v3/invites', { method: 'POST', body: '{"email":"x@example.com"}', headers: { 'content-type': 'application/json', authorization: 'Bearer t' } }]
    ]
    for (const [what, path, init] of attempts) {
      const result = await tryFetch(page, `${mock.url}${path}`, init)
      if (init.mode === 'no-cors') t.same(result, { type: 'opaque', status: 0 }, `${what}: the page learns nothing`)
      else t.match(result, { error: /TypeError/ }, `${what}: the browser blocks it`)
    }
    const fromPage = seen.filter((entry) => entry.origin === hostile)
    const refused = (method: string, url: string) => fromPage.filter((entry) => entry.method === method && entry.url === url && entry.status === 403).length
    t.equal(refused('POST', '/__mock/reset'), 1, 'the mock saw the reset, with the page\'s Origin, and refused it')
    t.equal(refused('POST', '/__mock/scenario'), 1, 'a no-cors write (a POST, which /__mock/scenario does not take) is refused for its Origin first')
    t.equal(refused('POST', '/v3/invites'), 3, 'and the no-cors invites')
    t.equal(refused('OPTIONS', '/v3/invites'), 1, 'the invite\'s preflight is refused')
    t.equal(refused('OPTIONS', '/__mock/scenario'), 1, 'the admin API refuses the preflight')
    t.notOk(fromPage.some((entry) => entry.status < 400), 'nothing from that page succeeded')
    t.notOk(fromPage.some((entry) => entry.method === 'PUT' || entry.method === 'DELETE'), 'no preflighted write was sent')
    await page.close()
  })

  await t.test('a page under a name rebound to 127.0.0.1 gets nothing from the admin API or the dashboard', async (t) => {
    const page = await browser.newPage()
    const origin = `http://${REBOUND}:${mockPort}`
    const dashboard = await page.goto(`${origin}/`)
    t.equal(dashboard?.status(), 403, 'the dashboard is refused')
    const read = await page.evaluate(async () => {
      const res = await fetch('/__mock/requests')
      return { status: res.status, body: await res.text() }
    })
    t.equal(read.status, 403, 'same-origin for the page, yet the journal is not read')
    t.notMatch(read.body, /grace@example\.com|v3\/invites/)
    t.same(await tryFetch(page, '/__mock/reset', { method: 'POST' }), { type: 'basic', status: 403 })
    t.same(await tryFetch(page, '/__mock/scenario', { method: 'PUT', body: '{"id":"rate-limited"}', headers: { 'content-type': 'application/json' } }), { type: 'basic', status: 403 })
    t.equal(seen.filter((entry) => entry.status === 403 && entry.url.startsWith('/__mock/') && (entry.origin === undefined || entry.origin === origin)).length >= 3, true,
      'the mock saw those requests and refused them')
    await page.close()
  })

  await t.test('nothing changed and nothing was counted', async (t) => {
    t.same(await adminJson(`${mock.url}/__mock/scenarios`), before.scenarios, 'the scenario and its times are as they were')
    // Chromium fetches /favicon.ico for the rebound name's page: a 404, journaled as any unknown path is.
    const { requests } = await adminJson(`${mock.url}/__mock/requests`) as { requests: Array<{ url: string, status: number }> }
    t.same(requests.filter((entry) => !(entry.url === '/favicon.ico' && entry.status === 404)), before.requests.requests, 'the journal is as it was')
    t.same(await adminJson(`${mock.url}/__mock/coverage`), before.coverage, 'no coverage')
    t.same(await adminJson(`${mock.url}/__mock/invites`), before.invites, 'no invite recorded')
    t.same(await adminJson(`${mock.url}/__mock/users`), before.users, 'no user removed')
  })

  await t.test('a page on an origin given with --cors-origin sends an invite and reads the answer', async (t) => {
    const page = await browser.newPage()
    await page.goto(`${frontEnd}/`)
    const call = async (scenario: string) => page.evaluate(async ([url, scenario]) => {
      const res = await fetch(url!, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'x-mock-scenario': scenario! },
        body: JSON.stringify({ email: 'front@example.com' })
      })
      return { status: res.status, served: res.headers.get('x-mock-scenario-served'), retryAfter: res.headers.get('retry-after'), body: await res.text() }
    }, [`${mock.url}/v3/invites`, scenario])

    const limited = await call('rate-limited')
    t.equal(limited.status, 429)
    t.equal(limited.served, 'rate-limited')
    t.match(limited.retryAfter, /^\d+$/, 'Retry-After is exposed')
    t.match(JSON.parse(limited.body), { status: 429, title: 'Rate Limited' })
    const created = await call('default')
    t.same(created, { status: 201, served: 'default', retryAfter: null, body: '' })
    t.ok(seen.some((entry) => entry.method === 'OPTIONS' && entry.origin === frontEnd && entry.status === 204), 'the preflight was answered')
    t.same((await adminJson(`${mock.url}/__mock/invites`)).invites.map((entry: { email: string }) => entry.email).sort(), ['front@example.com', 'grace@example.com'])
    await page.close()
  })
})
