/**
 * The load benchmark: how fast the built mock answers, measured against a bare Fastify route on the
 * same machine in the same run (bench/ceiling.ts), so the figure that matters is the ratio, not a
 * number that depends on the hardware. One mode per file in `modes/`:
 *
 *   npm run bench                 start-up, then three loads, alternating mock/ceiling runs, median ratio
 *   npm run bench -- --json       the same, as JSON
 *   npm run bench -- --soak       500,000 mixed requests; RSS before, after and at its peak
 *   npm run bench -- --instructions   instructions per request under callgrind, mock and ceiling
 *   npm run bench -- --mock f     measure another build's server script (to compare releases)
 *   npm run bench -- --profile d  also write a CPU profile of the mock into directory d
 *   npm run bench -- --help       every flag (--duration, --pairs, --connections, --startup-runs, --amount)
 */
import { resolve } from 'node:path'
import { benchHelp, parseBenchArgs } from './flags.js'
import type { Settings } from './loads.js'
import { runInstructions } from './modes/instructions.js'
import { runSoak } from './modes/soak.js'
import { runThroughput } from './modes/throughput.js'
import { MOCK_ENTRY } from './process.js'

async function run (): Promise<number> {
  const values = parseBenchArgs(process.argv.slice(2))
  if (values.help) {
    process.stdout.write(benchHelp())
    return 0
  }
  const settings: Settings = { ...values, mockEntry: values.mockEntry === undefined ? MOCK_ENTRY : resolve(values.mockEntry) }
  if (values.instructions) return await runInstructions(settings)
  if (values.soak) return await runSoak(settings)
  return await runThroughput(settings)
}

run().then((code) => { process.exitCode = code }, (error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`)
  process.exitCode = 2
})
