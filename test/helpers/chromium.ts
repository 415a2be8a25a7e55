/**
 * Headless Chromium for the browser tests: Debian's build unless CHROMIUM_PATH names another, never
 * a downloaded one.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import type { Test } from 'tap'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** Starts Chromium with no background traffic of its own (plus `args`), closed when the test ends. */
export async function launchChromium (t: Test, args: readonly string[] = []): Promise<Browser> {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install chromium, or set CHROMIUM_PATH)`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...args]
  })
  t.teardown(() => browser.close())
  return browser
}

/** A new page, and the uncaught exceptions it will throw, collected. */
export async function openPage (browser: Browser, options?: BrowserContextOptions): Promise<{ page: Page, pageErrors: Error[] }> {
  const page = await browser.newPage(options)
  const pageErrors: Error[] = []
  page.on('pageerror', (error) => { pageErrors.push(error) })
  return { page, pageErrors }
}
