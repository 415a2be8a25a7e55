import t from 'tap'
import { formatViolation } from '../../contracts/assert.js'
import { ContractViolationError, inviteUser, SDKError } from '../../contracts/client.js'
import { runContract } from '../../contracts/runner.js'
import { startFakeKonnect, type Answer } from '../helpers/fake-konnect.js'

type Body = Record<string, any>
const body = (answer: Answer): Body => answer.body as Body
const on = (check: string, change: (answer: Answer) => Answer) => (answer: Answer, name: string): Answer => name === check ? change(structuredClone(answer)) : answer
const editBody = (check: string, edit: (body: Body) => void) => on(check, (answer) => { edit(body(answer)); return answer })

interface Drift {
  kind: string
  drift: (answer: Answer, check: string) => Answer
  /** The fake plays this mock (with /__mock) instead of an ordinary server. */
  mock?: boolean
  inviteEmail?: string
  check: string
  path: string
  /** What the typed client makes of the same drift, when it sees it (a blank email is sent). */
  client?: { error: typeof ContractViolationError | typeof SDKError, message: RegExp }
}

const drifts: Drift[] = [
  {
    kind: 'wrong media type',
    drift: on('blank-email', (a) => ({ ...a, headers: { 'content-type': 'application/json' } })),
    check: 'live:blank-email',
    path: '/headers/content-type',
    client: { error: SDKError, message: /^unknown content-type received: status 400, content type application\/json/ }
  },
  {
    kind: 'missing required field',
    drift: editBody('blank-email', (b) => { delete b.detail }),
    check: 'live:blank-email',
    path: '/body/detail',
    client: { error: ContractViolationError, message: /at \/detail: expected a string \(required\), got \(missing\)/ }
  },
  {
    kind: 'wrong type',
    drift: editBody('blank-email', (b) => { b.status = '400' }),
    check: 'live:blank-email',
    path: '/body/status',
    client: { error: ContractViolationError, message: /at \/status: expected an integer, got "400"/ }
  },
  {
    kind: 'empty invalid_parameters',
    drift: editBody('blank-email', (b) => { b.invalid_parameters = [] }),
    check: 'live:blank-email',
    path: '/body/invalid_parameters',
    client: { error: ContractViolationError, message: /at \/invalid_parameters: expected at least 1 item\(s\), got 0 item\(s\)/ }
  },
  {
    kind: 'extra property in an item',
    drift: editBody('blank-email', (b) => { b.invalid_parameters[0].hint = 'try again' }),
    check: 'live:blank-email',
    path: '/body/invalid_parameters/0/hint',
    client: { error: ContractViolationError, message: /at \/invalid_parameters\/0\/hint: expected no such property/ }
  },
  {
    kind: 'rule outside the enum',
    drift: editBody('blank-email', (b) => { b.invalid_parameters[0].rule = 'not_blank' }),
    check: 'live:blank-email',
    path: '/body/invalid_parameters/0/rule',
    client: { error: ContractViolationError, message: /at \/invalid_parameters\/0\/rule: expected one of "required", "is_array", "is_base64", … \(23 values in all\), got "not_blank"/ }
  },
  {
    kind: 'invalid_parameters naming another field',
    drift: editBody('blank-email', (b) => { b.invalid_parameters[0].field = 'name' }),
    check: 'live:blank-email',
    path: '/body/invalid_parameters'
  },
  {
    kind: 'body status differing from the HTTP status',
    drift: editBody('missing-email', (b) => { b.status = 422 }),
    check: 'live:missing-email',
    path: '/body/status'
  },
  {
    kind: 'wrong error status',
    drift: on('no-token', (a) => ({ ...a, status: 403 })),
    check: 'live:no-token',
    path: '/status'
  },
  {
    kind: 'malformed JSON accepted',
    drift: on('malformed-json', () => ({ status: 201, headers: {} })),
    check: 'live:malformed-json',
    path: '/status'
  },
  {
    kind: '201 with a body',
    drift: on('invite', (a) => ({ ...a, headers: { 'content-type': 'application/json' }, body: { id: 'x' } })),
    inviteEmail: 'new@example.com',
    check: 'live:invite',
    path: '/body'
  },
  {
    kind: 'wrong success status',
    drift: on('invite', (a) => ({ ...a, status: 200 })),
    inviteEmail: 'new@example.com',
    check: 'live:invite',
    path: '/status'
  },
  {
    kind: 'missing Retry-After on 429',
    drift: on('rate-limited', (a) => { delete a.headers['retry-after']; return a }),
    mock: true,
    check: 'scenario:rate-limited',
    path: '/headers/retry-after'
  },
  {
    kind: 'missing RateLimit-Remaining on 429',
    drift: on('rate-limited', (a) => { delete a.headers['ratelimit-remaining']; return a }),
    mock: true,
    check: 'scenario:rate-limited',
    path: '/headers/ratelimit-remaining'
  },
  {
    kind: 'unreadable Retry-After on 503',
    drift: on('service-unavailable', (a) => ({ ...a, headers: { ...a.headers, 'retry-after': 'soon' } })),
    mock: true,
    check: 'scenario:service-unavailable',
    path: '/headers/retry-after'
  },
  {
    kind: 'documented example altered',
    drift: editBody('user-is-already-active', (b) => { b.detail = 'Already there' }),
    mock: true,
    check: 'scenario:user-is-already-active',
    path: '/body/detail'
  },
  {
    kind: 'documented example in another key order',
    drift: on('user-is-already-active', (a) => ({ ...a, body: { title: body(a).title, status: body(a).status, instance: body(a).instance, detail: body(a).detail } })),
    mock: true,
    check: 'scenario:user-is-already-active',
    path: '/body'
  },
  {
    kind: 'scenario not reported in X-Mock-Scenario-Served',
    drift: on('created', (a) => ({ ...a, headers: {} })),
    mock: true,
    check: 'scenario:created',
    path: '/headers/x-mock-scenario-served'
  },
  {
    kind: 'an answer where the connection must be reset',
    drift: on('connection-reset', () => ({ status: 500, headers: {} })),
    mock: true,
    check: 'scenario:connection-reset',
    path: '/status'
  },
  {
    kind: 'a scenario answered by a reset connection',
    drift: on('user-is-already-active', () => ({ status: 0, headers: {}, reset: true })),
    mock: true,
    check: 'scenario:user-is-already-active',
    path: '/status'
  },
  {
    kind: 'a real invite answered by a reset connection',
    drift: on('invite', () => ({ status: 0, headers: {}, reset: true })),
    inviteEmail: 'new@example.com',
    check: 'live:invite',
    path: '/status'
  },
  {
    kind: 'no answer where one is due',
    drift: on('invalid-email', () => ({ status: 0, headers: {}, reset: true })),
    check: 'live:invalid-email',
    path: '/status'
  }
]

