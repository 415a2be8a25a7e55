import t from 'tap'
import { invite } from '../helpers/inject.js'
import { build } from '../helpers/app.js'
import { documentedExampleNames } from '../helpers/published.js'

t.test('coverage counts what was served, by scenario and by documented example', async (t) => {
  const app = build(t)
  await invite(app)
  await invite(app, {}, { email: '' })
  await invite(app, { 'x-mock-scenario': 'rate-limited' })
  await invite(app, { prefer: 'example="Rate Limited"' })
  await invite(app, { 'x-mock-scenario': 'created' })
  const coverage = (await app.inject({ url: '/__mock/coverage' })).json()
  t.match(coverage.since, /^\d{4}-\d\d-\d\dT/)
  t.equal(coverage.default, 2)
  t.same(coverage.scenarios.find((s: { id: string }) => s.id === 'rate-limited'), { id: 'rate-limited', title: 'Rate Limited', status: 429, kind: 'documented', served: 2 })
  t.equal(coverage.scenarios.find((s: { id: string }) => s.id === 'created').served, 1)
  t.equal(coverage.scenarios.find((s: { id: string }) => s.id === 'server-error').served, 0)
  t.same(coverage.examples.find((e: { name: string }) => e.name === 'Cannot be Blank'), { name: 'Cannot be Blank', status: 400, scenario: 'cannot-be-blank', served: 1 })
  t.equal(coverage.examples.find((e: { name: string }) => e.name === 'Rate Limited').served, 2)
  t.same(coverage.examples.map((e: { name: string }) => e.name), documentedExampleNames(), 'every documented example a scenario serves, served or not')
  await app.inject({ method: 'POST', url: '/__mock/reset' })
  t.equal((await app.inject({ url: '/__mock/coverage' })).json().default, 0, 'reset clears it')
})
