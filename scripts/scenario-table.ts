/**
 * The README's scenario table, generated from the catalogue so the two cannot drift: a test compares
 * them and `writeScenarioTable` rewrites the README between its markers.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { builtInScenarios, type ScenarioDefinition } from '../scenarios/catalogue.js'

export const TABLE_START = '<!-- scenarios:start -->'
export const TABLE_END = '<!-- scenarios:end -->'

const cell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

/**
 * Renders the markdown table of the given scenarios (the built-in ones by default), one row each.
 * @example renderScenarioTable().split('\n')[2] // '| `request-format-is-invalid` | 400 | documented | Request Format is Invalid | … |'
 */
export function renderScenarioTable (scenarios: readonly ScenarioDefinition[] = builtInScenarios): string {
  const rows = scenarios.map(({ id, status, kind, title, description }) =>
    `| \`${id}\` | ${status === 0 ? 'none' : status} | ${kind} | ${cell(title)} | ${cell(description)} |`)
  return ['| id | status | kind | title | description |', '|---|---|---|---|---|', ...rows].join('\n')
}

/**
 * The text between the markers (trimmed), or undefined when the markers are missing or out of order.
 * @example tableInReadme('a\n<!-- scenarios:start -->\n| x |\n<!-- scenarios:end -->') // '| x |'
 */
export function tableInReadme (readme: string): string | undefined {
  const start = readme.indexOf(TABLE_START)
  const end = readme.indexOf(TABLE_END)
  if (start < 0 || end < start) return undefined
  return readme.slice(start + TABLE_START.length, end).trim()
}

/**
 * Replaces what is between the markers with the generated table. Throws when the markers are missing.
 * @example await writeScenarioTable('README.md')
 */
export async function writeScenarioTable (readmePath: string, scenarios: readonly ScenarioDefinition[] = builtInScenarios): Promise<void> {
  const readme = await readFile(readmePath, 'utf8')
  if (tableInReadme(readme) === undefined) throw new Error(`${readmePath} has no ${TABLE_START} … ${TABLE_END} markers`)
  const start = readme.indexOf(TABLE_START) + TABLE_START.length
  const end = readme.indexOf(TABLE_END)
  await writeFile(readmePath, `${readme.slice(0, start)}\n${renderScenarioTable(scenarios)}\n${readme.slice(end)}`)
}
