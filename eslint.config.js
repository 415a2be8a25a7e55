import globals from 'globals'
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'node_modules/**', 'test-results/**']
  }),
  {
    // TypeBox's idiom: a schema and its static type share one name (`const X = Type…; type X = Static<typeof X>`).
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  },
  {
    // The dashboard's script runs in the browser as a module, not in Node.
    files: ['server/dashboard/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser }
  }
]
