import t from 'tap'
import type { Locator, Page } from 'playwright-core'
import { request } from 'undici'
import { startMockServer } from '../../server/in-process.js'
import { launchChromium, openPage } from '../helpers/chromium.js'
import { putStory } from '../helpers/sequence.js'

// What a presenter sees on a 720p projector, and the same page at 150 % zoom.
const ROOM = { width: 1280, height: 720 }
const ZOOMED = { width: 853, height: 480 }

type Box = { x: number, y: number, width: number, height: number }

async function box (locator: Locator): Promise<Box> {
  const found = await locator.boundingBox()
  if (found === null) throw new Error(`${locator.toString()} is not displayed`)
  return found
}

/** True when the box lies wholly inside the viewport as it is scrolled now. */
function inView (b: Box, viewport: { width: number, height: number }): boolean {
  return b.y >= 0 && b.x >= 0 && b.y + b.height <= viewport.height && b.x + b.width <= viewport.width
}

/** Sends an invite that picks `id` by header; a fault may end it with an error, which is its point. */
async function invite (url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const res = await request(`${url}/v3/invites`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json', ...headers },
      body: '{"email":"someone@example.com"}',
      headersTimeout: 5000,
      bodyTimeout: 5000
    })
    await res.body.dump()
    return res.statusCode
  } catch {
    return 0
  }
}

async function activeText (page: Page, text: string): Promise<void> {
  await page.locator('#active-global').filter({ hasText: text }).waitFor()
}

