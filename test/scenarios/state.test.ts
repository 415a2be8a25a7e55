import t from 'tap'
import { compileScenario, builtInScenarios } from '../../scenarios/catalogue.js'
import { DEFAULT_JOURNAL_LIMIT, DEFAULT_MAX_ACTIVE_USERS, DEFAULT_MAX_SESSIONS, MockState, normalizeEmail } from '../../scenarios/state.js'
import { LIST_LIMIT } from '../../contracts/limits.js'

const entry = (url: string, rawHeaders: string[] = []) => ({ at: 0, method: 'POST', url, session: null, scenario: 'default', status: 201, heldMs: 1, rawHeaders, body: undefined })

t.test('normalizeEmail lower-cases the domain only', async (t) => {
  t.equal(normalizeEmail('Ada.Lovelace@Example.COM'), 'Ada.Lovelace@example.com')
  t.equal(normalizeEmail('we"ird@x"@HOST.io'), 'we"ird@x"@host.io', 'the last @ splits')
  t.equal(normalizeEmail('NoAt'), 'NoAt')
  t.equal(normalizeEmail('Ada@example.com'), 'Ada@example.com', 'a lower-case domain as it is')
  t.equal(normalizeEmail('ada@exampleZ.com'), 'ada@examplez.com', 'an upper-case letter anywhere in the domain')
  t.equal(normalizeEmail('ada@ÉCOLE.fr'), 'ada@école.fr', 'non-ASCII domains too')
  t.equal(normalizeEmail('ada@[x]'), 'ada@[x]', 'characters just outside A-Z are left alone')
})

t.test('the state keeps a journal of the configured size', async (t) => {
  t.equal(new MockState().journal.limit, DEFAULT_JOURNAL_LIMIT)
  t.equal(new MockState({ journalLimit: 3 }).journal.limit, 3)
})

t.test('the journal hides the names given with `redact` besides the built-in ones', async (t) => {
  const state = new MockState({ redact: ['X-Tenant'] })
  state.journal.push(entry('/v3/invites?x-tenant=acme&token=t', ['X-Tenant', 'acme', 'X-Api-Key', 'k', 'Accept', '*/*']))
  const [listed] = state.journal.list()
  t.equal(listed!.url, '/v3/invites?x-tenant=[redacted]&token=[redacted]')
  t.same(listed!.headers, { 'x-tenant': '[redacted]', 'x-api-key': '[redacted]', accept: '*/*' })
})

t.test('sessions: capped, a session already set can always be changed, listed first N with a total', async (t) => {
  t.equal(DEFAULT_MAX_SESSIONS, 1000)
  const state = new MockState({ maxSessions: 2 })
  const sticky = { scenario: null }
  t.ok(state.setSession('a', sticky))
  t.ok(state.setSession('__proto__', sticky), 'any name is a key, __proto__ too')
  t.notOk(state.setSession('c', sticky), 'a third one is refused')
  t.notOk(state.sessions.has('c'), 'and nothing changes')
  t.ok(state.setSession('a', { scenario: null, remaining: 1 }), 'changing one already set is allowed at the cap')
  t.same(state.listSessions(), { sessions: [['a', { scenario: null, remaining: 1 }], ['__proto__', sticky]], total: 2 })
  const many = new MockState()
  for (let i = 0; i < LIST_LIMIT + 5; i++) many.setSession(`s${i}`, sticky)
  const listed = many.listSessions()
  t.equal(listed.sessions.length, LIST_LIMIT, 'the list stops at LIST_LIMIT')
  t.equal(listed.total, LIST_LIMIT + 5)
  t.equal(listed.sessions[0]![0], 's0', 'the first set first')
})

t.test('active users: capped, seeded ones count, listed first N with a total', async (t) => {
  t.equal(DEFAULT_MAX_ACTIVE_USERS, 10_000)
  const state = new MockState({ activeUsers: ['seed@example.com'], maxActiveUsers: 2 })
  t.ok(state.addActiveUser('b@example.com'))
  t.notOk(state.addActiveUser('c@example.com'), 'a third one is refused')
  t.notOk(state.isActive('c@example.com'))
  t.ok(state.addActiveUser('b@EXAMPLE.com'), 'seeding one already active again is allowed at the cap')
  t.same(state.listActiveUsers(), { users: ['seed@example.com', 'b@EXAMPLE.com'], total: 2 })
  const many = new MockState()
  for (let i = 0; i < LIST_LIMIT + 1; i++) many.addActiveUser(`u${i}@example.com`)
  t.same(many.listActiveUsers().users.length, LIST_LIMIT)
  t.same(many.listActiveUsers().total, LIST_LIMIT + 1)
})

