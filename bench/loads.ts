/**
 * What every benchmark mode shares: the loads it sends, the targets it checks and the few sums
 * its figures are made of.
 */
import type autocannon from 'autocannon'
import type { BenchSettings } from './flags.js'

/** A run's settings, the mock's entry resolved. */
export type Settings = Omit<BenchSettings, 'mockEntry'> & { mockEntry: string }

/**
 * What a run on this machine should reach. `countedRatio` is the instructions mode's: the count
 * leaves out the kernel's share of a request, the same for both servers, so it reads lower than a
 * timed ratio.
 */
export const TARGETS = { ratio: 0.9, countedRatio: 0.85, p99Ms: 10, startupRatio: 1.5, soakRssMb: 150 } as const

export interface Load {
  name: string
  description: string
  headers: Record<string, string>
  body: string
  /** Statuses this load is meant to get; anything else counts as an error. */
  expected: readonly number[]
}

export const JSON_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer kpat_bench' }

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

export interface RunFigures {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Unexpected statuses plus socket errors and timeouts. */
  errors: number
  statuses: Record<string, number>
}

/** The figures of one autocannon run of a load that expects `expected`. */
export function figures (result: autocannon.Result, expected: readonly number[]): RunFigures {
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

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits
export const pad = (value: string | number, width: number): string => String(value).padStart(width)
export const mark = (ok: boolean): string => ok ? 'ok' : 'MISSED'
export const out = (line = ''): void => { process.stdout.write(`${line}\n`) }
