/**
 * The command line: read the configuration, build the app, listen, print one line with the URL,
 * and close gracefully on SIGINT/SIGTERM. Bad input is a one-line message and exit code 2.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { ScenarioError, UnknownScenarioError } from '../scenarios/catalogue.js'
import { loadScenarioSetup, ScenarioFileError, type ScenarioSetup } from '../scenarios/custom.js'
import { buildApp } from './app.js'
import { isLoopback, listenUrl } from './address.js'
import { ConfigError, helpText, parseConfig, sourceOf, type Config } from './config.js'
import type { UpstreamOptions } from './upstream.js'
import type { MockProxy } from './proxy.js'
import { defaultCaDir } from './proxy-hosts.js'

export interface Io {
  out: (line: string) => void
  err: (line: string) => void
}

const PROGRAM = 'konnect-invites-mock'

const stderr: Io['err'] = (line) => process.stderr.write(`${line}\n`)

function version (): string {
  // The sources sit one folder below package.json, the build output (dist/server) two.
  const file = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((url) => existsSync(url))!
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version: string }
  return pkg.version
}

/** The pass-through options; `--record` and `--upstream-strict` mean nothing without `--upstream`. */
function upstreamFromConfig (config: Config): UpstreamOptions | undefined {
  if (config.upstream === undefined) {
    if (config.record !== undefined || config.upstreamStrict) throw new ConfigError(`${config.record === undefined ? '--upstream-strict' : '--record'} needs --upstream <url>`)
    return undefined
  }
  return { url: config.upstream, timeoutMs: config.upstreamTimeout, strict: config.upstreamStrict, record: config.record }
}

/** What `--scenarios-file` sets up; a file with nothing in it is worth a word. */
function setupOf (config: Config, notice: Io['err']): ScenarioSetup | undefined {
  const setup = config.scenariosFile === undefined ? undefined : loadScenarioSetup(config.scenariosFile, config.maxDelayMs)
  if (setup !== undefined && setup.scenarios.length === 0 && setup.global === undefined && setup.sessions === undefined) {
    notice(`${PROGRAM}: ${config.scenariosFile!} holds no scenario: only the built-in ones are served`)
  }
  return setup
}

/**
 * Builds the app a configuration describes (custom scenarios loaded and checked), with its proxy
 * when `--proxy` made one. `notice` gets a line worth telling that is no error.
 */
export function appFromConfig (config: Config, proxy?: MockProxy, notice: Io['err'] = stderr): FastifyInstance {
  if (!config.proxy && (config.interceptHosts.length > 0 || config.proxyTunnel.length > 0)) {
    throw new ConfigError(`${config.interceptHosts.length > 0 ? '--intercept-hosts' : '--proxy-tunnel'} needs --proxy`)
  }
  if (config.watch && config.scenariosFile === undefined) throw new ConfigError(`${sourceOf(config, 'watch')} needs --scenarios-file <path>`)
  const setup = setupOf(config, notice)
  try {
    return buildAppFrom(config, setup, proxy)
  } catch (error) {
    // buildApp judges --scenario against every scenario there is; the line names where the id came from.
    if (error instanceof UnknownScenarioError) throw new ConfigError(`${sourceOf(config, 'scenario')}: ${error.message}`)
    throw error
  }
}

function buildAppFrom (config: Config, setup: ScenarioSetup | undefined, proxy: MockProxy | undefined): FastifyInstance {
  return buildApp({
    proxy,
    scenario: config.scenario,
    rateLimit: config.rateLimit,
    activeUsers: config.activeUsers,
    tokens: config.tokens,
    scenarios: setup?.scenarios ?? [],
    startup: setup,
    scenariosFile: config.scenariosFile,
    watch: config.watch,
    admin: config.admin,
    adminToken: config.adminToken,
    bodyLimit: config.bodyLimit,
    maxDelayMs: config.maxDelayMs,
    journalLimit: config.journalLimit,
    requestTimeout: config.requestTimeout,
    headersTimeout: config.headersTimeout,
    keepAliveTimeout: config.keepAliveTimeout,
    redact: config.redact,
    allowedHosts: [config.host, ...config.allowedHosts],
    corsOrigins: config.corsOrigins,
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    upstream: upstreamFromConfig(config)
  })
}

/**
 * A path as a POSIX shell reads it back, for lines users paste: quoted only when it holds a
 * character the shell would act on (a space, `$`, a quote...).
 * @example shellWord('/home/ada/my ca/ca.pem') // "'/home/ada/my ca/ca.pem'"
 */
