/**
 * The journal's entries: what is recorded of a request, what a reader is shown, the bounds on what
 * is kept, and the codec between the two (headers joined into text and read back, bodies parsed).
 * The byte ring that holds the recorded text is in `journal-ring.ts`.
 */
import type { JournalEntry } from '../contracts/admin.js'
import type { ResponseViolation } from '../contracts/assert.js'
import { parseJson } from '../contracts/internal/json.js'
import type { JournalFilter } from './journal-filter.js'

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
  /** The host of the `--proxy` tunnel the request came through, if it came through one. */
  host?: string | undefined
  /** The step of the sequence that answered (from 1), of `steps`, when a sequence did. */
  step?: number | undefined
  steps?: number | undefined
}

/** Which entries to read: at most `limit`, only those after `after` (a `seq`), only those the filter's fields match. */
export interface JournalQuery extends JournalFilter {
  limit?: number | undefined
  after?: number | undefined
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
/** Bytes of kept text (headers, URL, body, in UTF-8) a page decodes at most, whatever its `limit`: at least one entry. */
export const PAGE_BYTES = 128 * 1024
/** Characters of a request URL kept. */
export const URL_CHARS_KEPT = 2048
/**
 * Bytes of request text (headers, URL, body, in UTF-8) the whole journal keeps, the size its ring
 * grows to at most: past it, the oldest entries go first (about 1,250 of the largest entries fit;
 * 10 000 ordinary requests take a few MB).
 */
export const JOURNAL_BYTES = 16 * 1024 * 1024
/** Separates header names and values, the headers and the URL, the URL and the body: HTTP forbids a line feed in any of them (Node refuses such requests). */
export const SEPARATOR = '\n'

/** A body as the journal shows it: parsed JSON, or `[not JSON]`. */
export function parsedBody (text: string): unknown {
  return parseJson(text, '[not JSON]')
}

/** Header pairs as an object: lower-case names, repeated headers joined with `, `. */
export function headerObject (pairs: readonly string[]): Record<string, string> {
  const headers = new Map<string, string>()
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i]!.toLowerCase()
    const seen = headers.get(name)
    headers.set(name, seen === undefined ? pairs[i + 1]! : `${seen}, ${pairs[i + 1]!}`)
  }
  // fromEntries defines each name as an own property, `__proto__` included.
  return Object.fromEntries(headers)
}

/** The first header lines that fit the bounds, joined, and how many lines and characters were left out. */
export function boundedHead (raw: readonly string[]): { head: string, dropped: number, droppedBytes: number } {
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
  return { head: kept.join(SEPARATOR), dropped, droppedBytes }
}
