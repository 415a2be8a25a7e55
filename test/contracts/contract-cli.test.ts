import t from 'tap'
import { readFileSync } from 'node:fs'
import { main, PROGRAM, usage } from '../../contracts/contract-cli.js'
import { builtInScenarios } from '../../scenarios/catalogue.js'
import { startFakeKonnect } from '../helpers/fake-konnect.js'
import { build, listen } from '../helpers/app.js'
import { documentedExampleNames } from '../helpers/published.js'
import { assertBadArguments, capture } from '../helpers/cli-io.js'

t.test('--help prints the usage and exits 0', async (t) => {
  const { out, err, io } = capture()
  t.equal(await main(['--help'], io), 0)
  t.same(out, [usage])
  t.same(err, [])
  t.match(usage, /--base-url <url>[\s\S]*--coverage[\s\S]*--require-all/)
})

t.test('the package installs the runner as a bin under the name its messages use', async (t) => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> }
  t.equal(manifest.bin[PROGRAM], 'dist/contracts/contract-cli.js')
  t.match(readFileSync(new URL('../../contracts/contract-cli.ts', import.meta.url), 'utf8'), /^#!\/usr\/bin\/env node\n/, 'runs as a command')
  t.match(usage, new RegExp(`^Usage: ${PROGRAM} --base-url`))
})

t.test('bad arguments exit 2 with one line', async (t) => {
  await assertBadArguments(t, [
    [[], 'konnect-invites-contract: --base-url <url> is required (see --help)'],
    [['--base-url'], /^konnect-invites-contract: Option '--base-url <value>' argument missing \(see --help\)$/],
    [['--nope'], /^konnect-invites-contract: Unknown option '--nope'.* \(see --help\)$/],
    [['--base-url', 'http://x', 'extra'], /^konnect-invites-contract: Unexpected argument 'extra'.* \(see --help\)$/],
    [['--base-url', 'http://x', '--require-all'], 'konnect-invites-contract: --require-all only applies with --coverage'],
    [['--base-url', 'not a url'], 'konnect-invites-contract: not a URL: not a url']
  ])
})

t.test('an unreachable server exits 2 with one line', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  await app.close()
  for (const extra of [[], ['--coverage']]) {
    const { err, io } = capture()
    t.equal(await main(['--base-url', url, ...extra], io), 2)
    t.same(err, [`konnect-invites-contract: cannot reach ${url}: ECONNREFUSED`])
  }
})

t.test('against the mock: one line per check, a summary, exit 0', async (t) => {
  const { url } = await listen(t, build(t, { tokens: ['kpat_cli'], activeUsers: ['taken@example.com'] }))
  const { out, err, io } = capture()
  t.equal(await main(['--base-url', url, '--token', 'kpat_cli', '--invite-email', 'taken@example.com'], io), 0)
  t.same(err, [])
  t.equal(out.length, builtInScenarios.length + 6 + 1 + 1 + 1)
  t.equal(out[0], 'ok   scenario:request-format-is-invalid 400')
  t.ok(out.includes('ok   scenario:connection-reset 0'))
  t.equal(out.at(-3), 'ok   live:invite 409')
  t.equal(out.at(-2), 'note the mock accepts only its --tokens: every check sends the --token given')
  t.equal(out.at(-1), `${builtInScenarios.length + 7} checks (full mode) against ${url}: all conform`)

  const live = capture()
  t.equal(await main(['--base-url', url, '--token', 'kpat_cli', '--live-safe', '--json'], live.io), 0)
  const report = JSON.parse(live.out.join('\n'))
  t.equal(report.mode, 'live-safe')
  t.equal(report.checks.length, 6)
})

t.test('violations: one line each (check, status, path, expected vs got), exit 1', async (t) => {
  const fake = await startFakeKonnect(t, {
    drift: (answer, check) => {
      if (check !== 'blank-email') return answer
      const body = structuredClone(answer.body) as Record<string, any>
      delete body.detail
      body.invalid_parameters[0].rule = 'not_blank'
      return { ...answer, body }
    }
  })
  const { out, io } = capture()
  t.equal(await main(['--base-url', fake.url], io), 1)
  t.same(out.filter((line) => !line.startsWith('ok ')), [
    'FAIL live:blank-email 400',
    '     live:blank-email 400 /body/detail: expected a string (required), got (missing)',
    '     live:blank-email 400 /body/invalid_parameters/0/rule: expected one of "required", "is_array", "is_base64", … (23 values in all), got "not_blank"',
    `6 checks (live-safe mode) against ${fake.url}: 1 failed, 2 violations`
  ])
  const one = await startFakeKonnect(t, { drift: (answer, check) => check === 'no-token' ? { ...answer, status: 403 } : answer })
  const single = capture()
  t.equal(await main(['--base-url', one.url, '--json'], single.io), 1)
  t.equal(JSON.parse(single.out.join('\n')).ok, false)
  const text = capture()
  await main(['--base-url', one.url], text.io)
  t.equal(text.out.at(-1), `6 checks (live-safe mode) against ${one.url}: 1 failed, 1 violation`)
})

t.test('--coverage reports the documented examples; --require-all fails until every one was exercised', async (t) => {
  const app = build(t, { adminToken: 'adm' })
  const { url } = await listen(t, app)
  await app.inject({ method: 'POST', url: '/v3/invites', headers: { authorization: 'Bearer t' }, payload: { email: '' } })
  const first = capture()
  t.equal(await main(['--base-url', url, '--coverage', '--admin-token', 'adm'], first.io), 0)
  const published = documentedExampleNames().length
  t.equal(first.out.length, published + 1, 'a line per published example, then the summary')
  t.equal(first.out[0], 'never     400 "Request Format is Invalid" (request-format-is-invalid) served 0')
  t.equal(first.out[1], 'exercised 400 "Cannot be Blank" (cannot-be-blank) served 1')
  t.match(first.out.at(-1), new RegExp(`^1 of ${published} documented examples exercised since \\S+; never exercised: Request Format is Invalid, Invalid ID format, `))

  const strict = capture()
  t.equal(await main(['--base-url', url, '--coverage', '--require-all', '--admin-token', 'adm'], strict.io), 1)

  t.equal(await main(['--base-url', url, '--admin-token', 'adm'], capture().io), 0, 'the full run exercises every scenario')
  const complete = capture()
  t.equal(await main(['--base-url', url, '--coverage', '--require-all', '--admin-token', 'adm'], complete.io), 0)
  t.match(complete.out.at(-1), new RegExp(`^${published} of ${published} documented examples exercised since \\S+$`))
  const json = capture()
  t.equal(await main(['--base-url', url, '--coverage', '--json', '--admin-token', 'adm'], json.io), 0)
  t.same(JSON.parse(json.out.join('\n')).missing, [])
})

t.test('without an io, output goes to stdout and stderr', async (t) => {
  const written: string[] = []
  const original = { out: process.stdout.write, err: process.stderr.write }
  process.stdout.write = ((chunk: string) => { written.push(`out:${chunk}`); return true }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => { written.push(`err:${chunk}`); return true }) as typeof process.stderr.write
  const codes: number[] = []
  try {
    codes.push(await main(['--help']), await main([]))
  } finally {
    process.stdout.write = original.out
    process.stderr.write = original.err
  }
  t.same(codes, [0, 2])
  t.same(written, [`out:${usage}\n`, 'err:konnect-invites-contract: --base-url <url> is required (see --help)\n'])
})
