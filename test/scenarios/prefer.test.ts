import t from 'tap'
import { parsePrefer } from '../../scenarios/select.js'

t.test('parsePrefer reads quoted and unquoted preferences', async (t) => {
  t.same([...parsePrefer('example="Cannot be Blank"')], [['example', 'Cannot be Blank']])
  t.same([...parsePrefer('example=Cannot be Blank')], [['example', 'Cannot be Blank']], 'unquoted values may hold spaces')
  t.same([...parsePrefer('code=400, example="Cannot be Blank"')], [['code', '400'], ['example', 'Cannot be Blank']])
  t.same([...parsePrefer('Code = 429 ; EXAMPLE = "Rate Limited"')], [['code', '429'], ['example', 'Rate Limited']], 'names are lower-cased, spaces around = allowed')
  t.same([...parsePrefer('example="a \\"quoted\\" name, with a comma"')], [['example', 'a "quoted" name, with a comma']], 'escapes and commas inside quotes')
  t.same([...parsePrefer('respond-async, wait=5')], [['respond-async', ''], ['wait', '5']], 'a bare preference has an empty value')
  t.same([...parsePrefer('code=400, code=409')], [['code', '400']], 'the first of a repeated preference wins')
  t.same([...parsePrefer('')], [])
})
