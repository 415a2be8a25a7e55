import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { inviteExamples } from '../../contracts/examples.js'
import { loadScenariosFile, ScenarioFileError } from '../../scenarios/custom.js'
import { RECORDED_INSTANCE, Recorder, secretsOf } from '../../scenarios/recorder.js'
import { secretNames } from '../../scenarios/redact.js'
import { startFakeKonnect, type RawAnswer } from '../helpers/fake-konnect.js'
import { build } from '../helpers/app.js'

const TOKEN = 'kpat_recording_secret_42'
const COOKIE = 'session_cookie_value_77'
const PROBLEM = 'application/problem+json'
const example = (name: string): Record<string, unknown> => structuredClone(inviteExamples.find((e) => e.name === name)!.value) as Record<string, unknown>
const invite = {
  method: 'POST' as const,
  url: '/v3/invites',
  headers: { authorization: `Bearer ${TOKEN}`, cookie: `sid=${COOKIE}; theme=dark`, 'content-type': 'application/json' },
  payload: '{"email":"a@example.com"}'
}

const answers: RawAnswer[] = [
  { status: 409, headers: ['content-type', PROBLEM, 'x-request-id', 'r1', 'set-cookie', `sid=${COOKIE}`], body: JSON.stringify({ ...example('User is Already Active'), instance: 'konnect:trace:111' }) },
  { status: 429, headers: ['content-type', PROBLEM, 'retry-after', '30', 'ratelimit-limit', '60', 'ratelimit-remaining', '0', 'ratelimit-reset', '30'], body: JSON.stringify({ ...example('Rate Limited'), instance: 'konnect:trace:222' }) },
  // Echoes the token: scrubbed from the body and from the headers kept.
  { status: 401, headers: ['content-type', PROBLEM, 'www-authenticate', `Bearer error="invalid_token", token="${TOKEN}"`], body: JSON.stringify({ status: 401, title: 'Unauthenticated', instance: 'konnect:trace:333', detail: `Token ${TOKEN} is not valid` }) },
  // Pretty-printed and breaking its contract: kept as text, bytes and all.
  { status: 400, headers: ['content-type', PROBLEM], body: JSON.stringify({ status: 400, title: 'Bad Request', instance: 'konnect:trace:444', invalid_parameters: [{ field: 'email', reason: 'cannot be blank' }] }, null, 2) },
  { status: 502, headers: ['content-type', 'text/html'], body: '<html><body>Bad gateway</body></html>' },
  { status: 503, headers: ['content-type', PROBLEM, 'retry-after', '5'], body: '{"status":503,"title":"Service Unavailable","instance":"konnect:trace:555"}' }
]

const withoutInstance = (text: string): string => text.replace(/"instance"\s*:\s*"[^"]*"/, '"instance":"…"')

