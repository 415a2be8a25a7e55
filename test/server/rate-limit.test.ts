import t from 'tap'
import { checkContract } from '../../contracts/validate.js'
import { invite } from '../helpers/inject.js'
import { build, assertProblem } from '../helpers/app.js'

t.test('5/min: five invites pass, the sixth is a documented 429 until the window frees', async (t) => {
  let clock = 1_000_000
  const app = build(t, { rateLimit: { limit: 5, windowMs: 60_000 }, now: () => clock })
  const headersOf = (res: Awaited<ReturnType<typeof invite>>) =>
    [res.headers['ratelimit-limit'], res.headers['ratelimit-remaining'], res.headers['ratelimit-reset']]
  for (let i = 0; i < 5; i++) {
    const res = await invite(app, { authorization: 'Bearer one' }, { email: `u${i}@example.com` })
    t.equal(res.statusCode, 201, `invite ${i + 1}`)
    t.same(headersOf(res), ['5', String(4 - i), String(60 - i * 5)], `RateLimit headers on invite ${i + 1}`)
    clock += 5000
  }
  const sixth = await invite(app, { authorization: 'Bearer one' }, { email: 'u5@example.com' })
  assertProblem(t, sixth, 429)
  const retryAfter = Number(sixth.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter} in 1..60`)
  t.equal(retryAfter, 35, 'whole seconds until the oldest leaves')
  t.same(headersOf(sixth), ['5', '0', '35'])
  t.same(checkContract('RateLimitedError', sixth.json()), [])
  t.match(sixth.json(), { status: 429, title: 'Rate Limited', detail: 'Too many requests' })

  const other = await invite(app, { authorization: 'Bearer two' })
  t.equal(other.statusCode, 201, 'another token still gets 201')
  t.same(headersOf(other), ['5', '4', '60'])

  const invalid = await invite(app, { authorization: 'Bearer one' }, { email: '' })
  t.equal(invalid.statusCode, 429, 'over the limit, even a bad body is refused first')
  clock += 34_999
  t.equal((await invite(app, { authorization: 'Bearer one' })).statusCode, 429, 'not yet')
  clock += 1
  const freed = await invite(app, { authorization: 'Bearer one' })
  t.equal(freed.statusCode, 201, 'the window frees a slot')
  t.same(headersOf(freed), ['5', '0', '5'])
})

t.test('no rate limiting by default: no RateLimit headers', async (t) => {
  const app = build(t)
  for (let i = 0; i < 20; i++) t.equal((await invite(app)).statusCode, 201)
  t.equal((await invite(app)).headers['ratelimit-limit'], undefined)
})
