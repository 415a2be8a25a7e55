/**
 * One way to read a URL a user typed (a flag, an env variable, a header) without a throw.
 */

/**
 * The URL `value` names (spaces around it ignored), or undefined when it is not one.
 * @example parseUrl(' http://localhost:5173 ')?.host // 'localhost:5173'
 */
export function parseUrl (value: string): URL | undefined {
  try {
    return new URL(value.trim())
  } catch {
    return undefined
  }
}
