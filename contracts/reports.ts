/**
 * Reports CI systems read: JUnit XML (GitLab, Jenkins, Azure Pipelines and GitHub's test-report
 * actions all take it) and a Markdown summary (for `$GITHUB_STEP_SUMMARY` or a pull-request
 * comment), made from the contract runner's report, the coverage report and a verification.
 */
import { formatViolation } from './assert.js'
import type { CoverageReport, RunReport } from './runner.js'
import { bodyEmail, describeFilter } from './requests-filter.js'
import { describeExpected, type RequestsVerdict } from './verify.js'

/** One test case: it passed, failed (`failure`) or was skipped (`skipped`, with the reason). */
export interface JunitCase {
  name: string
  classname: string
  failure?: { message: string, text: string }
  skipped?: string
}

/** One test suite: its cases and, when measured, how long it took. */
export interface JunitSuite {
  name: string
  cases: JunitCase[]
  /** Seconds. */
  time?: number
  /** When it ran, ISO 8601 without a zone (as the schema has it). */
  timestamp?: string
}

/** The program every case is filed under. */
const CLASS = 'konnect-invites-contract'

/** Characters XML 1.0 cannot carry at all, even escaped. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

function xml (text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function attributes (values: Record<string, string | number | undefined>): string {
  return Object.entries(values).filter(([, value]) => value !== undefined).map(([name, value]) => ` ${name}="${xml(String(value))}"`).join('')
}

/**
 * The suites as one JUnit XML document: `<testsuites>` with the totals, a `<testsuite>` each, a
 * `<testcase>` per case with its `<failure message="…">` (the whole text inside) or `<skipped>`.
 * @example junitXml([{ name: 'contract', cases: [{ name: 'live:no-token', classname: 'konnect-invites-contract' }] }])
 */
export function junitXml (suites: readonly JunitSuite[]): string {
  const count = (suite: JunitSuite, what: 'failure' | 'skipped'): number => suite.cases.filter((test) => test[what] !== undefined).length
  const total = (what: (suite: JunitSuite) => number): number => suites.reduce((sum, suite) => sum + what(suite), 0)
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: CLASS, tests: total((suite) => suite.cases.length), failures: total((suite) => count(suite, 'failure')), errors: 0, skipped: total((suite) => count(suite, 'skipped')) })}>`]
  for (const suite of suites) {
    lines.push(`  <testsuite${attributes({ name: suite.name, tests: suite.cases.length, failures: count(suite, 'failure'), errors: 0, skipped: count(suite, 'skipped'), time: suite.time?.toFixed(3), timestamp: suite.timestamp })}>`)
    for (const test of suite.cases) {
      const open = `    <testcase${attributes({ name: test.name, classname: test.classname })}`
      if (test.failure !== undefined) {
        lines.push(`${open}>`, `      <failure${attributes({ message: test.failure.message, type: 'AssertionError' })}>${xml(test.failure.text)}</failure>`, '    </testcase>')
      } else if (test.skipped !== undefined) {
        lines.push(`${open}>`, `      <skipped${attributes({ message: test.skipped })}/>`, '    </testcase>')
      } else {
        lines.push(`${open}/>`)
      }
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}

/**
 * The contract run as a suite: one case per check, its violations the failure text.
 * @example runSuite(await runContract({ baseUrl })).cases.length // 26 against this mock
 */
export function runSuite (report: RunReport): JunitSuite {
  return {
    name: `contract (${report.mode} mode) ${report.baseUrl}`,
    cases: report.checks.map((check) => {
      const test: JunitCase = { name: check.name, classname: `${CLASS}.${check.name.split(':')[0]!}` }
      if (!check.ok) {
        const lines = check.violations.map((violation) => `${check.name} ${violation.status} ${formatViolation(violation)}`)
        test.failure = { message: lines[0]!, text: lines.join('\n') }
      }
      return test
    })
  }
}

/**
 * The documented examples as a suite: one case each, failed when never served and `requireAll`
 * asks for every one, skipped when never served otherwise.
 * @example coverageSuite(await readCoverage(baseUrl), true)
 */
export function coverageSuite (coverage: CoverageReport, requireAll: boolean): JunitSuite {
  return {
    name: `coverage since ${coverage.since}`,
    cases: coverage.examples.map((example) => {
      const test: JunitCase = { name: `${example.status} ${example.name}`, classname: `${CLASS}.coverage` }
      if (example.served === 0) {
        const why = `never served: no test made the mock answer "${example.name}" (${example.scenario})`
        if (requireAll) test.failure = { message: why, text: why }
        else test.skipped = why
      }
      return test
    })
  }
}

/**
 * A verification as a suite of one case: the condition, and when it does not hold, the matching requests.
 * @example verifySuite(await checkRequests(baseUrl, { email: 'ada@example.com' }, 1))
 */
export function verifySuite (verdict: RequestsVerdict): JunitSuite {
  const test: JunitCase = { name: `requests matching ${describeFilter(verdict.filter)}: expected ${describeExpected(verdict.expected)}`, classname: `${CLASS}.verify` }
  if (!verdict.ok) test.failure = { message: verdict.summary, text: verdict.message }
  return { name: 'verify', cases: [test] }
}

/** A table cell: one line, no `|` to break the row. */
function cell (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|')
}

/**
 * The coverage as a Markdown table: each documented example, how often it was served.
 * @example coverageTable(await readCoverage(baseUrl))
 */
export function coverageTable (coverage: CoverageReport): string {
  const rows = coverage.examples.map((example) => `| ${example.status} | ${cell(example.name)} | \`${example.scenario}\` | ${example.served} | ${example.served > 0 ? '✅' : '❌ never'} |`)
  return [`**${coverage.exercised.length} of ${coverage.examples.length}** documented examples exercised since ${coverage.since}.`, '',
    '| status | documented example | scenario | served | |', '|---|---|---|---|---|', ...rows].join('\n')
}

