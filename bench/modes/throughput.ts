/**
 * The default mode: start-up time, then each load against the ceiling in alternating runs, the
 * median ratio of the pairs reported.
 */
import { request } from 'node:http'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import autocannon from 'autocannon'
import { figures, LOADS, mark, median, out, pad, round, TARGETS, type Load, type RunFigures, type Settings } from '../loads.js'
import { CEILING_ENTRY, NODE_FLAGS, procMb, start, stop } from '../process.js'

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

interface Startup {
  /** From spawning the process to the answer of its first invite, median of the runs. */
  mockMs: number
  ceilingMs: number
  /** The mock's median over the bare Fastify start's. */
  ratio: number
  mockRunsMs: number[]
  ceilingRunsMs: number[]
}

function runLoad (url: string, load: Load, durationS: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url: `${url}/v3/invites`, method: 'POST', headers: load.headers, body: load.body, connections, duration: durationS })
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
  const mock = await start(settings.mockEntry, ['--port', '0', '--log-level', 'silent'], { nodeArgs })
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

/** Sends one valid invite and resolves once its answer has been read to the end. */
function firstAnswer (url: string): Promise<void> {
  const body = LOADS[1]!.body
  return new Promise((resolve, reject) => {
    const sent = request(`${url}/v3/invites`, { method: 'POST', headers: { ...LOADS[1]!.headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume()
      response.once('end', resolve)
    })
    sent.once('error', reject)
    sent.end(body)
  })
}

/** Milliseconds from spawning a server to the answer of its first invite. */
async function timeStart (entry: string, args: readonly string[]): Promise<number> {
  const began = performance.now()
  const running = await start(entry, args)
  try {
    await firstAnswer(running.url)
    return Math.round(performance.now() - began)
  } finally {
    await stop(running)
  }
}

/**
 * Times the mock's start against a bare Fastify start, in turn, so both see the same machine: what
 * a CI job waits for before its first request is answered.
 */
async function measureStartup (entry: string, runs: number): Promise<Startup> {
  const mockRunsMs: number[] = []
  const ceilingRunsMs: number[] = []
  for (let i = 0; i < runs; i++) {
    mockRunsMs.push(await timeStart(entry, ['--port', '0', '--log-level', 'silent']))
    ceilingRunsMs.push(await timeStart(CEILING_ENTRY, ['--port', '0']))
  }
  const mockMs = median(mockRunsMs)
  const ceilingMs = median(ceilingRunsMs)
  return { mockMs, ceilingMs, ratio: round(mockMs / ceilingMs), mockRunsMs, ceilingRunsMs }
}

function printLoads (startup: Startup, loads: readonly LoadReport[], settings: Settings): void {
  out(`konnect-invites-mock benchmark: Node ${process.version}, ${availableParallelism()} CPUs, ${settings.connections} connections, ${settings.pairs} pairs of ${settings.durationS} s runs per load`)
  out(`node flags of npm start, given to both servers: ${NODE_FLAGS.join(' ') || '(none)'}`)
  out()
  out(`start-up, process start to first answer, median of ${startup.mockRunsMs.length}: mock ${startup.mockMs} ms, bare Fastify ${startup.ceilingMs} ms, ${startup.ratio.toFixed(2)}x  ${mark(startup.ratio <= TARGETS.startupRatio)}`)
  out(`  runs, mock [${startup.mockRunsMs.join(', ')}], bare Fastify [${startup.ceilingRunsMs.join(', ')}]`)
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
    `zero errors ${mark(loads.every((l) => l.mock.errors === 0))}, start-up <= ${TARGETS.startupRatio}x bare Fastify ${mark(startup.ratio <= TARGETS.startupRatio)}`)
}

/**
 * Measures start-up and every load, prints the figures (as JSON with `settings.json`) and resolves
 * with the exit code: 1 when a load saw errors.
 * @example process.exitCode = await runThroughput({ ...parseBenchArgs([]), mockEntry: MOCK_ENTRY })
 */
export async function runThroughput (settings: Settings): Promise<number> {
  const startup = await measureStartup(settings.mockEntry, settings.startupRuns)
  const loads: LoadReport[] = []
  for (const load of LOADS) loads.push(await measureLoad(load, settings))
  const met = {
    ratio: loads.every((l) => l.ratio >= TARGETS.ratio),
    p99: loads.every((l) => l.mock.p99Ms <= TARGETS.p99Ms),
    errors: loads.every((l) => l.mock.errors === 0),
    startup: startup.ratio <= TARGETS.startupRatio
  }
  if (settings.json) {
    out(JSON.stringify({
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
    }, null, 2))
  } else {
    printLoads(startup, loads, settings)
  }
  return met.errors ? 0 : 1
}
