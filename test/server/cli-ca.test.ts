import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import type { AddressInfo } from 'node:net'
import { join, relative } from 'node:path'
import t from 'tap'
import { ProxyAgent, request } from 'undici'
import type { FastifyInstance } from 'fastify'
import { main } from '../../server/cli.js'
// ca.js first: it loads the reflect polyfill the X.509 library needs.
import { permittedNames } from '../../server/ca.js'
import * as x509 from '@peculiar/x509'
import { defaultCaDir, KONNECT_API_HOSTS } from '../../server/proxy-hosts.js'
import { capture } from '../helpers/cli-io.js'

const PROGRAM = 'konnect-invites-mock'

/** What `ca` prints for a CA at `path` and a mock at `proxy`. */
function caLines (path: string, proxy: string): string {
  return [
    path,
    '',
    '# Go (Kong\'s SDK) on Linux; SSL_CERT_FILE takes the place of the system bundle file (macOS and Windows ignore it):',
    `export HTTPS_PROXY=${proxy} SSL_CERT_FILE=${path}`,
    '# curl:',
    `curl --proxy ${proxy} --cacert ${path} https://global.api.konghq.com/v3/invites ...`,
    '# Node (undici\'s EnvHttpProxyAgent, or NODE_USE_ENV_PROXY=1 on Node 22.21+/24.5+); NODE_EXTRA_CA_CERTS adds to the roots:',
    `export HTTPS_PROXY=${proxy} NODE_USE_ENV_PROXY=1 NODE_EXTRA_CA_CERTS=${path}`,
    '# Python: requests reads REQUESTS_CA_BUNDLE, the ssl module SSL_CERT_FILE; each takes the place of its bundle:',
    `export HTTPS_PROXY=${proxy} REQUESTS_CA_BUNDLE=${path} SSL_CERT_FILE=${path}`
  ].join('\n')
}

t.test('ca: makes the CA on first use, then prints its path and the lines for Go, curl, Node and Python', async (t) => {
  const dir = join(t.testdir(), 'ca')
  const path = join(dir, 'ca.pem')
  const first = capture()
  t.equal(await main(['ca', '--ca-dir', dir], {}, first.io), 0)
  t.same(first.out, [caLines(path, 'http://127.0.0.1:8080')], 'the default address')
  t.same(first.err, [`${PROGRAM}: created a CA for ${KONNECT_API_HOSTS.join(', ')} in ${path}`], 'one line says it was made')
  t.ok(existsSync(path))
  const again = capture()
  t.equal(await main(['ca', '--ca-dir', dir], {}, again.io), 0)
  t.same(again.out, first.out, 'the same CA')
  t.same(again.err, [], 'reused quietly')

  const only = capture()
  t.equal(await main(['ca', '--path'], { MOCK_CA_DIR: dir }, only.io), 0)
  t.same(only.out, [path], '--path prints the path alone (MOCK_CA_DIR names the folder)')
  t.same(only.err, [])
  const after = capture()
  t.equal(await main(['ca', '--ca-dir', dir, '--path'], {}, after.io), 0, '--path may come anywhere')
  t.same(after.out, [path])
})

t.test('ca: --host and --port set HTTPS_PROXY; a wildcard address is reached on loopback', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'ca.pem')
  for (const [argv, env, proxy] of [
    [['--port', '9000'], {}, 'http://127.0.0.1:9000'],
    [[], { PORT: '9001' }, 'http://127.0.0.1:9001'],
    [['--host', '0.0.0.0'], {}, 'http://127.0.0.1:8080'],
    [['--host', '::', '--port', '9002'], {}, 'http://127.0.0.1:9002'],
    [['--host', '::1'], {}, 'http://[::1]:8080'],
    [['--host', 'localhost'], {}, 'http://localhost:8080']
  ] as const) {
    const { io, out } = capture()
    t.equal(await main(['ca', '--ca-dir', dir, ...argv], env, io), 0)
    t.same(out, [caLines(path, proxy)], `${argv.join(' ')} ${JSON.stringify(env)}`)
  }
})

