import { join } from 'node:path'
import t from 'tap'
import { CustomScenarioFile, loadScenariosFile, parseScenarios, ScenarioFileError } from '../../scenarios/custom.js'
import { build } from '../helpers/app.js'

const teapot = { id: 'teapot', title: 'Teapot', status: 418, headers: { 'X-Brew': 'earl-grey' }, body: { status: 418, title: 'Teapot', instance: 'konnect:trace:1', detail: 'short and stout' } }

const yamlFile = `scenarios:
  - id: team-quota
    title: Team quota reached
    status: 400
    description: The organization has no seats left.
    body:
      status: 400
      title: Bad Request
      detail: ""
      instance: konnect:trace:42
      invalid_parameters:
        - field: email
          reason: no seats left
  - id: maintenance
    title: Maintenance page
    status: 503
    contentType: text/plain
    text: back soon
    fault: true
`

t.test('good JSON and YAML files add custom scenarios that switch like built-in ones', async (t) => {
  const dir = t.testdir({ 'good.json': JSON.stringify([teapot]), 'good.yaml': yamlFile, 'good.yml': JSON.stringify({ scenarios: [] }) })
  const fromJson = loadScenariosFile(join(dir, 'good.json'))
  t.match(fromJson, [{ id: 'teapot', kind: 'custom', description: 'Custom scenario (418).' }])
  const fromYaml = loadScenariosFile(join(dir, 'good.yaml'))
  t.same(fromYaml.map((s) => [s.id, s.kind, s.description]), [['team-quota', 'custom', 'The organization has no seats left.'], ['maintenance', 'custom', 'Custom scenario (503).']])
  t.same(loadScenariosFile(join(dir, 'good.yml')), [], 'YAML may hold JSON; an empty list is fine')

  const app = build(t, { scenarios: [...fromJson, ...fromYaml] })
  const list = (await app.inject({ url: '/__mock/scenarios' })).json()
  t.same(list.scenarios.filter((s: { kind: string }) => s.kind === 'custom').map(({ says: _says, ...rest }: Record<string, unknown>) => rest), [
    { id: 'teapot', title: 'Teapot', status: 418, kind: 'custom', description: 'Custom scenario (418).', contentType: 'application/problem+json; charset=utf-8' },
    { id: 'team-quota', title: 'Team quota reached', status: 400, kind: 'custom', description: 'The organization has no seats left.', contentType: 'application/problem+json; charset=utf-8' },
    { id: 'maintenance', title: 'Maintenance page', status: 503, kind: 'custom', description: 'Custom scenario (503).', contentType: 'text/plain', fault: true }
  ])

  const byHeader = await app.inject({ method: 'POST', url: '/v3/invites', headers: { 'x-mock-scenario': 'teapot' }, payload: {} })
  t.equal(byHeader.statusCode, 418)
  t.equal(byHeader.headers['x-brew'], 'earl-grey')
  t.equal(byHeader.headers['x-mock-scenario-served'], 'teapot')
  t.match(byHeader.headers['content-type'], /^application\/problem\+json/)
  t.match(byHeader.body, /^\{"status":418,"title":"Teapot","instance":"konnect:trace:\d+","detail":"short and stout"\}$/)

  const put = await app.inject({ method: 'PUT', url: '/__mock/scenario', payload: { id: 'team-quota', times: 1 } })
  t.equal(put.statusCode, 200)
  const sticky = await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })
  t.equal(sticky.statusCode, 400)
  t.equal(sticky.json().invalid_parameters[0].reason, 'no seats left')
  t.equal((await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: 'a@example.com' } })).statusCode, 201, 'then falls through')

  const text = await app.inject({ method: 'POST', url: '/v3/invites', headers: { prefer: 'code=503' }, payload: {} })
  t.equal(text.statusCode, 503, 'a built-in comes first for its status')
  t.equal(text.headers['x-mock-scenario-served'], 'service-unavailable')
  const page = await app.inject({ method: 'POST', url: '/v3/invites', headers: { 'x-mock-scenario': 'maintenance' }, payload: {} })
  t.equal(page.body, 'back soon')
  t.match(page.headers['content-type'], /^text\/plain/)
})

