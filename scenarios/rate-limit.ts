/**
 * Sliding-window rate limiting per bearer token: at most `limit` requests in any `windowMs`.
 */

export interface RateLimit {
  limit: number
  windowMs: number
}

export interface RateDecision {
  allowed: boolean
  limit: number
  remaining: number
  /** Whole seconds until the window frees a slot. */
  resetS: number
}

const UNITS: Record<string, number> = { s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 }

/**
 * Parses `<n>/<s|min|h>` (or `off`). Returns a message instead of throwing on a bad value.
 * @example parseRateLimit('5/min') // { limit: 5, windowMs: 60000 }
 */
export function parseRateLimit (value: string): RateLimit | null | string {
  const text = value.trim().toLowerCase()
  if (text === 'off' || text === '') return null
  const match = /^(\d{1,9})\s*\/\s*(\d{0,6})\s*(s|sec|m|min|h)$/.exec(text)
  const limit = Number(match?.[1])
  const count = match?.[2] === '' ? 1 : Number(match?.[2])
  if (match === null || limit < 1 || count < 1) return `expected <n>/<s|min|h> (such as 5/min) or off, got "${value}"`
  return { limit, windowMs: count * UNITS[match[3]!]! }
}

/**
 * Takes a slot in a token's window (an array of request times, oldest first) if one is free.
 * @example takeSlot([], { limit: 1, windowMs: 1000 }, Date.now()).allowed // true
 */
export function takeSlot (window: number[], rate: RateLimit, now: number): RateDecision {
  let expired = 0
  while (expired < window.length && window[expired]! <= now - rate.windowMs) expired++
  if (expired > 0) window.splice(0, expired)
  const allowed = window.length < rate.limit
  if (allowed) window.push(now)
  const resetS = Math.max(1, Math.ceil((window[0]! + rate.windowMs - now) / 1000))
  return { allowed, limit: rate.limit, remaining: rate.limit - window.length, resetS }
}
