import t from 'tap'
import { builtInScenarios, Catalogue, saysOf } from '../../scenarios/catalogue.js'
import { build } from '../helpers/app.js'

t.test('saysOf: the detail, else the first reasons and how many more, else nothing', async (t) => {
  t.equal(saysOf({ detail: ' Too many requests ' }), 'Too many requests')
  t.equal(saysOf({ detail: '', invalid_parameters: [{ field: 'name', reason: 'cannot be blank' }] }), 'name: cannot be blank')
  t.equal(saysOf({ invalid_parameters: [{ field: 'a', reason: 'x' }, { reason: 'y' }, { field: 'c', reason: 'z' }, { field: 'd' }] }), 'a: x; y; and 1 more')
  t.equal(saysOf({ detail: 'x'.repeat(200) }), `${'x'.repeat(160)}…`)
  t.equal(saysOf({ invalid_parameters: [{ field: 'd' }] }), undefined)
  t.equal(saysOf({ invalid_parameters: 'no' }), undefined)
  t.equal(saysOf(null), undefined)
  t.equal(saysOf('text'), undefined)
})

t.test('every built-in says when a client meets it and what it says; a note names the field a published example uses instead', async (t) => {
  const catalogue = new Catalogue()
  for (const scenario of catalogue.list) {
    t.match(scenario.when, /^\S.*\.$/, `${scenario.id}: when`)
    t.type(scenario.says, 'string', `${scenario.id}: says`)
    const fields = ((scenario.body as { invalid_parameters?: Array<{ field: string }> } | undefined)?.invalid_parameters ?? [])
      .map((item) => item.field).filter((field) => field !== 'body' && field !== 'email')
    for (const field of fields) t.match(scenario.note, `\`${field}\``, `${scenario.id}: the note names ${field}`)
    if (fields.length === 0) t.equal(scenario.note, undefined, `${scenario.id}: no note`)
  }
  t.equal(catalogue.find('cannot-be-blank')!.says, 'name: cannot be blank')
  t.equal(catalogue.find('rate-limited')!.says, 'Too many requests')
  t.equal(builtInScenarios.find((s) => s.id === 'connection-reset')!.says, 'Nothing at all: the socket closes before any status line.')
})

t.test('GET /__mock/scenarios lists when, says and note', async (t) => {
  const app = build(t)
  const list = (await app.inject('/__mock/scenarios')).json() as { scenarios: Array<Record<string, unknown>> }
  const blank = list.scenarios.find((s) => s.id === 'cannot-be-blank')!
  t.match(blank, { when: /sent empty/, says: 'name: cannot be blank', note: /`name`/ })
  t.notOk('note' in list.scenarios.find((s) => s.id === 'created')!)
})
