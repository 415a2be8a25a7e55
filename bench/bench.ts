/**
 * The load benchmark: how fast the built mock answers, measured against a bare Fastify route on the
 * same machine in the same run (bench/ceiling.ts), so the figure that matters is the ratio, not a
 * number that depends on the hardware. Also measures start-up and, with `--soak`, memory after
 * half a million requests.
 *
 *   npm run bench                 three loads, alternating mock/ceiling runs, median ratio
 *   npm run bench -- --json       the same, as JSON
 *   npm run bench -- --soak       500,000 mixed requests; RSS before, after and at its peak
 *   npm run bench -- --instructions   instructions per request under callgrind, mock and ceiling
 *   npm run bench -- --mock f     measure another build's server script (to compare releases)
 *   npm run bench -- --profile d  also write a CPU profile of the mock into directory d
 *   npm run bench -- --help       every flag (--duration, --pairs, --connections, --startup-runs, --amount)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { benchHelp, parseBenchArgs, startFlags } from './flags.js'

const MOCK_ENTRY = fileURLToPath(new URL('../server/server.js', import.meta.url))
const CEILING_ENTRY = fileURLToPath(new URL('./ceiling.js', import.meta.url))
const LISTENING = /listening on (http:\/\/\S+)/
const START_TIMEOUT_MS = 10_000

/** What a run on this machine should reach. */
export const TARGETS = { ratio: 0.9, p99Ms: 10, startupMs: 300, soakRssMb: 150 } as const

interface Load {
  name: string
  description: string
  headers: Record<string, string>
  body: string
  /** Statuses this load is meant to get; anything else counts as an error. */
  expected: readonly number[]
}

const JSON_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer kpat_bench' }

/** The three loads: a documented scenario by header, a valid invite, a blank email. */
export const LOADS: readonly Load[] = [
  {
    name: 'scenario',
    description: 'X-Mock-Scenario: user-is-already-active (documented 409)',
    headers: { ...JSON_HEADERS, 'x-mock-scenario': 'user-is-already-active' },
    body: JSON.stringify({ email: 'ada@example.com' }),
    expected: [409]
  },
  {
    name: 'valid-invite',
    description: 'a valid invite (default behaviour, 201)',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email: 'ada@example.com' }),
    expected: [201]
  },
  {
    name: 'blank-email',
    description: 'a blank email (default behaviour, 400)',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email: '' }),
    expected: [400]
  }
]

interface Running {
  child: ChildProcess
  url: string
  startupMs: number
}

/** The Node flags of `npm start`, given to both servers. */
const NODE_FLAGS = startFlags(JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts?: Record<string, string> })

/**
 * Starts a server in a child process and resolves once it prints its listening line; `wrapper` is
 * a command Node runs under (valgrind), which needs longer to start.
 */
function start (entry: string, args: readonly string[], nodeArgs: readonly string[] = [], wrapper: readonly string[] = []): Promise<Running> {
  const began = performance.now()
  const command = [...wrapper, process.execPath, ...NODE_FLAGS, ...nodeArgs, entry, ...args]
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  const timeoutMs = wrapper.length === 0 ? START_TIMEOUT_MS : START_TIMEOUT_MS * 12
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.once('error', (error) => { reject(new Error(`cannot run ${command[0]!}: ${error.message}`)) })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${entry} did not start within ${timeoutMs} ms`)) }, timeoutMs)
    child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString() })
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = LISTENING.exec(out)
      if (match !== null) {
        clearTimeout(timer)
        child.stdout!.removeAllListeners('data')
        child.stdout!.resume()
        resolve({ child, url: match[1]!, startupMs: performance.now() - began })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${entry} exited with ${code} before listening: ${err.trim().split('\n')[0] ?? ''}`))
    })
  })
}

async function stop (running: Running): Promise<void> {
  if (running.child.exitCode !== null) return
  const exited = once(running.child, 'exit')
  running.child.kill('SIGTERM')
  await exited
}

