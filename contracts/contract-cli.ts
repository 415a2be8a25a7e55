#!/usr/bin/env node
/**
 * `konnect-invites-contract` (the package's bin; `npm run contract --` in this repository): runs the contract checks against a server and prints one line per check and
 * one per violation, or (`--coverage`) reports which documented examples the mock has served.
 * Exit codes: 0 conforms, 1 violations (or unexercised examples with --require-all), 2 bad
 * arguments or an unreachable server.
 */
import { appendFileSync, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatViolation } from './assert.js'
import { loadOpenApi } from './openapi.js'
import { contractDrift, formatDifference, snapshotOpenApi, type PublishedContract } from './published.js'
import { coverageSuite, coverageSummary, junitXml, runSuite, runSummary, verifySuite, verifySummary, type JunitSuite } from './reports.js'
import { FILTER_FIELDS, readRequestsFilter, type ParsedRequestsFilter } from './requests-filter.js'
import { readCoverage, runContract, type CoverageReport, type RunnerError, type RunReport } from './runner.js'
import { checkRequests, type RequestsExpected } from './verify.js'
import { parseUrl } from './internal/url.js'

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
}

/** The command's name: the package's bin, used in every message. */
export const PROGRAM = 'konnect-invites-contract'

export const usage = `Usage: ${PROGRAM} --base-url <url> [options]
       ${PROGRAM} verify --base-url <url> [filters] (--count <n> | --min <n> --max <n>)
       ${PROGRAM} drift --spec <openapi file> [--json]
       ${PROGRAM} snapshot --spec <openapi file> [--out <file>]
       (in a clone of this repository: npm run contract -- <the same arguments>)

Checks a server against the documented POST /v3/invites contract. Against this mock (it has
/__mock) every scenario of the catalogue is driven and checked; against any other server only the
live-safe checks run (no token, missing/blank/invalid email, malformed JSON, a JSON array body).

Options:
  --base-url <url>      the server to check (required), e.g. http://127.0.0.1:8080
  --token <t>           bearer token for the checks that need one (default: contract-runner);
                        against this mock each check sends its own unless it runs with --tokens
  --invite-email <e>    also send one real invite to this address (expects 201, or 409 ConflictError)
  --live-safe           run only the live-safe checks, even against this mock
  --admin-token <t>     X-Mock-Admin-Token for a mock started with --admin-token
  --json                print the report as JSON
  --coverage            report which documented examples the mock served since its last reset
  --require-all         with --coverage: exit 1 when any documented example was never served
  --junit <file>        also write the result as JUnit XML (one test case per check, per
                        documented example with --coverage, per condition with verify)
  --summary <file>      also append the result as Markdown, with the coverage table
                        (e.g. --summary "$GITHUB_STEP_SUMMARY")
  --help                show this text

verify counts the requests the mock received that match every filter given (--email, --status,
--scenario, --method, --session, --since <ISO 8601 time>, --after <seq>) and holds the count against
--count <n>, or --min and/or --max; when it does not hold, it lists the matching requests. Takes
--admin-token, --json, --junit and --summary as above.

drift compares a Konnect Identity OpenAPI document (YAML or JSON, whole or an excerpt) with what the
mock serves for POST /v3/invites: statuses, media types, schemas and documented examples, one line
per difference. snapshot prints (or writes to --out) the JSON snapshot of that operation the mock's
tests check against.

Exit codes: 0 conforms (no drift, the count holds), 1 violations (drift) found or the count does
not hold, 2 bad arguments, an unreachable server, or an unreadable document.`

const options = {
  'base-url': { type: 'string' },
  token: { type: 'string' },
  'invite-email': { type: 'string' },
  'live-safe': { type: 'boolean' },
  'admin-token': { type: 'string' },
  json: { type: 'boolean' },
  coverage: { type: 'boolean' },
  'require-all': { type: 'boolean' },
  junit: { type: 'string' },
  summary: { type: 'string' },
  help: { type: 'boolean' }
} as const

const documentOptions = {
  spec: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' }
} as const

const verifyOptions = {
  'base-url': { type: 'string' },
  email: { type: 'string' },
  status: { type: 'string' },
  scenario: { type: 'string' },
  method: { type: 'string' },
  session: { type: 'string' },
  since: { type: 'string' },
  after: { type: 'string' },
  count: { type: 'string' },
  min: { type: 'string' },
  max: { type: 'string' },
  'admin-token': { type: 'string' },
  json: { type: 'boolean' },
  junit: { type: 'string' },
  summary: { type: 'string' }
} as const

/** A count flag's value: a whole number. */
function wholeNumber (flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,9}$/.test(value)) throw new Error(`--${flag} must be a whole number, got "${value.slice(0, 40)}"`)
  return Number(value)
}

/** Where the reports go: `--junit` (written) and `--summary` (appended, as `$GITHUB_STEP_SUMMARY` wants). */
interface ReportFiles {
  junit: string | undefined
  summary: string | undefined
}

