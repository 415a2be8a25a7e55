import t from 'tap'
import { parseRateLimit, takeSlot } from '../../scenarios/rate-limit.js'

t.test('parseRateLimit reads <n>/<unit> and off', async (t) => {
  t.same(parseRateLimit('5/min'), { limit: 5, windowMs: 60_000 })
  t.same(parseRateLimit('10/s'), { limit: 10, windowMs: 1000 })
  t.same(parseRateLimit('10/sec'), { limit: 10, windowMs: 1000 })
  t.same(parseRateLimit('2/m'), { limit: 2, windowMs: 60_000 })
  t.same(parseRateLimit(' 100 / 1h '), { limit: 100, windowMs: 3_600_000 })
  t.same(parseRateLimit('3/10s'), { limit: 3, windowMs: 10_000 }, 'a window of several units')
  t.equal(parseRateLimit('off'), null)
  t.equal(parseRateLimit('OFF'), null)
  t.equal(parseRateLimit(''), null)
  for (const bad of ['5', '5/day', '0/min', '5/0s', 'x/min', '-1/s', '5/min/extra']) {
    t.equal(parseRateLimit(bad), `expected <n>/<s|min|h> (such as 5/min) or off, got "${bad}"`, bad)
  }
})

t.test('takeSlot: a sliding window per token', async (t) => {
  const rate = { limit: 2, windowMs: 10_000 }
  const window: number[] = []
  t.same(takeSlot(window, rate, 1000), { allowed: true, limit: 2, remaining: 1, resetS: 10 })
  t.same(takeSlot(window, rate, 4000), { allowed: true, limit: 2, remaining: 0, resetS: 7 })
  t.same(takeSlot(window, rate, 5500), { allowed: false, limit: 2, remaining: 0, resetS: 6 }, 'full: reset is when the oldest leaves, rounded up')
  t.same(window, [1000, 4000], 'a refused request takes no slot')
  t.same(takeSlot(window, rate, 11_000), { allowed: true, limit: 2, remaining: 0, resetS: 3 }, 'the oldest left exactly at the window end')
  t.same(window, [4000, 11_000])
  t.same(takeSlot(window, rate, 13_999.5), { allowed: false, limit: 2, remaining: 0, resetS: 1 }, 'never less than one second')
  t.same(takeSlot(window, rate, 30_000), { allowed: true, limit: 2, remaining: 1, resetS: 10 }, 'all expired at once')
})
