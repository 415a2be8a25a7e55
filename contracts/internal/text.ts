/**
 * Small text helpers every layer uses: one way to shorten a value quoted in a message, one way to
 * turn a name into an id.
 */

/**
 * The text, cut to `max` characters with an ellipsis when longer, so a hostile value cannot make a
 * message (or a log line) grow with it.
 * @example truncate('abcdef', 3) // 'abc…'
 */
export function truncate (text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * A name as a kebab-case id: lower case, every run of other characters one hyphen, none at the ends.
 * @example kebab('OIDC needs an IdP configuration') // 'oidc-needs-an-idp-configuration'
 */
export function kebab (name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
}