/** A field of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak), or null off Linux. */
function procMb (pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? null : Math.round(Number(match[1]) / 102.4) / 10
  } catch {
    return null
  }
}

function cannon (options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => error === null || error === undefined ? resolve(result) : reject(error))
  })
}

interface RunFigures {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Unexpected statuses plus socket errors and timeouts. */
  errors: number
  statuses: Record<string, number>
}

function figures (result: autocannon.Result, expected: readonly number[]): RunFigures {
  const statuses: Record<string, number> = {}
  let unexpected = 0
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[code] = stats.count ?? 0
    if (!expected.includes(Number(code))) unexpected += stats.count ?? 0
  }
  return {
    rps: Math.round(result.requests.mean),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: unexpected + result.errors + result.mismatches,
    statuses
  }
}

function runLoad (url: string, load: Load, durationS: number, connections: number): Promise<autocannon.Result> {
  return cannon({ url: `${url}/v3/invites`, method: 'POST', headers: load.headers, body: load.body, connections, duration: durationS })
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits

interface LoadReport {
  name: string
  description: string
  expected: readonly number[]
  ratio: number
  ratios: number[]
  mock: { rps: number, p50Ms: number, p99Ms: number, errors: number }
  ceiling: { rps: number, p50Ms: number, p99Ms: number, errors: number }
  mockPeakRssMb: number | null
}

interface Settings {
  mockEntry: string
  durationS: number
  pairs: number
  connections: number
  startupRuns: number
  profileDir: string | undefined
}

function summary (runs: readonly RunFigures[]) {
  return {
    rps: Math.round(median(runs.map((run) => run.rps))),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0)
  }
}

async function measureLoad (load: Load, settings: Settings): Promise<LoadReport> {
  const nodeArgs = settings.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', resolve(settings.profileDir)]
  const mock = await start(settings.mockEntry, ['--port', '0', '--log-level', 'silent'], nodeArgs)
  const ceiling = await start(CEILING_ENTRY, ['--port', '0'])
  try {
    await runLoad(mock.url, load, 1, settings.connections)
    await runLoad(ceiling.url, load, 1, settings.connections)
    const mockRuns: RunFigures[] = []
    const ceilingRuns: RunFigures[] = []
    const ratios: number[] = []
    for (let pair = 0; pair < settings.pairs; pair++) {
      const m = figures(await runLoad(mock.url, load, settings.durationS, settings.connections), load.expected)
      const c = figures(await runLoad(ceiling.url, load, settings.durationS, settings.connections), load.expected)
      mockRuns.push(m)
      ceilingRuns.push(c)
      ratios.push(round(m.rps / c.rps, 3))
    }
    return {
      name: load.name,
      description: load.description,
      expected: load.expected,
      ratio: round(median(ratios), 3),
      ratios,
      mock: summary(mockRuns),
      ceiling: summary(ceilingRuns),
      mockPeakRssMb: procMb(mock.child.pid!, 'VmHWM')
    }
  } finally {
    await stop(mock)
    await stop(ceiling)
  }
}

async function measureStartup (entry: string, runs: number): Promise<{ medianMs: number, runsMs: number[] }> {
  const runsMs: number[] = []
  for (let i = 0; i < runs; i++) {
    const running = await start(entry, ['--port', '0', '--log-level', 'silent'])
    runsMs.push(Math.round(running.startupMs))
    await stop(running)
  }
  return { medianMs: median(runsMs), runsMs }
}

