/**
 * The request journal: the last `limit` requests, newest last. Recording is on the hot path of every
 * answer, so it keeps next to no JavaScript object per request: headers and body are copied into one
 * byte ring, numbers into typed arrays, and method, URL and scenario id are kept as strings that
 * live long anyway (a URL equal to the one before shares its string). Keeping each request's own
 * strings alive instead made every request pay for them in garbage collection. Entries are
 * decoded, parsed and redacted only when listed.
 */
import type { ResponseViolation } from '../contracts/assert.js'

/** A request as the journal shows it: secrets redacted, newest last. */
export interface JournalEntry {
  seq: number
  time: string
  method: string
  url: string
  session: string | null
  scenario: string
  status: number
  durationMs: number
  headers: Record<string, string>
  body?: unknown
  /** How the upstream's answer broke its contract (answers passed through from `--upstream` only). */
  violations?: ResponseViolation[]
}

/** What is recorded of one request. */
export interface JournalRecord {
  /** Time of the answer, in ms since the epoch. */
  at: number
  method: string
  url: string
  scenario: string
  status: number
  /** How long the answer was held back (a delay), in ms. */
  durationMs: number
  /** The headers as received: name, value, name, value… (Node's `rawHeaders`). */
  rawHeaders: readonly string[]
  /** The body as received, if there was one; past `BODY_BYTES_KEPT` only its size is kept. */
  body: string | undefined
  /** How an upstream answer broke its contract; an empty list is not kept. */
  violations?: ResponseViolation[] | undefined
}

const REDACTED = '[redacted]'
/** Headers whose values never leave the journal. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'x-mock-admin-token', 'cookie'])
/** Bodies of at most this many UTF-8 bytes are kept whole; larger ones are listed as `[N bytes]`. */
export const BODY_BYTES_KEPT = 4096
/** Bytes of ring per entry at first; the ring doubles when the entries it holds need more. */
const FIRST_BYTES_PER_ENTRY = 512
/** Separates header names and values in the ring: HTTP forbids a line feed in either (Node refuses such requests). */
const SEPARATOR = '\n'

/** A body as the journal shows it: parsed JSON, or `[not JSON]`. */
function parsedBody (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return '[not JSON]'
  }
}

/** Header pairs as an object: lower-case names, repeated headers joined with `, `, secrets redacted. */
function headerObject (pairs: readonly string[]): Record<string, string> {
  const headers = new Map<string, string>()
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i]!.toLowerCase()
    const seen = headers.get(name)
    if (SECRET_HEADERS.has(name)) headers.set(name, REDACTED)
    else headers.set(name, seen === undefined ? pairs[i + 1]! : `${seen}, ${pairs[i + 1]!}`)
  }
  // fromEntries defines each name as an own property, `__proto__` included.
  return Object.fromEntries(headers)
}

/** The numbers kept of each entry, side by side in one Float64Array (one cache line an entry). */
const SEQ = 0
const AT = 1
const DURATION = 2
const STATUS = 3
/** Where the entry's text starts, counted like `written`. */
const START = 4
/** UTF-16 units of the text before the body: the headers, joined. */
const HEAD = 5
/** UTF-8 bytes of the whole text in the ring. */
const BYTES = 6
/** Size of a body too large to keep, -1 when there is none; a kept body is the text after the head. */
const BODY_SIZE = 7
const FIELDS = 8
/** `BODY_SIZE` of an entry whose body is kept in the ring. */
const BODY_KEPT = -2

/** A fixed number of request records in a ring, newest last. */
export class Journal {
  private ring: Buffer
  /**
   * Bytes used since the ring was made (or last grew), skipped ends included: where the next text
   * goes, counted without wrapping. A text at `start` sits at `start % ring.length`.
   */
  private written = 0
  /** Where the next text goes in the ring: `written % ring.length`, kept to spare a division. */
  private pos = 0
  private next = 0
  private size = 0
  private seq = 0
  private readonly methods: string[]
  private readonly urls: string[]
  private readonly scenarios: string[]
  /** Violations by slot: rare (upstream answers only), so a sparse array. */
  private readonly violations: Array<ResponseViolation[] | undefined>
  private readonly numbers: Float64Array

  /** `bytesPerEntry` sizes the ring at first (and after a clear); it grows as needed. */
  constructor (readonly limit: number, private readonly bytesPerEntry = FIRST_BYTES_PER_ENTRY) {
    this.ring = Buffer.allocUnsafeSlow(limit * bytesPerEntry)
    this.methods = new Array<string>(limit).fill('')
    this.urls = new Array<string>(limit).fill('')
    this.scenarios = new Array<string>(limit).fill('')
    this.violations = new Array<ResponseViolation[] | undefined>(limit)
    this.numbers = new Float64Array(limit * FIELDS)
  }

