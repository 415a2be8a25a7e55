import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// CI runs `npm run test:sdk`; on a machine without Go it must stop with one line, never skip. This
// runs test/sdk/run.sh with a PATH that holds only `dirname` and GO_BIN naming a go that is not there,
// so it needs no Go itself.
const root = fileURLToPath(new URL('../../', import.meta.url))

/** The absolute path of a command on this process's PATH. */
function which (command: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim()
  if (found === '') throw new Error(`${command} is not on PATH`)
  return found
}

t.test('without go, npm run test:sdk fails with one line and exit 1', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'no-go-'))
  t.teardown(() => rmSync(bin, { recursive: true, force: true }))
  symlinkSync(which('dirname'), join(bin, 'dirname'))
  const missing = join(bin, 'go', 'bin', 'go')
  const run = spawnSync(which('bash'), ['test/sdk/run.sh'], {
    cwd: root,
    env: { PATH: bin, GO_BIN: missing, HOME: process.env.HOME },
    encoding: 'utf8'
  })
  t.equal(run.status, 1, 'exit 1')
  t.equal(run.stderr, `test:sdk: go is not installed (neither on PATH nor at ${missing})\n`, 'one line naming both places')
  t.equal(run.stdout, '', 'nothing else')
})

t.test('without go, the run against the newest SDK fails the same way, before any download', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'no-go-'))
  t.teardown(() => rmSync(bin, { recursive: true, force: true }))
  symlinkSync(which('dirname'), join(bin, 'dirname'))
  const run = spawnSync(which('bash'), ['test/sdk/run.sh', '--latest'], {
    cwd: root,
    env: { PATH: bin, GO_BIN: join(bin, 'go'), HOME: process.env.HOME },
    encoding: 'utf8'
  })
  t.equal(run.status, 1)
  t.equal(run.stderr, `test:sdk: go is not installed (neither on PATH nor at ${join(bin, 'go')})\n`)
})
