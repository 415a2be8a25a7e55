import t from 'tap'
import { request } from 'undici'
import { build, listen } from '../helpers/app.js'

/** What Kong's Go SDK sends for InviteUser once a round tripper points it at the mock: Konnect's Host, kept. */
const sdkHeaders = {
  host: 'global.api.konghq.com',
  accept: 'application/problem+json',
  'content-type': 'application/json',
  authorization: 'Bearer kpat_example',
  'user-agent': 'speakeasy-sdk/go 0.62.0 2.932.9 3.15.0 github.com/Kong/sdk-konnect-go'
}

t.test('requests whose Host is global.api.konghq.com are answered like any other', async (t) => {
  const { url } = await listen(t, build(t, { activeUsers: ['taken@example.com'] }))
  const send = async (email: string, extra: Record<string, string> = {}) => {
    const res = await request(`${url}/v3/invites`, { method: 'POST', headers: { ...sdkHeaders, ...extra }, body: JSON.stringify({ email }) })
    return { status: res.statusCode, type: res.headers['content-type'], body: await res.body.text() }
  }
  t.same(await send('ada@example.com'), { status: 201, type: undefined, body: '' }, 'the default behaviour: created')
  const taken = await send('taken@example.com')
  t.equal(taken.status, 409, 'the default behaviour: an active user')
  t.match(JSON.parse(taken.body), { status: 409, detail: 'User is already active' })
  const forced = await send('ada@example.com', { 'x-mock-scenario': 'rate-limited' })
  t.equal(forced.status, 429, 'a scenario forced by header')
  t.equal(forced.type, 'application/problem+json; charset=utf-8')
  const html = await send('ada@example.com', { 'x-mock-scenario': 'bad-gateway-html' })
  t.equal(html.status, 502)
  t.match(html.type, /^text\/html/)
})