t.test('at 1280x720 a room can follow the page', async (t) => {
  const mock = await startMockServer()
  t.teardown(() => mock.close())
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser, { viewport: ROOM })
  await page.goto(`${mock.url}/`)
  await activeText(page, 'Everyone: default behaviour')
  await page.locator('.card').nth(20).waitFor()

  await t.test('the journal sits beside the cards and starts in the first view', async (t) => {
    const cards = await box(page.locator('#groups'))
    const journal = await box(page.locator('.journal'))
    t.ok(journal.x >= cards.x + cards.width, `the journal (x ${journal.x}) is right of the cards (to x ${cards.x + cards.width})`)
    t.ok(journal.y < ROOM.height, `its top (${journal.y}) is inside the first ${ROOM.height} px`)
    t.ok(cards.y + cards.height > ROOM.height * 2, 'while the cards go on well below')
  })

  await t.test('each card says when a client meets it and why, not its title again', async (t) => {
    const blank = page.locator('.card[data-id="cannot-be-blank"] .desc')
    t.match(await blank.innerText(), /When: A required field is sent empty[\s\S]*Says: “name: cannot be blank”[\s\S]*Note: .*name.*email/)
    t.equal(await blank.locator('code').first().innerText(), 'name', 'the field is set as code')
    t.match(await page.locator('.card[data-id="rate-limited"] .desc').innerText(), /Says: “Too many requests”/)
    t.match(await page.locator('.card[data-id="empty-reply"] .desc').innerText(), /Fault: Nothing: the connection closes/)
    const echoes = (await page.locator('.card .desc').allInnerTexts()).filter((text) => /The published ".*" example/.test(text))
    t.same(echoes, [], 'no card repeats its title as "The published … example"')
  })

  await t.test('a card far down, clicked, leaves the active scenario and its confirmation in view', async (t) => {
    const card = page.getByRole('button', { name: /Headers never finish/ })
    await card.click()
    await activeText(page, 'Everyone: Headers never finish')
    t.ok(await page.evaluate<number>('window.scrollY') > ROOM.height, 'the page scrolled down to the card')
    t.ok(inView(await box(page.locator('#active-global')), ROOM), 'the active scenario is in view')
    const confirmation = page.getByRole('alert').filter({ hasText: 'Headers never finish is now active for everyone' })
    t.ok(inView(await box(confirmation), ROOM), 'and so is its confirmation')
    t.ok(inView(await box(page.locator('.journal h2')), ROOM), 'the journal stays beside the cards')
    t.equal(await card.getAttribute('aria-pressed'), 'true')
  })

  await t.test('the answer shows its body first, the retry hint beside the status and the headers folded', async (t) => {
    await page.getByRole('button', { name: /Rate Limited/ }).click()
    await activeText(page, 'Everyone: Rate Limited (429)')
    await page.getByRole('button', { name: 'Send invite' }).click()
    const status = page.locator('#result-status')
    await status.filter({ hasText: 'Too Many Requests' }).waitFor()
    t.match(await status.innerText(), /429[\s\S]*rate-limited[\s\S]*retry after 1 s/)
    const body = page.locator('#result-body')
    const headers = page.locator('#result-more')
    t.match(JSON.parse(await body.innerText()), { status: 429, detail: 'Too many requests' })
    t.ok((await box(body)).y < (await box(headers)).y, 'the body comes before the headers')
    t.ok(inView(await box(body), ROOM), 'the whole body is in view')
    t.equal(await headers.getAttribute('open'), null, 'the headers are folded')
    t.equal(await page.locator('#result-headers').isVisible(), false)
    t.match(await page.locator('#result-summary').innerText(), /^Headers \(\d+\)$/)
    await page.locator('#result-summary').click()
    t.match(await page.locator('#result-headers').innerText(), /retry-after\s+1/)

    await page.getByRole('button', { name: /Cannot be Blank/ }).click()
    await activeText(page, 'Everyone: Cannot be Blank (400)')
    await page.getByRole('button', { name: 'Send invite' }).click()
    await status.filter({ hasText: 'Bad Request' }).waitFor()
    t.match(await body.innerText(), '\n    { "field": "name", "reason": "cannot be blank" }\n', 'a short reason is kept on one line')
    t.ok(inView(await box(body), ROOM), 'the whole problem is in view')
    t.ok(await body.evaluate((node) => node.scrollHeight <= node.clientHeight), 'with nothing scrolled out of its panel')
  })

  await t.test('Try it survives a fault: a closed connection and a body cut short', async (t) => {
    const send = page.getByRole('button', { name: 'Send invite' })
    const status = page.locator('#result-status')
    const body = page.locator('#result-body')
    await page.getByRole('button', { name: /Connection reset/ }).click()
    await activeText(page, 'Everyone: Connection reset')
    await send.click()
    await status.filter({ hasText: 'No answer' }).waitFor()
    t.match(await body.innerText(), /^The connection closed before a whole answer arrived \(.+\)\. The journal names the fault\.$/)
    t.equal(await page.locator('#result-more').isVisible(), false, 'no headers to show')
    await page.getByRole('button', { name: /Body cut short/ }).click()
    await activeText(page, 'Everyone: Body cut short')
    await send.click()
    await body.filter({ hasText: 'The body was cut short' }).waitFor()
    t.match(await status.innerText(), /409[\s\S]*truncated-body/)
    t.equal(await send.isEnabled(), true, 'the button is ready for the next invite')
  })

  await t.test('an admin error shows the reason the API gave', async (t) => {
    await page.getByLabel('Times').fill('0')
    await page.getByRole('button', { name: /Created/ }).click()
    const banner = page.getByRole('alert').filter({ hasText: 'The admin API answered 400' })
    await banner.waitFor()
    t.match(await banner.innerText(), /The admin API answered 400: .*times must be at least 1/)
    t.ok(inView(await box(banner), ROOM), 'in view')
    await page.getByLabel('Times').fill('')
  })

  await t.test('the journal names each fault for what it is', async (t) => {
    const faults: Record<string, { title: string, status: string }> = {
      'connection-reset': { title: 'Connection reset', status: 'none' },
      'empty-reply': { title: 'Empty reply', status: 'none' },
      'headers-never-finish': { title: 'Headers never finish', status: 'none' },
      'truncated-body': { title: 'Body cut short', status: '409' },
      'slow-body': { title: 'Slow body', status: '409' },
      'not-json-body': { title: 'Not JSON', status: '201' }
    }
    for (const id of Object.keys(faults)) await invite(mock.url, { 'x-mock-scenario': id, 'x-mock-delay': '50' })
    for (const [id, { title, status }] of Object.entries(faults)) {
      const row = page.locator('#journal-rows tr').filter({ has: page.locator('code', { hasText: new RegExp(`^${id}$`) }) }).first()
      await row.waitFor()
      t.equal(await row.locator('.answer .code').innerText(), status, `${id}: status`)
      t.equal(await row.locator('.answer .fault').innerText(), title, `${id}: named`)
      if (id !== 'connection-reset') t.notMatch(await row.locator('.answer').innerText(), /reset/i, `${id}: not called a reset`)
    }
  })

  await t.test('Tab reaches a card and Enter makes it active', async (t) => {
    await page.getByLabel('Session', { exact: true }).focus()
    let name = ''
    for (let i = 0; i < 10 && !name.includes('Request Format is Invalid'); i++) {
      await page.keyboard.press('Tab')
      name = await page.evaluate<string>("document.activeElement.closest('.card') ? document.activeElement.textContent : ''")
    }
    t.match(name, 'Request Format is Invalid', 'the first card takes the focus after the controls')
    t.equal(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'), 'solid', 'with a visible focus ring')
    await page.keyboard.press('Enter')
    await activeText(page, 'Everyone: Request Format is Invalid (400)')
    t.pass('activated from the keyboard')
    // Down the cards and back up: a card reached going up must not hide under the sticky header.
    for (let i = 0; i < 20; i++) await page.keyboard.press('Tab')
    for (let i = 0; i < 15; i++) await page.keyboard.press('Shift+Tab')
    const focused = await box(page.locator('.card button:focus'))
    const header = await box(page.locator('#top'))
    t.ok(focused.y >= header.y + header.height && focused.y + focused.height <= ROOM.height, `the focused card is below the header (${focused.y} >= ${header.y + header.height})`)
  })

  await t.test('a scenarios file that no longer loads is named in a banner, from GET /__mock/scenarios', async (t) => {
    // The listing's scenariosFile field, as a mock run with --watch reports a file that broke.
    await page.route('**/__mock/scenarios', async (route) => {
      const res = await route.fetch()
      const listing = await res.json() as Record<string, unknown>
      await route.fulfill({ response: res, json: { ...listing, scenariosFile: { path: '/tmp/demo.yaml', watching: true, loadedAt: '2026-01-01T00:00:00.000Z', error: 'line 3: unexpected end of the stream', errorAt: '2026-01-01T00:01:00.000Z' } } })
    })
    const banner = page.getByRole('alert').filter({ hasText: 'Scenarios file /tmp/demo.yaml' })
    await banner.waitFor()
    t.equal(await banner.innerText(), 'Scenarios file /tmp/demo.yaml: line 3: unexpected end of the stream (serving the last good one)')
    await page.unroute('**/__mock/scenarios')
    await banner.waitFor({ state: 'hidden' })
    t.pass('and it goes once the file loads again')
  })

  t.same(pageErrors.map(String), [])
})