function shellWord (value: string): string {
  return /^[\w./:@%+,=-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`
}

/** The CA's folder, absolute: the path printed for SSL_CERT_FILE must hold from any working folder. */
function caDirOf (config: Config, env: Record<string, string | undefined>): string {
  return resolve(config.caDir ?? defaultCaDir(env))
}

/** The proxy, loaded only now: a mock started without `--proxy` never loads TLS or X.509 code. */
async function startProxy (config: Config, caDir: string, io: Io): Promise<MockProxy> {
  const { createProxy } = await import('./proxy.js')
  return await createProxy({ caDir, interceptHosts: config.interceptHosts, tunnels: config.proxyTunnel, notice: (line) => { io.err(`${PROGRAM}: ${line}`) } })
}

/** The URL programs give as `HTTPS_PROXY`: a wildcard listening address is reached on loopback. */
function proxyUrl (host: string, port: number): string {
  return listenUrl(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port)
}

/** The flags `ca` takes besides `--path`: where the CA lives, the hosts it must cover, and the address printed in the lines. */
const CA_FLAGS = ['--ca-dir', '--intercept-hosts', '--host', '--port', '--help']

/**
 * `konnect-invites-mock ca [--path] [--ca-dir D] [--intercept-hosts h,...] [--host H] [--port N]`:
 * makes the CA if there is none (or it no longer fits), then prints its path and the environment
 * lines that point Go, curl, Node and Python at the proxy; with `--path`, only the path.
 */
async function caCommand (argv: readonly string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const pathOnly = argv.includes('--path')
  let config: Config
  try {
    config = parseConfig(argv.filter((arg) => arg !== '--path'), env, CA_FLAGS)
  } catch (error) {
    io.err(`${PROGRAM} ca: ${(error as Error).message}`)
    return 2
  }
  if (config.help) {
    io.out(caHelp(env))
    return 0
  }
  const caDir = caDirOf(config, env)
  const { loadCa } = await import('./ca.js')
  const { KONNECT_API_HOSTS } = await import('./proxy-hosts.js')
  let path: string
  try {
    path = (await loadCa({ dir: caDir, hosts: [...new Set([...KONNECT_API_HOSTS, ...config.interceptHosts])], log: (line) => { io.err(`${PROGRAM}: ${line}`) } })).path
  } catch (error) {
    io.err(`${PROGRAM} ca: cannot set up the CA in ${caDir}: ${(error as Error).message}`)
    return 2
  }
  if (pathOnly) {
    io.out(path)
    return 0
  }
  const proxy = proxyUrl(config.host, config.port)
  const file = shellWord(path)
  io.out([
    path,
    '',
    '# Go (Kong\'s SDK) on Linux; SSL_CERT_FILE takes the place of the system bundle file (macOS and Windows ignore it):',
    `export HTTPS_PROXY=${proxy} SSL_CERT_FILE=${file}`,
    '# curl:',
    `curl --proxy ${proxy} --cacert ${file} https://global.api.konghq.com/v3/invites ...`,
    '# Node (undici\'s EnvHttpProxyAgent, or NODE_USE_ENV_PROXY=1 on Node 22.21+/24.5+); NODE_EXTRA_CA_CERTS adds to the roots:',
    `export HTTPS_PROXY=${proxy} NODE_USE_ENV_PROXY=1 NODE_EXTRA_CA_CERTS=${file}`,
    '# Python: requests reads REQUESTS_CA_BUNDLE, the ssl module SSL_CERT_FILE; each takes the place of its bundle:',
    `export HTTPS_PROXY=${proxy} REQUESTS_CA_BUNDLE=${file} SSL_CERT_FILE=${file}`
  ].join('\n'))
  return 0
}

