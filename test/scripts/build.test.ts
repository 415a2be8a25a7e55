import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { startFakeKonnect } from '../helpers/fake-konnect.js'
import { spawnListening } from '../helpers/spawn.js'

// Builds the package (tsc is a no-op when up to date; the bundle takes about a second) and starts the bin.
t.setTimeout(120_000)

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'dist/server/bin.js')
const run = promisify(execFile)

async function startBin (t: Test, args: string[]): Promise<{ url: string }> {
  const { child, url } = await spawnListening([BIN, '--port', '0', '--log-level', 'warn', ...args])
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  return { url }
}

t.before(async () => {
  await run('npm', ['run', '--silent', 'build'], { cwd: ROOT })
})

t.test('the package\'s bin and npm start run the bundled file', async (t) => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string, bin: Record<string, string>, scripts: Record<string, string> }
  t.equal(manifest.bin['konnect-invites-mock'], 'dist/server/bin.js')
  t.match(manifest.scripts['start'], /^node .*dist\/server\/bin\.js$/)
  const { stdout } = await run(process.execPath, [BIN, '--version'])
  t.equal(stdout.trim(), manifest.version, 'the version is read from package.json two folders up')
})

t.test('the bundle holds Fastify and the mock, and leaves out what a run loads only when it needs it', async (t) => {
  const bundle = await readFile(BIN, 'utf8')
  t.ok(bundle.startsWith('#!/usr/bin/env -S node --max-semi-space-size=4\n'), 'the shebang of server/server.ts comes first')
  // esbuild marks where each module begins with a comment naming its file.
  t.ok(bundle.includes('\n// node_modules/fastify/fastify.js\n'), 'Fastify is in the bundle')
  t.ok(bundle.includes('\n// dist/scenarios/catalogue.js\n'), 'the mock is in the bundle')
  for (const lazy of ['yaml', 'undici', 'ajv', 'light-my-request']) t.notOk(bundle.includes(`\n// node_modules/${lazy}/`), `${lazy} is not in the bundle`)
})

t.test('the bundled bin serves the dashboard, a YAML scenarios file and the upstream pass-through', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bin-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'scenarios.yaml')
  await writeFile(file, [
    'scenarios:',
    '  - id: team-busy',
    '    title: Team busy',
    '    status: 409',
    '    body: { status: 409, title: Conflict, detail: busy, instance: "kong:trace:1" }',
    ''
  ].join('\n'))
  const konnect = await startFakeKonnect(t)
  const { url } = await startBin(t, ['--scenarios-file', file, '--upstream', konnect.url])

  const page = await request(`${url}/`)
  t.equal(page.statusCode, 200)
  t.match(await page.body.text(), /<html/, 'the dashboard is read beside the bundle')

  const invite = { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"email":"ada@example.com"}' } as const
  const custom = await request(`${url}/v3/invites`, { ...invite, headers: { ...invite.headers, 'x-mock-scenario': 'team-busy' } })
  t.equal(custom.statusCode, 409)
  t.match(await custom.body.json(), { detail: 'busy' }, 'the YAML file was read (yaml loaded at run time)')

  const passed = await request(`${url}/v3/invites`, invite)
  t.equal(passed.statusCode, 201)
  t.equal(passed.headers['x-mock-scenario-served'], 'upstream')
  await passed.body.dump()
  t.equal(konnect.received.length, 1, 'the invite reached the upstream (undici loaded at run time)')
})
