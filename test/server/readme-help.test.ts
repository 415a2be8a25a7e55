import { readFile } from 'node:fs/promises'
import t from 'tap'
import { helpText } from '../../server/config.js'

t.test('the README shows the --help text the command prints', async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const block = /<!-- help:start -->\n```\n([\s\S]*?)\n```\n<!-- help:end -->/.exec(readme)
  t.ok(block, 'README has a help block between <!-- help:start --> and <!-- help:end -->')
  t.equal(block?.[1], helpText().trimEnd(), 'paste the output of `konnect-invites-mock --help`')
})