/** `ca --help`, naming the folder the CA is kept in when `--ca-dir` is not given. */
function caHelp (env: Record<string, string | undefined>): string {
  return [
    'Usage: konnect-invites-mock ca [--path] [--ca-dir <dir>] [--intercept-hosts <h,...>] [--host <host>] [--port <n>]',
    '',
    'Makes the --proxy CA if there is none yet, then prints its certificate\'s path and the environment',
    'lines that send Go, curl, Node and Python programs through the mock at --host and --port.',
    '',
    '  --path                      print only the path of the CA certificate',
    '  --ca-dir <dir>              the CA\'s folder [MOCK_CA_DIR]; default $XDG_DATA_HOME/konnect-invites-mock,',
    `                              else ~/.local/share/konnect-invites-mock (here: ${defaultCaDir(env)})`,
    '  --intercept-hosts <h,...>   hosts the CA must cover besides Konnect\'s API hosts [MOCK_INTERCEPT_HOSTS]',
    '  --host <host>, --port <n>   the mock\'s address, for HTTPS_PROXY [HOST, PORT]',
    '',
    'The folder holds ca.pem (the certificate programs trust) and ca-key.pem (mode 0600). The CA is',
    'reused while it covers the hosts and has at least 30 days left; otherwise, or when either file is',
    'unreadable, corrupt or the two do not match, a new CA replaces it, with a line on stderr saying why:',
    'programs must then trust the new certificate. A folder that cannot be written is an error (exit 2).',
    ''
  ].join('\n')
}

/**
 * Starts the mock from command-line arguments and an environment. Resolves to the running app, or
 * to an exit code when there is nothing to serve (help, version, bad input). `listening` runs once
 * the app listens, with the configuration it was built from (the process entry closes on signals there).
 * @example await main(['--port', '0'], process.env)
 */
export async function main (argv: readonly string[], env: Record<string, string | undefined>, io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: stderr
}, listening: (app: FastifyInstance, config: Config) => void = () => {}): Promise<FastifyInstance | number> {
  let app: FastifyInstance
  let config: Config
  let proxy: MockProxy | undefined
  if (argv[0] === 'ca') return await caCommand(argv.slice(1), env, io)
  try {
    config = parseConfig(argv, env)
    if (config.help) {
      io.out(helpText())
      return 0
    }
    if (config.version) {
      io.out(version())
      return 0
    }
    if (config.proxy) {
      const caDir = caDirOf(config, env)
      try {
        proxy = await startProxy(config, caDir, io)
      } catch (error) {
        io.err(`${PROGRAM}: cannot set up the proxy's CA in ${caDir}: ${(error as Error).message}`)
        return 2
      }
    }
    app = appFromConfig(config, proxy, io.err)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ScenarioError || error instanceof ScenarioFileError) {
      io.err(`${PROGRAM}: ${error.message}`)
      return 2
    }
    throw error
  }
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (error) {
    io.err(`${PROGRAM}: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`)
    return 2
  }
  const { port } = app.server.address() as AddressInfo
  io.out(`${PROGRAM} listening on ${listenUrl(config.host, port)}`)
  if (config.admin && config.adminToken === undefined && !isLoopback(config.host)) {
    io.err(`${PROGRAM}: warning: the admin API is open to the network on ${config.host}; set --admin-token or --admin off`)
  }
  if (proxy !== undefined) io.out(`proxy for ${proxy.hosts[0]!} and ${proxy.hosts.length - 1} more: HTTPS_PROXY=${proxyUrl(config.host, port)} SSL_CERT_FILE=${shellWord(proxy.ca.path)}`)
  if (config.upstream !== undefined) io.err(`${PROGRAM}: invites without a chosen scenario now reach ${config.upstream}: real invitations are sent`)
  listening(app, config)
  return app
}

/**
 * Closes the app on SIGINT/SIGTERM (and on an uncaught error): new connections are refused, open
 * requests get `graceMs` to finish, answering with `Connection: close`, and the process exits 0.
 * It exits 1, with one line on stderr, when the grace runs out (requests still open, a delayed
 * answer for one, are cut), on a second signal, or when closing fails.
 * @example closeOnSignals(app, 35_000)
 */
export function closeOnSignals (app: FastifyInstance, graceMs: number, err: Io['err'] = stderr): void {
  closeWithGrace({
    delay: graceMs,
    logger: { error: (error: unknown) => { err(`${PROGRAM}: closing failed: ${inspect(error, { breakLength: Infinity })}`) } },
    onTimeout: () => { err(`${PROGRAM}: requests still open after the shutdown grace of ${graceMs} ms were cut (see --shutdown-grace)`) },
    onSecondSignal: (signal) => { err(`${PROGRAM}: second ${signal}: exiting without waiting for open requests`) },
    onSecondError: (error) => { err(`${PROGRAM}: unexpected error while closing: ${inspect(error, { breakLength: Infinity })}`) }
  }, async ({ err: error }) => {
    if (error !== undefined) err(`${PROGRAM}: unexpected error, closing: ${inspect(error, { breakLength: Infinity })}`)
    await app.close()
  })
}