  push (record: JournalRecord): void {
    const limit = this.limit
    if (limit === 0) return
    const head = record.rawHeaders.join(SEPARATOR)
    let body = record.body
    let bodySize = -1
    // A character takes at most 3 bytes in UTF-8: only long bodies need counting.
    if (body !== undefined && body.length * 3 > BODY_BYTES_KEPT) {
      const size = Buffer.byteLength(body)
      if (size > BODY_BYTES_KEPT) {
        bodySize = size
        body = undefined
      }
    }
    // One UTF-8 write: header characters (bytes as Node read them, all below 256) take one or two
    // bytes, body characters up to three; room for the most is reserved, what the text takes is kept.
    const text = body === undefined ? head : head + SEPARATOR + body
    const at = this.reserve(text.length * 3)
    const start = this.written
    const bytes = this.ring.write(text, at, 'utf8')
    this.written = start + bytes
    this.pos = at + bytes
    const slot = this.next
    // Methods and scenario ids are a handful of long-lived strings; a URL is most often the one
    // before it, whose string is kept instead so the new one can die young.
    const previous = this.urls[slot === 0 ? limit - 1 : slot - 1]
    this.methods[slot] = record.method
    this.urls[slot] = record.url === previous ? previous : record.url
    this.scenarios[slot] = record.scenario
    this.violations[slot] = record.violations?.length === 0 ? undefined : record.violations
    const numbers = this.numbers
    const base = slot * FIELDS
    numbers[base + SEQ] = ++this.seq
    numbers[base + AT] = record.at
    numbers[base + DURATION] = record.durationMs
    numbers[base + STATUS] = record.status
    numbers[base + START] = start
    numbers[base + HEAD] = head.length
    numbers[base + BYTES] = bytes
    numbers[base + BODY_SIZE] = body !== undefined ? BODY_KEPT : bodySize
    this.next = slot + 1 === limit ? 0 : slot + 1
    if (this.size < limit) this.size++
  }

  /**
   * Finds room for up to `bytes` bytes and returns where they go in the ring; `written` becomes
   * their position counted since the ring was made. The ring grows rather than overwrite an entry
   * it still keeps.
   */
  private reserve (bytes: number): number {
    const capacity = this.ring.length
    // The entry about to be replaced (once the journal is full) no longer needs its bytes.
    const kept = this.size === this.limit ? this.size - 1 : this.size
    const oldest = kept === 0 ? this.written : this.numbers[this.slotBack(kept) * FIELDS + START]!
    let at = this.pos
    let start = this.written
    // A text never wraps around the end of the ring: it starts over at the beginning instead.
    if (at + bytes > capacity) {
      start += capacity - at
      at = 0
    }
    if (start + bytes - oldest > capacity) {
      this.grow(Math.max(capacity * 2, (this.written - oldest + bytes) * 2), kept)
      return this.pos
    }
    this.written = start
    return at
  }

  /** The slot `back` entries before the next one. */
  private slotBack (back: number): number {
    const slot = this.next - back
    return slot < 0 ? slot + this.limit : slot
  }

  /** Moves the kept entries, oldest first, to the start of a larger ring. */
  private grow (capacity: number, kept: number): void {
    const ring = Buffer.allocUnsafeSlow(capacity)
    let written = 0
    for (let back = kept; back > 0; back--) {
      const base = this.slotBack(back) * FIELDS
      const length = this.numbers[base + BYTES]!
      const from = this.numbers[base + START]! % this.ring.length
      this.ring.copy(ring, written, from, from + length)
      this.numbers[base + START] = written
      written += length
    }
    this.ring = ring
    this.written = written
    this.pos = written
  }

  list (): JournalEntry[] {
    const out: JournalEntry[] = []
    for (let back = this.size; back > 0; back--) out.push(this.entry(this.slotBack(back)))
    return out
  }

  private entry (slot: number): JournalEntry {
    const base = slot * FIELDS
    const numbers = this.numbers
    const from = numbers[base + START]! % this.ring.length
    const text = this.ring.toString('utf8', from, from + numbers[base + BYTES]!)
    const headLength = numbers[base + HEAD]!
    const headers = headerObject(text.slice(0, headLength).split(SEPARATOR))
    const entry: JournalEntry = {
      seq: numbers[base + SEQ]!,
      time: new Date(numbers[base + AT]!).toISOString(),
      method: this.methods[slot]!,
      url: this.urls[slot]!,
      session: headers['x-mock-session'] ?? null,
      scenario: this.scenarios[slot]!,
      status: numbers[base + STATUS]!,
      durationMs: Math.round(numbers[base + DURATION]! * 100) / 100,
      headers
    }
    const bodySize = numbers[base + BODY_SIZE]!
    if (bodySize === BODY_KEPT) entry.body = parsedBody(text.slice(headLength + 1))
    else if (bodySize >= 0) entry.body = `[${bodySize} bytes]`
    const violations = this.violations[slot]
    if (violations !== undefined) entry.violations = violations
    return entry
  }

  clear (): void {
    this.ring = Buffer.allocUnsafeSlow(this.limit * this.bytesPerEntry)
    this.written = 0
    this.pos = 0
    this.next = 0
    this.size = 0
  }
}