/** 500,000 requests mixing every load, with a fresh address and token each time (so the bounded stores fill up). */
async function soak (entry: string, connections: number, amount: number) {
  const mock = await start(entry, ['--port', '0', '--log-level', 'silent', '--rate-limit', '1000000/s'])
  try {
    const before = procMb(mock.child.pid!, 'VmRSS')
    let n = 0
    const began = performance.now()
    const result = await cannon({
      url: `${mock.url}/v3/invites`,
      connections,
      amount,
      requests: [{
        method: 'POST',
        setupRequest: (request) => {
          n++
          const kind = n % 4
          request.headers = {
            ...JSON_HEADERS,
            authorization: `Bearer kpat_${n % 50_000}`,
            ...(kind === 3 ? { 'x-mock-scenario': 'user-is-already-active' } : {})
          }
          request.body = kind === 2 ? '{"email":""}' : `{"email":"user${n}@example.com"}`
          return request
        }
      }]
    })
    const seconds = (performance.now() - began) / 1000
    const after = procMb(mock.child.pid!, 'VmRSS')
    const peak = procMb(mock.child.pid!, 'VmHWM')
    const statuses: Record<string, number> = {}
    for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stats.count ?? 0
    const unexpected = Object.entries(statuses).filter(([code]) => !['201', '400', '409'].includes(code)).reduce((sum, [, count]) => sum + count, 0)
    return {
      requests: result.requests.total,
      seconds: round(seconds, 1),
      rssBeforeMb: before,
      rssAfterMb: after,
      rssPeakMb: peak,
      errors: unexpected + result.errors,
      statuses
    }
  } finally {
    await stop(mock)
  }
}

/**
 * Requests sent before counting (so the code counted is optimized), then the counted runs, short
 * and long in turn: each run opens its connections anew, and the difference of a long and a short
 * count leaves that out.
 */
const INSTRUCTION_WARM_UP = 10_000
const INSTRUCTIONS_SHORT_RUN = 2_000
const INSTRUCTIONS_LONG_RUN = 6_000
/** Short and long runs counted per round; the cheapest of each length is kept. */
const INSTRUCTION_PAIRS = 2
const INSTRUCTION_ROUNDS = 3

interface InstructionReport {
  name: string
  description: string
  /** The median of the rounds: a round that a late compilation or a full collection lands in is off. */
  mockPerRequest: number
  ceilingPerRequest: number
  ratio: number
  rounds: Array<{ mock: number, ceiling: number }>
}

/** The instructions callgrind has counted since its last dump, written out now as `<file>.<n>`. */
function dumpCount (dir: string, pid: number, n: number): number {
  execFileSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' })
  const text = readFileSync(join(dir, `callgrind.${pid}.${n}`), 'utf8')
  return Number(/^totals: (\d+)/m.exec(text)?.[1] ?? Number.NaN)
}

/**
 * Instructions one server executes per request of a load, counted by valgrind's callgrind: the
 * count of a long run less that of a short one, over the requests between them, so what every run
 * costs once (connections opened and closed) drops out. Runs of each length are counted in turn and
 * the cheapest kept: a compilation or a full collection that lands in one run is not a request's
 * cost, and in a short run it would lower the difference as much as it raises it in a long one.
 * Node runs single-threaded (garbage collection is counted on the one thread); the kernel's work is
 * not counted.
 */
