/**
 * Secret-hiding for anything the mock shows or writes of a request or an answer: header values,
 * query values, URL user-info and JSON body fields whose names say they hold a secret. The journal
 * uses it when it is read; anything else that keeps HTTP messages can use the same function.
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]'

/** Header names that carry credentials without saying so in a suffix. */
const SECRET_NAMES = new Set(['authorization', 'proxy_authorization', 'cookie', 'set_cookie', 'key', 'apikey', 'passwd'])
/** Any name ending like these holds a secret: `x-auth-token`, `client_secret`, `x-api-key`, `password`. */
const SECRET_SUFFIX = /(?:token|secret|password|_key)$/

/**
 * The test of secret names: the built-in ones, plus `names` (matched case-insensitively against
 * header names, query parameter names and JSON field names, `-` and `_` alike).
 * @example secretNames(['x-tenant'])('X_Tenant') // true
 */
export function secretNames (names: readonly string[] = []): (name: string) => boolean {
  const extra = new Set(names.map(normalize))
  return (name) => {
    const key = normalize(name)
    return SECRET_NAMES.has(key) || SECRET_SUFFIX.test(key) || extra.has(key)
  }
}

/**
 * Whether a header, query or field name says it holds a secret (the built-in names only).
 * @example isSecretName('X-Auth-Token') // true
 */
export const isSecretName = secretNames()

/** Names whose verdict a redactor remembers; past it, it starts over (names repeat: headers, fields). */
export const NAMES_REMEMBERED = 1000

/** A message, or the parts of one, to show without its secrets. */
interface Redactable {
  /** A request target (`/path?query`) or an absolute URL. */
  url?: string
  /** Header values by lower-case name. */
  headers?: Record<string, string>
  /** A parsed JSON body. */
  body?: unknown
}

/** Hides the secrets of a message; returns a copy and leaves its argument alone. */
export type Redact = <T extends Redactable>(message: T) => T

/**
 * Makes the redaction function: the built-in secret names, plus `names` (matched case-insensitively
 * against header names, query parameter names and JSON field names, `-` and `_` alike).
 * @example
 * const redact = createRedactor(['x-tenant'])
 * redact({ url: '/v3/invites?token=abc', headers: { 'x-tenant': 't1' }, body: { password: 'p' } })
 * // { url: '/v3/invites?token=[redacted]', headers: { 'x-tenant': '[redacted]' }, body: { password: '[redacted]' } }
 */
export function createRedactor (names: readonly string[] = []): Redact {
  const isSecret = secretNames(names)
  const verdicts = new Map<string, boolean>()
  const secret = (name: string): boolean => {
    let verdict = verdicts.get(name)
    if (verdict === undefined) {
      verdict = isSecret(name)
      if (verdicts.size >= NAMES_REMEMBERED) verdicts.clear()
      verdicts.set(name, verdict)
    }
    return verdict
  }
  return (message) => {
    const copy = { ...message }
    if (message.url !== undefined) copy.url = redactUrl(message.url, secret)
    if (message.headers !== undefined) copy.headers = redactHeaders(message.headers, secret)
    if (message.body !== undefined) copy.body = redactJson(message.body, secret)
    return copy
  }
}

/** The built-in redaction, with no names added. */
export const redact: Redact = createRedactor()

function normalize (name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_')
}

function redactHeaders (headers: Record<string, string>, secret: (name: string) => boolean): Record<string, string> {
  // fromEntries defines every name as an own property, `__proto__` included.
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, secret(name) ? REDACTED : value]))
}

/**
 * A query parameter's name or value as a server would read it (`+` is a space, escapes decoded); a
 * malformed escape is taken as written.
 * @example queryText('a+b%21') // 'a b!'
 */
export function queryText (raw: string): string {
  const name = raw.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(name)
  } catch {
    return name
  }
}

/** One `name=value` pair of a query as written (`value` undefined when there is no `=`). */
export interface QueryPair {
  text: string
  name: string
  value: string | undefined
}

/**
 * A URL's query split into its pairs as written, with the text before (through `?`) and after
 * (from `#`) it; undefined when there is no query.
 * @example splitQuery('/v3/invites?a=1&b#top')!.pairs // [{ text: 'a=1', name: 'a', value: '1' }, { text: 'b', name: 'b', value: undefined }]
 */
export function splitQuery (url: string): { before: string, pairs: QueryPair[], after: string } | undefined {
  const question = url.indexOf('?')
  if (question < 0) return undefined
  const hash = url.indexOf('#', question)
  const end = hash < 0 ? url.length : hash
  const pairs = url.slice(question + 1, end).split('&').map((text) => {
    const equals = text.indexOf('=')
    return equals < 0 ? { text, name: text, value: undefined } : { text, name: text.slice(0, equals), value: text.slice(equals + 1) }
  })
  return { before: url.slice(0, question + 1), pairs, after: url.slice(end) }
}

function redactUrl (url: string, secret: (name: string) => boolean): string {
  // user:password@ in an absolute URL: everything up to the last @ before the path.
  const text = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, `$1${REDACTED}@`)
  const query = splitQuery(text)
  if (query === undefined) return text
  const pairs = query.pairs.map((pair) => pair.value !== undefined && secret(queryText(pair.name)) ? `${pair.name}=${REDACTED}` : pair.text)
  return `${query.before}${pairs.join('&')}${query.after}`
}

function redactJson (value: unknown, secret: (name: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => redactJson(item, secret))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, secret(name) ? REDACTED : redactJson(field, secret)]))
}
