/**
 * The contract violations found in answers of the real service (`--upstream`): the last few, newest
 * last, each with the request it answered.
 */
import type { ViolationReport } from '../contracts/admin.js'
import type { ResponseViolation } from '../contracts/assert.js'

/** Answers with violations kept before the oldest is forgotten. */
const DEFAULT_VIOLATIONS_LIMIT = 200

/**
 * A bounded list of violating answers, newest last; `total` counts every one since the last clear.
 * @example
 * const log = new ViolationLog(2)
 * log.add({ at: 0, method: 'POST', url: '/v3/invites', status: 400, violations: [{ path: '/body/detail', expected: 'a string (required)', got: '(missing)' }] })
 * log.list()[0].seq // 1
 */
export class ViolationLog {
  private entries: ViolationReport[] = []
  private seq = 0

  constructor (readonly limit = DEFAULT_VIOLATIONS_LIMIT) {}

  /** Violating answers since start-up or the last clear, including those no longer kept. */
  get total (): number {
    return this.seq
  }

  add (report: { at: number, method: string, url: string, status: number, violations: ResponseViolation[] }): ViolationReport {
    const entry: ViolationReport = {
      seq: ++this.seq,
      time: new Date(report.at).toISOString(),
      method: report.method,
      url: report.url,
      status: report.status,
      violations: report.violations
    }
    this.entries.push(entry)
    if (this.entries.length > this.limit) this.entries.shift()
    return entry
  }

  /** The kept reports, newest last; only those after `after` (a `seq`) when given. */
  list (after = 0): ViolationReport[] {
    return this.entries.filter((entry) => entry.seq > after)
  }

  clear (): void {
    this.entries = []
    this.seq = 0
  }
}