async function instructionsPerRequest (entry: string, args: readonly string[], load: Load, connections: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'))
  try {
    const wrapper = ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'callgrind.%p')}`]
    const server = await start(entry, args, ['--single-threaded'], wrapper)
    const pid = server.child.pid!
    const send = async (amount: number): Promise<void> => {
      const run = figures(await cannon({ url: `${server.url}/v3/invites`, method: 'POST', headers: load.headers, body: load.body, connections, amount, timeout: 60 }), load.expected)
      if (run.errors > 0) throw new Error(`${load.name}: unexpected answers ${JSON.stringify(run.statuses)}`)
    }
    try {
      await send(INSTRUCTION_WARM_UP)
      execFileSync('callgrind_control', ['--instr=on', String(pid)], { stdio: 'ignore' })
      // The first run counted after switching on counts more than the same run later: it is not used.
      await send(INSTRUCTIONS_SHORT_RUN)
      let dumps = 0
      dumpCount(dir, pid, ++dumps)
      let short = Number.POSITIVE_INFINITY
      let long = Number.POSITIVE_INFINITY
      for (let pair = 0; pair < INSTRUCTION_PAIRS; pair++) {
        await send(INSTRUCTIONS_SHORT_RUN)
        short = Math.min(short, dumpCount(dir, pid, ++dumps))
        await send(INSTRUCTIONS_LONG_RUN)
        long = Math.min(long, dumpCount(dir, pid, ++dumps))
      }
      if (!(long > short)) throw new Error(`callgrind did not count ${entry}`)
      return Math.round((long - short) / (INSTRUCTIONS_LONG_RUN - INSTRUCTIONS_SHORT_RUN))
    } finally {
      await stop(server)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Each load's instructions per request, mock and ceiling counted side by side, the median of INSTRUCTION_ROUNDS rounds. */
async function measureInstructions (settings: Settings): Promise<InstructionReport[]> {
  const reports: InstructionReport[] = []
  for (const load of LOADS) {
    const rounds: Array<{ mock: number, ceiling: number }> = []
    for (let i = 0; i < INSTRUCTION_ROUNDS; i++) {
      const [mock, ceiling] = await Promise.all([
        instructionsPerRequest(settings.mockEntry, ['--port', '0', '--log-level', 'silent'], load, settings.connections),
        instructionsPerRequest(CEILING_ENTRY, ['--port', '0'], load, settings.connections)
      ])
      rounds.push({ mock, ceiling })
    }
    const mock = median(rounds.map((r) => r.mock))
    const ceiling = median(rounds.map((r) => r.ceiling))
    reports.push({ name: load.name, description: load.description, mockPerRequest: mock, ceilingPerRequest: ceiling, ratio: round(ceiling / mock, 3), rounds })
  }
  return reports
}

function printInstructions (reports: readonly InstructionReport[], json: boolean): number {
  if (json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, nodeFlags: [...NODE_FLAGS, '--single-threaded'], warmUp: INSTRUCTION_WARM_UP, runs: [INSTRUCTIONS_SHORT_RUN, INSTRUCTIONS_LONG_RUN], pairs: INSTRUCTION_PAIRS, rounds: INSTRUCTION_ROUNDS, loads: reports, targetRatio: TARGETS.ratio }, null, 2)}\n`)
    return 0
  }
  const out = (line = ''): void => { process.stdout.write(`${line}\n`) }
  out(`instructions per request under callgrind: Node ${process.version}, ${[...NODE_FLAGS, '--single-threaded'].join(' ')}, ${INSTRUCTION_PAIRS} runs each of ${INSTRUCTIONS_SHORT_RUN} and ${INSTRUCTIONS_LONG_RUN} requests counted in turn after ${INSTRUCTION_WARM_UP}, the cheapest of each, median of ${INSTRUCTION_ROUNDS} rounds`)
  out()
  out(`${'load'.padEnd(14)}${pad('mock', 10)}${pad('ceiling', 10)}${pad('ratio', 8)}`)
  for (const report of reports) out(`${report.name.padEnd(14)}${pad(report.mockPerRequest, 10)}${pad(report.ceilingPerRequest, 10)}${pad(report.ratio.toFixed(3), 8)}   rounds ${report.rounds.map((r) => `${r.mock}/${r.ceiling}`).join(', ')}`)
  out()
  out(`target: ratio (ceiling / mock) >= ${TARGETS.ratio} ${mark(reports.every((r) => r.ratio >= TARGETS.ratio))}`)
  return 0
}

const pad = (value: string | number, width: number): string => String(value).padStart(width)
const mark = (ok: boolean): string => ok ? 'ok' : 'MISSED'

