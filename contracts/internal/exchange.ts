/**
 * An answer as the kit's HTTP callers read it off the wire: the typed client and the runner both
 * work on this one shape.
 */

/** A status, the headers by lower-case name, and the body as text. */
export interface Exchange {
  statusCode: number
  headers: Record<string, string>
  text: string
  /** Why the body did not arrive whole, when the reader allowed that (the runner's `truncated-body` check). */
  cut?: string
}
