import { Script } from 'node:vm'
import t from 'tap'
import { buildApp } from '../../server/app.js'
import { CONTENT_SECURITY_POLICY } from '../../server/dashboard.js'

const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

t.test('the page is served at / under a strict Content-Security-Policy', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  const res = await app.inject('/')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  t.equal(res.headers['content-security-policy'], EXPECTED_CSP)
  t.equal(CONTENT_SECURITY_POLICY, EXPECTED_CSP)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['referrer-policy'], 'no-referrer')
  t.match(res.body, /<script src="\/dashboard\.js" defer><\/script>/)
  t.match(res.body, /<link rel="stylesheet" href="\/dashboard\.css">/)
  t.notMatch(res.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script')
  t.notMatch(res.body, /<style|\sstyle=|\son[a-z]+=/, 'no inline style or event handler attribute')
  t.notMatch(res.body, /https?:\/\//, 'no external asset')
})

t.test('the script is served as JavaScript and parses', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  const res = await app.inject('/dashboard.js')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/javascript; charset=utf-8')
  t.equal(res.headers['content-security-policy'], EXPECTED_CSP)
  t.doesNotThrow(() => new Script(res.body, { filename: 'dashboard.js' }))
  t.notMatch(res.body, /innerHTML|eval\(|new Function/, 'builds nodes with textContent only')
  t.match(res.body, /'\/__mock' \+ path/, 'talks to the admin API of its own origin')
})

t.test('the stylesheet is served as CSS', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  const res = await app.inject('/dashboard.css')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/css; charset=utf-8')
  t.match(res.body, /:focus-visible/)
  t.notMatch(res.body, /url\(|@import/, 'loads nothing else')
})

t.test('the page is not served when the admin API is off', async (t) => {
  const app = buildApp({ admin: false })
  t.teardown(() => app.close())
  for (const url of ['/', '/dashboard.js', '/dashboard.css']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 404, url)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', url)
  }
})

t.test('the page is public while the admin API behind it requires the admin token', async (t) => {
  const app = buildApp({ adminToken: 's3cret' })
  t.teardown(() => app.close())
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal((await app.inject('/__mock/scenarios')).statusCode, 401)
  t.equal((await app.inject({ url: '/__mock/scenarios', headers: { 'x-mock-admin-token': 's3cret' } })).statusCode, 200)
})

t.test('loading the dashboard leaves the request journal to the invites', async (t) => {
  const app = buildApp()
  t.teardown(() => app.close())
  for (const url of ['/', '/dashboard.js', '/dashboard.css']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200)
    t.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200)
  }
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
  const journal = (await app.inject('/__mock/requests')).json() as { requests: Array<{ method: string, url: string }> }
  t.same(journal.requests.map(({ method, url }) => `${method} ${url}`), ['POST /v3/invites'])
})
