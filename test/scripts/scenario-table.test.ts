import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { builtInScenarios } from '../../scenarios/catalogue.js'
import { renderScenarioTable, tableInReadme, writeScenarioTable } from '../../scripts/scenario-table.js'

const README = fileURLToPath(new URL('../../README.md', import.meta.url))

t.test('the README\'s scenario table is the one generated from the catalogue', async (t) => {
  const expected = renderScenarioTable()
  const actual = tableInReadme(await readFile(README, 'utf8'))
  t.ok(actual !== undefined, 'README.md has the <!-- scenarios:start --> and <!-- scenarios:end --> markers')
  if (actual !== expected) t.comment(`The expected table (npm run readme:scenarios writes it into README.md):\n\n${expected}\n`)
  t.equal(actual, expected, 'README.md lists every built-in scenario as the catalogue defines it')
})

t.test('the table has one row per built-in scenario, in catalogue order', async (t) => {
  const lines = renderScenarioTable().split('\n')
  t.equal(lines[0], '| id | status | kind | title | description |')
  t.equal(lines.length, 2 + builtInScenarios.length)
  t.equal(lines[2], '| `request-format-is-invalid` | 400 | documented | Request Format is Invalid | The published "Request Format is Invalid" example (400). |')
  t.match(lines.find((line) => line.startsWith('| `user-is-already-active`')), /^\| `user-is-already-active` \| 409 \| documented \| User is Already Active \|/)
  t.match(lines.find((line) => line.startsWith('| `connection-reset`')), /^\| `connection-reset` \| none \| behaviour \| Connection reset \|/)
})

t.test('pipes, backslashes and line breaks in custom text cannot break the table', async (t) => {
  const table = renderScenarioTable([{ id: 'odd', title: 'A | B', status: 418, kind: 'custom', description: 'one\\two\nthree' }])
  t.equal(table.split('\n')[2], '| `odd` | 418 | custom | A \\| B | one\\\\two three |')
})

t.test('the text between the markers is found only when both are there in order', async (t) => {
  t.equal(tableInReadme('x\n<!-- scenarios:start -->\n| a |\n<!-- scenarios:end -->\ny'), '| a |')
  t.equal(tableInReadme('no markers'), undefined)
  t.equal(tableInReadme('<!-- scenarios:start -->'), undefined)
  t.equal(tableInReadme('<!-- scenarios:end --> <!-- scenarios:start -->'), undefined)
})

t.test('writeScenarioTable rewrites only the text between the markers', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'scenario-table-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'README.md')
  await writeFile(path, '# Title\n\n<!-- scenarios:start -->\nstale\n<!-- scenarios:end -->\n\nAfter.\n')
  await writeScenarioTable(path)
  const text = await readFile(path, 'utf8')
  t.equal(text, `# Title\n\n<!-- scenarios:start -->\n${renderScenarioTable()}\n<!-- scenarios:end -->\n\nAfter.\n`)
  await writeScenarioTable(path)
  t.equal(await readFile(path, 'utf8'), text, 'running it again changes nothing')

  const bare = join(dir, 'BARE.md')
  await writeFile(bare, '# No markers\n')
  await t.rejects(writeScenarioTable(bare), { message: `${bare} has no <!-- scenarios:start --> … <!-- scenarios:end --> markers` })
})
