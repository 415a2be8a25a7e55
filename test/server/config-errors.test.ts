/**
 * Mistakes on the command line and in the environment are one line that names the flag or
 * variable and, where one is close, what was probably meant.
 */
import { join } from 'node:path'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { main } from '../../server/cli.js'
import { ConfigError, defaultConfig, parseConfig, sourceOf } from '../../server/config.js'
import { capture } from '../helpers/cli-io.js'

const PREFIX = 'konnect-invites-mock: '

t.test('a bare argument says what it was probably meant as', async (t) => {
  const cases: Array<[string[], string]> = [
    [['19086'], 'unexpected argument 19086 (did you mean --port 19086?)'],
    [['--host', '127.0.0.1', '0'], 'unexpected argument 0 (did you mean --port 0?)'],
    [['rate-limited'], 'unexpected argument rate-limited (did you mean --scenario rate-limited?)'],
    [['99999'], 'unexpected argument "99999": options start with -- (see --help)'],
    [['serve'], 'unexpected argument "serve": options start with -- (see --help)']
  ]
  for (const [argv, message] of cases) {
    t.throws(() => parseConfig(argv, {}), new ConfigError(message), argv.join(' '))
    const { io, out, err } = capture()
    t.equal(await main(argv, {}, io), 2)
    t.same(out, [])
    t.same(err, [`${PREFIX}${message}`], 'one line, exit 2')
  }
})

t.test('a mistyped option names the nearest one', async (t) => {
  t.throws(() => parseConfig(['--prot', '8080'], {}), new ConfigError('unknown option "--prot" (did you mean --port?)'))
  t.throws(() => parseConfig(['--scenarios', 'created'], {}), new ConfigError('unknown option "--scenarios" (did you mean --scenario?)'))
  t.throws(() => parseConfig(['--rate-limt=5/s'], {}), new ConfigError('unknown option "--rate-limt" (did you mean --rate-limit?)'))
  t.throws(() => parseConfig(['--nope'], {}), new ConfigError('unknown option "--nope" (see --help)'), 'no hint when nothing is close')
})

t.test('an unknown scenario names the variable or flag it came from and the nearest id', async (t) => {
  const fromEnv = capture()
  t.equal(await main([], { MOCK_SCENARIO: 'rate-limitd', PORT: '0' }, fromEnv.io), 2)
  t.equal(fromEnv.err.length, 1)
  t.match(fromEnv.err[0], /^konnect-invites-mock: MOCK_SCENARIO: unknown scenario "rate-limitd" \(did you mean "rate-limited"\?\); valid: default, request-format-is-invalid, /)
  const fromFlag = capture()
  t.equal(await main(['--scenario', 'rate-limitd', '--port', '0'], { MOCK_SCENARIO: 'created' }, fromFlag.io), 2)
  t.match(fromFlag.err[0], /^konnect-invites-mock: --scenario: unknown scenario "rate-limitd" \(did you mean "rate-limited"\?\); valid: /, 'the flag wins over the variable, and is named')
  const none = capture()
  t.equal(await main(['--scenario', 'zzzz', '--port', '0'], {}, none.io), 2)
  t.match(none.err[0], /^konnect-invites-mock: --scenario: unknown scenario "zzzz"; valid: /, 'no hint when nothing is close')

  t.equal(sourceOf(parseConfig([], { MOCK_SCENARIO: 'created' }), 'scenario'), 'MOCK_SCENARIO')
  t.equal(sourceOf(parseConfig(['--scenario=created'], { MOCK_SCENARIO: 'x' }), 'scenario'), '--scenario')
  t.equal(sourceOf(defaultConfig(), 'scenario'), '--scenario', 'a configuration made by hand names the flag')
})

t.test('a custom scenario may be the --scenario; a scenarios file holding none says so', async (t) => {
  const dir = t.testdir({
    'teapot.json': JSON.stringify([{ id: 'teapot', title: 'Teapot', status: 418, body: { status: 418, title: 'Teapot', instance: 'i', detail: 'short and stout' } }]),
    'empty.json': '[]',
    'empty-document.yaml': 'scenarios: []\n'
  })
  const custom = capture()
  const app = await main(['--port', '0', '--scenarios-file', join(dir, 'teapot.json'), '--scenario', 'teapot'], {}, custom.io) as FastifyInstance
  t.teardown(() => app.close())
  t.same(custom.err, [], 'a custom id is a valid --scenario')
  const typo = capture()
  t.equal(await main(['--port', '0', '--scenarios-file', join(dir, 'teapot.json'), '--scenario', 'teapt'], {}, typo.io), 2)
  t.match(typo.err, [/^konnect-invites-mock: --scenario: unknown scenario "teapt" \(did you mean "teapot"\?\); valid: default, .*, teapot$/], 'the custom ids are among the valid ones')
  for (const name of ['empty.json', 'empty-document.yaml']) {
    const { io, out, err } = capture()
    const started = await main(['--port', '0', '--scenarios-file', join(dir, name)], {}, io) as FastifyInstance
    t.teardown(() => started.close())
    t.same(err, [`${PREFIX}${join(dir, name)} holds no scenario: only the built-in ones are served`], name)
    t.match(out, [/listening on/], 'and it serves')
  }
})
