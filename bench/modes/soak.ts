/**
 * `--soak`: half a million requests mixing every load, with a fresh address and token each time
 * so the bounded stores fill up and keep evicting; reports the mock's RSS before, after and at its peak.
 */
import { availableParallelism } from 'node:os'
import autocannon from 'autocannon'
import { JSON_HEADERS, mark, out, round, TARGETS, type Settings } from '../loads.js'
import { NODE_FLAGS, procMb, start, stop } from '../process.js'

async function soak (entry: string, connections: number, amount: number) {
  const mock = await start(entry, ['--port', '0', '--log-level', 'silent', '--rate-limit', '1000000/s'])
  try {
    const before = procMb(mock.child.pid!, 'VmRSS')
    let n = 0
    const began = performance.now()
    const result = await autocannon({
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
 * Runs the soak, prints it (as JSON with `settings.json`) and resolves with the exit code: 1 when
 * a request saw an error.
 * @example process.exitCode = await runSoak({ ...parseBenchArgs(['--soak']), mockEntry: MOCK_ENTRY })
 */
export async function runSoak (settings: Settings): Promise<number> {
  const report = await soak(settings.mockEntry, settings.connections, settings.amount)
  const ok = report.rssPeakMb !== null && report.rssPeakMb < TARGETS.soakRssMb
  if (settings.json) {
    out(JSON.stringify({ node: process.version, nodeFlags: NODE_FLAGS, cpus: availableParallelism(), connections: settings.connections, soak: report, targetRssMb: TARGETS.soakRssMb, met: ok }, null, 2))
  } else {
    out(`soak: ${report.requests} requests in ${report.seconds} s over ${settings.connections} connections; statuses ${JSON.stringify(report.statuses)}; errors ${report.errors}`)
    out(`RSS before ${report.rssBeforeMb} MB, after ${report.rssAfterMb} MB, peak ${report.rssPeakMb} MB (target < ${TARGETS.soakRssMb} MB) ${mark(ok)}`)
  }
  return report.errors === 0 ? 0 : 1
}
