/** One test for "a plain JSON object": not null, not an array. */

/**
 * Whether a value is an object other than an array or null, as a parsed JSON object is. `T` names
 * the object type the caller's data holds (a record of unknowns unless given).
 * @example isObject({ a: 1 }) // true
 * @example isObject([1]) // false
 */
export function isObject<T extends object = Record<string, unknown>> (value: unknown): value is T {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
