import t from 'tap'
import { readFileSync } from 'node:fs'
import { BenchFlagError, benchHelp, parseBenchArgs, startFlags } from '../../bench/flags.js'

t.test('startFlags reads the Node flags of the start script', async (t) => {
  t.same(startFlags({ scripts: { start: 'node --max-semi-space-size=4 dist/server/bin.js' } }), ['--max-semi-space-size=4'])
  t.same(startFlags({ scripts: { start: '  node   --a --b=1 dist/server/bin.js --port 1' } }), ['--a', '--b=1'],
    'the words between node and the entry; the mock\'s own flags are left out')
  t.same(startFlags({ scripts: { start: 'node --a' } }), ['--a'], 'no entry at all')
  t.same(startFlags({ scripts: { start: 'node dist/server/bin.js' } }), [], 'no flags')
  t.same(startFlags({ scripts: { start: 'tsx server/server.ts' } }), [], 'not node: nothing to copy')
  t.same(startFlags({ scripts: {} }), [])
  t.same(startFlags({}), [])
})

t.test('the start script and the bin entry run Node with the same flags', async (t) => {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
  const flags = startFlags(packageJson)
  t.same(flags, ['--max-semi-space-size=4'])
  const shebang = readFileSync(new URL('../../server/server.ts', import.meta.url), 'utf8').split('\n', 1)[0]
  t.equal(shebang, `#!/usr/bin/env -S node ${flags.join(' ')}`)
})

const DEFAULT_SETTINGS = { help: false, json: false, soak: false, instructions: false, mockEntry: undefined, durationS: 4, pairs: 5, connections: 50, startupRuns: 7, amount: 500_000, profileDir: undefined }

t.test('parseBenchArgs reads every flag, in both forms, with its default', async (t) => {
  t.same(parseBenchArgs([]), DEFAULT_SETTINGS)
  t.same(parseBenchArgs(['--json', '--soak', '--instructions', '--mock', 'old/server.js', '--duration', '2', '--pairs=3', '--connections', '10', '--startup-runs', '1', '--amount=1000', '--profile', 'out']),
    { help: false, json: true, soak: true, instructions: true, mockEntry: 'old/server.js', durationS: 2, pairs: 3, connections: 10, startupRuns: 1, amount: 1000, profileDir: 'out' })
})

t.test('--help and -h ask for the help, whatever else is on the line', async (t) => {
  t.same(parseBenchArgs(['--help']), { ...DEFAULT_SETTINGS, help: true })
  t.same(parseBenchArgs(['-h']), { ...DEFAULT_SETTINGS, help: true })
  t.same(parseBenchArgs(['--pairs', '0', '-h']), { ...DEFAULT_SETTINGS, help: true })
})

t.test('bad flags are one-line BenchFlagErrors', async (t) => {
  const bad: Array<[string[], string]> = [
    [['--bogus'], "Unknown option '--bogus' (see --help)"],
    [['--pairs'], "Option '--pairs <value>' argument missing (see --help)"],
    [['run'], "Unexpected argument 'run' (see --help)"],
    [['--connections', '0'], '--connections expects a positive whole number, got "0"'],
    [['--amount', '1e3'], '--amount expects a positive whole number, got "1e3"'],
    [['--startup-runs', '2.5'], '--startup-runs expects a positive whole number, got "2.5"'],
    [['--duration='], '--duration expects a positive whole number, got ""']
  ]
  for (const [argv, message] of bad) {
    const error = t.throws(() => parseBenchArgs(argv), argv.join(' ')) as Error
    t.type(error, BenchFlagError)
    t.equal(error.message, message, argv.join(' '))
    t.notMatch(error.message, /\n/)
  }
})

t.test('the help names every flag, and the performance page documents each of them', async (t) => {
  const help = benchHelp()
  t.match(help, /^Usage: npm run bench -- \[options\]\n/)
  const page = readFileSync(new URL('../../docs/performance.md', import.meta.url), 'utf8')
  for (const flag of ['--json', '--soak', '--instructions', '--mock', '--duration', '--pairs', '--connections', '--startup-runs', '--amount', '--profile', '--help']) {
    t.match(help, `  ${flag === '--help' ? '-h, ' : ''}${flag}`, `help: ${flag}`)
    t.match(page, `npm run bench -- ${flag}`, `docs/performance.md: ${flag}`)
  }
  t.match(help, /--connections <n>\s+concurrent connections of the load generator \(default 50\)/)
})
