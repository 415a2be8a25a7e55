import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { main } from '../../contracts/contract-cli.js'
import { junitXml, runSummary } from '../../contracts/reports.js'
import { startFakeKonnect } from '../helpers/fake-konnect.js'
import { build, listen } from '../helpers/app.js'
import { capture } from '../helpers/cli-io.js'
import { setScenario } from '../helpers/inject.js'
import { parseXml, type XmlElement } from '../helpers/xml.js'

/**
 * Reads a JUnit report and checks it has the shape of the common JUnit XML schema (the one
 * Jenkins, GitLab and Azure read): `testsuites` of `testsuite`s of `testcase`s; each suite's
 * name, counts (equal to its cases'), errors, skipped, time and timestamp; each case's name and
 * classname; a failure's message and type. Returns the cases by name.
 */
function readJunit (t: Test, file: string): { root: XmlElement, cases: Map<string, XmlElement> } {
  const root = parseXml(readFileSync(file, 'utf8'))
  t.equal(root.name, 'testsuites')
  const cases = new Map<string, XmlElement>()
  let tests = 0
  let failures = 0
  for (const suite of root.children) {
    t.equal(suite.name, 'testsuite')
    t.match(suite.attributes, { name: /./, tests: /^\d+$/, failures: /^\d+$/, errors: '0', skipped: /^\d+$/, time: /^\d+\.\d{3}$/, timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/ })
    const failed = suite.children.filter((test) => test.children.some((child) => child.name === 'failure'))
    t.equal(Number(suite.attributes.tests), suite.children.length, 'tests counts the cases')
    t.equal(Number(suite.attributes.failures), failed.length, 'failures counts the failed cases')
    t.equal(Number(suite.attributes.skipped), suite.children.filter((test) => test.children.some((child) => child.name === 'skipped')).length)
    tests += suite.children.length
    failures += failed.length
    for (const test of suite.children) {
      t.equal(test.name, 'testcase')
      t.match(test.attributes, { name: /./, classname: /^konnect-invites-contract\./ })
      for (const child of test.children) {
        t.ok(['failure', 'skipped'].includes(child.name), `${child.name} is a known child`)
        if (child.name === 'failure') t.match(child.attributes, { message: /./, type: 'AssertionError' })
      }
      cases.set(test.attributes.name!, test)
    }
  }
  t.equal(Number(root.attributes.tests), tests)
  t.equal(Number(root.attributes.failures), failures)
  return { root, cases }
}

const failureOf = (test: XmlElement | undefined): XmlElement | undefined => test?.children.find((child) => child.name === 'failure')

