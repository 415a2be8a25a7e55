/**
 * The request journal: the last `limit` requests, newest last. Recording is on the hot path of every
 * answer, so it keeps next to no JavaScript object per request: headers and body are copied into one
 * byte ring, numbers into typed arrays, and method, URL and scenario id are kept as strings that
 * live long anyway (a URL equal to the one before shares its string). Keeping each request's own
 * strings alive instead made every request pay for them in garbage collection. Entries are
 * decoded, parsed and redacted only when listed.
 */

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
}

/** What is recorded of one request. */
export interface JournalRecord {
  /** Time of the answer, in ms since the epoch. */
  at: number
  method: string
  url: string
  scenario: string
  status: number
  durationMs: number
  /** The headers as received: name, value, name, value… (Node's `rawHeaders`). */
  rawHeaders: readonly string[]
  /** The body as received, when there was one and it was small enough to keep. */
  body: string | undefined
  /** The size of a body too large to keep, in bytes. */
  bodyBytes: number | undefined
}

const REDACTED = '[redacted]'
/** Headers whose values never leave the journal. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'x-mock-admin-token', 'cookie'])
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
  private readonly seqs: Float64Array
  private readonly ats: Float64Array
  private readonly durations: Float64Array
  private readonly statuses: Int32Array
  /** Where each entry's text starts, counted like `written`. */
  private readonly starts: Float64Array
  private readonly headLengths: Int32Array
  /** UTF-8 bytes of the kept body, or -1 for none. */
  private readonly bodyLengths: Int32Array
  /** Size of a body too large to keep, or -1. */
  private readonly bodySizes: Float64Array

  /** `bytesPerEntry` sizes the ring at first (and after a clear); it grows as needed. */
  constructor (readonly limit: number, private readonly bytesPerEntry = FIRST_BYTES_PER_ENTRY) {
    this.ring = Buffer.allocUnsafeSlow(limit * bytesPerEntry)
    this.methods = new Array<string>(limit).fill('')
    this.urls = new Array<string>(limit).fill('')
    this.scenarios = new Array<string>(limit).fill('')
    this.seqs = new Float64Array(limit)
    this.ats = new Float64Array(limit)
    this.durations = new Float64Array(limit)
    this.statuses = new Int32Array(limit)
    this.starts = new Float64Array(limit)
    this.headLengths = new Int32Array(limit)
    this.bodyLengths = new Int32Array(limit)
    this.bodySizes = new Float64Array(limit)
  }

  push (record: JournalRecord): void {
    const limit = this.limit
    if (limit === 0) return
    const head = record.rawHeaders.join(SEPARATOR)
    const body = record.body
    // Latin-1 is one byte a character and keeps header bytes as Node read them. A body is UTF-8,
    // at most 3 bytes a UTF-16 unit: room for that much is reserved, what it takes is kept.
    const headBytes = head.length
    const at = this.reserve(headBytes + (body === undefined ? 0 : body.length * 3))
    const start = this.written
    this.ring.write(head, at, headBytes, 'latin1')
    const bodyBytes = body === undefined ? -1 : this.ring.write(body, at + headBytes, 'utf8')
    const bytes = headBytes + (bodyBytes < 0 ? 0 : bodyBytes)
    this.written = start + bytes
    this.pos = at + bytes
    const slot = this.next
    // Methods and scenario ids are a handful of long-lived strings; a URL is most often the one
    // before it, whose string is kept instead so the new one can die young.
    const previous = this.urls[slot === 0 ? limit - 1 : slot - 1]
    this.methods[slot] = record.method
    this.urls[slot] = record.url === previous ? previous : record.url
    this.scenarios[slot] = record.scenario
    this.seqs[slot] = ++this.seq
    this.ats[slot] = record.at
    this.durations[slot] = record.durationMs
    this.statuses[slot] = record.status
    this.starts[slot] = start
    this.headLengths[slot] = headBytes
    this.bodyLengths[slot] = bodyBytes
    this.bodySizes[slot] = record.bodyBytes ?? -1
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
    const oldest = kept === 0 ? this.written : this.starts[this.slotBack(kept)]!
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
      const slot = this.slotBack(back)
      const length = this.headLengths[slot]! + Math.max(this.bodyLengths[slot]!, 0)
      const from = this.starts[slot]! % this.ring.length
      this.ring.copy(ring, written, from, from + length)
      this.starts[slot] = written
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
    const from = this.starts[slot]! % this.ring.length
    const headEnd = from + this.headLengths[slot]!
    const headers = headerObject(this.ring.toString('latin1', from, headEnd).split(SEPARATOR))
    const entry: JournalEntry = {
      seq: this.seqs[slot]!,
      time: new Date(this.ats[slot]!).toISOString(),
      method: this.methods[slot]!,
      url: this.urls[slot]!,
      session: headers['x-mock-session'] ?? null,
      scenario: this.scenarios[slot]!,
      status: this.statuses[slot]!,
      durationMs: Math.round(this.durations[slot]! * 100) / 100,
      headers
    }
    const bodySize = this.bodySizes[slot]!
    const bodyLength = this.bodyLengths[slot]!
    if (bodySize >= 0) entry.body = `[${bodySize} bytes]`
    else if (bodyLength >= 0) entry.body = parsedBody(this.ring.toString('utf8', headEnd, headEnd + bodyLength))
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
