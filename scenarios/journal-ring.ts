/**
 * The request journal: the last `limit` requests, newest last. Recording is on the hot path of every
 * answer, so it keeps next to no JavaScript object per request: the text of a request (headers, URL,
 * body) is copied into one byte ring, its numbers into a typed array, and its method, scenario id
 * and session are strings that live long anyway. An object and strings kept per request cost every
 * answer in garbage collection (docs/performance.md). Entries are decoded, parsed and redacted only
 * when read, a page at a time. What an entry keeps is bounded (headers, URL, body) and so is the
 * ring, so the journal's memory and the cost of reading a page are bounded too.
 */
import { redact as builtInRedact, type Redact } from './redact.js'
import { matchesFields, prepareFilter, type JournalFilter } from './journal-filter.js'
import type { JournalEntry } from '../contracts/admin.js'
import { bodyEmail } from '../contracts/requests-filter.js'
import type { ResponseViolation } from '../contracts/assert.js'
import { BODY_BYTES_KEPT, boundedHead, headerObject, JOURNAL_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_JOURNAL_LIMIT, PAGE_BYTES, parsedBody, SEPARATOR, URL_CHARS_KEPT, type JournalPage, type JournalQuery, type JournalRecord } from './journal.js'

/** Bytes of ring per entry at first; the ring doubles as its entries need more, up to its budget. */
const FIRST_BYTES_PER_ENTRY = 512
/**
 * Where each number of an entry sits among its `Field.Count` numbers in one Float64Array: its
 * `Start` in the ring (a text may wrap around the ring's end) and UTF-8 `Bytes`; the UTF-16 units
 * of its joined headers (`Head`) and of its URL (`Url`), which follow each other in the text with a
 * separator; `Body`: BODY_KEPT when the body ends the text after another separator, NO_BODY, or the
 * size of a body too large to keep; what was cut of headers and URL; the `Step` of a sequence that
 * answered, of `Steps` (0 when none did).
 */
const enum Field { Seq, At, HeldMs, Status, Start, Bytes, Head, Url, Body, CutHeaders, CutHeaderBytes, CutUrl, Step, Steps, Count }
const BODY_KEPT = -2
const NO_BODY = -1

/** A fixed number of request records in a ring, newest last. */
export class Journal {
  private ring: Buffer
  /** Where the next text goes in the ring. */
  private pos = 0
  /** Bytes of ring the kept entries take: from the oldest one's start up to `pos`. */
  private used = 0
  private next = 0
  private size = 0
  private seq = 0
  private readonly numbers: Float64Array
  private readonly methods: string[]
  private readonly scenarios: string[]
  private readonly sessions: Array<string | null>
  private readonly violations: Array<ResponseViolation[] | undefined>
  private readonly hosts: Array<string | undefined>