/** Writes the reports asked for; a file that cannot be written is an Error of one line. */
function writeReports (files: ReportFiles, suites: () => JunitSuite[], summary: () => string): void {
  try {
    if (files.junit !== undefined) writeFileSync(files.junit, junitXml(suites()))
    if (files.summary !== undefined) appendFileSync(files.summary, summary())
  } catch (error) {
    throw new Error(`cannot write a report: ${(error as Error).message}`)
  }
}

/** A suite stamped with when it started and how long it took. */
function timed (suite: JunitSuite, started: number): JunitSuite {
  return { ...suite, time: (Date.now() - started) / 1000, timestamp: new Date(started).toISOString().slice(0, 19) }
}

interface VerifyArguments {
  baseUrl: string
  filter: ParsedRequestsFilter
  expected: RequestsExpected
  adminToken: string | undefined
  json: boolean
  files: ReportFiles
}

/** The arguments of `verify`; throws an Error of one line on a bad one. */
function verifyArguments (argv: readonly string[]): VerifyArguments {
  const { values } = parseArgs({ args: [...argv], options: verifyOptions, strict: true, allowPositionals: false })
  if (values['base-url'] === undefined) throw new Error('--base-url <url> is required')
  const path = notARoot(values['base-url'])
  if (path !== undefined) throw new Error(path)
  const count = wholeNumber('count', values.count)
  const min = wholeNumber('min', values.min)
  const max = wholeNumber('max', values.max)
  if (count !== undefined && (min !== undefined || max !== undefined)) throw new Error('give --count, or --min/--max, not both')
  if (count === undefined && min === undefined && max === undefined) throw new Error('--count <n>, or --min <n> and/or --max <n>, is required')
  if (min !== undefined && max !== undefined && min > max) throw new Error(`--min ${min} is more than --max ${max}`)
  const read = readRequestsFilter(Object.fromEntries(FILTER_FIELDS.map((field) => [field, values[field]])))
  if ('problem' in read) throw new Error(`--${read.problem.field}: ${read.problem.reason}`)
  return { baseUrl: values['base-url'], filter: read.filter, expected: count ?? { min, max }, adminToken: values['admin-token'], json: values.json === true, files: { junit: values.junit, summary: values.summary } }
}

/** `verify`: one count of the journal held against --count or --min/--max. */
async function verifyCommand (argv: readonly string[], io: CliIo): Promise<number> {
  let args: VerifyArguments
  try {
    args = verifyArguments(argv)
  } catch (error) {
    io.err(`${PROGRAM} verify: ${(error as Error).message.split('\n')[0]!} (see --help)`)
    return 2
  }
  try {
    const started = Date.now()
    const verdict = await checkRequests(args.baseUrl, args.filter, args.expected, { adminToken: args.adminToken })
    if (args.json) io.out(JSON.stringify(verdict, null, 2))
    else for (const line of verdict.message.split('\n')) io.out(line === verdict.summary ? `${verdict.ok ? 'ok  ' : 'FAIL'} ${line}` : line)
    writeReports(args.files, () => [timed(verifySuite(verdict), started)], () => verifySummary(verdict))
    return verdict.ok ? 0 : 1
  } catch (error) {
    io.err(`${PROGRAM} verify: ${(error as RunnerError).message}`)
    return 2
  }
}

function readSnapshot (spec: string): PublishedContract {
  try {
    return snapshotOpenApi(loadOpenApi(spec))
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!
    throw new Error(message.includes(spec) ? message : `${spec}: ${message}`)
  }
}

/** `drift` and `snapshot`: both read one OpenAPI document. */
function documentCommand (command: 'drift' | 'snapshot', argv: readonly string[], io: CliIo): number {
  let values
  try {
    values = parseArgs({ args: [...argv], options: documentOptions, strict: true, allowPositionals: false }).values
    if (values.spec === undefined) throw new Error('--spec <openapi file> is required')
    if (command === 'drift' && values.out !== undefined) throw new Error('--out only applies to snapshot')
    if (command === 'snapshot' && values.json === true) throw new Error('--json only applies to drift (snapshot always writes JSON)')
  } catch (error) {
    io.err(`${PROGRAM} ${command}: ${(error as Error).message.split('\n')[0]!} (see --help)`)
    return 2
  }
  let published: PublishedContract
  try {
    published = readSnapshot(values.spec)
  } catch (error) {
    io.err(`${PROGRAM} ${command}: ${(error as Error).message}`)
    return 2
  }
  if (command === 'snapshot') {
    const text = `${JSON.stringify(published, null, 2)}\n`
    if (values.out === undefined) io.out(text.trimEnd())
    else {
      try {
        writeFileSync(values.out, text)
      } catch (error) {
        io.err(`${PROGRAM} snapshot: cannot write: ${(error as Error).message}`)
        return 2
      }
      io.out(`wrote ${values.out} (${published.source.title} ${published.source.version})`)
    }
    return 0
  }
  const differences = contractDrift(published)
  if (values.json === true) io.out(JSON.stringify({ spec: values.spec, source: published.source, differences }, null, 2))
  else {
    for (const difference of differences) io.out(formatDifference(difference))
    io.out(`${differences.length === 0 ? 'no drift' : `${differences.length} difference${differences.length === 1 ? '' : 's'}`} between ${values.spec} ` +
      `(${published.source.title} ${published.source.version}) and the mock; statuses compared: ${Object.keys(published.responses).join(', ')}`)
  }
  return differences.length === 0 ? 0 : 1
}

