/**
 * The request journal: the last `limit` requests, newest last, one small entry object each, in a
 * ring. Recording is on the hot path of every answer, so an entry keeps the headers as one joined
 * string and the body as received; they are decoded, parsed and redacted only when read, a page at
 * a time. What an entry keeps is bounded (headers, URL, body), so the journal's size and the cost of
 * reading a page are bounded too.
 */
import { redact as builtInRedact, type Redact } from './redact.js'
import type { ResponseViolation } from '../contracts/assert.js'

/** A request as the journal shows it: secrets redacted. */
export interface JournalEntry {
  seq: number
  time: string
  method: string
  url: string
  session: string | null
  scenario: string
  status: number
  /** How long the answer was held back by a delay, in ms (0 when sent at once). */
  heldMs: number
  headers: Record<string, string>
  body?: unknown
  /** How the upstream's answer broke its contract (answers passed through from `--upstream` only). */
  violations?: ResponseViolation[]
  /** What was not kept of the request, when something was. */
  cut?: Cut
}

/** What an entry did not keep: header lines and their characters, characters of the URL. */
export interface Cut {
  headers?: number
  headerBytes?: number
  urlChars?: number
}

/** What is recorded of one request. */
export interface JournalRecord {
  /** Time of the answer, in ms since the epoch. */
  at: number
  method: string
  url: string
  /** The `X-Mock-Session` header, if any. */
  session: string | null
  scenario: string
  status: number
  /** How long the answer was held back by a delay, in ms. */
  heldMs: number
  /** The headers as received: name, value, name, value… (Node's `rawHeaders`). */
  rawHeaders: readonly string[]
  /** The body as received, if there was one; past `BODY_BYTES_KEPT` only its size is kept. */
  body: string | undefined
  /** How an upstream answer broke its contract; an empty list is not kept. */
  violations?: ResponseViolation[] | undefined
}

/** Which entries to read: at most `limit`, only those after `after` (a `seq`), only one session's. */
export interface JournalQuery {
  limit?: number
  after?: number
  session?: string | undefined
}

/** A page of the journal, oldest first. */
export interface JournalPage {
  requests: JournalEntry[]
  /** The `after` that asks for what follows this page. */
  next: number
  /** Whether entries matching the query follow this page already. */
  more: boolean
  /** The `seq` of the oldest entry kept (the next one to come when the journal is empty). */
  oldest: number
}

/** The largest journal: past it, reading or resetting it would stall the server. */
export const MAX_JOURNAL_LIMIT = 10_000
/** Header lines kept of one request; the rest are counted in `cut`. */
export const MAX_HEADERS = 64
/** Characters of header text kept of one request (names and values, latin1 as Node reads them). */
export const MAX_HEADER_BYTES = 8192
/** Bodies of at most this many UTF-8 bytes are kept whole; larger ones are listed as `[N bytes]`. */
export const BODY_BYTES_KEPT = 4096
/** Characters of kept text (headers, URL, body) a page decodes at most, whatever its `limit`: at least one entry. */
export const PAGE_CHARS = 128 * 1024
/** Characters of a request URL kept. */
export const URL_CHARS_KEPT = 2048
/**
 * Characters of request text (headers, URL, body) the whole journal keeps: past it, the oldest
 * entries go first, so its memory stays bounded however large the requests (about 1,300 of the
 * largest entries; 10 000 ordinary ones take a few MB).
 */
export const JOURNAL_CHARS = 16 * 1024 * 1024
/** Separates header names and values in an entry: HTTP forbids a line feed in either (Node refuses such requests). */
const SEPARATOR = '\n'

/** One request as kept in the ring: the record's fields, its headers joined, its body bounded. */
interface Kept extends Pick<JournalRecord, 'at' | 'method' | 'url' | 'session' | 'scenario' | 'status' | 'heldMs' | 'violations'> {
  seq: number
  /** Header names and values joined with SEPARATOR. */
  head: string
  /** Characters of text kept: what decoding the entry costs. */
  chars: number
  /** The body's text, or the size in bytes of one too large to keep. */
  body: string | number | undefined
  cut: Cut | undefined
}

/** A body as the journal shows it: parsed JSON, or `[not JSON]`. */
function parsedBody (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return '[not JSON]'
  }
}

/** Header pairs as an object: lower-case names, repeated headers joined with `, `. */
function headerObject (pairs: readonly string[]): Record<string, string> {
  const headers = new Map<string, string>()
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i]!.toLowerCase()
    const seen = headers.get(name)
    headers.set(name, seen === undefined ? pairs[i + 1]! : `${seen}, ${pairs[i + 1]!}`)
  }
  // fromEntries defines each name as an own property, `__proto__` included.
  return Object.fromEntries(headers)
}

/** The first header lines that fit the bounds, joined, and what was left out. */
function boundedHead (raw: readonly string[]): { head: string, cut: Cut } {
  const kept: string[] = []
  let size = 0
  let dropped = 0
  let droppedBytes = 0
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const bytes = raw[i]!.length + raw[i + 1]!.length + 2
    if (dropped === 0 && kept.length < MAX_HEADERS * 2 && size + bytes <= MAX_HEADER_BYTES + 1) {
      kept.push(raw[i]!, raw[i + 1]!)
      size += bytes
    } else {
      dropped++
      droppedBytes += bytes - 2
    }
  }
  return { head: kept.join(SEPARATOR), cut: { headers: dropped, headerBytes: droppedBytes } }
}

/** A fixed number of request records in a ring, newest last. */
export class Journal {
  private readonly entries: Array<Kept | undefined>
  private next = 0
  private size = 0
  private seq = 0
  /** Characters of text the entries kept hold, at most `maxChars`. */
  private chars = 0