t.test('ca: --intercept-hosts widens the CA, replacing one that does not cover them, with a line', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'ca.pem')
  t.equal(await main(['ca', '--ca-dir', dir, '--path'], {}, capture().io), 0)
  const wider = capture()
  t.equal(await main(['ca', '--ca-dir', dir, '--path', '--intercept-hosts', 'global.api.mock.test'], {}, wider.io), 0)
  t.same(wider.out, [path])
  t.same(wider.err, [`${PROGRAM}: replaced the CA in ${path} (its name constraints do not cover global.api.mock.test): programs must trust the new one`])
  t.same(permittedNames(new x509.X509Certificate(readFileSync(path, 'utf8'))), [...KONNECT_API_HOSTS, 'global.api.mock.test'])
  const env = capture()
  t.equal(await main(['ca', '--ca-dir', dir, '--path'], { MOCK_INTERCEPT_HOSTS: 'global.api.mock.test' }, env.io), 0)
  t.same(env.err, [], 'MOCK_INTERCEPT_HOSTS: already covered')
})

t.test('ca --help names the default folder and what happens to an unusable CA', async (t) => {
  for (const argv of [['ca', '--help'], ['ca', '-h'], ['ca', '--ca-dir', '/nowhere', '--help']]) {
    const { io, out, err } = capture()
    t.equal(await main(argv, { XDG_DATA_HOME: '/data' }, io), 0, argv.join(' '))
    t.equal(out.length, 1)
    t.match(out[0], /^Usage: konnect-invites-mock ca \[--path\] \[--ca-dir <dir>\]/)
    t.match(out[0], 'default $XDG_DATA_HOME/konnect-invites-mock,\n')
    t.match(out[0], 'else ~/.local/share/konnect-invites-mock (here: /data/konnect-invites-mock)')
    t.match(out[0], 'ca-key.pem (mode 0600)')
    t.match(out[0], 'at least 30 days left')
    t.match(out[0], 'unreadable, corrupt or the two do not match, a new CA replaces it, with a line on stderr')
    t.match(out[0], 'A folder that cannot be written is an error (exit 2)')
    t.same(err, [])
  }
  t.notOk(existsSync('/nowhere'), '--help makes no CA')
  const { io, out } = capture()
  t.equal(await main(['ca', '--help'], {}, io), 0)
  t.match(out[0], `(here: ${join(homedir(), '.local', 'share', 'konnect-invites-mock')})`)
  const top = capture()
  t.equal(await main(['--help'], {}, top.io), 0)
  t.match(top.out[0], /^Usage: konnect-invites-mock \[options\]\n {7}konnect-invites-mock ca \[--path\] \[--ca-dir <dir>\] .*\(ca --help\)\n/, 'the main --help points at it')
})

t.test('ca: a bad flag or value is one line and exit 2', async (t) => {
  for (const [argv, env, message] of [
    [['--bogus'], {}, 'unknown option "--bogus" (see --help)'],
    [['--scenario', 'created'], {}, 'unknown option "--scenario" (see --help)'],
    [['--version'], {}, 'unknown option "--version" (see --help)'],
    [['--proxy'], {}, 'unknown option "--proxy" (see --help)'],
    [['--path=yes'], {}, 'unknown option "--path" (see --help)'],
    [['extra'], {}, 'unexpected argument "extra": options start with -- (see --help)'],
    [['--port', 'x'], {}, '--port: expected a port from 0 to 65535, got "x"'],
    [['--ca-dir'], {}, '--ca-dir needs a value <dir>'],
    [['--ca-dir', ' '], {}, '--ca-dir: expected a folder path'],
    [['--intercept-hosts', '127.0.0.1'], {}, '--intercept-hosts: expected a DNS name with a dot'],
    [[], { MOCK_CA_DIR: ' ' }, 'MOCK_CA_DIR: expected a folder path']
  ] as const) {
    const { io, out, err } = capture()
    t.equal(await main(['ca', ...argv], env, io), 2, argv.join(' '))
    t.same(out, [])
    t.equal(err.length, 1)
    t.match(err[0], `${PROGRAM} ca: ${message}`)
    t.notMatch(err[0], /\n|\bat /, 'no stack trace')
  }
})