t.test('a sequence shows its steps and how far it has got', async (t) => {
  const mock = await startMockServer()
  t.teardown(() => mock.close())
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser, { viewport: ROOM })
  await putStory(t, mock.url)
  await page.goto(`${mock.url}/`)
  const steps = page.locator('#active-steps li')
  await activeText(page, 'step 1 of 3, 2 left')
  t.same(await steps.allInnerTexts(), ['Rate Limited 2 left', 'Service Unavailable ×1', 'Default behaviour then stays'])
  t.equal(await steps.nth(0).getAttribute('aria-current'), 'step')

  t.equal(await invite(mock.url), 429)
  await steps.nth(0).filter({ hasText: '1 left' }).waitFor()
  t.equal(await invite(mock.url), 429)
  await activeText(page, 'Everyone: Service Unavailable (503), step 2 of 3, 1 left')
  t.equal(await steps.nth(1).getAttribute('aria-current'), 'step', 'the second step answers now')
  t.match(await steps.nth(0).getAttribute('class'), /done/, 'the first is done')
  t.match(await page.locator('#journal-rows tr').first().innerText(), /429[\s\S]*step 1 of 3/, 'the journal says which step answered')

  await page.goto(`${mock.url}/`)
  await page.getByLabel('Times').fill('3')
  await page.getByRole('button', { name: /Cannot be Blank/ }).click()
  await activeText(page, 'Everyone: Cannot be Blank (400), 3 left')
  t.equal(await invite(mock.url), 400)
  await activeText(page, 'Everyone: Cannot be Blank (400), 2 left')
  t.equal(await steps.count(), 0, 'no steps for a scenario set with times alone')
  t.same(pageErrors.map(String), [])
})

