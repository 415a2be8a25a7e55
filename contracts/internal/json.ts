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
