/**
 * Recording (`--record <file>`): each distinct error answer of the real service is appended to a
 * scenarios file in the `--scenarios-file` format, so it can be replayed offline. Only the headers a
 * client reads are kept, `instance` becomes a placeholder, and every secret the request carried
 * (the header, query and body values the journal redacts, `--redact` names included) is scrubbed
 * before anything reaches the file.
 */
import { randomBytes } from 'node:crypto'
import { rename, unlink, writeFile } from 'node:fs/promises'
import { mediaTypeOf } from '../contracts/assert.js'
import { kebab } from '../contracts/internal/text.js'
import { builtInScenarios, compileScenario } from './catalogue.js'
import { parseScenarios, readScenariosText, type CustomScenario } from './custom.js'
import { yaml } from './yaml.js'
import { isSecretName, queryText, REDACTED, splitQuery } from './redact.js'
import { isJsonType } from '../contracts/internal/json.js'

/** The `instance` written to the file: the mock serves a fresh one in its place. */
export const RECORDED_INSTANCE = 'konnect:trace:recorded'
/** Response headers a client reads, kept in the file; framing, cookies and the rest are not. */
const KEPT_HEADERS = new Set(['retry-after', 'www-authenticate', 'ratelimit', 'ratelimit-policy', 'deprecation', 'sunset'])
const KEPT_PREFIXES = ['ratelimit-', 'x-ratelimit-']
const MAX_ID_LENGTH = 64

/** An upstream answer as read off the wire. */
export interface RecordedAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** The file's scenarios, and the rest of its document (`global`, `sessions`) when it is an object, kept as written. */
interface Loaded { items: CustomScenario[], document: Record<string, unknown> | undefined }

function load (file: string): Loaded {
  const text = readScenariosText(file, true)
  // A missing or empty file is a fresh start; anything else must already load with --scenarios-file.
  if (text === undefined || text.trim() === '') return { items: [], document: isJson(file) ? undefined : {} }
  parseScenarios(text, file)
  const data = (isJson(file) ? JSON.parse(text) : yaml().parse(text)) as CustomScenario[] | { scenarios?: CustomScenario[] }
  return Array.isArray(data) ? { items: data, document: undefined } : { items: data.scenarios ?? [], document: data }
}

const isJson = (file: string): boolean => /\.json$/i.test(file)

/** The parts of a request whose secrets a recording scrubs. */
export interface RecordedRequest {
  /** The headers as received: name, value, name, value… (Node's `rawHeaders`). */
  rawHeaders: readonly string[]
  /** The request target (`/v3/invites?…`). */
  url?: string
  /** The body as received. */
  body?: string | undefined
}

/**
 * The secrets a request carries, as they could be echoed: whole header values, the credential
 * after an auth scheme, each cookie's value, the values of query parameters and of JSON body fields
 * with secret names, and each of those as it reads inside a JSON string.
 * `isSecret` tells secret names (the built-in ones by default).
 * @example secretsOf({ rawHeaders: ['authorization', 'Bearer kpat_123'] }) // ['Bearer kpat_123', 'kpat_123']
 */
export function secretsOf (request: RecordedRequest, isSecret: (name: string) => boolean = isSecretName): string[] {
  const secrets = new Set<string>()
  const { rawHeaders } = request
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!isSecret(rawHeaders[i]!)) continue
    const value = rawHeaders[i + 1]!.trim()
    secrets.add(value)
    const credential = /^\S+\s+(\S.*)$/.exec(value)?.[1]
    if (credential !== undefined) secrets.add(credential)
    for (const pair of value.split(';')) {
      const cookie = pair.slice(pair.indexOf('=') + 1).trim()
      if (pair.includes('=')) secrets.add(cookie)
    }
  }
  for (const { name, value } of splitQuery(request.url ?? '')?.pairs ?? []) {
    // As written and as decoded: an answer may echo either.
    if (value !== undefined && isSecret(queryText(name))) secrets.add(value).add(queryText(value))
  }
  if (request.body !== undefined) {
    let body: unknown
    try {
      body = JSON.parse(request.body)
    } catch {}
    secretFields(body, false, isSecret, secrets)
  }
  // A secret echoed inside a JSON string has its quotes and backslashes escaped.
  for (const secret of [...secrets]) secrets.add(JSON.stringify(secret).slice(1, -1))
  // Very short values would scrub ordinary text: a secret that short is not a secret worth hiding.
  return [...secrets].filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length)
}

/** Adds the string and number values found under secret field names (`inSecret`: already under one). */
function secretFields (value: unknown, inSecret: boolean, isSecret: (name: string) => boolean, secrets: Set<string>): void {
  if (typeof value === 'string' || typeof value === 'number') {
    if (inSecret) secrets.add(String(value))
  } else if (Array.isArray(value)) {
    for (const item of value) secretFields(item, inSecret, isSecret, secrets)
  } else if (value !== null && typeof value === 'object') {
    for (const [name, field] of Object.entries(value)) secretFields(field, inSecret || isSecret(name), isSecret, secrets)
  }
}

function scrub (text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join(REDACTED)
  return out
}

