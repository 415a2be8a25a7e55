import t from 'tap'
import { describeFilter, filterValues, readRequestsFilter } from '../../contracts/requests-filter.js'

t.test('filter values as text are read into a filter', async (t) => {
  t.same(readRequestsFilter({}), { filter: {} })
  t.same(readRequestsFilter({ email: 'Ada@example.com', status: '0', scenario: 'rate-limited', method: 'post', session: 'ci 7', since: '2026-01-01T09:00:00+01:00', after: '42' }), {
    filter: { email: 'Ada@example.com', status: 0, scenario: 'rate-limited', method: 'POST', session: 'ci 7', since: Date.UTC(2026, 0, 1, 8), after: 42 }
  })
  t.same(readRequestsFilter({ session: '' }), { filter: {} }, 'an empty session names none')
  t.same(readRequestsFilter({ since: '2026-01-01T09:00Z' }), { filter: { since: Date.UTC(2026, 0, 1, 9) } }, 'seconds may be left out')
})

t.test('each bad value is refused with its field and why', async (t) => {
  const cases: ReadonlyArray<[Record<string, string>, string]> = [
    [{ email: '' }, 'email'],
    [{ email: 'a'.repeat(255) }, 'email'],
    [{ status: '2O1' }, 'status'],
    [{ status: '600' }, 'status'],
    [{ scenario: '-leading' }, 'scenario'],
    [{ method: 'GET /' }, 'method'],
    [{ session: ' padded' }, 'session'],
    [{ since: 'now' }, 'since'],
    [{ since: '2026-02-30T25:00:00Z' }, 'since'],
    [{ after: '1e3' }, 'after']
  ]
  for (const [values, field] of cases) {
    const read = readRequestsFilter(values)
    t.equal('problem' in read && read.problem.field, field, JSON.stringify(values))
  }
})

t.test('a filter as text, and in words', async (t) => {
  t.same(filterValues({ status: 201, since: new Date(Date.UTC(2026, 0, 1)), after: 3 }), [['status', '201'], ['since', '2026-01-01T00:00:00.000Z'], ['after', '3']])
  t.same(filterValues({ since: Date.UTC(2026, 0, 1) }), [['since', '2026-01-01T00:00:00.000Z']])
  t.same(filterValues({ since: Number.POSITIVE_INFINITY }), [['since', 'Infinity']], 'what is no time stays as written, to be refused')
  t.same(filterValues({ since: new Date(Number.NaN) }), [['since', 'Invalid Date']])
  t.same(filterValues({ since: 9e15 }), [['since', '9000000000000000']])
  t.equal(describeFilter({}), 'every request')
  t.equal(describeFilter({ method: 'POST', email: 'x'.repeat(100) }), `email=${'x'.repeat(80)}… method=POST`)
})