function printLoads (startup: { medianMs: number, runsMs: number[] }, loads: readonly LoadReport[], settings: Settings): void {
  const out = (line = ''): void => { process.stdout.write(`${line}\n`) }
  out(`konnect-invites-mock benchmark: Node ${process.version}, ${availableParallelism()} CPUs, ${settings.connections} connections, ${settings.pairs} pairs of ${settings.durationS} s runs per load`)
  out(`node flags of npm start, given to both servers: ${NODE_FLAGS.join(' ') || '(none)'}`)
  out()
  out(`start-up (process start to listening line): ${startup.medianMs} ms median of ${startup.runsMs.length} [${startup.runsMs.join(', ')}]  ${mark(startup.medianMs <= TARGETS.startupMs)}`)
  out()
  out(`${'load'.padEnd(14)}${pad('mock req/s', 12)}${pad('ceiling req/s', 15)}${pad('ratio', 8)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('errors', 8)}${pad('peak RSS MB', 13)}`)
  for (const load of loads) {
    out(`${load.name.padEnd(14)}${pad(load.mock.rps, 12)}${pad(load.ceiling.rps, 15)}${pad(load.ratio.toFixed(2), 8)}${pad(load.mock.p50Ms, 8)}${pad(load.mock.p99Ms, 8)}${pad(load.mock.errors, 8)}${pad(load.mockPeakRssMb ?? '-', 13)}`)
  }
  out()
  for (const load of loads) {
    out(`${load.name}: ${load.description}; ratios per pair [${load.ratios.join(', ')}]; ceiling p50/p99 ${load.ceiling.p50Ms}/${load.ceiling.p99Ms} ms`)
  }
  out()
  out(`targets: ratio >= ${TARGETS.ratio} ${mark(loads.every((l) => l.ratio >= TARGETS.ratio))}, p99 <= ${TARGETS.p99Ms} ms ${mark(loads.every((l) => l.mock.p99Ms <= TARGETS.p99Ms))}, ` +
    `zero errors ${mark(loads.every((l) => l.mock.errors === 0))}, start-up <= ${TARGETS.startupMs} ms ${mark(startup.medianMs <= TARGETS.startupMs)}`)
}

async function run (): Promise<number> {
  const values = parseBenchArgs(process.argv.slice(2))
  if (values.help) {
    process.stdout.write(benchHelp())
    return 0
  }
  const settings: Settings = { ...values, mockEntry: values.mockEntry === undefined ? MOCK_ENTRY : resolve(values.mockEntry) }
  if (values.instructions) return printInstructions(await measureInstructions(settings), values.json)

  if (values.soak) {
    const report = await soak(settings.mockEntry, settings.connections, values.amount)
    const ok = report.rssPeakMb !== null && report.rssPeakMb < TARGETS.soakRssMb
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ node: process.version, nodeFlags: NODE_FLAGS, cpus: availableParallelism(), connections: settings.connections, soak: report, targetRssMb: TARGETS.soakRssMb, met: ok }, null, 2)}\n`)
    } else {
      process.stdout.write(`soak: ${report.requests} requests in ${report.seconds} s over ${settings.connections} connections; statuses ${JSON.stringify(report.statuses)}; errors ${report.errors}\n` +
        `RSS before ${report.rssBeforeMb} MB, after ${report.rssAfterMb} MB, peak ${report.rssPeakMb} MB (target < ${TARGETS.soakRssMb} MB) ${mark(ok)}\n`)
    }
    return report.errors === 0 ? 0 : 1
  }

  const startup = await measureStartup(settings.mockEntry, settings.startupRuns)
  const loads: LoadReport[] = []
  for (const load of LOADS) loads.push(await measureLoad(load, settings))
  const met = {
    ratio: loads.every((l) => l.ratio >= TARGETS.ratio),
    p99: loads.every((l) => l.mock.p99Ms <= TARGETS.p99Ms),
    errors: loads.every((l) => l.mock.errors === 0),
    startup: startup.medianMs <= TARGETS.startupMs
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({
      node: process.version,
      nodeFlags: NODE_FLAGS,
      cpus: availableParallelism(),
      connections: settings.connections,
      durationS: settings.durationS,
      pairs: settings.pairs,
      startup,
      loads,
      targets: TARGETS,
      met
    }, null, 2)}\n`)
  } else {
    printLoads(startup, loads, settings)
  }
  return met.errors ? 0 : 1
}

run().then((code) => { process.exitCode = code }, (error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`)
  process.exitCode = 2
})
