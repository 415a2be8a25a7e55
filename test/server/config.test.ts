import t from 'tap'
import { ConfigError, defaultConfig, helpText, OPTIONS, parseConfig } from '../../server/config.js'
import { DEFAULTS, definedOnly } from '../../server/defaults.js'

t.test('defaults', async (t) => {
  t.same(parseConfig([], {}), defaultConfig())
  t.same(defaultConfig(), {
    port: 8080,
    host: '127.0.0.1',
    scenario: undefined,
    rateLimit: null,
    activeUsers: [],
    tokens: null,
    scenariosFile: undefined,
    watch: false,
    logLevel: 'info',
    admin: true,
    adminToken: undefined,
    bodyLimit: DEFAULTS.bodyLimit,
    maxDelayMs: 30_000,
    journalLimit: 1000,
    requestTimeout: 30_000,
    headersTimeout: 10_000,
    keepAliveTimeout: 5000,
    shutdownGrace: 35_000,
    redact: [],
    allowedHosts: [],
    corsOrigins: [],
    upstream: undefined,
    upstreamTimeout: 10_000,
    upstreamStrict: false,
    record: undefined,
    proxy: false,
    interceptHosts: [],
    proxyTunnel: [],
    caDir: undefined,
    help: false,
    version: false
  })
  const config = defaultConfig()
  for (const [key, value] of Object.entries(DEFAULTS)) t.same(config[key as keyof typeof config], value, `${key} comes from DEFAULTS`)
  t.ok(Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.activeUsers), 'nobody changes the defaults by accident')
  config.activeUsers.push('a@example.com')
  t.same(defaultConfig().activeUsers, [], 'each configuration has its own list')
  t.match(helpText(), `(default ${DEFAULTS.shutdownGrace})`)
})

t.test('definedOnly drops undefined properties only', async (t) => {
  t.same(definedOnly({ a: 1, b: undefined, c: null, d: false, e: 0 }), { a: 1, c: null, d: false, e: 0 })
})