  /**
   * `redact` hides secrets when entries are read (the built-in names by default); `maxBytes` bounds
   * the text all entries keep together, dropping the oldest past it (an entry larger than that
   * alone is still kept).
   */
  constructor (readonly limit: number, private readonly redact: Redact = builtInRedact, private readonly maxBytes = JOURNAL_BYTES) {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_JOURNAL_LIMIT) {
      throw new RangeError(`journal limit must be a whole number from 0 to ${MAX_JOURNAL_LIMIT}, got ${limit}`)
    }
    this.ring = this.firstRing()
    this.numbers = new Float64Array(limit * Field.Count)
    this.methods = new Array<string>(limit).fill('')
    this.scenarios = new Array<string>(limit).fill('')
    this.sessions = new Array<string | null>(limit).fill(null)
    this.violations = new Array<ResponseViolation[] | undefined>(limit).fill(undefined)
    this.hosts = new Array<string | undefined>(limit).fill(undefined)
  }

  private firstRing (): Buffer {
    return Buffer.allocUnsafeSlow(Math.min(this.maxBytes, this.limit * FIRST_BYTES_PER_ENTRY))
  }

  push (record: JournalRecord): void {
    const limit = this.limit
    if (limit === 0) return
    const raw = record.rawHeaders
    let head: string | undefined
    if (raw.length <= MAX_HEADERS * 2) {
      // Concatenated, not joined: Array.prototype.join ends in a call into V8's runtime, which
      // costs a request more than these concatenations do (docs/performance.md).
      head = raw[0] ?? ''
      for (let i = 1; i < raw.length; i++) head = head + SEPARATOR + raw[i]!
    }
    let cutHeaders = 0
    let cutHeaderBytes = 0
    if (head === undefined || head.length > MAX_HEADER_BYTES) ({ head, dropped: cutHeaders, droppedBytes: cutHeaderBytes } = boundedHead(raw))
    let url = record.url
    const cutUrl = url.length > URL_CHARS_KEPT ? url.length - URL_CHARS_KEPT : 0
    if (cutUrl > 0) url = url.slice(0, URL_CHARS_KEPT)
    let body = record.body
    let bodyField = body === undefined ? NO_BODY : BODY_KEPT
    // A character takes at most 3 bytes in UTF-8: only long bodies need counting.
    if (body !== undefined && body.length * 3 > BODY_BYTES_KEPT) {
      const size = Buffer.byteLength(body)
      if (size > BODY_BYTES_KEPT) {
        bodyField = size
        body = undefined
      }
    }
    const text = body === undefined ? head + SEPARATOR + url : head + SEPARATOR + url + SEPARATOR + body
    if (this.size === limit) this.dropOldest()

    const slot = this.next
    const base = slot * Field.Count
    const numbers = this.numbers
    this.write(text, base)
    numbers[base + Field.Seq] = ++this.seq
    numbers[base + Field.At] = record.at
    numbers[base + Field.HeldMs] = record.heldMs
    numbers[base + Field.Status] = record.status
    numbers[base + Field.Head] = head.length
    numbers[base + Field.Url] = url.length
    numbers[base + Field.Body] = bodyField
    numbers[base + Field.CutHeaders] = cutHeaders
    numbers[base + Field.CutHeaderBytes] = cutHeaderBytes
    numbers[base + Field.CutUrl] = cutUrl
    numbers[base + Field.Step] = record.step ?? 0
    numbers[base + Field.Steps] = record.steps ?? 0
    // Methods and scenario ids are a handful of long-lived strings; a session is most often the one
    // before it, whose string is kept instead so the new one can die young.
    this.methods[slot] = record.method
    this.scenarios[slot] = record.scenario
    const previous = this.sessions[slot === 0 ? limit - 1 : slot - 1]
    this.sessions[slot] = record.session === previous ? previous : record.session
    this.violations[slot] = record.violations?.length === 0 ? undefined : record.violations
    this.hosts[slot] = record.host
    this.next = slot + 1 === limit ? 0 : slot + 1
    this.size++
  }

  /**
   * Copies a text into the ring at `pos` for the entry whose numbers start at `base`, noting its
   * `Start` and UTF-8 `Bytes`; drops the oldest entries past the byte budget and grows the ring as
   * needed. While the ring has room for the most the text could take, the write itself tells its
   * bytes, with no count ahead of it.
   */
  private write (text: string, base: number): void {
    let bytes: number
    const most = text.length * 3
    // (A ring that grew for one entry larger than the budget is larger than the budget.)
    if (this.pos + most <= this.ring.length && this.used + most <= Math.min(this.ring.length, this.maxBytes)) {
      bytes = this.ring.write(text, this.pos, 'utf8')
    } else {
      bytes = Buffer.byteLength(text)
      while (this.size > 0 && this.used + bytes > this.maxBytes) this.dropOldest()
      if (this.used + bytes > this.ring.length) this.grow(Math.max(this.used + bytes, Math.min(this.maxBytes, this.ring.length * 2)))
      const ring = this.ring
      const at = this.pos
      if (at + bytes <= ring.length) {
        ring.write(text, at, 'utf8')
      } else {
        // Once a turn of the ring: the text is encoded apart, then split across the ring's end.
        const encoded = Buffer.from(text, 'utf8')
        encoded.copy(ring, at, 0, ring.length - at)
        encoded.copy(ring, 0, ring.length - at)
      }
    }
    const start = this.pos
    const end = start + bytes
    this.pos = end >= this.ring.length ? end - this.ring.length : end
    this.used += bytes
    this.numbers[base + Field.Start] = start
    this.numbers[base + Field.Bytes] = bytes
  }

  /** Copies the text of the entry whose numbers start at `base` into `target` at `at`. */
  private copyText (base: number, target: Buffer, at: number): void {
    const ring = this.ring
    const start = this.numbers[base + Field.Start]!
    const end = start + this.numbers[base + Field.Bytes]!
    if (end <= ring.length) {
      ring.copy(target, at, start, end)
    } else {
      ring.copy(target, at, start)
      ring.copy(target, at + ring.length - start, 0, end - ring.length)
    }
  }

  /** Forgets the oldest entry, giving back its bytes. */
  private dropOldest (): void {
    const slot = this.slotBack(this.size)
    this.used -= this.numbers[slot * Field.Count + Field.Bytes]!
    this.violations[slot] = undefined
    this.size--
  }

  /** Moves the kept entries, oldest first, to the start of a new ring of `capacity` bytes. */
  private grow (capacity: number): void {
    const ring = Buffer.allocUnsafeSlow(capacity)
    let at = 0
    for (let back = this.size; back > 0; back--) {
      const base = this.slotBack(back) * Field.Count
      this.copyText(base, ring, at)
      this.numbers[base + Field.Start] = at
      at += this.numbers[base + Field.Bytes]!
    }
    this.ring = ring
    this.pos = at
  }

  /** The slot `back` entries before the next one (1 is the newest's). */
  private slotBack (back: number): number {
    const slot = this.next - back
    return slot < 0 ? slot + this.limit : slot
  }

  /**
   * A page of entries, oldest first: with `after`, the first `limit` entries newer than it; without,
   * the newest `limit`; only those the query's filter fields match. A page also stops at
   * `PAGE_BYTES` of kept text. Only the page is decoded (for an address, also the bodies walked
   * past), so a page costs no more than one walk over the stored numbers plus the page itself.
   * @example journal.page({ after: 41, limit: 10 }) // entries 42 to 51, next: 51
   */
  page (query: JournalQuery = {}, pageBytes = PAGE_BYTES): JournalPage {
    const limit = query.limit ?? Number.POSITIVE_INFINITY
    const numbers = this.numbers
    const matches = this.matcher(query)
    const picked: number[] = []
    let bytes = 0
    const full = (slot: number): boolean => picked.length === limit || (picked.length > 0 && bytes + numbers[slot * Field.Count + Field.Bytes]! > pageBytes)
    const take = (slot: number): void => {
      picked.push(slot)
      bytes += numbers[slot * Field.Count + Field.Bytes]!
    }
    let more = false
    if (query.after === undefined) {
      for (let back = 1; back <= this.size; back++) {
        const slot = this.slotBack(back)
        if (!matches(slot)) continue
        if (full(slot)) break
        take(slot)
      }
      picked.reverse()
    } else {
      // Entries are numbered without gaps, so the first one after `after` is found without a search.
      for (let back = Math.min(this.size, Math.max(0, this.seq - query.after)); back > 0; back--) {
        const slot = this.slotBack(back)
        if (!matches(slot)) continue
        if (full(slot)) {
          more = true
          break
        }
        take(slot)
      }
    }
    return {
      requests: picked.map((slot) => this.entry(slot)),
      next: more ? numbers[picked[picked.length - 1]! * Field.Count + Field.Seq]! : this.seq,
      more,
      oldest: this.seq - this.size + 1
    }
  }

  /**
   * How many entries `filter` matches (with `after`, among those newer than that `seq`), in one walk
   * over the stored numbers with no entry decoded, unless an address is asked about.
   * @example journal.count({ status: 201, method: 'POST' }) // 12
   */
  count (filter: JournalFilter & { after?: number | undefined } = {}): number {
    let back = filter.after === undefined ? this.size : Math.min(this.size, Math.max(0, this.seq - filter.after))
    const matches = this.matcher(filter)
    let count = 0
    for (; back > 0; back--) if (matches(this.slotBack(back))) count++
    return count
  }

  /**
   * A test of a slot against `filter`: the stored numbers and strings first; an address needs the
   * body, decoded and compared as a reader sees it. Redaction hides a field by its name, whatever
   * its value, so one probe tells how every address shows (`[redacted]` under `--redact email`)
   * and no body is redacted one by one.
   */
  private matcher (filter: JournalFilter): (slot: number) => boolean {
    const prepared = prepareFilter(filter)
    if (!prepared.any) return () => true
    const numbers = this.numbers
    const email = prepared.email
    const probe = 'probe@example.com'
    const shown = (this.redact({ body: { email: probe } }).body as { email: string }).email
    const hidden = shown === probe ? undefined : shown.toLowerCase()
    return (slot) => {
      const base = slot * Field.Count
      if (!matchesFields(prepared, numbers[base + Field.Status]!, this.scenarios[slot]!, this.methods[slot]!, this.sessions[slot]!, numbers[base + Field.At]!)) return false
      if (email === undefined) return true
      if (numbers[base + Field.Body] !== BODY_KEPT) return false
      const text = this.bodyText(base)
      // A body that spells the address in no case cannot name it, unless escapes spell it: only
      // then is it parsed, which costs most for the largest bodies.
      if (hidden === undefined && !text.includes('\\') && !text.toLowerCase().includes(email)) return false
      const address = bodyEmail(parsedBody(text))
      return address !== undefined && (hidden ?? address.toLowerCase()) === email
    }
  }

  /** The kept body text of the entry whose numbers start at `base`. */
  private bodyText (base: number): string {
    const numbers = this.numbers
    return this.text(base).slice(numbers[base + Field.Head]! + 1 + numbers[base + Field.Url]! + 1)
  }

  /** Every entry kept, oldest first. */
  list (): JournalEntry[] {
    return this.page({}, Number.POSITIVE_INFINITY).requests
  }

  /** An entry's text, decoded from the ring. */
  private text (base: number): string {
    const start = this.numbers[base + Field.Start]!
    const bytes = this.numbers[base + Field.Bytes]!
    if (start + bytes <= this.ring.length) return this.ring.toString('utf8', start, start + bytes)
    const joined = Buffer.allocUnsafe(bytes)
    this.copyText(base, joined, 0)
    return joined.toString('utf8')
  }

  private entry (slot: number): JournalEntry {
    const base = slot * Field.Count
    const numbers = this.numbers
    const text = this.text(base)
    const headLength = numbers[base + Field.Head]!
    const urlEnd = headLength + 1 + numbers[base + Field.Url]!
    const entry: JournalEntry = {
      seq: numbers[base + Field.Seq]!,
      time: new Date(numbers[base + Field.At]!).toISOString(),
      method: this.methods[slot]!,
      url: text.slice(headLength + 1, urlEnd),
      session: this.sessions[slot]!,
      scenario: this.scenarios[slot]!,
      status: numbers[base + Field.Status]!,
      heldMs: Math.round(numbers[base + Field.HeldMs]! * 100) / 100,
      headers: headerObject(text.slice(0, headLength).split(SEPARATOR))
    }
    const body = numbers[base + Field.Body]!
    if (body === BODY_KEPT) entry.body = parsedBody(text.slice(urlEnd + 1))
    else if (body !== NO_BODY) entry.body = `[${body} bytes]`
    const cutHeaders = numbers[base + Field.CutHeaders]!
    const cutUrl = numbers[base + Field.CutUrl]!
    if (cutHeaders > 0 || cutUrl > 0) {
      entry.cut = cutHeaders > 0 ? { headers: cutHeaders, headerBytes: numbers[base + Field.CutHeaderBytes]! } : {}
      if (cutUrl > 0) entry.cut.urlChars = cutUrl
    }
    const step = numbers[base + Field.Step]!
    if (step > 0) {
      entry.step = step
      entry.steps = numbers[base + Field.Steps]!
    }
    const violations = this.violations[slot]
    if (violations !== undefined) entry.violations = violations
    const host = this.hosts[slot]
    if (host !== undefined) {
      entry.via = 'proxy'
      entry.host = host
    }
    return this.redact(entry)
  }

  clear (): void {
    this.ring = this.firstRing()
    this.pos = 0
    this.used = 0
    this.next = 0
    this.size = 0
    this.sessions.fill(null)
    this.violations.fill(undefined)
    this.hosts.fill(undefined)
  }
}
