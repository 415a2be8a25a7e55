/**
 * JSON parsing that does not throw: a body from the wire may be anything, and every reader of one
 * wants a value it can check, not an exception to catch.
 */

/**
 * The value of a JSON text, or `fallback` (undefined unless given) when the text is not JSON.
 * @example parseJson('{"a":1}') // { a: 1 }
 * @example parseJson('{', '[not JSON]') // '[not JSON]'
 */
export function parseJson (text: string, fallback?: unknown): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return fallback
  }
}

/**
 * Whether a media type (already lower case, without parameters) says its body is JSON.
 * @example isJsonType('application/problem+json') // true
 */
export function isJsonType (mediaType: string | undefined): boolean {
  return mediaType !== undefined && (mediaType === 'application/json' || mediaType.endsWith('+json'))
}

/**
 * Why a text is not JSON, and where: the parser's reason and the 0-based position of the first
 * character that breaks it (the text's length when it ends too early), with the line and column
 * when the text has several lines; `undefined` when the text is JSON. V8 names no position for an
 * unexpected token, so the shortest prefix that already fails is found by bisection.
 * @example jsonSyntaxError('{"id":}') // "Unexpected token '}' at position 6"
 */
export function jsonSyntaxError (text: string): string | undefined {
  const failure = parseFailure(text)
  if (failure === undefined) return undefined
  let { reason, position } = failure
  if (position === undefined) {
    let low = 1
    let high = text.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (failsBefore(text.slice(0, middle), middle)) high = middle
      else low = middle + 1
    }
    position = low - 1
  }
  const before = text.slice(0, position)
  const line = before.split('\n').length
  const where = text.includes('\n') ? ` (line ${line}, column ${position - before.lastIndexOf('\n')})` : ''
  return `${reason} at position ${position}${where}${position >= text.length ? ', where the text ends' : ''}`
}

/** The parser's reason (without its copy of the text) and position, when it gives one. */
function parseFailure (text: string): { reason: string, position: number | undefined } | undefined {
  try {
    JSON.parse(text)
    return undefined
  } catch (error) {
    const message = (error as Error).message
    if (message === 'Unexpected end of JSON input') return { reason: 'Unexpected end of JSON input', position: text.length }
    const at = / at position (\d+)/.exec(message)
    if (at !== null) return { reason: message.slice(0, at.index).replace(/ in JSON$/, ''), position: Number(at[1]) }
    return { reason: message.replace(/, ".*" is not valid JSON$/s, ''), position: undefined }
  }
}

/** Whether a prefix of `length` characters already breaks before its end (not merely ends too early). */
function failsBefore (prefix: string, length: number): boolean {
  const failure = parseFailure(prefix)
  return failure !== undefined && (failure.position === undefined || failure.position < length)
}
