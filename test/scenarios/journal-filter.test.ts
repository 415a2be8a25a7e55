import t from 'tap'
import type { JournalEntry } from '../../contracts/admin.js'
import { matchesFields, prepareFilter, type JournalFilter } from '../../scenarios/journal-filter.js'
import { bodyEmail } from '../../contracts/requests-filter.js'

const entry: JournalEntry = {
  seq: 1,
  time: '2026-01-01T00:00:10.000Z',
  method: 'POST',
  url: '/v3/invites',
  session: 's1',
  scenario: 'default',
  status: 201,
  heldMs: 0,
  headers: {},
  body: { email: 'A@example.com' }
}

/** The journal's walk for one decoded entry: the stored fields, then the body's address when asked. */
function matchesFilter (entry: JournalEntry, filter: JournalFilter): boolean {
  const prepared = prepareFilter(filter)
  if (!matchesFields(prepared, entry.status, entry.scenario, entry.method, entry.session, Date.parse(entry.time))) return false
  return prepared.email === undefined || bodyEmail(entry.body)?.toLowerCase() === prepared.email
}

t.test('every given field must hold', async (t) => {
  t.ok(matchesFilter(entry, {}))
  t.ok(matchesFilter(entry, { email: 'a@EXAMPLE.com', status: 201, scenario: 'default', method: 'post', session: 's1', since: Date.parse('2026-01-01T00:00:10.000Z') }))
  t.notOk(matchesFilter(entry, { status: 400 }))
  t.notOk(matchesFilter(entry, { scenario: 'rate-limited' }))
  t.notOk(matchesFilter(entry, { method: 'GET' }))
  t.notOk(matchesFilter(entry, { session: 's2' }))
  t.notOk(matchesFilter(entry, { since: Date.parse('2026-01-01T00:00:11.000Z') }))
  t.notOk(matchesFilter(entry, { email: 'b@example.com' }))
})

t.test('an entry without a string email never matches an email filter', async (t) => {
  t.notOk(matchesFilter({ ...entry, body: undefined }, { email: 'a@example.com' }))
  t.notOk(matchesFilter({ ...entry, body: null }, { email: 'a@example.com' }))
  t.notOk(matchesFilter({ ...entry, body: { email: 3 } }, { email: 'a@example.com' }))
})
