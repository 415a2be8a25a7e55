import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { inviteExamples } from '../../contracts/examples.js'
import { Recorder } from '../../scenarios/recorder.js'
import { build } from '../helpers/app.js'

// What the docs say the mock does, checked against what it does. Each claim is read from the page,
// so rewording a row without changing the behaviour (or the reverse) fails here.
const root = new URL('../../', import.meta.url)
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8')

/** The rows of the README's "Default behaviour" table: the request cell and the status its answer cell starts with. */
function defaultBehaviourRows (): Array<{ request: string, status: number }> {
  const readme = read('README.md')
  const section = readme.slice(readme.indexOf('## Default behaviour'), readme.indexOf('\n## ', readme.indexOf('## Default behaviour') + 1))
  return [...section.matchAll(/^\| (.+?) \| (\d{3})\b.*\|$/gm)].map(([, request, status]) => ({ request: request!, status: Number(status) }))
}

const AUTH = { authorization: 'Bearer kpat_docs' }
const JSON_TYPE = { 'content-type': 'application/json' }
/** One or more requests per row, keyed by the start of the row's request cell. */
const requests: Record<string, Array<{ headers: Record<string, string>, payload: string }>> = {
  'no `Authorization': [{ headers: JSON_TYPE, payload: '{"email":"a@example.com"}' }],
  'more than the `--rate-limit`': [{ headers: { ...AUTH, ...JSON_TYPE }, payload: '{"email":"a@example.com"}' }],
  'a body without `Content-Type': [{ headers: AUTH, payload: '{"email":"a@example.com"}' }, { headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'a@example.com' }],
  'body that is not JSON': [{ headers: { ...AUTH, ...JSON_TYPE }, payload: '{"email":' }, { headers: { ...AUTH, ...JSON_TYPE }, payload: '["a@example.com"]' }],
  '`email` missing': [{ headers: { ...AUTH, ...JSON_TYPE }, payload: '{}' }],
  '`email` blank': [{ headers: { ...AUTH, ...JSON_TYPE }, payload: '{"email":""}' }],
  '`email` not a string': [
    { headers: { ...AUTH, ...JSON_TYPE }, payload: '{"email":42}' },
    { headers: { ...AUTH, ...JSON_TYPE }, payload: JSON.stringify({ email: `${'a'.repeat(250)}@example.com` }) },
    { headers: { ...AUTH, ...JSON_TYPE }, payload: '{"email":"not-an-address"}' }
  ],
  '`email` of an active user': [{ headers: { ...AUTH, ...JSON_TYPE }, payload: '{"email":"taken@example.com"}' }],
  otherwise: [{ headers: { ...AUTH, ...JSON_TYPE }, payload: '{"email":"a@example.com"}' }]
}

t.test('every row of the README\'s default-behaviour table is the status the mock answers', async (t) => {
  const rows = defaultBehaviourRows()
  t.ok(rows.length >= 9, `the table is found (${rows.length} rows)`)
  for (const start of Object.keys(requests)) t.ok(rows.some((row) => row.request.startsWith(start)), `the table still has the row "${start}…"`)
  for (const row of rows) {
    const key = Object.keys(requests).find((start) => row.request.startsWith(start))
    if (key === undefined) {
      t.fail(`no request checks the row "${row.request}": add one here`)
      continue
    }
    for (const request of requests[key]!) {
      // The rate-limit row needs a window already used; the others a fresh app.
      const app = build(t, { activeUsers: ['taken@example.com'], ...key.startsWith('more than') ? { rateLimit: { limit: 1, windowMs: 60_000 } } : {} })
      if (key.startsWith('more than')) await app.inject({ method: 'POST', url: '/v3/invites', headers: request.headers, payload: request.payload })
      const answer = await app.inject({ method: 'POST', url: '/v3/invites', headers: request.headers, payload: request.payload })
      t.equal(answer.statusCode, row.status, `${row.request}: ${request.payload} answers ${row.status}`)
    }
  }
})

t.test('docs/upstream.md: a compact JSON body that breaks its contract is recorded as data with fault: true', async (t) => {
  const page = read('docs/upstream.md')
  t.match(page, /compact JSON body is kept as data/, 'the page makes the claim')
  t.match(page, /breaks\s+its status's contract[^;]*`fault: true`, data or text/, 'and says a drifted answer is a fault either way')
  const file = join(mkdtempSync(join(tmpdir(), 'claims-')), 'recorded.json')
  const recorder = new Recorder(file, { onError: (error) => { t.error(error) } })
  const example = inviteExamples.find((e) => e.name === 'User is Already Active')!.value as Record<string, unknown>
  // A drifted 409: its body lacks the documented `detail`, still compact JSON.
  const drifted = { ...example, detail: undefined, instance: 'konnect:trace:1' }
  recorder.record({ status: 409, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(drifted) }, { rawHeaders: [] })
  await recorder.flush()
  const [item] = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>
  t.match(item, { status: 409, fault: true, body: { status: 409 } }, 'kept as data and marked a fault')
  t.notOk(item !== undefined && 'text' in item, 'not as text')
})