t.test('a bad file is one line naming the file, the scenario and the failing path', async (t) => {
  const dir = t.testdir({
    'folder.yaml': {},
    'bad.yaml': 'scenarios:\n  - id: x\n   title: broken indent\n',
    'alias.yaml': 'scenarios: *nowhere\n',
    'bad.json': '[{"id": "x",',
    'shape.json': JSON.stringify([teapot, { id: 'no-title', status: 400 }]),
    'shape-unnamed.yaml': 'scenarios:\n  - title: T\n    status: 200\n',
    'shape-root.yaml': 'just a string\n',
    'reserved.json': JSON.stringify([{ ...teapot, id: 'mock-error' }]),
    'reserved.yaml': 'scenarios:\n  - id: default\n    title: Mine\n    status: 201\n  - id: upstream\n    title: Theirs\n    status: 201\n',
    'extra.json': JSON.stringify({ scenarios: [], more: 1 }),
    'status.yaml': 'scenarios:\n  - id: odd\n    title: Odd\n    status: 99\n',
    'contract.yaml': 'scenarios:\n  - id: half-conflict\n    title: Half\n    status: 409\n    body: { status: 409, title: Conflict }\n',
    'no-body.json': JSON.stringify([{ id: 'empty-error', title: 'Empty', status: 500 }]),
    'duplicate.json': JSON.stringify([teapot, { ...teapot, title: 'Again' }]),
    'builtin.yaml': 'scenarios:\n  - id: created\n    title: Mine\n    status: 201\n',
    'framing.json': JSON.stringify({ scenarios: [teapot, { ...teapot, id: 'chunked', headers: { 'Transfer-Encoding': 'chunked' } }] }),
    'served.yaml': 'scenarios:\n  - id: liar\n    title: Liar\n    status: 201\n    headers:\n      X-Mock-Scenario-Served: created\n',
    'slow.yaml': 'scenarios:\n  - id: slow\n    title: Slow\n    status: 201\n    delayMs: 600001\n'
  })
  const cases: Array<[string, RegExp | string]> = [
    ['missing.json', `${join(dir, 'missing.json')}: cannot read it (ENOENT)`],
    ['folder.yaml', `${join(dir, 'folder.yaml')}: cannot read it (EISDIR)`],
    ['bad.yaml', `${join(dir, 'bad.yaml')}: not valid YAML: Sequence item without - indicator (line 3, column 1)`],
    ['alias.yaml', `${join(dir, 'alias.yaml')}: not valid YAML: Unresolved alias (the anchor must be set before the alias): nowhere`],
    ['bad.json', `${join(dir, 'bad.json')}: not valid JSON: Expected double-quoted property name at position 12, where the text ends`],
    ['shape.json', `${join(dir, 'shape.json')}: scenario "no-title": /1/title: Expected required property`],
    ['shape-unnamed.yaml', `${join(dir, 'shape-unnamed.yaml')}: scenario #1: /scenarios/0/id: Expected required property`],
    ['shape-root.yaml', `${join(dir, 'shape-root.yaml')}: the file: /: Expected object`],
    ['reserved.json', `${join(dir, 'reserved.json')}: scenario "mock-error": /0/id: the id is reserved (X-Mock-Scenario-Served says "mock-error" for the mock's own errors)`],
    ['reserved.yaml', `${join(dir, 'reserved.yaml')}: scenario "default": /scenarios/0/id: the id is reserved (X-Mock-Scenario-Served says "default" for the default behaviour)`],
    ['extra.json', `${join(dir, 'extra.json')}: the file: /more: Unexpected property`],
    ['status.yaml', `${join(dir, 'status.yaml')}: scenario "odd": /scenarios/0/status: Expected integer to be greater or equal to 200`],
    ['contract.yaml', `${join(dir, 'contract.yaml')}: scenario "half-conflict": body breaks ConflictError at /instance: Expected required property`],
    ['no-body.json', `${join(dir, 'no-body.json')}: scenario "empty-error": a 500 needs a body at /body (BaseError)`],
    ['duplicate.json', `${join(dir, 'duplicate.json')}: scenario "teapot": /1/id: the id is already taken`],
    ['builtin.yaml', `${join(dir, 'builtin.yaml')}: scenario "created": /scenarios/0/id: the id is already taken`],
    ['framing.json', `${join(dir, 'framing.json')}: scenario "chunked": /scenarios/1/headers/Transfer-Encoding: the server sets this header itself`],
    ['served.yaml', `${join(dir, 'served.yaml')}: scenario "liar": /scenarios/0/headers/X-Mock-Scenario-Served: the server sets this header itself`],
    ['slow.yaml', `${join(dir, 'slow.yaml')}: scenario "slow": /scenarios/0/delayMs: Expected integer to be less or equal to 600000`]
  ]
  for (const [name, message] of cases) {
    const error = t.throws(() => loadScenariosFile(join(dir, name)), name) as Error
    t.type(error, ScenarioFileError)
    t.equal(error.name, 'ScenarioFileError')
    if (typeof message === 'string') t.equal(error.message, message, name)
    else t.match(error.message, message, name)
    t.notMatch(error.message, /\n/, `${name}: one line`)
  }
})

t.test('parseScenarios picks JSON by extension, YAML otherwise', async (t) => {
  t.throws(() => parseScenarios('a: [', 'x.JSON'), { message: "x.JSON: not valid JSON: Unexpected token 'a' at position 0" })
  t.throws(() => parseScenarios('[\n  {"id": "x"}\n  {"id": "y"}\n]', 'x.json'), { message: "x.json: not valid JSON: Expected ',' or ']' after array element at position 18 (line 3, column 3)" })
  t.same(parseScenarios('[]', 'x.txt'), [])
  t.same(parseScenarios(' \n', 'x.json'), [], 'a blank file holds no scenario (the command line says so)')
  t.same(parseScenarios('', 'x.yaml'), [])
  t.equal(CustomScenarioFile.anyOf.length, 2, 'a list, or an object with a list under scenarios')
})

