import t, { type Test } from 'tap'
import { Pool } from 'undici'
import { build, listen } from '../helpers/app.js'
import { setScenario } from '../helpers/inject.js'

// Over a real socket: 200 invites in flight at once, on 200 connections, each answered as its step.
const story = { sequence: [{ id: 'rate-limited', times: 2 }, { id: 'service-unavailable', times: 1 }, { id: 'server-error', times: 1 }, { id: 'default' }] }
const CONCURRENT = 200

async function wire (t: Test) {
  const app = build(t)
  const { url } = await listen(t, app)
  const pool = new Pool(url, { connections: CONCURRENT, pipelining: 0 })
  t.teardown(() => pool.close())
  const post = async (i: number, session?: string): Promise<string> => {
    const headers: Record<string, string> = { authorization: 'Bearer t', 'content-type': 'application/json' }
    if (session !== undefined) headers['x-mock-session'] = session
    const res = await pool.request({ method: 'POST', path: '/v3/invites', headers, body: JSON.stringify({ email: `user${i}@example.com` }) })
    await res.body.dump()
    return String(res.headers['x-mock-scenario-served'])
  }
  return { app, post }
}

function count (served: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const id of served) counts[id] = (counts[id] ?? 0) + 1
  return counts
}

t.test(`a 4-step global sequence under ${CONCURRENT} concurrent invites advances exactly`, async (t) => {
  const { app, post } = await wire(t)
  await setScenario(app, story)
  const served = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => post(i)))
  t.same(count(served), { 'rate-limited': 2, 'service-unavailable': 1, 'server-error': 1, default: CONCURRENT - 4 })
  t.match((await app.inject({ url: '/__mock/scenarios' })).json().active.global, { id: 'default', step: 4, steps: 4 })
  const { requests } = (await app.inject({ url: '/__mock/requests?limit=100&after=0' })).json()
  t.same(requests.slice(0, 4).map((entry: Record<string, unknown>) => [entry.scenario, entry.step]).sort(),
    [['rate-limited', 1], ['rate-limited', 1], ['server-error', 3], ['service-unavailable', 2]], 'the journal names each step')
})

t.test('a session\'s sequence advances exactly under concurrency while another session and the global one are unaffected', async (t) => {
  const { app, post } = await wire(t)
  await setScenario(app, { id: 'permission-denied' })
  await setScenario(app, { ...story, session: 'ci-1' })
  await setScenario(app, { ...story, session: 'ci-2' })
  const ci1: Array<Promise<string>> = []
  const ci2: Array<Promise<string>> = []
  const global: Array<Promise<string>> = []
  for (let i = 0; i < CONCURRENT; i++) {
    ci1.push(post(i, 'ci-1'))
    // Interleaved: three for the other session, ten with no session at all.
    if (i % 60 === 0 && ci2.length < 3) ci2.push(post(i, 'ci-2'))
    if (i % 20 === 0) global.push(post(i))
  }
  t.same(count(await Promise.all(ci1)), { 'rate-limited': 2, 'service-unavailable': 1, 'server-error': 1, default: CONCURRENT - 4 }, 'ci-1: 2, 1, 1, the rest')
  t.same(count(await Promise.all(ci2)), { 'rate-limited': 2, 'service-unavailable': 1 }, 'ci-2 spent three of its own')
  t.same(count(await Promise.all(global)), { 'permission-denied': 10 }, 'the global scenario is untouched')
  const { active } = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.match(active.sessions['ci-1'], { id: 'default', step: 4 })
  t.match(active.sessions['ci-2'], { id: 'server-error', step: 3, remaining: 1 })
  t.same(active.global, { id: 'permission-denied' })
})
