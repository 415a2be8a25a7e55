import t from 'tap'
import * as api from '../../server/index.js'
import { buildApp } from '../../server/app.js'
import { InProcessDispatcher, startMockServer } from '../../server/in-process.js'
import { builtInScenarios, ScenarioError } from '../../scenarios/catalogue.js'
import { parseScenarios } from '../../scenarios/custom.js'

t.test('the server entry exports the app factory, in-process helpers, config and scenarios', async (t) => {
  t.equal(api.buildApp, buildApp)
  t.equal(api.startMockServer, startMockServer)
  t.equal(api.InProcessDispatcher, InProcessDispatcher)
  t.equal(api.builtInScenarios, builtInScenarios)
  t.equal(api.parseScenarios, parseScenarios)
  t.equal(api.parseConfig(['--port', '0'], {}).port, 0)
  t.match(api.helpText(), /--scenarios-file/)
  t.type(new api.ConfigError('x'), Error)
  t.type(new api.ScenarioFileError('x'), Error)
  t.type(api.loadScenariosFile, 'function')
})

t.test('buildApp throws the ScenarioError the entry exports', async (t) => {
  t.equal(api.ScenarioError, ScenarioError)
  t.throws(() => api.buildApp({ scenario: 'no-such-scenario' }), api.ScenarioError)
  try {
    api.buildApp({ scenario: 'no-such-scenario' })
  } catch (error) {
    t.ok(error instanceof api.ScenarioError)
    t.match((error as Error).message, /unknown scenario "no-such-scenario"/)
  }
})
