import { readFile } from 'node:fs/promises'
import t from 'tap'
import { CONTENT_SECURITY_POLICY } from '../../server/dashboard.js'
import { build, assertProblem } from '../helpers/app.js'

const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const ASSETS = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/dashboard.js', file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  { url: '/dashboard.css', file: 'dashboard.css', type: 'text/css; charset=utf-8' }
]

t.test('the page, its script and its stylesheet are served from their files under a strict Content-Security-Policy', async (t) => {
  const app = build(t)
  t.equal(CONTENT_SECURITY_POLICY, EXPECTED_CSP)
  for (const { url, file, type } of ASSETS) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    t.equal(res.headers['content-type'], type, url)
    t.equal(res.headers['content-security-policy'], EXPECTED_CSP, url)
    t.equal(res.headers['x-content-type-options'], 'nosniff', url)
    t.equal(res.headers['referrer-policy'], 'no-referrer', url)
    t.equal(res.headers['cache-control'], 'no-cache', url)
    t.equal(res.body, await readFile(new URL(`../../server/dashboard/${file}`, import.meta.url), 'utf8'), `${url} is ${file}`)
  }
})

t.test('the page is not served when the admin API is off', async (t) => {
  const app = build(t, { admin: false })
  for (const url of ['/', '/dashboard.js', '/dashboard.css']) {
    const res = await app.inject(url)
    assertProblem(t, res, 404, url)
  }
})

t.test('the page is public while the admin API behind it requires the admin token', async (t) => {
  const app = build(t, { adminToken: 's3cret' })
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal((await app.inject('/__mock/scenarios')).statusCode, 401)
  t.equal((await app.inject({ url: '/__mock/scenarios', headers: { 'x-mock-admin-token': 's3cret' } })).statusCode, 200)
})

t.test('loading the dashboard leaves the request journal to the invites', async (t) => {
  const app = build(t)
  for (const url of ['/', '/dashboard.js', '/dashboard.css']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200)
    t.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200)
  }
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
  const journal = (await app.inject('/__mock/requests')).json() as { requests: Array<{ method: string, url: string }> }
  t.same(journal.requests.map(({ method, url }) => `${method} ${url}`), ['POST /v3/invites'])
})
