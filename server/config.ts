/**
 * The configuration, read once from command-line flags and environment variables (flags win)
 * into one typed object. Every option has a flag and an env variable; a bad value is a
 * ConfigError with a one-line message.
 */
import { parseRateLimit, type RateLimit } from '../scenarios/rate-limit.js'
import { DEFAULT_MAX_DELAY_MS } from '../scenarios/select.js'
import { DEFAULT_JOURNAL_LIMIT } from '../scenarios/state.js'
import { checkUpstreamUrl, DEFAULT_UPSTREAM_TIMEOUT_MS } from './upstream.js'

export const DEFAULT_PORT = 8080
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_BODY_LIMIT = 64 * 1024
/** Milliseconds a client gets to send a whole request (0 turns the limit off). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** Milliseconds a client gets to send the request headers (0 turns the limit off). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
/** Milliseconds an idle keep-alive connection is kept open. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5000
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

export interface Config {
  port: number
  host: string
  scenario: string | undefined
  rateLimit: RateLimit | null
  activeUsers: string[]
  tokens: string[] | null
  scenariosFile: string | undefined
  logLevel: LogLevel
  admin: boolean
  adminToken: string | undefined
  bodyLimit: number
  maxDelayMs: number
  journalLimit: number
  requestTimeout: number
  headersTimeout: number
  keepAliveTimeout: number
  upstream: string | undefined
  upstreamTimeout: number
  upstreamStrict: boolean
  record: string | undefined
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

const option = <K extends keyof Config>(o: Option<K>): Option => o as unknown as Option

/** Every option, in `--help` order. */
export const OPTIONS: readonly Option[] = [
  option({ key: 'port', flag: '--port', env: 'PORT', value: '<n>', help: `port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)`, parse: integer(0, 65535, 'a port') }),
  option({ key: 'host', flag: '--host', env: 'HOST', value: '<host>', help: `address to listen on (default ${DEFAULT_HOST})`, parse: (v) => v.trim() === '' ? fail('expected a host name or address') : v.trim() }),
  option({ key: 'scenario', flag: '--scenario', env: 'MOCK_SCENARIO', value: '<id>', help: 'scenario served to every request until changed (default: behave like the real service)', parse: (v) => v.trim() === '' ? fail('expected a scenario id') : v.trim() }),
  option({ key: 'rateLimit', flag: '--rate-limit', env: 'MOCK_RATE_LIMIT', value: '<n>/<s|min|h>|off', help: 'invites allowed per bearer token and window (default off)', parse: (v) => { const r = parseRateLimit(v); return typeof r === 'string' ? fail(r) : r } }),
  option({ key: 'activeUsers', flag: '--active-users', env: 'MOCK_ACTIVE_USERS', value: '<email,...>', help: 'addresses of users who are already active (their invite answers 409)', parse: list }),
  option({ key: 'tokens', flag: '--tokens', env: 'MOCK_TOKENS', value: '<t,...>', help: 'the only bearer tokens accepted (default: any bearer token)', parse: (v) => list(v).length === 0 ? fail('expected at least one token') : list(v) }),
  option({ key: 'scenariosFile', flag: '--scenarios-file', env: 'MOCK_SCENARIOS_FILE', value: '<path>', help: 'custom scenarios, JSON or YAML', parse: (v) => v.trim() === '' ? fail('expected a file path') : v }),
  option({ key: 'logLevel', flag: '--log-level', env: 'MOCK_LOG_LEVEL', value: '<level>', help: `${LOG_LEVELS.join('|')} (default info)`, parse: (v) => (LOG_LEVELS as readonly string[]).includes(v) ? v as LogLevel : fail(`expected one of ${LOG_LEVELS.join(', ')}, got "${v}"`) }),
  option({ key: 'admin', flag: '--admin', env: 'MOCK_ADMIN', value: 'on|off', help: 'serve the admin API under /__mock and the dashboard (default on)', parse: (v) => v === 'on' ? true : v === 'off' ? false : fail(`expected on or off, got "${v}"`) }),
  option({ key: 'adminToken', flag: '--admin-token', env: 'MOCK_ADMIN_TOKEN', value: '<t>', help: 'require this X-Mock-Admin-Token on admin calls', parse: (v) => v === '' ? fail('expected a token') : v }),
  option({ key: 'bodyLimit', flag: '--body-limit', env: 'MOCK_BODY_LIMIT', value: '<bytes>', help: `largest request body accepted (default ${DEFAULT_BODY_LIMIT})`, parse: integer(1, 100 * 1024 * 1024, 'a byte count') }),
  option({ key: 'maxDelayMs', flag: '--max-delay', env: 'MOCK_MAX_DELAY', value: '<ms>', help: `largest X-Mock-Delay or delayMs accepted (default ${DEFAULT_MAX_DELAY_MS})`, parse: integer(0, 600_000, 'milliseconds') }),
  option({ key: 'journalLimit', flag: '--journal-limit', env: 'MOCK_JOURNAL_LIMIT', value: '<n>', help: `requests kept in the journal (default ${DEFAULT_JOURNAL_LIMIT})`, parse: integer(0, 100_000, 'a count') }),
  option({ key: 'requestTimeout', flag: '--request-timeout', env: 'MOCK_REQUEST_TIMEOUT', value: '<ms>', help: `time a client gets to send a whole request; 0 for none (default ${DEFAULT_REQUEST_TIMEOUT_MS})`, parse: integer(0, 3_600_000, 'milliseconds') }),
  option({ key: 'headersTimeout', flag: '--headers-timeout', env: 'MOCK_HEADERS_TIMEOUT', value: '<ms>', help: `time a client gets to send the headers; 0 for none (default ${DEFAULT_HEADERS_TIMEOUT_MS})`, parse: integer(0, 3_600_000, 'milliseconds') }),
  option({ key: 'keepAliveTimeout', flag: '--keep-alive-timeout', env: 'MOCK_KEEP_ALIVE_TIMEOUT', value: '<ms>', help: `how long an idle connection is kept open (default ${DEFAULT_KEEP_ALIVE_TIMEOUT_MS})`, parse: integer(1, 3_600_000, 'milliseconds') }),
  option({ key: 'upstream', flag: '--upstream', env: 'MOCK_UPSTREAM', value: '<url>', help: 'pass invites no scenario is chosen for to this service (real invitations are sent)', parse: (v) => { const r = checkUpstreamUrl(v); return 'error' in r ? fail(r.error) : r.url } }),
  option({ key: 'upstreamTimeout', flag: '--upstream-timeout', env: 'MOCK_UPSTREAM_TIMEOUT', value: '<ms>', help: `time the upstream gets to answer before a 504 (default ${DEFAULT_UPSTREAM_TIMEOUT_MS})`, parse: integer(1, 600_000, 'milliseconds') }),
  option({ key: 'upstreamStrict', flag: '--upstream-strict', env: 'MOCK_UPSTREAM_STRICT', help: 'answer 502 instead of an upstream answer that breaks the contract', parse: (v) => ['', 'true', '1', 'on'].includes(v) ? true : ['false', '0', 'off'].includes(v) ? false : fail(`expected true or false, got "${v}"`) }),
  option({ key: 'record', flag: '--record', env: 'MOCK_RECORD', value: '<file>', help: 'append each distinct upstream error answer to this scenarios file', parse: (v) => v.trim() === '' ? fail('expected a file path') : v }),
  option({ key: 'help', flag: '--help', help: 'print this help and exit', parse: () => true }),
  option({ key: 'version', flag: '--version', help: 'print the version and exit', parse: () => true })
]

