import t from 'tap'
import { jsonSyntaxError } from '../../contracts/internal/json.js'
import { closest } from '../../contracts/internal/suggest.js'

t.test('jsonSyntaxError gives the parser\'s reason and the position of the first bad character', async (t) => {
  t.equal(jsonSyntaxError('{"id":"created"}'), undefined, 'JSON is no error')
  t.equal(jsonSyntaxError('  7 '), undefined)
  const cases: Array<[string, string]> = [
    ['{"id":}', 'Unexpected token \'}\' at position 6'],
    ['abc', 'Unexpected token \'a\' at position 0'],
    ['{"a":tru}', 'Unexpected token \'}\' at position 8'],
    ['[1,]', 'Unexpected token \']\' at position 3'],
    ['{"id":"x",}', 'Expected double-quoted property name at position 10'],
    ['{"a":1}x', 'Unexpected non-whitespace character after JSON at position 7'],
    ['{"id":"x"', 'Expected \',\' or \'}\' after property value at position 9, where the text ends'],
    ['', 'Unexpected end of JSON input at position 0, where the text ends'],
    ['{"a":"b', 'Unterminated string at position 7, where the text ends'],
    ['{\n  "a": 1,\n  "b": }', 'Unexpected token \'}\' at position 19 (line 3, column 8)']
  ]
  for (const [text, message] of cases) t.equal(jsonSyntaxError(text), message, JSON.stringify(text))
  const long = `{"email": "${'a'.repeat(60_000)}", oops}`
  t.equal(jsonSyntaxError(long), 'Expected double-quoted property name at position 60014', 'a long text is not quoted back')
})

t.test('closest suggests a near name, or none', async (t) => {
  t.equal(closest('rate-limitd', ['created', 'rate-limited']), 'rate-limited')
  t.equal(closest('RATE-LIMITED', ['rate-limited']), 'rate-limited', 'case aside')
  t.equal(closest('--prot', ['--port', '--host']), '--port')
  t.equal(closest('zzzz', ['created', 'rate-limited']), undefined, 'nothing close')
  t.equal(closest('ab', ['abc', 'xyz']), 'abc', 'a short name may be one edit away')
  t.equal(closest('x'.repeat(101), ['x'.repeat(100)]), undefined, 'a long value is no typo')
})
