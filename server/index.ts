/**
 * The mock's public API for Node users: build it, start it on a free port, or reach it through an
 * undici Dispatcher with no socket at all.
 */
export { buildApp, type MockLoggerOptions, type MockOptions } from './app.js'
export { startMockServer, InProcessDispatcher, type MockServer, type StartOptions } from './in-process.js'
export { parseConfig, helpText, ConfigError, type Config } from './config.js'
export { builtInScenarios, ScenarioError, type ScenarioDefinition, type ScenarioKind } from '../scenarios/catalogue.js'
export { loadScenarioSetup, loadScenariosFile, parseScenarioSetup, parseScenarios, ScenarioFileError, type ScenarioSetup } from '../scenarios/custom.js'
export type { ScenarioBody } from '../scenarios/sticky.js'