/**
 * Why `--base-url` is not a server's root, if it is not: the checks add their own paths
 * (/v3/invites, /__mock/...), so a path, query or fragment given with it would be dropped.
 */
function notARoot (baseUrl: string): string | undefined {
  const url = parseUrl(baseUrl)
  if (url === undefined) return undefined
  if (url.pathname === '/' && url.search === '' && url.hash === '') return undefined
  return `--base-url is the server's root, without a path: use ${url.origin} (the checks add /v3/invites and /__mock themselves), not ${baseUrl}`
}

function printReport (report: RunReport, io: CliIo): void {
  for (const check of report.checks) {
    io.out(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name} ${check.status}`)
    for (const violation of check.violations) io.out(`     ${violation.check} ${violation.status} ${formatViolation(violation)}`)
  }
  for (const note of report.notes ?? []) io.out(`note ${note}`)
  const failed = report.checks.filter((check) => !check.ok).length
  const violations = report.checks.reduce((sum, check) => sum + check.violations.length, 0)
  io.out(`${report.checks.length} checks (${report.mode} mode) against ${report.baseUrl}: ` +
    (failed === 0 ? 'all conform' : `${failed} failed, ${violations} violation${violations === 1 ? '' : 's'}`))
}

function printCoverage (coverage: CoverageReport, io: CliIo): void {
  for (const example of coverage.examples) {
    io.out(`${example.served > 0 ? 'exercised' : 'never    '} ${example.status} ${JSON.stringify(example.name)} (${example.scenario}) served ${example.served}`)
  }
  io.out(`${coverage.exercised.length} of ${coverage.examples.length} documented examples exercised since ${coverage.since}` +
    (coverage.missing.length === 0 ? '' : `; never exercised: ${coverage.missing.map((example) => example.name).join(', ')}`))
}

/**
 * Runs the command line and resolves to its exit code.
 * @example await main(['--base-url', 'http://127.0.0.1:8080', '--json'], { out: console.log, err: console.error }) // 0
 */
export async function main (argv: readonly string[], io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`)
}): Promise<number> {
  const command = argv[0]
  if ((command === 'drift' || command === 'snapshot' || command === 'verify') && argv.includes('--help')) {
    io.out(usage)
    return 0
  }
  if (command === 'drift' || command === 'snapshot') return documentCommand(command, argv.slice(1), io)
  if (command === 'verify') return verifyCommand(argv.slice(1), io)
  let values
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values
  } catch (error) {
    io.err(`${PROGRAM}: ${(error as Error).message.split('\n')[0]!} (see --help)`)
    return 2
  }
  if (values.help === true) {
    io.out(usage)
    return 0
  }
  const baseUrl = values['base-url']
  if (baseUrl === undefined) {
    io.err(`${PROGRAM}: --base-url <url> is required (see --help)`)
    return 2
  }
  const path = notARoot(baseUrl)
  if (path !== undefined) {
    io.err(`${PROGRAM}: ${path}`)
    return 2
  }
  if (values['require-all'] === true && values.coverage !== true) {
    io.err(`${PROGRAM}: --require-all only applies with --coverage`)
    return 2
  }
  try {
    const files = { junit: values.junit, summary: values.summary }
    const started = Date.now()
    if (values.coverage === true) {
      const coverage = await readCoverage(baseUrl, { adminToken: values['admin-token'] })
      if (values.json === true) io.out(JSON.stringify(coverage, null, 2))
      else printCoverage(coverage, io)
      writeReports(files, () => [timed(coverageSuite(coverage, values['require-all'] === true), started)], () => coverageSummary(coverage))
      return values['require-all'] === true && coverage.missing.length > 0 ? 1 : 0
    }
    const report = await runContract({
      baseUrl,
      token: values.token,
      inviteEmail: values['invite-email'],
      liveSafe: values['live-safe'],
      adminToken: values['admin-token']
    })
    // The verdict is printed first: a report that cannot be written never hides it.
    if (values.json === true) io.out(JSON.stringify(report, null, 2))
    else printReport(report, io)
    // After a full run the coverage shows what the run served; a summary carries its table.
    const coverage = report.mode === 'full' && values.summary !== undefined ? await readCoverage(baseUrl, { adminToken: values['admin-token'] }) : undefined
    writeReports(files, () => [timed(runSuite(report), started)], () => runSummary(report, coverage))
    return report.ok ? 0 : 1
  } catch (error) {
    io.err(`${PROGRAM}: ${(error as RunnerError).message}`)
    return 2
  }
}

/* c8 ignore start -- the process entry only: main() is tested in-process in test/contracts/contract-cli.test.ts */
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2))
}
/* c8 ignore stop */