t.test('one rule with the contract runner: conform to the status\'s contract, media type included, or declare fault: true', async (t) => {
  const conflictBody = { status: 409, title: 'Conflict', instance: 'konnect:trace:1', detail: 'taken' }
  const dir = t.testdir({
    'plain-409.yaml': 'scenarios:\n  - id: plain-conflict\n    title: Plain\n    status: 409\n    headers: { content-type: text/plain }\n    text: taken\n',
    'typed-409.json': JSON.stringify([{ id: 'json-conflict', title: 'JSON', status: 409, contentType: 'application/json', body: conflictBody }]),
    'bare-429.json': JSON.stringify([{ id: 'bare-limit', title: 'Bare', status: 429, body: { status: 429, title: 'Rate Limited', instance: 'i', detail: 'slow' } }]),
    'body-201.json': JSON.stringify([{ id: 'chatty', title: 'Chatty', status: 201, body: { id: 1 } }]),
    'empty-fault.json': JSON.stringify([{ id: 'hollow', title: 'Hollow', status: 200, fault: true }]),
    'empty-text.json': JSON.stringify([{ id: 'blank', title: 'Blank', status: 200, text: '', fault: true }]),
    'text-409.json': JSON.stringify([{ id: 'text-conflict', title: 'Text', status: 409, text: 'taken' }]),
    'typed-empty-fault.json': JSON.stringify([{ id: 'typed-hollow', title: 'Typed', status: 500, fault: true, contentType: 'text/html', text: '' }]),
    'text-not-json.json': JSON.stringify([{ id: 'text-problem', title: 'Text', status: 409, contentType: 'application/problem+json', text: 'taken' }]),
    'faults.yaml': 'scenarios:\n  - id: plain-conflict\n    title: Plain\n    status: 409\n    headers: { Content-Type: text/plain }\n    text: taken\n    fault: true\n' +
      '  - id: half-conflict\n    title: Half\n    status: 409\n    body: { status: 409, title: Conflict }\n    fault: true\n'
  })
  const refused: Array<[string, string]> = [
    ['plain-409.yaml', 'scenario "plain-conflict": /headers/content-type: expected application/problem+json, got text/plain (the contract of a 409; set fault: true if this answer is a deliberate fault)'],
    ['typed-409.json', 'scenario "json-conflict": /contentType: expected application/problem+json, got application/json (the contract of a 409; set fault: true if this answer is a deliberate fault)'],
    ['bare-429.json', 'scenario "bare-limit": /headers/retry-after: expected whole seconds or an HTTP date, got (missing) (the contract of a 429; set fault: true if this answer is a deliberate fault)'],
    ['body-201.json', 'scenario "chatty": /body: expected an empty body, got "{\\"id\\":1}" (the contract of a 201; set fault: true if this answer is a deliberate fault)'],
    ['text-409.json', 'scenario "text-conflict": /contentType: expected application/problem+json, got text/plain (the contract of a 409; set fault: true if this answer is a deliberate fault)'],
    ['typed-empty-fault.json', 'scenario "typed-hollow": /text: expected a non-empty body, got (empty) (a declared fault)'],
    ['text-not-json.json', 'scenario "text-problem": /text: expected a JSON document (ConflictError), got "taken" (the contract of a 409; set fault: true if this answer is a deliberate fault)']
  ]
  for (const [name, message] of refused) {
    t.throws(() => loadScenariosFile(join(dir, name)), { name: 'ScenarioFileError', message: `${join(dir, name)}: ${message}` }, name)
  }
  for (const name of ['empty-fault.json', 'empty-text.json']) {
    const [bare] = loadScenariosFile(join(dir, name))
    const compiled = build(t, { scenarios: [bare!] })
    const res = await compiled.inject({ method: 'POST', url: '/v3/invites', headers: { 'x-mock-scenario': bare!.id } })
    t.same([res.statusCode, res.headers['content-type'], res.body], [200, undefined, ''], `${name}: a fault without a body answers its status alone`)
  }
  const faults = loadScenariosFile(join(dir, 'faults.yaml'))
  t.same(faults.map((scenario) => [scenario.id, scenario.fault]), [['plain-conflict', true], ['half-conflict', true]], 'declared faults pass the start-up check')

  const app = build(t, { scenarios: faults })
  const listed = (await app.inject({ method: 'GET', url: '/__mock/scenarios' })).json().scenarios as Array<Record<string, unknown>>
  t.same(listed.find((scenario) => scenario.id === 'plain-conflict'),
    { id: 'plain-conflict', title: 'Plain', status: 409, kind: 'custom', description: 'Custom scenario (409).', fault: true, contentType: 'text/plain' },
    'the admin API tells the runner it is a fault, and its media type')
  t.notOk('fault' in listed.find((scenario) => scenario.id === 'created')!, 'conforming scenarios say nothing')
})
