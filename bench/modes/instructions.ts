/**
 * `--instructions`: instructions per request under valgrind's callgrind, the mock and the ceiling
 * counted side by side. A count does not depend on what else the machine is doing, where
 * throughput ratios on shared cores move by a tenth from run to run.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { figures, LOADS, mark, median, out, pad, round, TARGETS, type Load, type Settings } from '../loads.js'
import { CEILING_ENTRY, NODE_FLAGS, start, stop } from '../process.js'

/**
 * Requests sent before counting (so the code counted is optimized), then the counted runs, short
 * and long in turn: each run opens its connections anew, and the difference of a long and a short
 * count leaves that out.
 */
const WARM_UP = 10_000
const SHORT_RUN = 2_000
const LONG_RUN = 6_000
/** Short and long runs counted per round; the cheapest of each length is kept. */
const PAIRS = 2
const ROUNDS = 3

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
 * Instructions one server executes per request of a load: the count of a long run less that of a
 * short one, over the requests between them, so what every run costs once (connections opened and
 * closed) drops out. Runs of each length are counted in turn and the cheapest kept: a compilation
 * or a full collection that lands in one run is not a request's cost, and in a short run it would
 * lower the difference as much as it raises it in a long one. Node runs single-threaded (garbage
 * collection is counted on the one thread); the kernel's work is not counted.
 */
async function instructionsPerRequest (entry: string, args: readonly string[], load: Load, connections: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'))
  try {
    const wrapper = ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'callgrind.%p')}`]
    const server = await start(entry, args, { nodeArgs: ['--single-threaded'], wrapper })
    const pid = server.child.pid!
    const send = async (amount: number): Promise<void> => {
      const run = figures(await autocannon({ url: `${server.url}/v3/invites`, method: 'POST', headers: load.headers, body: load.body, connections, amount, timeout: 60 }), load.expected)
      if (run.errors > 0) throw new Error(`${load.name}: unexpected answers ${JSON.stringify(run.statuses)}`)
    }
    try {
      await send(WARM_UP)
      execFileSync('callgrind_control', ['--instr=on', String(pid)], { stdio: 'ignore' })
      // The first run counted after switching on counts more than the same run later: it is not used.
      await send(SHORT_RUN)
      let dumps = 0
      dumpCount(dir, pid, ++dumps)
      let short = Number.POSITIVE_INFINITY
      let long = Number.POSITIVE_INFINITY
      for (let pair = 0; pair < PAIRS; pair++) {
        await send(SHORT_RUN)
        short = Math.min(short, dumpCount(dir, pid, ++dumps))
        await send(LONG_RUN)
        long = Math.min(long, dumpCount(dir, pid, ++dumps))
      }
      if (!(long > short)) throw new Error(`callgrind did not count ${entry}`)
      return Math.round((long - short) / (LONG_RUN - SHORT_RUN))
    } finally {
      await stop(server)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Each load's instructions per request, mock and ceiling counted side by side, the median of ROUNDS rounds. */
async function measureInstructions (settings: Settings): Promise<InstructionReport[]> {
  const reports: InstructionReport[] = []
  for (const load of LOADS) {
    const rounds: Array<{ mock: number, ceiling: number }> = []
    for (let i = 0; i < ROUNDS; i++) {
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

/**
 * Counts every load, prints the counts (as JSON with `settings.json`) and resolves with the exit code.
 * @example process.exitCode = await runInstructions({ ...parseBenchArgs(['--instructions']), mockEntry: MOCK_ENTRY })
 */
export async function runInstructions (settings: Settings): Promise<number> {
  const reports = await measureInstructions(settings)
  const nodeFlags = [...NODE_FLAGS, '--single-threaded']
  if (settings.json) {
    out(JSON.stringify({ node: process.version, nodeFlags, warmUp: WARM_UP, runs: [SHORT_RUN, LONG_RUN], pairs: PAIRS, rounds: ROUNDS, loads: reports, targetRatio: TARGETS.countedRatio }, null, 2))
    return 0
  }
  out(`instructions per request under callgrind: Node ${process.version}, ${nodeFlags.join(' ')}, ${PAIRS} runs each of ${SHORT_RUN} and ${LONG_RUN} requests counted in turn after ${WARM_UP}, the cheapest of each, median of ${ROUNDS} rounds`)
  out()
  out(`${'load'.padEnd(14)}${pad('mock', 10)}${pad('ceiling', 10)}${pad('ratio', 8)}`)
  for (const report of reports) out(`${report.name.padEnd(14)}${pad(report.mockPerRequest, 10)}${pad(report.ceilingPerRequest, 10)}${pad(report.ratio.toFixed(3), 8)}   rounds ${report.rounds.map((r) => `${r.mock}/${r.ceiling}`).join(', ')}`)
  out()
  out(`target: ratio (ceiling / mock) >= ${TARGETS.countedRatio} ${mark(reports.every((r) => r.ratio >= TARGETS.countedRatio))}`)
  return 0
}