t.test('invites are listed first N with a total', async (t) => {
  const state = new MockState()
  for (let i = 0; i < LIST_LIMIT + 3; i++) state.recordInvite(`p${i}@example.com`, 0)
  const { invites, total } = state.listInvites()
  t.equal(invites.length, LIST_LIMIT)
  t.equal(total, LIST_LIMIT + 3)
  t.equal(invites[0]!.email, 'p0@example.com', 'oldest first')
})

t.test('users and invites: domain case-insensitive, re-invites counted, bounded', async (t) => {
  const state = new MockState({ activeUsers: ['Ada@Example.com'], maxInvites: 2 })
  t.ok(state.isActive('Ada@EXAMPLE.COM'))
  t.notOk(state.isActive('ada@example.com'), 'the local part keeps its case')
  t.equal(state.recordInvite('Ada@EXAMPLE.com', 0), null, 'an active user is not invited')
  t.equal(state.invites.size, 0, 'and nothing is recorded')
  const first = state.recordInvite('bob@Example.com', Date.UTC(2026, 0, 1))
  t.same(first, { email: 'bob@Example.com', firstInvitedAt: Date.UTC(2026, 0, 1), lastInvitedAt: Date.UTC(2026, 0, 1), count: 1 })
  const again = state.recordInvite('bob@example.COM', Date.UTC(2026, 0, 2))
  t.same(again, { email: 'bob@Example.com', firstInvitedAt: Date.UTC(2026, 0, 1), lastInvitedAt: Date.UTC(2026, 0, 2), count: 2 })
  t.same(state.listInvites(), { invites: [{ email: 'bob@Example.com', firstInvitedAt: '2026-01-01T00:00:00.000Z', lastInvitedAt: '2026-01-02T00:00:00.000Z', count: 2 }], total: 1 }, 'listed with ISO times')
  state.recordInvite('carol@example.com', 0)
  state.recordInvite('dave@example.com', 0)
  t.same([...state.invites.keys()], ['carol@example.com', 'dave@example.com'], 'the oldest invite is forgotten beyond the bound')
  state.addActiveUser('carol@EXAMPLE.com')
  t.same([...state.invites.keys()], ['dave@example.com'], 'an activated user is no longer pending')
  state.removeActiveUser('carol@example.com')
  t.notOk(state.isActive('carol@example.com'))
})

t.test('rate windows: one per token, the stalest dropped beyond the bound', async (t) => {
  const state = new MockState({ maxRateKeys: 2 })
  state.rateWindow('a').push(1)
  state.rateWindow('b').push(2)
  t.same(state.rateWindow('a'), [1], 'the same window again')
  state.rateWindow('c')
  t.same([...state.rateWindows.keys()], ['a', 'c'], 'b was the least recently seen')
})

t.test('coverage counts served scenarios and examples', async (t) => {
  const state = new MockState()
  state.countServed('default', undefined)
  state.countServed('default', 'Cannot be Blank')
  state.countServed('rate-limited', 'Rate Limited')
  t.same([...state.coverage.scenarios], [['default', 2], ['rate-limited', 1]])
  t.same([...state.coverage.examples], [['Cannot be Blank', 1], ['Rate Limited', 1]])
})

t.test('reset restores the start-up state', async (t) => {
  const created = compileScenario(builtInScenarios.find((s) => s.id === 'created')!)
  const blank = compileScenario(builtInScenarios.find((s) => s.id === 'cannot-be-blank')!)
  let clock = Date.UTC(2026, 0, 2, 3, 4, 5)
  const state = new MockState({ activeUsers: ['seeded@example.com'], initialGlobal: { scenario: created }, now: () => clock })
  t.equal(state.since, '2026-01-02T03:04:05.000Z', 'since is read from the clock at construction')
  t.equal(state.global?.scenario, created)
  state.global = { scenario: blank, remaining: 1 }
  state.sessions.set('s', { scenario: blank })
  state.journal.push(entry('/x'))
  state.addActiveUser('runtime@example.com')
  state.removeActiveUser('seeded@example.com')
  state.recordInvite('p@example.com', 0)
  state.rateWindow('tok').push(1)
  state.countServed('x', 'y')
  clock += 61_000
  state.reset()
  t.same(state.global, { scenario: created })
  t.equal(state.sessions.size, 0)
  t.same(state.journal.list(), [])
  t.same([...state.activeUsers.values()], ['seeded@example.com'], 'seeded users back, runtime ones gone')
  t.equal(state.invites.size, 0)
  t.equal(state.rateWindows.size, 0)
  t.equal(state.coverage.scenarios.size + state.coverage.examples.size, 0)
  t.equal(state.since, '2026-01-02T03:05:06.000Z', 'reset reads the clock again')
  const plain = new MockState()
  plain.global = { scenario: blank }
  plain.reset()
  t.equal(plain.global, null, 'no start-up scenario: none after reset')
})