  /**
   * `redact` hides secrets when entries are read (the built-in names by default); `maxChars` bounds
   * the text all entries keep together, dropping the oldest past it.
   */
  constructor (readonly limit: number, private readonly redact: Redact = builtInRedact, private readonly maxChars = JOURNAL_CHARS) {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_JOURNAL_LIMIT) {
      throw new RangeError(`journal limit must be a whole number from 0 to ${MAX_JOURNAL_LIMIT}, got ${limit}`)
    }
    this.entries = new Array<Kept | undefined>(limit).fill(undefined)
  }

  push (record: JournalRecord): void {
    if (this.limit === 0) return
    const raw = record.rawHeaders
    let head = raw.length <= MAX_HEADERS * 2 ? raw.join(SEPARATOR) : undefined
    let cut: Cut | undefined
    if (head === undefined || head.length > MAX_HEADER_BYTES) ({ head, cut } = boundedHead(raw))
    let url = record.url
    if (url.length > URL_CHARS_KEPT) {
      url = url.slice(0, URL_CHARS_KEPT)
      cut = { ...cut, urlChars: record.url.length - URL_CHARS_KEPT }
    }
    let body: string | number | undefined = record.body
    // A character takes at most 3 bytes in UTF-8: only long bodies need counting.
    if (body !== undefined && body.length * 3 > BODY_BYTES_KEPT) {
      const size = Buffer.byteLength(body)
      if (size > BODY_BYTES_KEPT) body = size
    }
    // The slot is free, or holds the oldest entry when the ring is full.
    const replaced = this.entries[this.next]
    if (replaced !== undefined) this.chars -= replaced.chars
    const kept: Kept = this.entries[this.next] = {
      seq: ++this.seq,
      at: record.at,
      method: record.method,
      url,
      session: record.session,
      scenario: record.scenario,
      status: record.status,
      heldMs: record.heldMs,
      head,
      body,
      chars: head.length + url.length + (typeof body === 'string' ? body.length : 0),
      cut,
      violations: record.violations?.length === 0 ? undefined : record.violations
    }
    this.chars += kept.chars
    this.next = this.next + 1 === this.limit ? 0 : this.next + 1
    if (this.size < this.limit) this.size++
    while (this.chars > this.maxChars && this.size > 1) this.dropOldest()
  }

  /** Forgets the oldest entry, leaving its slot free. */
  private dropOldest (): void {
    const slot = this.next - this.size
    const oldest = slot < 0 ? slot + this.limit : slot
    this.chars -= this.entries[oldest]!.chars
    this.entries[oldest] = undefined
    this.size--
  }

  /** The entry `back` places before the newest (0 is the newest). */
  private at (back: number): Kept {
    const slot = this.next - 1 - back
    return this.entries[slot < 0 ? slot + this.limit : slot]!
  }

  /**
   * A page of entries, oldest first: with `after`, the first `limit` entries newer than it; without,
   * the newest `limit`. A page also stops at `PAGE_CHARS` of kept text. Only the page is decoded,
   * so its cost depends neither on the journal's size nor on how large its entries are.
   * @example journal.page({ after: 41, limit: 10 }) // entries 42 to 51, next: 51
   */
  page (query: JournalQuery = {}, pageChars = PAGE_CHARS): JournalPage {
    const limit = query.limit ?? Number.POSITIVE_INFINITY
    const matches = (kept: Kept): boolean => query.session === undefined || kept.session === query.session
    const picked: Kept[] = []
    let chars = 0
    const full = (kept: Kept): boolean => picked.length === limit || (picked.length > 0 && chars + kept.chars > pageChars)
    let more = false
    if (query.after === undefined) {
      for (let back = 0; back < this.size; back++) {
        const kept = this.at(back)
        if (!matches(kept)) continue
        if (full(kept)) break
        picked.push(kept)
        chars += kept.chars
      }
      picked.reverse()
    } else {
      // Entries are numbered without gaps, so the first one after `after` is found without a search.
      const newer = Math.min(this.size, Math.max(0, this.seq - query.after))
      for (let back = newer - 1; back >= 0; back--) {
        const kept = this.at(back)
        if (!matches(kept)) continue
        if (full(kept)) {
          more = true
          break
        }
        picked.push(kept)
        chars += kept.chars
      }
    }
    return {
      requests: picked.map((kept) => this.entry(kept)),
      next: more ? picked[picked.length - 1]!.seq : this.seq,
      more,
      oldest: this.seq - this.size + 1
    }
  }

  /** Every entry kept, oldest first. */
  list (): JournalEntry[] {
    return this.page({}, Number.POSITIVE_INFINITY).requests
  }

  private entry (kept: Kept): JournalEntry {
    const entry: JournalEntry = {
      seq: kept.seq,
      time: new Date(kept.at).toISOString(),
      method: kept.method,
      url: kept.url,
      session: kept.session,
      scenario: kept.scenario,
      status: kept.status,
      heldMs: Math.round(kept.heldMs * 100) / 100,
      headers: headerObject(kept.head.split(SEPARATOR))
    }
    if (typeof kept.body === 'string') entry.body = parsedBody(kept.body)
    else if (kept.body !== undefined) entry.body = `[${kept.body} bytes]`
    if (kept.cut !== undefined) entry.cut = kept.cut
    if (kept.violations !== undefined) entry.violations = kept.violations
    return this.redact(entry)
  }

  clear (): void {
    this.entries.fill(undefined)
    this.next = 0
    this.size = 0
    this.chars = 0
  }
}
