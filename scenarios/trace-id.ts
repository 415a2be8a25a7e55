/**
 * Konnect-style trace ids for the `instance` of problem documents: a counter behind a random prefix,
 * so each costs one concatenation.
 */
/** The smallest and one past the largest value of a trace id's 9-digit counter. */
const COUNTER_FIRST = 100_000_000
const COUNTER_END = 1_000_000_000
/** Characters in every trace id: `konnect:trace:` and 19 digits. */
export const TRACE_ID_LENGTH = 33

/**
 * Konnect-style trace ids, `konnect:trace:` and 19 digits: a random 10-digit prefix, then a 9-digit
 * counter from a random start. Ids never repeat under one prefix, look unrelated across processes,
 * and cost one concatenation each; the prefix is drawn again when the counter runs out.
 * @example new TraceIds().next() // 'konnect:trace:4821937560123456789'
 */
export class TraceIds {
  private prefix = ''
  private counter = COUNTER_END

  /** `random` returns numbers in [0, 1), like Math.random; `counter` starts the counter at a given value. */
  constructor (private readonly random: () => number = Math.random, counter?: number) {
    this.reseed()
    if (counter !== undefined) this.counter = counter
  }

  next (): string {
    if (this.counter >= COUNTER_END) this.reseed()
    return this.prefix + this.counter++
  }

  private reseed (): void {
    this.prefix = `konnect:trace:${1_000_000_000 + Math.floor(this.random() * 9_000_000_000)}`
    this.counter = COUNTER_FIRST + Math.floor(this.random() * (COUNTER_END - COUNTER_FIRST) / 2)
  }
}

const traceIds = new TraceIds()

/** A fresh Konnect-style trace id: `konnect:trace:` and 19 digits. */
export function traceId (): string {
  return traceIds.next()
}
