import t from 'tap'
import Fastify from 'fastify'
import { readCoverage, RunnerError } from '../../contracts/runner.js'
import { build, listen } from '../helpers/app.js'
import { documentedExampleNames } from '../helpers/published.js'

const PUBLISHED = documentedExampleNames().length

t.test('readCoverage lists the documented examples never served, then the ones a test exercised', async (t) => {
  const app = build(t, { now: () => Date.parse('2026-01-01T00:00:00Z') })
  const { url } = await listen(t, app)
  const fresh = await readCoverage(url)
  t.equal(fresh.examples.length, PUBLISHED, 'the invite examples, Unauthorized and Invalid Permissions')
  t.same(fresh.exercised, [])
  t.same(fresh.missing, fresh.examples)
  t.equal(fresh.default, 0)

  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: '' } })
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t', prefer: 'example="Rate Limited"' }, payload: {} })
  const after = await readCoverage(url)
  t.same(after.exercised.map((example) => [example.name, example.served]), [['Cannot be Blank', 1], ['Rate Limited', 1]])
  t.equal(after.missing.length, PUBLISHED - 2)
  t.same(after.scenarios.find((scenario) => scenario.id === 'rate-limited'), { id: 'rate-limited', title: 'Rate Limited', status: 429, kind: 'documented', served: 1 })
})

t.test('readCoverage sends the admin token, and explains a refusal', async (t) => {
  const { url } = await listen(t, build(t, { adminToken: 'secret' }))
  t.equal((await readCoverage(url, { adminToken: 'secret' })).examples.length, PUBLISHED)
  await t.rejects(readCoverage(url), { constructor: RunnerError, message: `the admin API at ${url}/__mock/coverage answered 401: pass the mock's admin token (--admin-token)` })
})

t.test('a server without the coverage endpoint is a clear error', async (t) => {
  const app = Fastify()
  app.get('/__mock/coverage', async () => ({ since: 'yesterday' }))
  const { url } = await listen(t, app)
  await t.rejects(readCoverage(url), { constructor: RunnerError, message: `${url}/__mock/coverage answered 200 without a coverage report: is it this mock, with its admin API on?` })
  const { url: off } = await listen(t, build(t, { admin: false }))
  await t.rejects(readCoverage(off), { message: `${off}/__mock/coverage answered 404 without a coverage report: is it this mock, with its admin API on?` })
})