t.test('ca: a folder that cannot be written is one line and exit 2', async (t) => {
  const file = join(t.testdir(), 'a-file')
  writeFileSync(file, '')
  const { io, out, err } = capture()
  t.equal(await main(['ca', '--ca-dir', join(file, 'ca')], {}, io), 2)
  t.same(out, [])
  t.same(err, [`${PROGRAM} ca: cannot set up the CA in ${join(file, 'ca')}: ENOTDIR: not a directory, mkdir '${join(file, 'ca')}'`])
})

t.test('a relative --ca-dir is printed as an absolute path, which holds from any folder', async (t) => {
  const dir = t.testdir()
  const relativeDir = relative(process.cwd(), join(dir, 'ca'))
  const only = capture()
  t.equal(await main(['ca', '--path', '--ca-dir', relativeDir], {}, only.io), 0)
  t.same(only.out, [join(dir, 'ca', 'ca.pem')])
  const { io, out } = capture()
  const app = await main(['--proxy', '--port', '0', '--log-level', 'silent'], { MOCK_CA_DIR: relativeDir }, io) as FastifyInstance
  t.teardown(() => app.close())
  t.match(out[1], new RegExp(` SSL_CERT_FILE=${join(dir, 'ca', 'ca.pem').replaceAll('.', '\\.')}$`))
})

t.test('without --ca-dir the CA lives in $XDG_DATA_HOME/konnect-invites-mock', async (t) => {
  const data = t.testdir()
  const { io, out } = capture()
  t.equal(await main(['ca', '--path'], { XDG_DATA_HOME: data }, io), 0)
  t.same(out, [join(data, 'konnect-invites-mock', 'ca.pem')])
  t.ok(existsSync(join(data, 'konnect-invites-mock', 'ca-key.pem')))
})

t.test('defaultCaDir: XDG_DATA_HOME when it is an absolute path, else ~/.local/share', async (t) => {
  t.equal(defaultCaDir({ XDG_DATA_HOME: '/data' }, '/home/ada'), '/data/konnect-invites-mock')
  t.equal(defaultCaDir({ XDG_DATA_HOME: 'relative/data' }, '/home/ada'), '/home/ada/.local/share/konnect-invites-mock', 'a relative one is ignored, as the XDG spec says')
  t.equal(defaultCaDir({ XDG_DATA_HOME: '' }, '/home/ada'), '/home/ada/.local/share/konnect-invites-mock', 'an empty one too')
  t.equal(defaultCaDir({}, '/home/ada'), '/home/ada/.local/share/konnect-invites-mock')
  t.equal(defaultCaDir({}), join(homedir(), '.local', 'share', 'konnect-invites-mock'), 'the user\'s home by default')
})

t.test('--proxy: the start-up line gives HTTPS_PROXY and SSL_CERT_FILE, and they work', async (t) => {
  const dir = join(t.testdir(), 'ca')
  const path = join(dir, 'ca.pem')
  const { io, out, err } = capture()
  const app = await main(['--proxy', '--port', '0', '--log-level', 'silent', '--ca-dir', dir], {}, io) as FastifyInstance
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  t.same(out, [
    `${PROGRAM} listening on http://127.0.0.1:${port}`,
    `proxy for global.api.konghq.com and 6 more: HTTPS_PROXY=http://127.0.0.1:${port} SSL_CERT_FILE=${path}`
  ])
  t.same(err, [`${PROGRAM}: created a CA for ${KONNECT_API_HOSTS.join(', ')} in ${path}`])

  const pem = await request(`http://127.0.0.1:${port}/__mock/ca.pem`)
  t.equal(pem.headers['content-type'], 'application/x-pem-file')
  t.equal((await pem.body.text()).trim(), readFileSync(path, 'utf8').trim(), 'GET /__mock/ca.pem is the file SSL_CERT_FILE names')

  const agent = new ProxyAgent({ uri: `http://127.0.0.1:${port}`, requestTls: { ca: readFileSync(path, 'utf8') } })
  t.teardown(() => agent.close())
  const invite = await request('https://global.api.konghq.com/v3/invites', { dispatcher: agent, method: 'POST', headers: { authorization: 'Bearer kpat_t', 'content-type': 'application/json' }, body: '{"email":"ada@example.com"}' })
  t.equal(invite.statusCode, 201, 'a program given the two values reaches the mock')
  await invite.body.dump()
})

