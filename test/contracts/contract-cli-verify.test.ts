import t, { type Test } from 'tap'
import { request } from 'undici'
import { main } from '../../contracts/contract-cli.js'
import { build, listen } from '../helpers/app.js'
import { assertBadArguments, capture } from '../helpers/cli-io.js'

/** A mock on a free port whose journal holds two invites of ada@ (201, then 409 once she is active) and one 429. */
async function mock (t: Test, options: Parameters<typeof build>[1] = {}) {
  const app = build(t, { now: () => Date.UTC(2026, 0, 1, 9), ...options })
  const { url } = await listen(t, app)
  const send = async (email: string, headers: Record<string, string> = {}) => {
    const answer = await request(`${url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email }) })
    await answer.body.dump()
  }
  await send('ada@example.com')
  app.mock.state.addActiveUser('ada@example.com')
  await send('ada@example.com')
  await send('bob@example.com', { 'x-mock-scenario': 'rate-limited' })
  return url
}

t.test('verify exits 0 and says so when the count holds', async (t) => {
  const url = await mock(t)
  for (const argv of [
    ['--email', 'ada@example.com', '--count', '2'],
    ['--email', 'ada@example.com', '--status', '409', '--count', '1'],
    ['--method', 'post', '--min', '3'],
    ['--scenario', 'rate-limited', '--max', '1'],
    ['--since', '2026-01-01T09:00:00Z', '--after', '2', '--min', '1', '--max', '1'],
    ['--session', 'none', '--count', '0']
  ]) {
    const { out, err, io } = capture()
    t.equal(await main(['verify', '--base-url', url, ...argv], io), 0, argv.join(' '))
    t.same(err, [])
    t.equal(out.length, 1)
    t.match(out[0], /^ok {3}\d+ requests? matching .*: expected /)
  }
})

t.test('verify exits 1 with the matching requests when it does not hold', async (t) => {
  const url = await mock(t)
  const { out, err, io } = capture()
  t.equal(await main(['verify', '--base-url', url, '--email', 'ada@example.com', '--count', '1'], io), 1)
  t.same(err, [])
  t.equal(out[0], 'FAIL 2 requests matching email=ada@example.com: expected exactly 1, got 2')
  t.equal(out[1], 'the matching requests, newest last:')
  t.match(out[3], /#1\s+2026-01-01T09:00:00.000Z\s+POST\s+"ada@example.com"\s+201\s+default/)
  t.match(out[4], /#2\s+2026-01-01T09:00:00.000Z\s+POST\s+"ada@example.com"\s+409\s+default/)
  t.equal(out.length, 5)

  const json = capture()
  t.equal(await main(['verify', '--base-url', url, '--status', '500', '--min', '1', '--json'], json.io), 1)
  const verdict = JSON.parse(json.out.join('\n'))
  t.match(verdict, { ok: false, count: 0, expected: { min: 1 }, filter: { status: 500 } })
  t.equal(verdict.shown.length, 3, 'with nothing matching, the newest requests are shown')
})

t.test('verify with bad input exits 2 with one line', async (t) => {
  const { url } = await listen(t, build(t, { adminToken: 's3cret' }))
  await assertBadArguments(t, [
    [['verify', '--count', '1'], /^konnect-invites-contract verify: --base-url <url> is required \(see --help\)$/],
    [['verify', '--base-url', url], /--count <n>, or --min <n> and\/or --max <n>, is required/],
    [['verify', '--base-url', url, '--count', '1', '--min', '1'], /give --count, or --min\/--max, not both/],
    [['verify', '--base-url', url, '--count', 'one'], /--count must be a whole number, got "one"/],
    [['verify', '--base-url', url, '--min=-1'], /--min must be a whole number/],
    [['verify', '--base-url', url, '--min', '3', '--max', '2'], /--min 3 is more than --max 2/],
    [['verify', '--base-url', url, '--count', '1', '--status', 'ok'], /^konnect-invites-contract verify: --status: must be a status code from 0 to 599 \(see --help\)$/],
    [['verify', '--base-url', url, '--count', '1', '--since', 'yesterday'], /--since: must be an ISO 8601 time/],
    [['verify', '--base-url', url, '--count', '1', '--emial', 'a@b.co'], /Unknown option '--emial'/],
    [['verify', '--base-url', url, '--count', '1'], /^konnect-invites-contract verify: the admin API at .* answered 401: pass the mock's admin token \(--admin-token\)$/],
    [['verify', '--base-url', url, '--count', '1', '--admin-token', 's3cret', '--scenario', 'nope'], /^konnect-invites-contract verify: filter scenario: must be one of the scenario ids \(default, upstream, mock-error, /],
    [['verify', '--base-url', 'http://127.0.0.1:1', '--count', '1'], /cannot reach http:\/\/127.0.0.1:1: ECONNREFUSED/],
    [['verify', '--base-url', `${url}/__mock`, '--count', '1'], /^konnect-invites-contract verify: --base-url is the server's root, without a path: use http:\/\/127\.0\.0\.1:\d+ /]
  ])
  const { out, io } = capture()
  t.equal(await main(['verify', '--base-url', url, '--count', '0', '--admin-token', 's3cret'], io), 0, 'the admin token opens the journal')
  t.match(out[0], /^ok/)
})

t.test('the help names verify and its flags, and each command shows it for --help', async (t) => {
  const { out, io } = capture()
  t.equal(await main(['--help'], io), 0)
  for (const flag of ['verify --base-url', '--email', '--status', '--scenario', '--method', '--session', '--since', '--after', '--count', '--min', '--max']) t.match(out[0], flag)
  for (const argv of [['verify', '--help'], ['verify', '--count', '1', '--help'], ['drift', '--help'], ['snapshot', '--help']]) {
    const asked = capture()
    t.equal(await main(argv, asked.io), 0, argv.join(' '))
    t.same(asked.out, out)
    t.same(asked.err, [])
  }
})
