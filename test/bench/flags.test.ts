import t from 'tap'
import { readFileSync } from 'node:fs'
import { startFlags } from '../../bench/flags.js'

t.test('startFlags reads the Node flags of the start script', async (t) => {
  t.same(startFlags({ scripts: { start: 'node --max-semi-space-size=4 dist/server/server.js' } }), ['--max-semi-space-size=4'])
  t.same(startFlags({ scripts: { start: '  node   --a --b=1 dist/server/server.js --port 1' } }), ['--a', '--b=1'],
    'the words between node and the entry; the mock\'s own flags are left out')
  t.same(startFlags({ scripts: { start: 'node --a' } }), ['--a'], 'no entry at all')
  t.same(startFlags({ scripts: { start: 'node dist/server/server.js' } }), [], 'no flags')
  t.same(startFlags({ scripts: { start: 'tsx server/server.ts' } }), [], 'not node: nothing to copy')
  t.same(startFlags({ scripts: {} }), [])
  t.same(startFlags({}), [])
})

t.test('the start script and the bin entry run Node with the same flags', async (t) => {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
  const flags = startFlags(packageJson)
  t.same(flags, ['--max-semi-space-size=4'])
  const shebang = readFileSync(new URL('../../server/server.ts', import.meta.url), 'utf8').split('\n', 1)[0]
  t.equal(shebang, `#!/usr/bin/env -S node ${flags.join(' ')}`)
})