t.test('--proxy with MOCK_PROXY, --intercept-hosts and the default folder', async (t) => {
  const data = t.testdir()
  const path = join(data, 'konnect-invites-mock', 'ca.pem')
  const { io, out } = capture()
  const app = await main(['--port', '0', '--log-level', 'silent', '--intercept-hosts', 'global.api.mock.test'], { MOCK_PROXY: '1', XDG_DATA_HOME: data }, io) as FastifyInstance
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  t.equal(out[1], `proxy for global.api.konghq.com and 7 more: HTTPS_PROXY=http://127.0.0.1:${port} SSL_CERT_FILE=${path}`)
  t.same(permittedNames(new x509.X509Certificate(readFileSync(path, 'utf8'))), [...KONNECT_API_HOSTS, 'global.api.mock.test'])
})

t.test('--proxy whose CA folder cannot be written, and proxy flags without --proxy: one line, exit 2', async (t) => {
  const file = join(t.testdir(), 'a-file')
  writeFileSync(file, '')
  const blocked = capture()
  t.equal(await main(['--proxy', '--port', '0', '--ca-dir', join(file, 'ca')], {}, blocked.io), 2)
  t.same(blocked.out, [])
  t.same(blocked.err, [`${PROGRAM}: cannot set up the proxy's CA in ${join(file, 'ca')}: ENOTDIR: not a directory, mkdir '${join(file, 'ca')}'`])
  for (const [argv, env, message] of [
    [['--intercept-hosts', 'global.api.mock.test'], {}, '--intercept-hosts needs --proxy'],
    [[], { MOCK_INTERCEPT_HOSTS: 'global.api.mock.test' }, '--intercept-hosts needs --proxy'],
    [['--proxy-tunnel', 'api.example.com'], {}, '--proxy-tunnel needs --proxy'],
    [['--intercept-hosts', 'global.api.mock.test'], { MOCK_PROXY: '0' }, '--intercept-hosts needs --proxy']
  ] as const) {
    const { io, out, err } = capture()
    t.equal(await main(['--port', '0', ...argv], env, io), 2, `${argv.join(' ')} ${JSON.stringify(env)}`)
    t.same(out, [])
    t.same(err, [`${PROGRAM}: ${message}`])
  }
})

t.test('ca: a folder whose path holds a space or a quote still gives lines a shell reads back as that path', async (t) => {
  const dir = join(t.testdir(), "Ada's CA folder")
  const path = join(dir, 'ca.pem')
  const run = capture()
  t.equal(await main(['ca', '--ca-dir', dir], {}, run.io), 0)
  const lines = run.out.join('\n').split('\n')
  t.equal(lines[0], path, 'the path alone, first, as it is')
  const exports = lines.filter((each) => each.startsWith('export '))
  t.equal(exports.length, 3)
  for (const line of exports) {
    for (const name of ['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE'].filter((each) => line.includes(`${each}=`))) {
      const read = spawnSync('bash', ['-c', `${line}; printf '%s' "$${name}"`], { encoding: 'utf8', env: {} })
      t.equal(read.stdout, path, `${name} reads back as the path from: ${line}`)
    }
  }
  const curl = lines.find((each) => each.startsWith('curl '))!
  const words = spawnSync('bash', ['-c', `set -- ${curl.replace(' ...', '')}; printf '%s' "$5"`], { encoding: 'utf8', env: {} })
  t.equal(words.stdout, path, 'curl is given the path as one word')
})