for (const extension of ['yaml', 'json']) {
  t.test(`recorded ${extension} file loads with --scenarios-file and serves the same answers, no token in it`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'record-'))
    const file = join(dir, `recorded.${extension}`)
    const upstream = await startFakeKonnect(t)
    const app = build(t, { upstream: { url: upstream.url, record: file } })
    for (const answer of answers) {
      upstream.answer = answer
      await app.inject(invite)
      // The same answer again (another instance) is a duplicate.
      upstream.answer = { ...answer, body: answer.body.replace(/konnect:trace:\d+/, 'konnect:trace:999') }
      await app.inject(invite)
    }
    upstream.answer = { status: 201, headers: [], body: '' }
    await app.inject(invite)
    await app.mock.upstream!.recorder!.flush()
    const text = readFileSync(file, 'utf8')
    for (const secret of [TOKEN, COOKIE]) t.notMatch(text, secret, 'no secret reaches the file')
    t.notMatch(text, /set-cookie|x-request-id|konnect:trace:\d/i, 'only headers a client reads; no real instance')
    t.same(readdirSync(dir), [`recorded.${extension}`], 'no temporary file left')

    const scenarios = loadScenariosFile(file)
    t.equal(scenarios.length, answers.length, 'each distinct error answer once; the 201 is not recorded')
    t.same(scenarios.map((s) => s.id), [
      'resource-conflict-user-is-already-active',
      'rate-limited-too-many-requests',
      'unauthenticated-token-redacted-is-not-valid',
      'bad-request',
      'upstream-502',
      'service-unavailable-2'
    ], 'from title and detail; a built-in id gets a suffix')
    const replay = build(t, { scenarios })
    for (const [index, answer] of answers.entries()) {
      const res = await replay.inject({ ...invite, headers: { ...invite.headers, 'x-mock-scenario': scenarios[index]!.id } })
      t.equal(res.statusCode, answer.status, scenarios[index]!.id)
      const sent = answer.body.split(TOKEN).join('[redacted]')
      t.equal(withoutInstance(res.body), withoutInstance(sent), 'the same bytes, instance aside')
      t.equal(String(res.headers['content-type']).split(';')[0], answer.headers[1])
      for (const name of ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) {
        const at = answer.headers.indexOf(name)
        t.equal(res.headers[name], at < 0 ? undefined : answer.headers[at + 1], name)
      }
    }

    // Across restarts: the file is read back, so the same answers are not recorded again.
    const again = build(t, { upstream: { url: upstream.url, record: file } })
    upstream.answer = answers[0]!
    await again.inject(invite)
    upstream.answer = { status: 404, headers: ['content-type', PROBLEM], body: '{"status":404,"title":"Not Found","instance":"konnect:trace:1","detail":"No route"}' }
    await again.inject(invite)
    await again.mock.upstream!.recorder!.flush()
    t.same(loadScenariosFile(file).map((s) => s.id).slice(answers.length), ['not-found-no-route'], 'only the new answer is added')
  })
}

t.test('ids are readable, kebab-case, unique and never a built-in id', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'record-'))
  const recorder = new Recorder(join(dir, 'ids.yaml'), { onError: () => {} })
  const problem = (status: number, title: string, detail: string): RawAnswer & { headers: Record<string, string> } =>
    ({ status, headers: { 'content-type': PROBLEM }, body: JSON.stringify({ status, title, instance: 'x', detail }) } as never)
  t.equal(recorder.record(problem(409, 'Conflict', 'One'), { rawHeaders: [] }), 'conflict-one')
  t.equal(recorder.record(problem(409, 'Conflict', 'One!'), { rawHeaders: [] }), 'conflict-one-2', 'deduplicated')
  t.equal(recorder.record(problem(409, 'Conflict', 'One?'), { rawHeaders: [] }), 'conflict-one-3')
  t.equal(recorder.record(problem(409, 'User is Already', 'Active'), { rawHeaders: [] }), 'user-is-already-active-2', 'a built-in id is taken')
  const long = recorder.record(problem(409, 'Conflict', 'x'.repeat(100)), { rawHeaders: [] })!
  t.equal(long.length, 64)
  t.equal(recorder.record(problem(409, 'Conflict', 'x'.repeat(100) + 'y'), { rawHeaders: [] })!.length, 64, 'still 64 with a suffix')
  t.equal(recorder.record({ status: 500, headers: {}, body: '' }, { rawHeaders: [] }), 'upstream-500')
  t.equal(recorder.record(problem(409, '!!!', ''), { rawHeaders: [] }), 'upstream-409', 'a title and detail without letters or digits')
  t.equal(recorder.record({ status: 201, headers: {}, body: '' }, { rawHeaders: [] }), undefined, 'only errors')
  t.equal(recorder.size, 8)
  await recorder.flush()
  t.equal(loadScenariosFile(join(dir, 'ids.yaml')).length, 8)
})

