/**
 * The command line: read the configuration, build the app, listen, print one line with the URL,
 * and close gracefully on SIGINT/SIGTERM. Bad input is a one-line message and exit code 2.
 */
import { existsSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { ScenarioError } from '../scenarios/catalogue.js'
import { loadScenariosFile, ScenarioFileError } from '../scenarios/custom.js'
import { buildApp } from './app.js'
import { isLoopback, listenUrl } from './address.js'
import { ConfigError, helpText, parseConfig, type Config } from './config.js'
import type { UpstreamOptions } from './upstream.js'

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

/** Builds the app a configuration describes (custom scenarios loaded and checked). */
export function appFromConfig (config: Config): FastifyInstance {
  return buildApp({
    scenario: config.scenario,
    rateLimit: config.rateLimit,
    activeUsers: config.activeUsers,
    tokens: config.tokens,
    scenarios: config.scenariosFile === undefined ? [] : loadScenariosFile(config.scenariosFile),
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
    app = appFromConfig(config)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ScenarioError || error instanceof ScenarioFileError) {
      io.err(`${PROGRAM}: ${error.message}`)
      return 2
    }
    throw error
  }
  try {
    await app.listen({ port: config.port, host: config.host, listenTextResolver: (address) => `listening at ${address}` })
  } catch (error) {
    io.err(`${PROGRAM}: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`)
    return 2
  }
  const { port } = app.server.address() as AddressInfo
  io.out(`${PROGRAM} listening on ${listenUrl(config.host, port)}`)
  if (config.admin && config.adminToken === undefined && !isLoopback(config.host)) {
    io.err(`${PROGRAM}: warning: the admin API is open to the network on ${config.host}; set --admin-token or --admin off`)
  }
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