t.test('a custom card says what its definition gives: its description when it has no when', async (t) => {
  const mock = await startMockServer({
    scenarios: [
      { id: 'team-service-down', title: 'Team service down', status: 500, kind: 'custom', description: 'Our own 500 when teams are down.', body: { status: 500, title: 'Internal Server Error', instance: 'konnect:trace:1', detail: 'The team service is down' } },
      { id: 'maintenance', title: 'Maintenance page', status: 503, kind: 'custom', description: 'A maintenance page.', when: 'The service is being upgraded.', contentType: 'text/html', text: '<h1>Back soon</h1>', fault: true }
    ]
  })
  t.teardown(() => mock.close())
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser, { viewport: ROOM })
  await page.goto(`${mock.url}/`)
  const down = page.locator('.card[data-id="team-service-down"] .desc')
  await down.waitFor()
  t.equal(await down.locator('.when').innerText(), 'Our own 500 when teams are down.', 'the description, unlabelled')
  t.equal(await down.locator('.says').innerText(), 'Says: “The team service is down”', 'what its body says')
  t.equal(await page.locator('.card[data-id="maintenance"] .desc .when').innerText(), 'When: The service is being upgraded.')
  t.same(pageErrors.map(String), [])
})

t.test('at 150 % zoom (853x480) nothing essential overflows sideways', async (t) => {
  const mock = await startMockServer()
  t.teardown(() => mock.close())
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser, { viewport: ZOOMED, deviceScaleFactor: 1.5 })
  await invite(mock.url, { 'x-mock-scenario': 'password-complexity' })
  await page.goto(`${mock.url}/`)
  await page.locator('#journal-rows code', { hasText: 'password-complexity' }).waitFor()
  await page.getByRole('button', { name: /Authentication Settings cannot be all Disabled/ }).click()
  await activeText(page, 'Authentication Settings cannot be all Disabled')
  await page.getByRole('button', { name: 'Send invite' }).click()
  await page.locator('#result-status').filter({ hasText: '400' }).waitFor()

  t.equal(await page.evaluate<number>('document.documentElement.scrollWidth'), ZOOMED.width, 'the page is no wider than the window')
  for (const selector of ['#top', '.controls', '.card', '.card .desc', '.try-form', '#send', '#result-body', '.journal table', '#journal-rows td']) {
    const rights = await page.locator(selector).evaluateAll((nodes) => nodes.map((node) => node.getBoundingClientRect().right))
    t.ok(rights.length > 0 && rights.every((right) => right <= 853), `${selector} ends inside the window (${Math.max(...rights)})`)
  }
  t.ok(inView(await box(page.locator('#active-global')), ZOOMED), 'the active scenario stays in view')
  t.same(pageErrors.map(String), [])
})