const flags: Array<[string[], Record<string, string>, Record<string, unknown>]> = [
  [['--port', '0'], { PORT: '0' }, { port: 0 }],
  [['--host', '::1'], { HOST: ' ::1 ' }, { host: '::1' }],
  [['--scenario', 'rate-limited'], { MOCK_SCENARIO: 'rate-limited' }, { scenario: 'rate-limited' }],
  [['--rate-limit', '5/min'], { MOCK_RATE_LIMIT: '5/min' }, { rateLimit: { limit: 5, windowMs: 60_000 } }],
  [['--rate-limit', 'off'], { MOCK_RATE_LIMIT: 'off' }, { rateLimit: null }],
  [['--active-users', 'a@example.com, b@example.com,'], { MOCK_ACTIVE_USERS: 'a@example.com,b@example.com' }, { activeUsers: ['a@example.com', 'b@example.com'] }],
  [['--tokens', 'kpat_a,spat_b'], { MOCK_TOKENS: ' kpat_a , spat_b ' }, { tokens: ['kpat_a', 'spat_b'] }],
  [['--scenarios-file', './s.yaml'], { MOCK_SCENARIOS_FILE: './s.yaml' }, { scenariosFile: './s.yaml' }],
  [['--log-level', 'debug'], { MOCK_LOG_LEVEL: 'debug' }, { logLevel: 'debug' }],
  [['--admin', 'off'], { MOCK_ADMIN: 'off' }, { admin: false }],
  [['--admin', 'on'], { MOCK_ADMIN: 'on' }, { admin: true }],
  [['--admin-token', 's3cret'], { MOCK_ADMIN_TOKEN: 's3cret' }, { adminToken: 's3cret' }],
  [['--body-limit', '1024'], { MOCK_BODY_LIMIT: '1024' }, { bodyLimit: 1024 }],
  [['--max-delay', '500'], { MOCK_MAX_DELAY: '500' }, { maxDelayMs: 500 }],
  [['--journal-limit', '0'], { MOCK_JOURNAL_LIMIT: '0' }, { journalLimit: 0 }],
  [['--request-timeout', '0'], { MOCK_REQUEST_TIMEOUT: '0' }, { requestTimeout: 0 }],
  [['--headers-timeout', '2500'], { MOCK_HEADERS_TIMEOUT: '2500' }, { headersTimeout: 2500 }],
  [['--keep-alive-timeout', '60000'], { MOCK_KEEP_ALIVE_TIMEOUT: '60000' }, { keepAliveTimeout: 60_000 }],
  [['--shutdown-grace', '60000'], { MOCK_SHUTDOWN_GRACE: '60000' }, { shutdownGrace: 60_000 }],
  [['--admin-token', 'a token with inner spaces'], { MOCK_ADMIN_TOKEN: 'a token with inner spaces' }, { adminToken: 'a token with inner spaces' }],
  [['--admin-token', '!~#$%&*+-.^_`|"(),/:;<=>?@[\\]{}'], { MOCK_ADMIN_TOKEN: '!~#$%&*+-.^_`|"(),/:;<=>?@[\\]{}' }, { adminToken: '!~#$%&*+-.^_`|"(),/:;<=>?@[\\]{}' }],
  [['--journal-limit', '10000'], { MOCK_JOURNAL_LIMIT: '10000' }, { journalLimit: 10_000 }],
  [['--redact', 'x-tenant, session_id,'], { MOCK_REDACT: ' x-tenant,session_id ' }, { redact: ['x-tenant', 'session_id'] }],
  [['--allowed-hosts', 'Mock.Test, ::1'], { MOCK_ALLOWED_HOSTS: 'Mock.Test, ::1' }, { allowedHosts: ['mock.test', '[::1]'] }],
  [['--cors-origin', 'http://localhost:5173/,https://App.example'], { MOCK_CORS_ORIGIN: 'http://localhost:5173/,https://App.example' }, { corsOrigins: ['http://localhost:5173', 'https://app.example'] }],
  [['--upstream', 'https://global.api.konghq.com/'], { MOCK_UPSTREAM: 'https://global.api.konghq.com' }, { upstream: 'https://global.api.konghq.com' }],
  [['--upstream-timeout', '250'], { MOCK_UPSTREAM_TIMEOUT: '250' }, { upstreamTimeout: 250 }],
  [['--record', 'recorded.yaml'], { MOCK_RECORD: 'recorded.yaml' }, { record: 'recorded.yaml' }],
  [['--intercept-hosts', 'Global.API.Example.com, konnect.mock.test.'], { MOCK_INTERCEPT_HOSTS: 'global.api.example.com,konnect.mock.test' }, { interceptHosts: ['global.api.example.com', 'konnect.mock.test'] }],
  [['--proxy-tunnel', 'api.example.com, 127.0.0.1:8443,[::1]'], { MOCK_PROXY_TUNNEL: 'api.example.com,127.0.0.1:8443,[::1]:443' }, { proxyTunnel: ['api.example.com:443', '127.0.0.1:8443', '[::1]:443'] }],
  [['--ca-dir', '/tmp/ca dir'], { MOCK_CA_DIR: '/tmp/ca dir' }, { caDir: '/tmp/ca dir' }]
]

t.test('every option by flag, by --flag=value, and by env variable', async (t) => {
  for (const [argv, env, expected] of flags) {
    t.match(parseConfig(argv, {}), expected, argv.join(' '))
    t.match(parseConfig([`${argv[0]}=${argv[1]}`], {}), expected, `${argv[0]}=${argv[1]}`)
    t.match(parseConfig([], env), expected, JSON.stringify(env))
  }
  const withEnv = OPTIONS.filter((o) => o.env !== undefined).map((o) => o.env)
  t.same(withEnv, ['PORT', 'HOST', 'MOCK_SCENARIO', 'MOCK_RATE_LIMIT', 'MOCK_ACTIVE_USERS', 'MOCK_TOKENS', 'MOCK_SCENARIOS_FILE', 'MOCK_WATCH', 'MOCK_LOG_LEVEL', 'MOCK_ADMIN', 'MOCK_ADMIN_TOKEN', 'MOCK_BODY_LIMIT', 'MOCK_MAX_DELAY', 'MOCK_JOURNAL_LIMIT', 'MOCK_REQUEST_TIMEOUT', 'MOCK_HEADERS_TIMEOUT', 'MOCK_KEEP_ALIVE_TIMEOUT', 'MOCK_SHUTDOWN_GRACE', 'MOCK_REDACT', 'MOCK_ALLOWED_HOSTS', 'MOCK_CORS_ORIGIN', 'MOCK_UPSTREAM', 'MOCK_UPSTREAM_TIMEOUT', 'MOCK_UPSTREAM_STRICT', 'MOCK_RECORD', 'MOCK_PROXY', 'MOCK_INTERCEPT_HOSTS', 'MOCK_PROXY_TUNNEL', 'MOCK_CA_DIR'])
  t.match(parseConfig(['--help'], {}), { help: true })
  t.match(parseConfig(['-h'], {}), { help: true })
  t.match(parseConfig(['--version'], {}), { version: true })
  t.match(parseConfig(['-v'], {}), { version: true })
  t.match(parseConfig(['-hv'], {}), { help: true, version: true })
  t.match(parseConfig(['--port', '1', '--port=2'], {}), { port: 2 }, 'the last one wins')
  t.match(parseConfig(['--tokens', '-dash-first'], {}), { tokens: ['-dash-first'] }, 'a value may start with a dash')
  t.match(parseConfig(['--upstream-strict'], {}), { upstreamStrict: true })
  for (const value of ['true', '1', 'on']) t.match(parseConfig([], { MOCK_UPSTREAM_STRICT: value }), { upstreamStrict: true }, value)
  for (const value of ['false', '0', 'off']) t.match(parseConfig([], { MOCK_UPSTREAM_STRICT: value }), { upstreamStrict: false }, value)
  t.match(parseConfig(['--proxy'], {}), { proxy: true })
  t.match(parseConfig([], { MOCK_PROXY: '1' }), { proxy: true })
  t.match(parseConfig([], { MOCK_PROXY: 'off' }), { proxy: false })
  t.match(parseConfig(['--watch'], {}), { watch: true })
  t.match(parseConfig([], { MOCK_WATCH: '1' }), { watch: true })
  t.match(parseConfig([], {}), { watch: false })
})

