import t from 'tap'
import { request } from 'undici'
import { startMockServer } from '../../server/in-process.js'
import { launchChromium, openPage } from '../helpers/chromium.js'

t.test('the journal asks only for newer entries, shows redacted URLs, and the sessions list is the first ones and a count', async (t) => {
  const mock = await startMockServer()
  t.teardown(() => mock.close())
  for (let i = 0; i < 105; i++) mock.app.mock.state.setSession(`worker-${String(i).padStart(3, '0')}`, { scenario: null })
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser)
  const journalCalls: string[] = []
  page.on('request', (req) => { if (req.url().includes('/__mock/requests')) journalCalls.push(req.url().slice(mock.url.length)) })

  await page.goto(`${mock.url}/`)
  await page.locator('#active-sessions li').filter({ hasText: 'and 5 more sessions (105 in all)' }).waitFor()
  t.equal(await page.locator('#active-sessions li').count(), 101, 'the first 100 sessions and a line for the rest')

  const res = await request(`${mock.url}/v3/invites?token=hunter2&page=1`, {
    method: 'POST',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'someone@example.com' })
  })
  t.equal(res.statusCode, 201)
  await res.body.dump()
  const row = page.locator('#journal-rows tr').filter({ hasText: '/v3/invites?token=[redacted]&page=1' })
  await row.waitFor()
  t.notMatch(await page.locator('#journal-rows').innerText(), 'hunter2', 'the secret never reaches the page')
  await page.waitForFunction((count) => performance.getEntriesByType('resource').filter((e) => e.name.includes('/__mock/requests')).length > count, journalCalls.length)
  t.equal(journalCalls[0], '/__mock/requests', 'the first poll asks for the newest entries')
  t.ok(journalCalls.slice(1).every((url) => /^\/__mock\/requests\?after=\d+$/.test(url)), `later polls ask only for newer ones: ${journalCalls.join(' ')}`)
  t.equal(await page.locator('#journal-rows tr').count(), 1, 'no row repeated')
  t.same(pageErrors.map(String), [])
})