/** The file form of an answer: a custom scenario without its id yet, and the key duplicates share. */
function describe (answer: RecordedAnswer, secrets: readonly string[], when: string): { item: Omit<CustomScenario, 'id'>, key: string, name: string } {
  const headers: Record<string, string> = {}
  let contentType: string | undefined
  for (const [name, value] of Object.entries(answer.headers)) {
    const lower = name.toLowerCase()
    const text = scrub([value].flat().join(', '), secrets)
    if (lower === 'content-type') contentType = text
    else if (KEPT_HEADERS.has(lower) || KEPT_PREFIXES.some((prefix) => lower.startsWith(prefix))) headers[lower] = text
  }
  const text = scrub(answer.body, secrets)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {}
  const object = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined
  const title = typeof object?.title === 'string' && object.title.trim() !== '' ? object.title : `Upstream ${answer.status}`
  const detail = typeof object?.detail === 'string' ? object.detail : ''
  const base = {
    title,
    status: answer.status,
    description: `Recorded from the upstream on ${when}.`,
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    ...(contentType === undefined ? {} : { contentType })
  }
  const conforms = (candidate: Omit<CustomScenario, 'id'>): boolean => {
    try {
      compileScenario({ ...base, ...candidate, id: 'recorded', kind: 'custom', description: base.description })
      return true
    } catch {
      return false
    }
  }
  // A compact JSON body is kept as data (readable, served with a fresh instance); anything else is
  // kept as text, so the mock serves the very same bytes. One that breaks its contract is a fault.
  let item: Omit<CustomScenario, 'id'> = object !== undefined && JSON.stringify(object) === text && isJsonType(mediaTypeOf(contentType))
    ? { ...base, body: 'instance' in object ? { ...object, instance: RECORDED_INSTANCE } : object }
    : { ...base, text: text.replace(/("instance"\s*:\s*")(?:[^"\\]|\\.)*"/, `$1${RECORDED_INSTANCE}"`) }
  if (!conforms(item)) item = { ...item, fault: true }
  // A fault with a media type must have a body: an empty one is recorded as the bare status it is.
  if (!conforms(item)) {
    const { contentType: _type, ...bare } = item
    item = bare
  }
  const key = JSON.stringify([item.status, mediaTypeOf(item.contentType) ?? '', Object.keys(item.headers ?? {}).sort(), item.body ?? item.text])
  return { item, key, name: `${title} ${detail}` }
}

function keyOf (item: CustomScenario): string {
  const headers = Object.keys(item.headers ?? {}).map((name) => name.toLowerCase())
  const type = item.contentType ?? Object.entries(item.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1]
  return JSON.stringify([item.status, mediaTypeOf(type) ?? '', headers.filter((name) => name !== 'content-type').sort(), item.body ?? item.text])
}

export interface RecorderOptions {
  /** Called with a write that failed; recording goes on. */
  onError: (error: Error) => void
  /** The clock, in ms since the epoch, for the `description` of a recording. */
  now?: () => number
  /** Which header, query and body field names hold secrets (the built-in names by default). */
  isSecret?: (name: string) => boolean
}

/**
 * Appends distinct upstream error answers to a scenarios file. Writes are serialized, and each
 * writes the whole file to a temporary file first, then renames it over the old one.
 * @example
 * const recorder = new Recorder('recorded.yaml', { onError: (error) => { console.error(error) } })
 * recorder.record({ status: 409, headers: { 'content-type': 'application/problem+json' }, body: '{…}' }, { rawHeaders: ['authorization', 'Bearer t'] })
 * await recorder.flush()
 */
export class Recorder {
  private readonly items: CustomScenario[]
  private readonly document: Record<string, unknown> | undefined
  private readonly keys = new Set<string>()
  private readonly ids = new Set(builtInScenarios.map((scenario) => scenario.id))
  private writing: Promise<void> = Promise.resolve()
  private readonly onError: (error: Error) => void
  private readonly now: () => number
  private readonly isSecret: (name: string) => boolean

  /**
   * Reads the file as it is (a missing or empty file starts empty); throws a ScenarioFileError when
   * it does not load.
   */
  constructor (readonly file: string, options: RecorderOptions) {
    this.onError = options.onError
    this.now = options.now ?? Date.now
    this.isSecret = options.isSecret ?? isSecretName
    const loaded = load(file)
    this.items = loaded.items
    this.document = loaded.document
    for (const item of this.items) {
      this.ids.add(item.id)
      this.keys.add(keyOf(item))
    }
  }

  /** How many scenarios the file holds. */
  get size (): number {
    return this.items.length
  }

  /**
   * Records an error answer unless the file already holds the same one; the secrets of `request`
   * are scrubbed from it. Returns the new scenario's id, or undefined when skipped.
   */
  record (answer: RecordedAnswer, request: RecordedRequest): string | undefined {
    if (answer.status < 400 || answer.status > 599) return undefined
    const { item, key, name } = describe(answer, secretsOf(request, this.isSecret), new Date(this.now()).toISOString())
    if (this.keys.has(key)) return undefined
    this.keys.add(key)
    const id = this.freshId(kebab(name) || `upstream-${answer.status}`)
    this.items.push({ id, ...item })
    this.writing = this.writing.then(() => this.write()).catch(this.onError)
    return id
  }

  /** Resolves once every recorded answer is on disk. */
  flush (): Promise<void> {
    return this.writing
  }

  private freshId (wanted: string): string {
    const base = wanted.slice(0, MAX_ID_LENGTH).replace(/-+$/, '')
    let id = base
    for (let n = 2; this.ids.has(id); n++) id = `${base.slice(0, MAX_ID_LENGTH - String(n).length - 1).replace(/-+$/, '')}-${n}`
    this.ids.add(id)
    return id
  }

  private async write (): Promise<void> {
    const data = this.document === undefined ? this.items : { ...this.document, scenarios: this.items }
    const text = isJson(this.file) ? `${JSON.stringify(data, null, 2)}\n` : yaml().stringify(data, { lineWidth: 0 })
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`
    try {
      await writeFile(temp, text, { mode: 0o600 })
      await rename(temp, this.file)
    } catch (error) {
      await unlink(temp).catch(() => {})
      throw error
    }
  }
}
