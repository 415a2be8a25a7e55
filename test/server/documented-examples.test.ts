import t from 'tap'
import { inviteExamples } from '../../contracts/examples.js'
import { INSTANCE, invite, setScenario } from '../helpers/inject.js'
import { publishedInviteExamples, withInstance } from '../helpers/published.js'
import { build } from '../helpers/app.js'

const kebab = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

t.test('each documented example is reachable three ways, byte-for-byte', async (t) => {
  const examples = publishedInviteExamples()
  t.same(examples.map((e) => e.name), inviteExamples.map((e) => e.name), 'the kit carries every published example, in order')
  const app = build(t)
  const firstOfStatus = new Map<number, string>()
  for (const example of examples) if (!firstOfStatus.has(example.status)) firstOfStatus.set(example.status, example.name)

  for (const example of examples) {
    const id = kebab(example.name)
    const check = (res: Awaited<ReturnType<typeof invite>>, how: string) => {
      t.equal(res.statusCode, example.status, `${example.name} by ${how}: status`)
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', `${example.name} by ${how}: media type`)
      t.equal(res.headers['x-mock-scenario-served'], id, `${example.name} by ${how}: served`)
      const body = res.json()
      t.match(body.instance, INSTANCE, `${example.name} by ${how}: a fresh trace id`)
      t.strictSame({ ...body, instance: example.value.instance }, example.value, `${example.name} by ${how}: the published body`)
      t.equal(res.body, withInstance(example.value, body.instance), `${example.name} by ${how}: the published bytes`)
    }
    check(await invite(app, { 'x-mock-scenario': id }), 'X-Mock-Scenario')
    check(await invite(app, { prefer: `example="${example.name}"` }), 'Prefer quoted')
    check(await invite(app, { prefer: `example=${example.name}` }), 'Prefer unquoted')
    check(await invite(app, { prefer: `code=${example.status}, example="${example.name}"` }), 'Prefer with code')
    if (firstOfStatus.get(example.status) === example.name) check(await invite(app, { prefer: `code=${example.status}` }), 'Prefer code alone')
    const put = await setScenario(app, { id })
    t.equal(put.statusCode, 200)
    t.same(put.json().global, { id })
    check(await invite(app), 'the admin API')
    t.equal((await app.inject({ method: 'DELETE', url: '/__mock/scenario' })).statusCode, 200)
  }
  t.equal((await invite(app)).statusCode, 201, 'cleared: the default behaviour again')
})

t.test('the forced 429 carries Retry-After and the RateLimit headers', async (t) => {
  const app = build(t)
  const res = await invite(app, { 'x-mock-scenario': 'rate-limited' })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], '1')
  t.equal(res.headers['ratelimit-limit'], '60')
  t.equal(res.headers['ratelimit-remaining'], '0')
  t.equal(res.headers['ratelimit-reset'], '1')
})