t.test('the runner: one test case per check, the violations inside each failed one, and a Markdown summary', async (t) => {
  const fake = await startFakeKonnect(t, {
    drift: (answer, check) => {
      if (check !== 'blank-email') return answer
      const body = structuredClone(answer.body) as Record<string, any>
      delete body.detail
      body.invalid_parameters[0].rule = 'not_blank'
      return { ...answer, body }
    }
  })
  const dir = t.testdir({ 'summary.md': '# earlier steps\n' })
  const junit = join(dir, 'junit.xml')
  const summary = join(dir, 'summary.md')
  t.equal(await main(['--base-url', fake.url, '--junit', junit, '--summary', summary], capture().io), 1)
  const { root, cases } = readJunit(t, junit)
  t.match(root.attributes, { tests: '6', failures: '1' })
  t.same([...cases.keys()], ['live:no-token', 'live:missing-email', 'live:blank-email', 'live:invalid-email', 'live:malformed-json', 'live:array-body'])
  const failure = failureOf(cases.get('live:blank-email'))
  t.equal(failure?.attributes.message, 'live:blank-email 400 /body/detail: expected a string (required), got (missing)')
  t.equal(failure?.text, 'live:blank-email 400 /body/detail: expected a string (required), got (missing)\n' +
    'live:blank-email 400 /body/invalid_parameters/0/rule: expected one of "required", "is_array", "is_base64", … (23 values in all), got "not_blank"')
  t.equal(failureOf(cases.get('live:no-token')), undefined, 'a passing check has no failure')

  const markdown = readFileSync(summary, 'utf8')
  t.match(markdown, /^# earlier steps\n### ❌ POST \/v3\/invites contract: 6 checks \(live-safe mode\) against .*, 1 failed\n/, 'appended, as $GITHUB_STEP_SUMMARY wants')
  t.match(markdown, '| `live:no-token` | 401 | ✅ |')
  t.match(markdown, '| `live:blank-email` | 400 | ❌ /body/detail: expected a string (required), got (missing)<br>/body/invalid_parameters/0/rule: expected one of')
  t.notMatch(markdown, 'Coverage', 'no coverage from a server that is not this mock')
})

t.test('a full run against the mock: quotes escaped, notes and the coverage table in the summary', async (t) => {
  const app = build(t)
  const { url } = await listen(t, app)
  await setScenario(app, { id: 'cannot-be-blank' })
  const dir = t.testdir({})
  const live = join(dir, 'live.xml')
  t.equal(await main(['--base-url', url, '--live-safe', '--junit', live], capture().io), 1)
  const { root, cases } = readJunit(t, live)
  t.match(root.attributes, { tests: '6', failures: '6' })
  t.match(failureOf(cases.get('live:no-token'))?.text, 'got "cannot-be-blank": a scenario active on the mock answered instead')
  t.match(readFileSync(live, 'utf8'), '&quot;cannot-be-blank&quot;', 'quotes escaped in the message attribute')

  const full = join(dir, 'full.xml')
  const summary = join(dir, 'summary.md')
  t.equal(await main(['--base-url', url, '--junit', full, '--summary', summary], capture().io), 0)
  const report = readJunit(t, full)
  t.equal(report.root.attributes.failures, '0')
  t.ok(report.cases.has('scenario:rate-limited') && report.cases.has('live:array-body'))
  t.equal(report.cases.get('scenario:rate-limited')?.attributes.classname, 'konnect-invites-contract.scenario')
  const markdown = readFileSync(summary, 'utf8')
  t.match(markdown, /^### ✅ POST \/v3\/invites contract: \d+ checks \(full mode\) against .*, all conform\n\n- a global scenario \(cannot-be-blank\) is active/)
  t.match(markdown, '#### Coverage of the documented examples')
  t.match(markdown, '**14 of 14** documented examples exercised since')
  t.match(markdown, /\| 429 \| Rate Limited \| `rate-limited` \| \d+ \| ✅ \|/)
  t.equal(await main(['--base-url', url, '--coverage', '--require-all', '--summary', summary], capture().io), 0)
  t.match(readFileSync(summary, 'utf8'), '### ✅ POST /v3/invites: documented examples exercised')
})

t.test('--coverage: one test case per documented example, failed (--require-all) or skipped when never served', async (t) => {
  const { url } = await listen(t, build(t))
  const answer = await request(`${url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'x-mock-scenario': 'rate-limited' } })
  await answer.body.dump()
  const dir = t.testdir({})
  const required = join(dir, 'required.xml')
  t.equal(await main(['--base-url', url, '--coverage', '--require-all', '--junit', required, '--summary', join(dir, 'c.md')], capture().io), 1)
  const { root, cases } = readJunit(t, required)
  t.match(root.attributes, { tests: '14', failures: '13', skipped: '0' })
  t.equal(failureOf(cases.get('429 Rate Limited')), undefined)
  t.equal(failureOf(cases.get('400 Cannot be Blank'))?.attributes.message, 'never served: no test made the mock answer "Cannot be Blank" (cannot-be-blank)')
  t.match(readFileSync(join(dir, 'c.md'), 'utf8'), /^### ❌ POST \/v3\/invites: documented examples exercised\n\n\*\*1 of 14\*\*/)
  const optional = join(dir, 'optional.xml')
  t.equal(await main(['--base-url', url, '--coverage', '--junit', optional], capture().io), 0)
  t.match(readJunit(t, optional).root.attributes, { tests: '14', failures: '0', skipped: '13' })
})

t.test('verify: one test case for the condition, the matching requests in its failure', async (t) => {
  const { url } = await listen(t, build(t))
  for (let i = 0; i < 2; i++) {
    const answer = await request(`${url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"ada@example.com"}' })
    await answer.body.dump()
  }
  const dir = t.testdir({})
  const failing = join(dir, 'failing.xml')
  const summary = join(dir, 'verify.md')
  t.equal(await main(['verify', '--base-url', url, '--email', 'ada@example.com', '--count', '1', '--junit', failing, '--summary', summary], capture().io), 1)
  const { root, cases } = readJunit(t, failing)
  t.match(root.attributes, { tests: '1', failures: '1' })
  const failure = failureOf(cases.get('requests matching email=ada@example.com: expected exactly 1'))
  t.equal(failure?.attributes.message, '2 requests matching email=ada@example.com: expected exactly 1, got 2')
  t.match(failure?.text, /the matching requests, newest last:\n.*seq.*\n.*#1 .*"ada@example.com"\s+201.*\n.*#2 /)
  const markdown = readFileSync(summary, 'utf8')
  t.match(markdown, '### ❌ 2 requests matching email=ada@example.com: expected exactly 1, got 2\n\nThe matching requests, newest last:')
  t.match(markdown, /\| 2 \| \S+ \| POST \| ada@example.com \| 201 \| `default` \| - \|/)

  const passing = join(dir, 'passing.xml')
  t.equal(await main(['verify', '--base-url', url, '--email', 'ada@example.com', '--min', '2', '--junit', passing, '--summary', summary], capture().io), 0)
  t.match(readJunit(t, passing).root.attributes, { tests: '1', failures: '0' })
  t.match(readFileSync(summary, 'utf8'), /\n### ✅ 2 requests matching email=ada@example.com: expected at least 2\n$/)
  const broken = await request(`${url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json', 'x-mock-session': 'ci|7' }, body: '{broken' })
  await broken.body.dump()
  t.equal(await main(['verify', '--base-url', url, '--status', '500', '--count', '1', '--summary', summary], capture().io), 1)
  t.match(readFileSync(summary, 'utf8'), 'None matched; the newest requests of the journal:')
  t.match(readFileSync(summary, 'utf8'), /\| 3 \| \S+ \| POST \| - \| 400 \| `default` \| ci\\\|7 \|/)
})

t.test('a report that cannot be written is one line and exit 2, after the verdict it would have carried', async (t) => {
  const { url } = await listen(t, build(t))
  const dir = t.testdir({})
  for (const [argv, verdict] of [
    [['--base-url', url, '--live-safe', '--junit', join(dir, 'missing', 'x.xml')], /checks \(live-safe mode\) against .*: all conform$/],
    [['--base-url', url, '--coverage', '--junit', join(dir, 'missing', 'x.xml')], /documented examples exercised since/],
    [['verify', '--base-url', url, '--count', '0', '--summary', join(dir, 'missing', 'x.md')], /^FAIL \d+ requests matching every request: expected exactly 0, got \d+$/]
  ] as const) {
    const { out, err, io } = capture()
    t.equal(await main(argv, io), 2)
    t.ok(out.some((line) => verdict.test(line)), 'the verdict is printed')
    t.equal(err.length, 1)
    t.match(err[0], /cannot write a report: ENOENT/)
  }
})

t.test('what XML and Markdown cannot carry is escaped', async (t) => {
  const text = junitXml([{ name: 'a <b> & "c"', cases: [{ name: 'x\u0001y', classname: 'k', failure: { message: 'm', text: '<&>' } }] }])
  const root = parseXml(text)
  t.equal(root.children[0]?.attributes.name, 'a <b> & "c"')
  t.equal(root.children[0]?.children[0]?.attributes.name, 'x\uFFFDy')
  t.equal(root.children[0]?.children[0]?.children[0]?.text, '<&>')
  t.throws(() => parseXml('<a>&</a>'), /bare/, 'the reader refuses what is not well-formed')
  t.throws(() => parseXml('<a><b></a>'), /closing/)
  t.throws(() => parseXml('<a x="1" x="2"/>'), /duplicate/)
  t.throws(() => parseXml('<a/><b/>'), /second root/)
  t.throws(() => parseXml('<a>'), /unclosed/)
  t.throws(() => parseXml('x<a/>'), /outside/)
  t.throws(() => parseXml('< a/>'), /bad tag/)
  t.throws(() => parseXml('<a b/>'), /unterminated/)
  t.equal(parseXml('<a>&#x41;&#66;&apos;</a>').text, 'AB\'')
  const markdown = runSummary({ baseUrl: 'http://x', mode: 'live-safe', ok: false, checks: [{ name: 'live:x', status: 400, ok: false, violations: [{ check: 'live:x', status: 400, path: '/a', expected: 'p|q', got: 'line\nbreak' }] }] })
  t.match(markdown, '| `live:x` | 400 | ❌ /a: expected p\\|q, got line break |')
})
