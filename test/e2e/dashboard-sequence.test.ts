import t from 'tap'
import { request } from 'undici'
import { startMockServer } from '../../server/in-process.js'
import { launchChromium, openPage } from '../helpers/chromium.js'
import { putStory } from '../helpers/sequence.js'

t.test('the active-scenario line follows a sequence: its step, of how many, and what is left of it', async (t) => {
  const mock = await startMockServer()
  t.teardown(() => mock.close())
  await putStory(t, mock.url)
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser)
  await page.goto(`${mock.url}/`)
  const active = page.locator('#active-global')
  await active.filter({ hasText: 'Everyone: Rate Limited (429), step 1 of 3, 2 left' }).waitFor()

  for (let i = 0; i < 2; i++) {
    const res = await request(`${mock.url}/v3/invites`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"a@example.com"}' })
    t.equal(res.statusCode, 429)
    await res.body.dump()
  }
  await active.filter({ hasText: 'Everyone: Service Unavailable (503), step 2 of 3, 1 left' }).waitFor()
  t.pass('the line moved on without a reload')
  t.same(pageErrors.map(String), [])
})