t.test('secretsOf finds the values the journal redacts', async (t) => {
  const secrets = secretsOf({ rawHeaders: ['Authorization', 'Bearer abcd1234', 'Cookie', 'a=longvalue; b=x', 'X-Mock-Admin-Token', 'admin-secret', 'Accept', 'application/json'] })
  t.same([...secrets].sort(), ['Bearer abcd1234', 'a=longvalue; b=x', 'abcd1234', 'admin-secret', 'longvalue'])
  t.equal(secrets[secrets.length - 1]!.length, 8, 'longest first, so a whole value is scrubbed before its parts')
})

t.test('names added with redact are scrubbed from a recording too', async (t) => {
  const TENANT = 'tenant-acme-0042'
  const file = join(mkdtempSync(join(tmpdir(), 'record-')), 'recorded.yaml')
  const upstream = await startFakeKonnect(t)
  upstream.answer = { status: 403, headers: ['content-type', PROBLEM, 'www-authenticate', `Bearer realm="${TENANT}"`], body: JSON.stringify({ status: 403, title: 'Forbidden', instance: 'konnect:trace:1', detail: `Tenant ${TENANT} may not invite` }) }
  const app = build(t, { upstream: { url: upstream.url, record: file }, redact: ['x-tenant'] })
  await app.inject({ ...invite, headers: { ...invite.headers, 'x-tenant': TENANT } })
  await app.mock.upstream!.recorder!.flush()
  const text = readFileSync(file, 'utf8')
  t.notMatch(text, TENANT, 'the header\'s value, echoed in body and headers, is not in the file')
  t.match(text, 'Tenant [redacted] may not invite')
  t.same(secretsOf({ rawHeaders: ['X-Tenant', TENANT, 'Accept', 'text/plain'] }, secretNames(['x_tenant'])), [TENANT], 'secretsOf takes the same names')
})

t.test('secretsOf also finds secret query and body values, as written, decoded and JSON-escaped', async (t) => {
  const secrets = secretsOf({
    rawHeaders: ['Accept', 'application/json'],
    url: '/v3/invites?access_token=q%2Ftok%20en&page=1234567&broken=%E0%A4%A',
    body: JSON.stringify({ email: 'a@example.com', password: 'pa"ss\\word', nested: [{ client_secret: 98765432 }], api_key: { parts: ['key-part-one'] } })
  })
  t.same(new Set(secrets), new Set(['q%2Ftok%20en', 'q/tok en', 'pa"ss\\word', 'pa\\"ss\\\\word', '98765432', 'key-part-one']))
  t.same(secretsOf({ rawHeaders: [], url: '/v3/invites?broken=%E0%A4%A', body: 'not json' }), [], 'nothing secret: a bad escape and a body that is not JSON are no trouble')
  t.same(secretsOf({ rawHeaders: [], url: '/v3/invites?password=%E0%A4%A' }), ['%E0%A4%A'], 'a bad escape is kept as written')
})

t.test('secret query and body values the upstream echoes are scrubbed from a recording', async (t) => {
  const QUERY_TOKEN = 'query-token-0042'
  const PASSWORD = 'body "password" 0043'
  const TENANT = 'tenant-body-0044'
  const file = join(mkdtempSync(join(tmpdir(), 'record-')), 'recorded.yaml')
  const upstream = await startFakeKonnect(t)
  upstream.answer = {
    status: 400,
    headers: ['content-type', PROBLEM],
    body: JSON.stringify({ status: 400, title: 'Bad Request', instance: 'konnect:trace:1', detail: `Got token ${QUERY_TOKEN}, password ${PASSWORD} and tenant ${TENANT}`, invalid_parameters: [{ field: 'email', reason: 'is required' }] })
  }
  const app = build(t, { upstream: { url: upstream.url, record: file }, redact: ['tenant'] })
  await app.inject({ ...invite, url: `/v3/invites?token=${QUERY_TOKEN}`, payload: JSON.stringify({ email: 'a@example.com', password: PASSWORD, org: { tenant: TENANT } }) })
  await app.mock.upstream!.recorder!.flush()
  const text = readFileSync(file, 'utf8')
  for (const secret of [QUERY_TOKEN, PASSWORD, TENANT]) t.notMatch(text, secret.slice(-4), `${secret} is not in the file`)
  t.match(text, 'Got token [redacted], password [redacted] and tenant [redacted]')
})

