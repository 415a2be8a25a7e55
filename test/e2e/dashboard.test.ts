import type { ConsoleMessage } from 'playwright-core'
import t from 'tap'
import { request } from 'undici'
import { startMockServer } from '../../server/in-process.js'
import { launchChromium, openPage } from '../helpers/chromium.js'

t.test('the dashboard drives the mock in headless Chromium', async (t) => {
  const mock = await startMockServer()
  t.teardown(() => mock.close())
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser, { viewport: { width: 1920, height: 1080 } })

  const consoleErrors: ConsoleMessage[] = []
  page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message) })
  const requested: string[] = []
  page.on('request', (request) => { requested.push(request.url()) })
  // Records every Content-Security-Policy violation the page reports, from before its first script.
  await page.addInitScript("window.violations = []; document.addEventListener('securitypolicyviolation', (event) => { window.violations.push(event.violatedDirective + ' ' + event.blockedURI) })")

  await page.goto(`${mock.url}/`)
  t.equal(await page.title(), 'Konnect Invites mock')
  const active = page.locator('#active-global')
  await active.filter({ hasText: 'Everyone: default behaviour' }).waitFor()

  await t.test('a scenario is chosen from the keyboard', async (t) => {
    const created = page.getByRole('button', { name: /Created/ })
    await created.focus()
    await page.keyboard.press('Space')
    await active.filter({ hasText: 'Everyone: Created (201)' }).waitFor()
    t.equal(await created.getAttribute('aria-pressed'), 'true')
  })

  await t.test('clicking "User is Already Active" makes the next invite from any client answer 409', async (t) => {
    const button = page.getByRole('button', { name: /User is Already Active/ })
    await button.click()
    await active.filter({ hasText: 'Everyone: User is Already Active (409)' }).waitFor()
    t.equal(await button.getAttribute('aria-pressed'), 'true')
    t.equal(await page.getByRole('button', { name: /Created/ }).getAttribute('aria-pressed'), 'false')

    const res = await request(`${mock.url}/v3/invites`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com' })
    })
    t.equal(res.statusCode, 409)
    t.equal(res.headers['x-mock-scenario-served'], 'user-is-already-active')
    t.match(await res.body.json(), { status: 409, detail: 'User is already active' })
  })

  await t.test('the journal shows that request without a reload', async (t) => {
    const row = page.locator('#journal-rows tr').filter({ hasText: 'user-is-already-active' })
    await row.first().waitFor()
    t.equal(await row.count(), 1)
    t.match(await row.first().innerText(), /409\s*User is Already Active[\s\S]*POST \/v3\/invites/)
  })

  await t.test('the page sends an invite from its panel and shows the 409', async (t) => {
    await page.getByLabel('Email', { exact: true }).fill('ada@example.com')
    await page.getByRole('button', { name: 'Send invite' }).click()
    const status = page.locator('#result-status')
    await status.filter({ hasText: 'Conflict' }).waitFor()
    t.match(await status.innerText(), /409[\s\S]*Conflict[\s\S]*user-is-already-active/)
    await page.locator('#result-summary').click()
    t.match(await page.locator('#result-headers').innerText(), /content-type\s+application\/problem\+json/)
    const body = JSON.parse(await page.locator('#result-body').innerText()) as Record<string, unknown>
    t.match(body, { status: 409, title: 'Resource Conflict', detail: 'User is already active' })
    t.match(await page.locator('#result-body').innerText(), /\n {2}"status": 409,/, 'pretty-printed')
    await page.locator('#journal-rows tr').filter({ hasText: 'user-is-already-active' }).nth(1).waitFor()
    t.equal(await page.locator('#journal-rows tr').filter({ hasText: 'user-is-already-active' }).count(), 2)
  })

  await t.test('the stylesheet applies under the Content-Security-Policy', async (t) => {
    t.equal(await page.evaluate('getComputedStyle(document.documentElement).fontSize'), '20px', 'the root font size of dashboard.css')
    t.equal(await page.evaluate('getComputedStyle(document.querySelector(".skip")).position'), 'absolute')
  })

  await t.test('the page loads nothing from elsewhere and breaks no Content-Security-Policy rule', async (t) => {
    t.same(requested.filter((url) => !url.startsWith(`${mock.url}/`) && !url.startsWith('data:')), [], 'every request goes to the mock')
    t.ok(requested.includes(`${mock.url}/dashboard.js`), 'the script was loaded')
    t.ok(requested.includes(`${mock.url}/dashboard.css`), 'the stylesheet was loaded')
    t.same(await page.evaluate('window.violations'), [], 'no securitypolicyviolation event')
  })

  await t.test('the page logs no errors', async (t) => {
    t.same(pageErrors.map(String), [], 'no uncaught exceptions')
    const unexpected = consoleErrors.filter((message) =>
      !(message.text().includes('status of 409') && message.location().url === `${mock.url}/v3/invites`))
    t.same(unexpected.map((message) => `${message.type()}: ${message.text()}`), [],
      'nothing in the console but Chromium\'s own note of the 409 the page asked for')
  })
})

t.test('with an admin token the page asks for it and then works', async (t) => {
  const mock = await startMockServer({ adminToken: 'demo-admin' })
  t.teardown(() => mock.close())
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser)

  await page.goto(`${mock.url}/`)
  await page.getByRole('alert').filter({ hasText: 'requires an admin token' }).waitFor()
  const field = page.getByLabel('Admin token')
  t.equal(await field.isVisible(), true)
  await field.fill('demo-admin')
  await field.press('Enter')
  await page.locator('#active-global').filter({ hasText: 'Everyone: default behaviour' }).waitFor()
  await page.getByRole('button', { name: /Rate Limited/ }).click()
  await page.locator('#active-global').filter({ hasText: 'Everyone: Rate Limited (429)' }).waitFor()
  t.equal(mock.app.mock.state.global?.scenario?.id, 'rate-limited')
  t.same(pageErrors.map(String), [])
})