/**
 * The contract run in Markdown: a headline, a table of the checks (the violations of a failed one
 * in its row), and the coverage table when there is one.
 * @example runSummary(report, coverage)
 */
export function runSummary (report: RunReport, coverage?: CoverageReport): string {
  const failed = report.checks.filter((check) => !check.ok).length
  const lines = [`### ${failed === 0 ? '✅' : '❌'} POST /v3/invites contract: ${report.checks.length} checks (${report.mode} mode) against ${report.baseUrl}, ${failed === 0 ? 'all conform' : `${failed} failed`}`, '']
  for (const note of report.notes ?? []) lines.push(`- ${cell(note)}`)
  if (report.notes !== undefined) lines.push('')
  lines.push('| check | status | result |', '|---|---|---|')
  for (const check of report.checks) {
    lines.push(`| \`${check.name}\` | ${check.status} | ${check.ok ? '✅' : `❌ ${check.violations.map((violation) => cell(formatViolation(violation))).join('<br>')}`} |`)
  }
  if (coverage !== undefined) lines.push('', '#### Coverage of the documented examples', '', coverageTable(coverage))
  return `${lines.join('\n')}\n`
}

/**
 * The coverage in Markdown, for `--coverage`.
 * @example coverageSummary(await readCoverage(baseUrl))
 */
export function coverageSummary (coverage: CoverageReport): string {
  return `### ${coverage.missing.length === 0 ? '✅' : '❌'} POST /v3/invites: documented examples exercised\n\n${coverageTable(coverage)}\n`
}

/**
 * A verification in Markdown: the condition, and the requests shown with it.
 * @example verifySummary(await checkRequests(baseUrl, { status: 409 }, { max: 1 }))
 */
export function verifySummary (verdict: RequestsVerdict): string {
  const lines = [`### ${verdict.ok ? '✅' : '❌'} ${cell(verdict.summary)}`]
  if (verdict.shown.length > 0) {
    lines.push('', verdict.count > 0 ? 'The matching requests, newest last:' : 'None matched; the newest requests of the journal:', '',
      '| seq | time | method | email | status | scenario | session |', '|---|---|---|---|---|---|---|')
    for (const entry of verdict.shown) {
      const email = bodyEmail(entry.body)
      lines.push(`| ${entry.seq} | ${entry.time} | ${entry.method} | ${email === undefined ? '-' : cell(email)} | ${entry.status} | \`${entry.scenario}\` | ${entry.session === null ? '-' : cell(entry.session)} |`)
    }
  }
  return `${lines.join('\n')}\n`
}