t.test('a conforming server that is not this mock passes the live-safe checks, and its /__mock look-alike the full run', async (t) => {
  const plain = await startFakeKonnect(t)
  const live = await runContract({ baseUrl: plain.url, inviteEmail: 'new@example.com' })
  t.equal(live.mode, 'live-safe')
  t.same(live.checks.filter((check) => !check.ok), [])
  t.equal(live.checks.length, 7)
  const taken = await runContract({ baseUrl: plain.url, inviteEmail: 'active@example.com' })
  t.ok(taken.ok, 'a 409 ConflictError is a conforming answer to a real invite')
  const mock = await startFakeKonnect(t, { mock: true })
  const full = await runContract({ baseUrl: mock.url })
  t.equal(full.mode, 'full')
  t.same(full.checks.filter((check) => !check.ok), [])
})

t.test(`the kit rejects ${drifts.length} kinds of drift, each at the right path`, async (t) => {
  t.ok(drifts.length >= 10)
  for (const row of drifts) {
    t.test(row.kind, async (t) => {
      const fake = await startFakeKonnect(t, { drift: row.drift, mock: row.mock === true })
      const report = await runContract({ baseUrl: fake.url, inviteEmail: row.inviteEmail })
      t.notOk(report.ok, 'the run fails')
      const failed = report.checks.filter((check) => !check.ok)
      t.same(failed.map((check) => check.name), [row.check], 'only the drifting check fails')
      const lines = failed[0]!.violations.map(formatViolation)
      t.ok(lines.some((line) => line.startsWith(`${row.path}: expected `)), `a violation at ${row.path}: ${lines.join(' | ')}`)
      if (row.client !== undefined) {
        await t.rejects(inviteUser({ baseUrl: fake.url, token: 't', email: '' }), { constructor: row.client.error, message: row.client.message })
      }
    })
  }
})
