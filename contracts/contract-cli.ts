#!/usr/bin/env node
/**
 * `konnect-invites-contract` (the package's bin; `npm run contract --` in this repository): runs the contract checks against a server and prints one line per check and
 * one per violation, or (`--coverage`) reports which documented examples the mock has served.
 * Exit codes: 0 conforms, 1 violations (or unexercised examples with --require-all), 2 bad
 * arguments or an unreachable server.
 */
import { realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatViolation } from './assert.js'
import { loadOpenApi } from './openapi.js'
import { contractDrift, formatDifference, snapshotOpenApi, type PublishedContract } from './published.js'
import { readCoverage, runContract, type CoverageReport, type RunnerError, type RunReport } from './runner.js'

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
}

/** The command's name: the package's bin, used in every message. */
export const PROGRAM = 'konnect-invites-contract'

export const usage = `Usage: ${PROGRAM} --base-url <url> [options]
       ${PROGRAM} drift --spec <openapi file> [--json]
       ${PROGRAM} snapshot --spec <openapi file> [--out <file>]
       (in a clone of this repository: npm run contract -- <the same arguments>)

Checks a server against the documented POST /v3/invites contract. Against this mock (it has
/__mock) every scenario of the catalogue is driven and checked; against any other server only the
live-safe checks run (no token, missing/blank/invalid email, malformed JSON, a JSON array body).

Options:
  --base-url <url>      the server to check (required), e.g. http://127.0.0.1:8080
  --token <t>           bearer token for the checks that need one (default: contract-runner)
  --invite-email <e>    also send one real invite to this address (expects 201, or 409 ConflictError)
  --live-safe           run only the live-safe checks, even against this mock
  --admin-token <t>     X-Mock-Admin-Token for a mock started with --admin-token
  --json                print the report as JSON
  --coverage            report which documented examples the mock served since its last reset
  --require-all         with --coverage: exit 1 when any documented example was never served
  --help                show this text

drift compares a Konnect Identity OpenAPI document (YAML or JSON, whole or an excerpt) with what the
mock serves for POST /v3/invites: statuses, media types, schemas and documented examples, one line
per difference. snapshot prints (or writes to --out) the JSON snapshot of that operation the mock's
tests check against.

Exit codes: 0 conforms (no drift), 1 violations (drift) found, 2 bad arguments, an unreachable
server, or an unreadable document.`

const options = {
  'base-url': { type: 'string' },
  token: { type: 'string' },
  'invite-email': { type: 'string' },
  'live-safe': { type: 'boolean' },
  'admin-token': { type: 'string' },
  json: { type: 'boolean' },
  coverage: { type: 'boolean' },
  'require-all': { type: 'boolean' },
  help: { type: 'boolean' }
} as const

const documentOptions = {
  spec: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' }
} as const

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
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return undefined
  }
  if (url.pathname === '/' && url.search === '' && url.hash === '') return undefined
  return `--base-url is the server's root, without a path: use ${url.origin} (the checks add /v3/invites and /__mock themselves), not ${baseUrl}`
}

function printReport (report: RunReport, io: CliIo): void {
  for (const check of report.checks) {
    io.out(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name} ${check.status}`)
    for (const violation of check.violations) io.out(`     ${violation.check} ${violation.status} ${formatViolation(violation)}`)
  }
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
  if (argv[0] === 'drift' || argv[0] === 'snapshot') return documentCommand(argv[0], argv.slice(1), io)
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
    if (values.coverage === true) {
      const coverage = await readCoverage(baseUrl, { adminToken: values['admin-token'] })
      if (values.json === true) io.out(JSON.stringify(coverage, null, 2))
      else printCoverage(coverage, io)
      return values['require-all'] === true && coverage.missing.length > 0 ? 1 : 0
    }
    const report = await runContract({
      baseUrl,
      token: values.token,
      inviteEmail: values['invite-email'],
      liveSafe: values['live-safe'],
      adminToken: values['admin-token']
    })
    if (values.json === true) io.out(JSON.stringify(report, null, 2))
    else printReport(report, io)
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
