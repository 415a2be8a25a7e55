/**
 * Bodies rendered from a template compiled once, and the media type they go out with.
 */
import { traceId, TRACE_ID_LENGTH } from './trace-id.js'

/** Renders a body; `bytes` is its length in UTF-8, the same on every call (trace ids have a fixed length). */
export interface Renderer {
  (): string
  readonly bytes: number
}

const INSTANCE_MARK = '\u0000instance\u0000'

/**
 * Renders the same text on every call.
 * @example fixedRenderer('<html></html>').bytes // 13
 */
export function fixedRenderer (text: string): Renderer {
  return Object.assign(() => text, { bytes: Buffer.byteLength(text) })
}

/**
 * Renders a JSON template whose `instance` is replaced by a fresh trace id on every call; the rest
 * of the bytes (key order included) stay as given.
 * @example jsonRenderer({ status: 500, instance: 'x' })() // '{"status":500,"instance":"konnect:trace:…"}'
 */
export function jsonRenderer (body: unknown): Renderer {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('instance' in body)) return fixedRenderer(JSON.stringify(body))
  const [head, tail] = JSON.stringify({ ...body, instance: INSTANCE_MARK }).split(JSON.stringify(INSTANCE_MARK)) as [string, string]
  const open = `${head}"`
  const close = `"${tail}`
  return Object.assign(() => open + traceId() + close, { bytes: Buffer.byteLength(open) + TRACE_ID_LENGTH + Buffer.byteLength(close) })
}

/**
 * The `Content-Type` sent for a media type, worked out once when a scenario is compiled: JSON types
 * (`application/json`, `…+json`) without a charset parameter get `; charset=utf-8`, others go as given.
 * @example wireType('application/problem+json') // 'application/problem+json; charset=utf-8'
 */
export function wireType (type: string): string {
  const trimmed = type.trim().replace(/;$/, '')
  const [media, ...parameters] = trimmed.split(';')
  const hasCharset = parameters.some((parameter) => parameter.trim().toLowerCase().startsWith('charset='))
  return media!.toLowerCase().includes('json') && !hasCharset ? `${trimmed}; charset=utf-8` : trimmed
}
