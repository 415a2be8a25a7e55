/**
 * The configuration, read once from command-line flags and environment variables (flags win)
 * into one typed object. Every option has a flag and an env variable; a bad value is a
 * ConfigError with a one-line message.
 */
import { parseArgs } from 'node:util'
import { isEmail } from '../contracts/formats.js'
import { parseRateLimit, type RateLimit } from '../scenarios/rate-limit.js'
import { DEFAULTS } from './defaults.js'
import { MAX_JOURNAL_LIMIT } from '../scenarios/journal.js'
import { allowedHost, corsOrigin } from './guard.js'
import { checkUpstreamUrl, DEFAULT_UPSTREAM_TIMEOUT_MS } from './upstream.js'
import { interceptHost, tunnelEntry } from './proxy-hosts.js'
import { closest } from '../contracts/internal/suggest.js'
import { builtInScenarios } from '../scenarios/catalogue.js'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
type LogLevel = typeof LOG_LEVELS[number]

export interface Config {
  port: number
  host: string
  scenario: string | undefined
  rateLimit: RateLimit | null
  activeUsers: string[]
  tokens: string[] | null
  scenariosFile: string | undefined
  watch: boolean
  logLevel: LogLevel
  admin: boolean
  adminToken: string | undefined
  bodyLimit: number
  maxDelayMs: number
  journalLimit: number
  requestTimeout: number
  headersTimeout: number
  keepAliveTimeout: number
  shutdownGrace: number
  redact: string[]
  allowedHosts: string[]
  corsOrigins: string[]
  upstream: string | undefined
  upstreamTimeout: number
  upstreamStrict: boolean
  record: string | undefined
  proxy: boolean
  interceptHosts: string[]
  proxyTunnel: string[]
  caDir: string | undefined
  help: boolean
  version: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Parse<K extends keyof Config> = (value: string) => Config[K] | ConfigError

interface Option<K extends keyof Config = keyof Config> {
  key: K
  flag: string
  env?: string
  value?: string
  /** Takes no value on the command line (its variable takes true/false). */
  switch?: boolean
  /** A one-letter alias (`-h`); only switches have one. */
  short?: string
  help: string
  parse: Parse<K>
}

const fail = (message: string) => new ConfigError(message)

function integer (min: number, max: number, what: string): (value: string) => number | ConfigError {
  return (value) => {
    const n = Number(value)
    return /^\d+$/.test(value.trim()) && n >= min && n <= max ? n : fail(`expected ${what} from ${min} to ${max}, got "${value}"`)
  }
}

const list = (value: string): string[] => value.split(',').map((item) => item.trim()).filter((item) => item !== '')

/**
 * An admin token must be sendable as a header value as it is: visible ASCII, spaces only inside.
 * Clients refuse other characters or strip outer spaces, so such a token could never match.
 */
function adminToken (value: string): string | ConfigError {
  if (value === '') return fail('expected a token')
  return /^[\x21-\x7e]+(?: +[\x21-\x7e]+)*$/.test(value)
    ? value
    : fail('expected visible ASCII characters (spaces only between them), which a client can send in a header')
}

/** A list of email addresses: anything else could never match an invite, which must hold a valid one. */
function emails (value: string): string[] | ConfigError {
  const users = list(value)
  const bad = users.find((user) => !isEmail(user))
  return bad === undefined ? users : fail(`expected email addresses, got "${bad}" (no invite could ever match it)`)
}

/** A comma-separated list whose every item `parse` accepts; the first refusal is the error. */
function listOf (value: string, parse: (item: string) => string | { error: string }, what: string): string[] | ConfigError {
  const items = list(value)
  if (items.length === 0) return fail(`expected at least one ${what}`)
  const parsed: string[] = []
  for (const item of items) {
    const result = parse(item)
    if (typeof result !== 'string') return fail(result.error)
    parsed.push(result)
  }
  return parsed
}

/** A switch: true when given as a flag, or its variable says so. */
const onOff = (v: string): boolean | ConfigError => ['', 'true', '1', 'on'].includes(v) ? true : ['false', '0', 'off'].includes(v) ? false : fail(`expected true or false, got "${v}"`)

const option = <K extends keyof Config>(o: Option<K>): Option => o as unknown as Option

/** Every option, in `--help` order. */
export const OPTIONS: readonly Option[] = [
  option({ key: 'port', flag: '--port', env: 'PORT', value: '<n>', help: `port to listen on (default ${DEFAULTS.port}; 0 picks a free one)`, parse: integer(0, 65535, 'a port') }),
  option({ key: 'host', flag: '--host', env: 'HOST', value: '<host>', help: `address to listen on (default ${DEFAULTS.host})`, parse: (v) => typeof allowedHost(v) === 'string' ? v.trim() : fail('expected a host name or address') }),
  option({ key: 'scenario', flag: '--scenario', env: 'MOCK_SCENARIO', value: '<id>', help: 'scenario served to every request until changed (default: behave like the real service)', parse: (v) => v.trim() === '' ? fail('expected a scenario id') : v.trim() }),
  option({ key: 'rateLimit', flag: '--rate-limit', env: 'MOCK_RATE_LIMIT', value: '<n>/<s|min|h>|off', help: 'invites allowed per bearer token and window (default off)', parse: (v) => { const r = parseRateLimit(v); return typeof r === 'string' ? fail(r) : r } }),
  option({ key: 'activeUsers', flag: '--active-users', env: 'MOCK_ACTIVE_USERS', value: '<email,...>', help: 'addresses of users who are already active (their invite answers 409)', parse: emails }),
  option({ key: 'tokens', flag: '--tokens', env: 'MOCK_TOKENS', value: '<t,...>', help: 'the only bearer tokens accepted (default: any bearer token)', parse: (v) => list(v).length === 0 ? fail('expected at least one token') : list(v) }),
  option({ key: 'scenariosFile', flag: '--scenarios-file', env: 'MOCK_SCENARIOS_FILE', value: '<path>', help: 'custom scenarios, JSON or YAML', parse: (v) => v.trim() === '' ? fail('expected a file path') : v }),
  option({ key: 'watch', flag: '--watch', env: 'MOCK_WATCH', switch: true, help: 'read --scenarios-file again when it changes; a bad change keeps the last good one', parse: onOff }),
  option({ key: 'logLevel', flag: '--log-level', env: 'MOCK_LOG_LEVEL', value: '<level>', help: `${LOG_LEVELS.join('|')} (default info)`, parse: (v) => (LOG_LEVELS as readonly string[]).includes(v) ? v as LogLevel : fail(`expected one of ${LOG_LEVELS.join(', ')}, got "${v}"`) }),
  option({ key: 'admin', flag: '--admin', env: 'MOCK_ADMIN', value: 'on|off', help: 'serve the admin API under /__mock and the dashboard (default on)', parse: (v) => v === 'on' ? true : v === 'off' ? false : fail(`expected on or off, got "${v}"`) }),
  option({ key: 'adminToken', flag: '--admin-token', env: 'MOCK_ADMIN_TOKEN', value: '<t>', help: 'require this X-Mock-Admin-Token on admin calls (visible ASCII)', parse: adminToken }),
  option({ key: 'bodyLimit', flag: '--body-limit', env: 'MOCK_BODY_LIMIT', value: '<bytes>', help: `largest request body accepted (default ${DEFAULTS.bodyLimit})`, parse: integer(1, 100 * 1024 * 1024, 'a byte count') }),
  option({ key: 'maxDelayMs', flag: '--max-delay', env: 'MOCK_MAX_DELAY', value: '<ms>', help: `largest X-Mock-Delay or delayMs accepted (default ${DEFAULTS.maxDelayMs})`, parse: integer(0, 600_000, 'milliseconds') }),
  option({ key: 'journalLimit', flag: '--journal-limit', env: 'MOCK_JOURNAL_LIMIT', value: '<n>', help: `requests kept in the journal (default ${DEFAULTS.journalLimit}, at most ${MAX_JOURNAL_LIMIT})`, parse: integer(0, MAX_JOURNAL_LIMIT, 'a count') }),
  option({ key: 'requestTimeout', flag: '--request-timeout', env: 'MOCK_REQUEST_TIMEOUT', value: '<ms>', help: `time a client gets to send a whole request; 0 for none (default ${DEFAULTS.requestTimeout})`, parse: integer(0, 3_600_000, 'milliseconds') }),
  option({ key: 'headersTimeout', flag: '--headers-timeout', env: 'MOCK_HEADERS_TIMEOUT', value: '<ms>', help: `time a client gets to send the headers; 0 for none (default ${DEFAULTS.headersTimeout})`, parse: integer(0, 3_600_000, 'milliseconds') }),
  option({ key: 'keepAliveTimeout', flag: '--keep-alive-timeout', env: 'MOCK_KEEP_ALIVE_TIMEOUT', value: '<ms>', help: `how long an idle connection is kept open (default ${DEFAULTS.keepAliveTimeout})`, parse: integer(1, 3_600_000, 'milliseconds') }),
  option({ key: 'shutdownGrace', flag: '--shutdown-grace', env: 'MOCK_SHUTDOWN_GRACE', value: '<ms>', help: `time open requests get to finish after SIGINT/SIGTERM; delayed answers still pending then are cut (default ${DEFAULTS.shutdownGrace})`, parse: integer(1, 3_600_000, 'milliseconds') }),
  option({ key: 'redact', flag: '--redact', env: 'MOCK_REDACT', value: '<name,...>', help: 'more header, query or body field names the journal hides (secrets like tokens and passwords always are)', parse: (v) => list(v).length === 0 ? fail('expected at least one name') : list(v) }),
  option({ key: 'allowedHosts', flag: '--allowed-hosts', env: 'MOCK_ALLOWED_HOSTS', value: '<h,...>', help: 'Host names the admin API and dashboard accept besides loopback and --host', parse: (v) => listOf(v, allowedHost, 'host name') }),
  option({ key: 'corsOrigins', flag: '--cors-origin', env: 'MOCK_CORS_ORIGIN', value: '<o,...>', help: 'browser origins allowed to call /v3/invites, with CORS (default: none)', parse: (v) => listOf(v, corsOrigin, 'origin') }),
  option({ key: 'upstream', flag: '--upstream', env: 'MOCK_UPSTREAM', value: '<url>', help: 'pass invites no scenario is chosen for to this service (real invitations are sent)', parse: (v) => { const r = checkUpstreamUrl(v); return 'error' in r ? fail(r.error) : r.url } }),
  option({ key: 'upstreamTimeout', flag: '--upstream-timeout', env: 'MOCK_UPSTREAM_TIMEOUT', value: '<ms>', help: `time the upstream gets to answer before a 504 (default ${DEFAULT_UPSTREAM_TIMEOUT_MS})`, parse: integer(1, 600_000, 'milliseconds') }),
  option({ key: 'upstreamStrict', flag: '--upstream-strict', env: 'MOCK_UPSTREAM_STRICT', switch: true, help: 'answer 502 instead of an upstream answer that breaks the contract', parse: onOff }),
  option({ key: 'record', flag: '--record', env: 'MOCK_RECORD', value: '<file>', help: 'append each distinct upstream error answer to this scenarios file', parse: (v) => v.trim() === '' ? fail('expected a file path') : v }),
  option({ key: 'proxy', flag: '--proxy', env: 'MOCK_PROXY', switch: true, help: 'also act as an HTTPS proxy (CONNECT) that serves Konnect\'s API hosts (global, us, eu, au, me, in, sg .api.konghq.com) from this mock', parse: onOff }),
  option({ key: 'interceptHosts', flag: '--intercept-hosts', env: 'MOCK_INTERCEPT_HOSTS', value: '<h,...>', help: 'more hosts the proxy serves from this mock (a custom domain)', parse: (v) => listOf(v, interceptHost, 'host name') }),
  option({ key: 'proxyTunnel', flag: '--proxy-tunnel', env: 'MOCK_PROXY_TUNNEL', value: '<h[:p],...>', help: 'hosts the proxy tunnels unchanged (port 443 when left out); any other CONNECT is refused', parse: (v) => listOf(v, tunnelEntry, 'host[:port]') }),
  option({ key: 'caDir', flag: '--ca-dir', env: 'MOCK_CA_DIR', value: '<dir>', help: 'folder of the proxy\'s CA, ca.pem and its key (default $XDG_DATA_HOME/konnect-invites-mock, else ~/.local/share/konnect-invites-mock)', parse: (v) => v.trim() === '' ? fail('expected a folder path') : v }),
  option({ key: 'help', flag: '--help', switch: true, short: 'h', help: 'print this help and exit', parse: () => true }),
  option({ key: 'version', flag: '--version', switch: true, short: 'v', help: 'print the version and exit', parse: () => true })
]

/** The configuration when nothing is given. */
export function defaultConfig (): Config {
  return { ...DEFAULTS, activeUsers: [], scenariosFile: undefined, watch: false, redact: [], allowedHosts: [], corsOrigins: [], upstream: undefined, upstreamTimeout: DEFAULT_UPSTREAM_TIMEOUT_MS, upstreamStrict: false, record: undefined, proxy: false, interceptHosts: [], proxyTunnel: [], caDir: undefined, help: false, version: false }
}

/** Where each value of a parsed configuration came from (its flag or variable), for later messages. */
const SOURCES = new WeakMap<Config, Map<keyof Config, string>>()

function apply (config: Config, opt: Option, value: string, source: string): void {
  const parsed = opt.parse(value)
  if (parsed instanceof ConfigError) throw new ConfigError(`${source}: ${parsed.message}`)
  ;(config as unknown as Record<string, unknown>)[opt.key] = parsed
  SOURCES.get(config)?.set(opt.key, source)
}

/**
 * The flag or variable a value of the configuration came from, so a check made later (a scenario
 * id, once custom ones are loaded) names it as a bad value does: the option's flag when unknown.
 * @example sourceOf(parseConfig([], { MOCK_SCENARIO: 'created' }), 'scenario') // 'MOCK_SCENARIO'
 */
export function sourceOf (config: Config, key: keyof Config): string {
  return SOURCES.get(config)?.get(key) ?? OPTIONS.find((opt) => opt.key === key)!.flag
}

/** What a bare argument was probably meant as: a port number, or a scenario id. */
function unexpectedArgument (value: string): ConfigError {
  if (/^\d{1,5}$/.test(value) && Number(value) <= 65535) return fail(`unexpected argument ${value} (did you mean --port ${value}?)`)
  if (builtInScenarios.some((scenario) => scenario.id === value)) return fail(`unexpected argument ${value} (did you mean --scenario ${value}?)`)
  return fail(`unexpected argument "${value}": options start with -- (see --help)`)
}

/** An unknown option, with the nearest of the accepted `flags` when it looks like a typo. */
function unknownOption (name: string, flags: readonly string[]): ConfigError {
  const near = name.startsWith('--') ? closest(name, flags) : undefined
  return fail(`unknown option "${name}" (${near === undefined ? 'see --help' : `did you mean ${near}?`})`)
}

/** parseArgs' option table: every option takes a value except the switches. */
const ARGS = Object.fromEntries(OPTIONS.map((opt) => [opt.flag.slice(2), opt.switch !== true ? { type: 'string' as const } : { type: 'boolean' as const, ...(opt.short === undefined ? {} : { short: opt.short }) }]))
const BY_NAME = new Map(OPTIONS.map((opt) => [opt.flag.slice(2), opt]))

/**
 * Reads the configuration from argv (without node and the script) and the environment.
 * Throws a ConfigError with a one-line message on an unknown flag or a bad value; `flags`, when
 * given, are the only flags accepted (a subcommand's own).
 * @example parseConfig(['--port', '0', '--rate-limit', '5/min'], {}).rateLimit // { limit: 5, windowMs: 60000 }
 */
export function parseConfig (argv: readonly string[], env: Record<string, string | undefined>, flags?: readonly string[]): Config {
  const config = defaultConfig()
  SOURCES.set(config, new Map())
  for (const opt of OPTIONS) {
    const value = opt.env === undefined ? undefined : env[opt.env]
    if (value !== undefined && value !== '') apply(config, opt, value, opt.env!)
  }
  // Not strict: parseArgs' own errors are several sentences; each token is checked here instead,
  // in order, so the first problem is the one reported, in the same one-line style as bad values.
  const { tokens } = parseArgs({ args: [...argv], options: ARGS, strict: false, allowPositionals: true, tokens: true })
  for (const token of tokens) {
    if (token.kind === 'positional') throw unexpectedArgument(token.value)
    if (token.kind !== 'option') throw new ConfigError('unknown option "--" (see --help)')
    const opt = BY_NAME.get(token.name)
    if (opt === undefined || (flags !== undefined && !flags.includes(opt.flag))) throw unknownOption(token.rawName, flags ?? OPTIONS.map(({ flag }) => flag))
    if (opt.switch === true) {
      if (token.value !== undefined) throw new ConfigError(`${opt.flag} takes no value`)
      apply(config, opt, '', opt.flag)
    } else if (token.value === undefined) {
      throw new ConfigError(`${opt.flag} needs a value ${opt.value!}`)
    } else {
      apply(config, opt, token.value, opt.flag)
    }
  }
  return config
}

/** The `--help` text. */
export function helpText (): string {
  const lines = OPTIONS.map((opt) => {
    const left = `  ${opt.short === undefined ? '' : `-${opt.short}, `}${opt.flag}${opt.value === undefined ? '' : ` ${opt.value}`}`
    const env = opt.env === undefined ? '' : ` [${opt.env}]`
    return `${left.padEnd(36)} ${opt.help}${env}`
  })
  return [
    'Usage: konnect-invites-mock [options]',
    '       konnect-invites-mock ca [--path] [--ca-dir <dir>]   the --proxy CA\'s path and environment lines (ca --help)',
    '',
    'A mock of Kong Konnect\'s POST /v3/invites. Every option can also be set by the environment',
    'variable in brackets; a flag wins over its variable.',
    '',
    'Options:',
    ...lines,
    ''
  ].join('\n')
}
