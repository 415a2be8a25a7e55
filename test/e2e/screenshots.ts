// Rewrites the dashboard's screenshots in docs/ (`npm run screenshots`): a 1366x768 window with the
// cards, Try it and the journal in one view, and one with a sequence half-way through. Not a test file,
// so `npm run test:e2e` never writes docs/.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { startMockServer } from '../../server/in-process.js'
import { launchChromium, openPage } from '../helpers/chromium.js'
import { putStory } from '../helpers/sequence.js'

const WINDOW = { width: 1366, height: 768 }
const doc = (name: string): string => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url))

async function invite (url: string, email: string, headers: Record<string, string> = {}): Promise<void> {
  try {
    const res = await request(`${url}/v3/invites`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ email })
    })
    await res.body.dump()
  } catch {
    // A fault scenario ends the exchange without a whole answer: that is the row it leaves.
  }
}

t.test('docs/dashboard.png and docs/dashboard-sequence.png', async (t) => {
  const mock = await startMockServer({ activeUsers: ['grace@example.com'] })
  t.teardown(() => mock.close())
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser, { viewport: WINDOW })

  await invite(mock.url, 'ada@example.com')
  await invite(mock.url, 'grace@example.com')
  await invite(mock.url, 'bob@example.com', { 'x-mock-scenario': 'empty-reply' })
  await invite(mock.url, 'eve@example.com', { 'x-mock-session': 'ci-42', 'x-mock-scenario': 'service-unavailable' })
  await page.goto(`${mock.url}/`)
  await page.getByRole('button', { name: /Cannot be Blank/ }).click()
  await page.locator('#active-global').filter({ hasText: 'Cannot be Blank (400)' }).waitFor()
  await page.getByRole('button', { name: 'Send invite' }).click()
  await page.locator('#journal-rows tr').filter({ hasText: 'cannot-be-blank' }).waitFor()
  await page.evaluate('window.scrollTo(0, 0)')
  await page.screenshot({ path: doc('dashboard.png') })
  t.pass('docs/dashboard.png')

  await putStory(t, mock.url)
  await invite(mock.url, 'ada@example.com')
  await page.locator('#active-global').filter({ hasText: 'step 1 of 3, 1 left' }).waitFor()
  await page.getByRole('button', { name: 'Send invite' }).click()
  await page.locator('#active-global').filter({ hasText: 'step 2 of 3, 1 left' }).waitFor()
  await page.locator('#result-status').filter({ hasText: '429' }).waitFor()
  await page.getByRole('button', { name: /Rate Limited/ }).scrollIntoViewIfNeeded()
  await page.screenshot({ path: doc('dashboard-sequence.png') })
  t.pass('docs/dashboard-sequence.png')
  t.same(pageErrors.map(String), [])
})
