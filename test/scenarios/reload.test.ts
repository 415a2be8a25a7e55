import t from 'tap'
import { Catalogue, ScenarioError } from '../../scenarios/catalogue.js'
import { startupScenarios } from '../../scenarios/reload.js'

t.test('starting scenarios are checked against the catalogue, one line naming the entry', async (t) => {
  const catalogue = new Catalogue()
  for (const [source, id, message] of [
    [{ global: { id: 'nope' } }, 'nope', /^global: no scenario has the id "nope"/],
    [{ global: { sequence: [{ id: 'created', times: 1 }, { id: 'gone' }] } }, 'created', 'global: sequence/1/id: unknown scenario "gone" (step 2)'],
    [{ sessions: { ci: {} } }, '', 'session "ci": Give id (one scenario) or sequence (a list of steps)'],
    [{ sessions: { ' padded ': { id: 'created' } } }, '', /^session " padded ": the name /],
    [{ scenario: 'nope' }, 'nope', /^unknown scenario "nope"; valid: default, request-format-is-invalid, /],
    [{ scenario: 'rate-limitd' }, 'rate-limitd', /^unknown scenario "rate-limitd" \(did you mean "rate-limited"\?\); valid: default, /]
  ] as const) {
    t.throws(() => startupScenarios(catalogue, source, 30_000), ScenarioError, JSON.stringify(source))
    try {
      startupScenarios(catalogue, source, 30_000)
    } catch (error) {
      t.equal((error as ScenarioError).scenarioId, id)
      t.match((error as Error).message, message)
    }
  }
  const started = startupScenarios(catalogue, { global: { id: 'created', times: 2 }, sessions: { ci: { id: 'default' } } }, 30_000)
  t.match(started.global, { scenario: { id: 'created' }, remaining: 2 })
  t.same([...started.sessions.keys()], ['ci'])
  t.equal(started.sessions.get('ci')!.scenario, null)
})
