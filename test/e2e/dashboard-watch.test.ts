import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { launchChromium, openPage } from '../helpers/chromium.js'

// The built command line (test:e2e builds first), as a user starts it with --watch.
const ENTRY = fileURLToPath(new URL('../../dist/server/bin.js', import.meta.url))
const LISTENING = /listening on (http:\/\/\S+)/

const GOOD = `scenarios:
  - id: team-service-down
    title: Team service down
    status: 500
    body:
      status: 500
      title: Internal Server Error
      detail: The team service is down
      instance: konnect:trace:1
`

t.test('with --watch, a scenarios file that breaks is named in a banner while the last good one serves', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-watch-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'scenarios.yaml')
  writeFileSync(file, GOOD)
  const child = spawn(process.execPath, [ENTRY, '--port', '0', '--watch', '--scenarios-file', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill() })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = LISTENING.exec(out)
      if (found) resolve(found[1]!)
    })
    child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
    child.once('exit', (code) => reject(new Error(`the mock exited with ${code} before listening: ${out}`)))
  })
  const browser = await launchChromium(t)
  const { page, pageErrors } = await openPage(browser, { viewport: { width: 1280, height: 720 } })
  await page.goto(`${url}/`)
  await page.getByRole('button', { name: /Team service down/ }).waitFor()
  const banner = page.locator('#file-problem')
  t.equal(await banner.isVisible(), false, 'no banner while the file loads')

  writeFileSync(file, 'scenarios:\n  - id: [unclosed\n')
  await page.getByRole('alert').filter({ hasText: `Scenarios file ${file}: ` }).waitFor({ timeout: 20_000 })
  const text = await banner.innerText()
  t.ok(text.startsWith(`Scenarios file ${file}: not valid YAML: `), `the path once, then the error: ${text}`)
  t.ok(text.endsWith(' (serving the last good one)'), 'and that the last good version serves')
  t.equal(await page.getByRole('button', { name: /Team service down/ }).count(), 1, 'the last good scenarios still listed')

  writeFileSync(file, GOOD)
  await banner.waitFor({ state: 'hidden', timeout: 20_000 })
  t.pass('the banner goes once the file loads again')
  t.same(pageErrors.map(String), [])
})
