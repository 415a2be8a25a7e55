import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'node_modules/**', 'test-results/**']
  }),
  {
    // TypeBox's idiom: a schema and its static type share one name (`const X = Type…; type X = Static<typeof X>`).
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  }
]