const SWITCHES = new Set(['help', 'version', 'upstreamStrict'])

/** The configuration when nothing is given. */
export function defaultConfig (): Config {
  return {
    port: DEFAULT_PORT,
    host: DEFAULT_HOST,
    scenario: undefined,
    rateLimit: null,
    activeUsers: [],
    tokens: null,
    scenariosFile: undefined,
    logLevel: 'info',
    admin: true,
    adminToken: undefined,
    bodyLimit: DEFAULT_BODY_LIMIT,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    journalLimit: DEFAULT_JOURNAL_LIMIT,
    requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
    headersTimeout: DEFAULT_HEADERS_TIMEOUT_MS,
    keepAliveTimeout: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    upstream: undefined,
    upstreamTimeout: DEFAULT_UPSTREAM_TIMEOUT_MS,
    upstreamStrict: false,
    record: undefined,
    help: false,
    version: false
  }
}

function apply (config: Config, opt: Option, value: string, source: string): void {
  const parsed = opt.parse(value)
  if (parsed instanceof ConfigError) throw new ConfigError(`${source}: ${parsed.message}`)
  ;(config as unknown as Record<string, unknown>)[opt.key] = parsed
}

/**
 * Reads the configuration from argv (without node and the script) and the environment.
 * Throws a ConfigError with a one-line message on an unknown flag or a bad value.
 * @example parseConfig(['--port', '0', '--rate-limit', '5/min'], {}).rateLimit // { limit: 5, windowMs: 60000 }
 */
export function parseConfig (argv: readonly string[], env: Record<string, string | undefined>): Config {
  const config = defaultConfig()
  for (const opt of OPTIONS) {
    const value = opt.env === undefined ? undefined : env[opt.env]
    if (value !== undefined && value !== '') apply(config, opt, value, opt.env!)
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    const opt = OPTIONS.find((candidate) => candidate.flag === flag || (flag === '-h' && candidate.key === 'help'))
    if (opt === undefined) throw new ConfigError(`unknown option "${arg}" (see --help)`)
    if (SWITCHES.has(opt.key)) {
      apply(config, opt, '', opt.flag)
      continue
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new ConfigError(`${opt.flag} needs a value ${opt.value}`)
    apply(config, opt, value, opt.flag)
  }
  return config
}

/** The `--help` text. */
export function helpText (): string {
  const lines = OPTIONS.map((opt) => {
    const left = `  ${opt.flag}${opt.value === undefined ? '' : ` ${opt.value}`}`
    const env = opt.env === undefined ? '' : ` [${opt.env}]`
    return `${left.padEnd(36)} ${opt.help}${env}`
  })
  return [
    'Usage: konnect-invites-mock [options]',
    '',
    'A mock of Kong Konnect\'s POST /v3/invites. Every option can also be set by the environment',
    'variable in brackets; a flag wins over its variable.',
    '',
    'Options:',
    ...lines,
    ''
  ].join('\n')
}
