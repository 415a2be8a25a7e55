import fc from 'fast-check'
import t from 'tap'
import { BODY_BYTES_KEPT, Journal, type JournalEntry, type JournalRecord } from '../../scenarios/journal.js'

const record = (url: string, extra: Partial<JournalRecord> = {}): JournalRecord =>
  ({ at: 0, method: 'POST', url, scenario: 'default', status: 201, durationMs: 1, rawHeaders: [], body: undefined, ...extra })

t.test('a ring: bounded, newest last, numbered', async (t) => {
  const journal = new Journal(3)
  for (const url of ['/1', '/2', '/3', '/4', '/5']) journal.push(record(url))
  t.same(journal.list().map((e) => [e.seq, e.url]), [[3, '/3'], [4, '/4'], [5, '/5']])
  journal.clear()
  t.same(journal.list(), [])
  journal.push(record('/6'))
  t.same(journal.list().map((e) => [e.seq, e.url]), [[6, '/6']], 'numbering goes on after a clear')
  const none = new Journal(0)
  none.push(record('/x'))
  t.same(none.list(), [], 'a limit of 0 keeps nothing')
})

t.test('an entry as listed: ISO time, session, headers by lower-case name, secrets redacted', async (t) => {
  const journal = new Journal(5)
  journal.push(record('/7', {
    at: Date.UTC(2026, 0, 1),
    scenario: 'created',
    durationMs: 1.23456,
    rawHeaders: ['Authorization', 'Bearer secret', 'X-Mock-Session', 's1', 'X-Many', 'a', 'x-many', 'b', 'Cookie', 'one', 'cookie', 'two', 'X-Latin', 'café', 'X-Empty', ''],
    body: '{"email":"a@b.co"}'
  }))
  t.same(journal.list()[0], {
    seq: 1,
    time: '2026-01-01T00:00:00.000Z',
    method: 'POST',
    url: '/7',
    session: 's1',
    scenario: 'created',
    status: 201,
    durationMs: 1.23,
    headers: { authorization: '[redacted]', 'x-mock-session': 's1', 'x-many': 'a, b', cookie: '[redacted]', 'x-latin': 'café', 'x-empty': '' },
    body: { email: 'a@b.co' }
  })
  journal.push(record('/p', { rawHeaders: ['__proto__', 'x'] }))
  const proto = journal.list()[1]!
  t.ok(Object.hasOwn(proto.headers, '__proto__'), 'a header named __proto__ is kept as an own property')
  t.equal(Object.getOwnPropertyDescriptor(proto.headers, '__proto__')?.value, 'x')
  t.equal(proto.session, null, 'no session header, no session')
})

t.test('bodies: parsed when listed, a large one summarized, none left out', async (t) => {
  const journal = new Journal(10)
  const atLimit = JSON.stringify({ e: 'é'.repeat((BODY_BYTES_KEPT - 8) / 2) })
  const pastLimit = JSON.stringify({ e: 'é'.repeat((BODY_BYTES_KEPT - 8) / 2 + 1) })
  t.equal(Buffer.byteLength(atLimit), BODY_BYTES_KEPT)
  for (const body of ['not json', '', '{"__proto__":{"x":1}}', pastLimit, undefined, '{"name":"Zoë 日本 🎉"}', atLimit]) journal.push(record('/b', { body }))
  const listed = journal.list()
  t.same(listed.map((e) => e.body), ['[not JSON]', '[not JSON]', JSON.parse('{"__proto__":{"x":1}}'), `[${BODY_BYTES_KEPT + 2} bytes]`, undefined, { name: 'Zoë 日本 🎉' }, JSON.parse(atLimit)],
    'a body is kept up to the limit in UTF-8 bytes, past it only its size')
  t.notOk('body' in listed[4]!, 'no body, no body field')
  t.equal(Object.getPrototypeOf(listed[2]!.body), Object.prototype, 'a __proto__ key stays an own property')
})

t.test('the ring grows instead of overwriting entries it still keeps, and starts small again when cleared', async (t) => {
  const journal = new Journal(4)
  const big = 'v'.repeat(5000)
  for (let i = 0; i < 6; i++) journal.push(record(`/${i}`, { rawHeaders: ['X-Big', `${i}${big}`], body: `{"i":${i}}` }))
  const listed = journal.list()
  t.same(listed.map((e) => e.url), ['/2', '/3', '/4', '/5'])
  t.same(listed.map((e) => e.headers['x-big']), [2, 3, 4, 5].map((i) => `${i}${big}`), 'every kept entry intact')
  t.same(listed.map((e) => e.body), [2, 3, 4, 5].map((i) => ({ i })))
  journal.clear()
  journal.push(record('/after', { rawHeaders: ['X-Small', '1'] }))
  t.same(journal.list().map((e) => [e.url, e.headers]), [['/after', { 'x-small': '1' }]])
})

/** What the journal should list for a record, computed without the ring. */
function expected (seq: number, r: JournalRecord): Partial<JournalEntry> {
  const headers: Record<string, string> = {}
  for (let i = 0; i < r.rawHeaders.length; i += 2) {
    const name = r.rawHeaders[i]!.toLowerCase()
    headers[name] = name in headers ? `${headers[name]}, ${r.rawHeaders[i + 1]}` : r.rawHeaders[i + 1]!
  }
  return { seq, url: r.url, scenario: r.scenario, status: r.status, headers, body: r.body === undefined ? undefined : JSON.parse(r.body) }
}

t.test('property: whatever the sizes, the journal lists exactly the last `limit` records', async (t) => {
  const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 3000 })
  const name = fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)
  const rec = fc.record({
    url: fc.stringMatching(/^\/[a-z0-9/?=&%-]{0,200}$/),
    scenario: fc.constantFrom('default', 'created', 'rate-limited', 'custom-é'),
    status: fc.constantFrom(201, 400, 409, 429, 503),
    rawHeaders: fc.array(fc.tuple(name, latin1), { maxLength: 6 }).map((pairs) => pairs.flat()),
    body: fc.option(fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)), { nil: undefined })
  }).map((r) => record(r.url, r))
  // A ring of a few bytes an entry at first, so it wraps and grows all the time.
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 }), fc.array(rec, { maxLength: 40 }), (limit, bytesPerEntry, records) => {
    const journal = new Journal(limit, bytesPerEntry)
    records.forEach((r) => journal.push(r))
    const listed = journal.list()
    const kept = records.slice(-limit)
    t.equal(listed.length, kept.length)
    kept.forEach((r, i) => t.match(listed[i], expected(records.length - kept.length + i + 1, r)))
  }), { numRuns: 150 })
})