t.test('flags win over env variables; empty env variables are ignored', async (t) => {
  const config = parseConfig(['--port', '9000', '--rate-limit=off'], { PORT: '7000', MOCK_RATE_LIMIT: '5/min', HOST: '', MOCK_SCENARIO: 'created' })
  t.equal(config.port, 9000)
  t.equal(config.rateLimit, null)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.scenario, 'created')
})

t.test('bad values are one-line ConfigErrors naming the flag or variable', async (t) => {
  const bad: Array<[string[], Record<string, string>, string]> = [
    [['--port', '70000'], {}, '--port: expected a port from 0 to 65535, got "70000"'],
    [['--port', 'http'], {}, '--port: expected a port from 0 to 65535, got "http"'],
    [[], { PORT: '-1' }, 'PORT: expected a port from 0 to 65535, got "-1"'],
    [['--host', ' '], {}, '--host: expected a host name or address'],
    [['--host', 'http://0.0.0.0'], {}, '--host: expected a host name or address'],
    [['--scenario='], {}, '--scenario: expected a scenario id'],
    [['--rate-limit', '5/day'], {}, '--rate-limit: expected <n>/<s|min|h> (such as 5/min) or off, got "5/day"'],
    [[], { MOCK_TOKENS: ',' }, 'MOCK_TOKENS: expected at least one token'],
    [['--scenarios-file', ''], {}, '--scenarios-file: expected a file path'],
    [['--log-level', 'loud'], {}, '--log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [['--admin', 'maybe'], {}, '--admin: expected on or off, got "maybe"'],
    [['--admin-token='], {}, '--admin-token: expected a token'],
    [['--body-limit', '0'], {}, '--body-limit: expected a byte count from 1 to 104857600, got "0"'],
    [['--request-timeout', '30s'], {}, '--request-timeout: expected milliseconds from 0 to 3600000, got "30s"'],
    [[], { MOCK_HEADERS_TIMEOUT: '-5' }, 'MOCK_HEADERS_TIMEOUT: expected milliseconds from 0 to 3600000, got "-5"'],
    [['--keep-alive-timeout', '0'], {}, '--keep-alive-timeout: expected milliseconds from 1 to 3600000, got "0"'],
    [[], { MOCK_MAX_DELAY: '1.5' }, 'MOCK_MAX_DELAY: expected milliseconds from 0 to 600000, got "1.5"'],
    [['--journal-limit', '10001'], {}, '--journal-limit: expected a count from 0 to 10000, got "10001"'],
    [['--redact', ' , '], {}, '--redact: expected at least one name'],
    [['--allowed-hosts', 'mock.test:8080'], {}, '--allowed-hosts: expected a host name or address without scheme, port or path, got "mock.test:8080"'],
    [[], { MOCK_ALLOWED_HOSTS: ' , ' }, 'MOCK_ALLOWED_HOSTS: expected at least one host name'],
    [['--cors-origin', 'http://a.test,localhost:5173'], {}, '--cors-origin: expected an origin like http://localhost:5173, got "localhost:5173"'],
    [['--cors-origin='], {}, '--cors-origin: expected at least one origin'],
    [['--upstream', 'http://example.com'], {}, '--upstream: expected an https URL (http only for a loopback address), got "http://example.com"'],
    [[], { MOCK_UPSTREAM_TIMEOUT: '0' }, 'MOCK_UPSTREAM_TIMEOUT: expected milliseconds from 1 to 600000, got "0"'],
    [[], { MOCK_UPSTREAM_STRICT: 'yes please' }, 'MOCK_UPSTREAM_STRICT: expected true or false, got "yes please"'],
    [['--record', ' '], {}, '--record: expected a file path'],
    [['--intercept-hosts', '127.0.0.1'], {}, '--intercept-hosts: expected a DNS name with a dot, like global.api.example.com (no address, port or scheme), got "127.0.0.1"'],
    [[], { MOCK_INTERCEPT_HOSTS: 'https://api.example.com' }, 'MOCK_INTERCEPT_HOSTS: expected a DNS name with a dot, like global.api.example.com (no address, port or scheme), got "https://api.example.com"'],
    [['--intercept-hosts', 'localhost'], {}, '--intercept-hosts: expected a DNS name with a dot, like global.api.example.com (no address, port or scheme), got "localhost"'],
    [['--intercept-hosts', '[::1]'], {}, '--intercept-hosts: expected a DNS name with a dot, like global.api.example.com (no address, port or scheme), got "[::1]"'],
    [['--intercept-hosts', ','], {}, '--intercept-hosts: expected at least one host name'],
    [['--proxy-tunnel', 'api.example.com:0'], {}, '--proxy-tunnel: expected host[:port], like api.example.com or 127.0.0.1:8443, got "api.example.com:0"'],
    [[], { MOCK_PROXY_TUNNEL: 'https://api.example.com' }, 'MOCK_PROXY_TUNNEL: expected host[:port], like api.example.com or 127.0.0.1:8443, got "https://api.example.com"'],
    [['--proxy-tunnel', 'bad host:443'], {}, '--proxy-tunnel: expected host[:port], like api.example.com or 127.0.0.1:8443, got "bad host:443"'],
    [['--ca-dir', ' '], {}, '--ca-dir: expected a folder path'],
    [[], { MOCK_PROXY: 'sure' }, 'MOCK_PROXY: expected true or false, got "sure"'],
    [['--nope'], {}, 'unknown option "--nope" (see --help)'],
    [['serve'], {}, 'unexpected argument "serve": options start with -- (see --help)'],
    [['--port'], {}, '--port needs a value <n>'],
    [['--port', '0', '--help=yes'], {}, '--help takes no value'],
    [['-x'], {}, 'unknown option "-x" (see --help)'],
    [['--bogus=1'], {}, 'unknown option "--bogus" (see --help)'],
    [['--', '--port', '1'], {}, 'unknown option "--" (see --help)'],
    [['--shutdown-grace', '0'], {}, '--shutdown-grace: expected milliseconds from 1 to 3600000, got "0"'],
    [['--active-users', 'ada@example.com,not-an-email'], {}, '--active-users: expected email addresses, got "not-an-email" (no invite could ever match it)'],
    [[], { MOCK_ACTIVE_USERS: 'ada@example' }, 'MOCK_ACTIVE_USERS: expected email addresses, got "ada@example" (no invite could ever match it)'],
    ...[' lead', 'trail ', 'tab\tinside', 'new\nline', 'nul\u0000', 'sécret', 'emoji😀', '\u007f'].map((token): [string[], Record<string, string>, string] =>
      [['--admin-token', token], {}, '--admin-token: expected visible ASCII characters (spaces only between them), which a client can send in a header']),
    [[], { MOCK_ADMIN_TOKEN: 'naïve' }, 'MOCK_ADMIN_TOKEN: expected visible ASCII characters (spaces only between them), which a client can send in a header']
  ]
  for (const [argv, env, message] of bad) {
    const error = t.throws(() => parseConfig(argv, env), message) as Error
    t.type(error, ConfigError)
    t.equal(error.name, 'ConfigError')
    t.equal(error.message, message)
    t.notMatch(error.message, /\n/)
  }
})

t.test('helpText lists every option with its variable', async (t) => {
  const text = helpText()
  t.match(text, /^Usage: konnect-invites-mock \[options\]\n/)
  for (const option of OPTIONS) {
    t.match(text, option.flag)
    if (option.env !== undefined) t.match(text, `[${option.env}]`)
  }
  t.match(text, /--rate-limit <n>\/<s\|min\|h>\|off\s+invites allowed per bearer token and window \(default off\) \[MOCK_RATE_LIMIT\]/)
  t.match(text, /\n {2}-h, --help\s+print this help and exit\n/)
  t.match(text, /\n {2}-v, --version\s+print the version and exit\n/)
})