t.test('an existing file keeps its shape; a bad one is refused at start-up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'record-'))
  const list = join(dir, 'list.json')
  writeFileSync(list, JSON.stringify([
    { id: 'mine', title: 'Mine', status: 418, fault: true, text: 'teapot' },
    { id: 'typed', title: 'Typed', status: 418, fault: true, headers: { 'Content-Type': 'text/html' }, text: '<p>teapot</p>' }
  ]))
  const recorder = new Recorder(list, { onError: () => {} })
  recorder.record({ status: 418, headers: {}, body: 'teapot' }, { rawHeaders: [] })
  recorder.record({ status: 418, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<p>teapot</p>' }, { rawHeaders: [] })
  // Plain JSON is no problem document: kept as data as it is, without an instance to replace.
  t.equal(recorder.record({ status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"bad"}' }, { rawHeaders: [] }), 'upstream-400')
  recorder.record({ status: 503, headers: { 'content-type': PROBLEM, 'retry-after': '1' }, body: '{"status":503,"title":"Down","instance":"i","detail":"Later"}' }, { rawHeaders: [] })
  await recorder.flush()
  const data = JSON.parse(readFileSync(list, 'utf8'))
  t.ok(Array.isArray(data), 'still a list')
  t.same(data.map((s: { id: string }) => s.id), ['mine', 'typed', 'upstream-400', 'down-later'], 'hand-written answers count as recorded')
  t.same(data[2].body, { error: 'bad' })
  t.match(data[3], { status: 503, headers: { 'retry-after': '1' }, contentType: PROBLEM, body: { status: 503, title: 'Down', instance: RECORDED_INSTANCE, detail: 'Later' } })

  const empty = join(dir, 'empty.yaml')
  writeFileSync(empty, '\n')
  t.equal(new Recorder(empty, { onError: () => {} }).size, 0, 'an empty file is a fresh start')
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, '- id: x\n')
  t.throws(() => new Recorder(bad, { onError: () => {} }), ScenarioFileError)
  t.throws(() => new Recorder(dir, { onError: () => {} }), { name: 'ScenarioFileError', message: /cannot read it \(EISDIR\)/ })
})

t.test('a failed write is reported and leaves no temporary file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'record-'))
  const errors: Error[] = []
  const recorder = new Recorder(join(dir, 'r.yaml'), { onError: (error) => { errors.push(error) } })
  // A directory where the file should go: the rename over it fails, even for root.
  mkdirSync(join(dir, 'r.yaml', 'inside'), { recursive: true })
  recorder.record({ status: 500, headers: {}, body: 'x' }, { rawHeaders: [] })
  await recorder.flush()
  t.equal(errors.length, 1)
  t.match(errors[0], { code: /^(EISDIR|ENOTEMPTY|EEXIST)$/ })
  t.same(readdirSync(dir), ['r.yaml'])
})

t.test('an empty error answer is recorded as its bare status, typed or not, and loads again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'record-'))
  const file = join(dir, 'bare.yaml')
  const recorder = new Recorder(file, { onError: () => {} })
  t.equal(recorder.record({ status: 502, headers: { 'content-type': 'text/html' }, body: '' }, { rawHeaders: [] }), 'upstream-502')
  t.equal(recorder.record({ status: 502, headers: {}, body: '' }, { rawHeaders: [] }), undefined, 'the same bare answer once')
  await recorder.flush()
  const [bare] = loadScenariosFile(file)
  t.match(bare, { id: 'upstream-502', status: 502, fault: true, text: '' })
  t.notOk('contentType' in bare!, 'an empty body has no media type to keep')
})
