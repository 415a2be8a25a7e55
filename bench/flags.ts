import { parseArgs } from 'node:util'

/**
 * The Node flags of `npm start` (`node <flags> dist/server/bin.js`), so the benchmark runs both
 * servers the way the mock is started for real; the ceiling gets the same flags, which keeps the
 * ratio fair.
 * @example startFlags({ scripts: { start: 'node --max-semi-space-size=4 dist/server/bin.js' } }) // ['--max-semi-space-size=4']
 */
export function startFlags (packageJson: { scripts?: Record<string, string> }): string[] {
  const words = (packageJson.scripts?.start ?? '').trim().split(/\s+/)
  if (words[0] !== 'node') return []
  const entry = words.findIndex((word, i) => i > 0 && !word.startsWith('-'))
  return words.slice(1, entry < 0 ? words.length : entry)
}

/** What a benchmark run is asked to do. */
export interface BenchSettings {
  help: boolean
  json: boolean
  soak: boolean
  /** Count instructions per request under callgrind instead of timing throughput. */
  instructions: boolean
  /** The mock's entry script (another build, to compare releases); this build's when undefined. */
  mockEntry: string | undefined
  /** Seconds per run. */
  durationS: number
  /** Alternating mock/ceiling pairs per load. */
  pairs: number
  connections: number
  /** Process starts timed for the start-up figure. */
  startupRuns: number
  /** Requests of the soak run. */
  amount: number
  profileDir: string | undefined
}

/** A bad benchmark flag, reported in one line. */
export class BenchFlagError extends Error {
  override name = 'BenchFlagError'
}

const OPTIONS = {
  json: { type: 'boolean', help: 'print the figures as JSON' },
  soak: { type: 'boolean', help: 'send --amount mixed requests and report RSS before, after and at its peak' },
  instructions: { type: 'boolean', help: 'count instructions per request under valgrind (callgrind) instead of timing' },
  mock: { type: 'string', value: '<entry>', help: 'measure this server script instead of this build (another release\'s dist/server/bin.js)' },
  duration: { type: 'string', value: '<s>', default: '4', help: 'seconds per run' },
  pairs: { type: 'string', value: '<n>', default: '5', help: 'alternating mock/ceiling run pairs per load' },
  connections: { type: 'string', value: '<n>', default: '50', help: 'concurrent connections of the load generator' },
  'startup-runs': { type: 'string', value: '<n>', default: '7', help: 'process starts timed for the start-up median' },
  amount: { type: 'string', value: '<n>', default: '500000', help: 'requests of the --soak run' },
  profile: { type: 'string', value: '<dir>', help: 'also write a CPU profile of the mock into this directory' },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' }
} as const satisfies Record<string, { type: 'boolean' | 'string', short?: string, value?: string, default?: string, help: string }>

/**
 * The `npm run bench -- --help` text.
 * @example benchHelp().startsWith('Usage: npm run bench') // true
 */
export function benchHelp (): string {
  const lines = Object.entries(OPTIONS).map(([name, opt]) => {
    const left = `  ${'short' in opt ? `-${opt.short}, ` : ''}--${name}${'value' in opt ? ` ${opt.value}` : ''}`
    return `${left.padEnd(24)} ${opt.help}${'default' in opt ? ` (default ${opt.default})` : ''}`
  })
  return [
    'Usage: npm run bench -- [options]',
    '',
    'Measures the built mock against a bare Fastify route on the same machine (three loads, median',
    'ratio), its instructions per request with --instructions, or its memory with --soak.',
    '',
    'Options:',
    ...lines,
    ''
  ].join('\n')
}

/**
 * Reads the benchmark's flags. Throws a BenchFlagError with a one-line message on an unknown
 * flag, a missing value or a number that is not a positive whole one.
 * @example parseBenchArgs(['--pairs', '3']).pairs // 3
 */
export function parseBenchArgs (argv: readonly string[]): BenchSettings {
  let values
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }))
  } catch (error) {
    // parseArgs explains in several sentences; its first one names the problem.
    throw new BenchFlagError(`${(error as Error).message.split(/\.(?:\s|$)/)[0]!} (see --help)`)
  }
  // Asking for help is never an error, whatever else is on the line.
  if (values.help === true) return { ...parseBenchArgs([]), help: true }
  const positive = (name: 'duration' | 'pairs' | 'connections' | 'startup-runs' | 'amount'): number => {
    const value = values[name]
    const n = Number(value)
    if (!/^\d+$/.test(value) || n < 1) throw new BenchFlagError(`--${name} expects a positive whole number, got "${value}"`)
    return n
  }
  return {
    help: false,
    json: values.json === true,
    soak: values.soak === true,
    instructions: values.instructions === true,
    mockEntry: values.mock,
    durationS: positive('duration'),
    pairs: positive('pairs'),
    connections: positive('connections'),
    startupRuns: positive('startup-runs'),
    amount: positive('amount'),
    profileDir: values.profile
  }
}
