/**
 * Checks an answer of the real service (passed through by `--upstream`) against the contract of
 * its status with the kit's own checkers, and tells which documented example it is, if any.
 */
import { isDeepStrictEqual } from 'node:util'
import { checkAgainst, expectationFor, type ResponseLike, type ResponseViolation } from './assert.js'
import { documentedExamples } from './examples.js'

/**
 * Every way an upstream answer breaks the documented contract of its status: the status itself
 * (201 or an error), the media type, the body's schema, `status` in the body, `Retry-After` on
 * 429, an empty body on 201. An empty list means it conforms.
 * @example checkUpstreamAnswer({ statusCode: 201, headers: {}, body: '{}' }) // [{ path: '/body', expected: 'an empty body', got: '"{}"' }]
 */
export function checkUpstreamAnswer (response: ResponseLike & { statusCode: number }): ResponseViolation[] {
  const status = response.statusCode
  // The operation documents 201 and error answers only: any other success is drift too.
  if (status < 400 && status !== 201) return [{ path: '/status', expected: '201 or a 4XX or 5XX status', got: String(status) }]
  return checkAgainst(response, expectationFor(status))
}

/**
 * The name of the documented example an answer's JSON body equals (`instance` aside), if any.
 * @example documentedExampleOf(401, { status: 401, title: 'Unauthenticated', instance: 'x', detail: 'A valid token is required' }) // 'Unauthorized'
 */
export function documentedExampleOf (status: number, body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined
  const { instance: _ignored, ...rest } = body as Record<string, unknown>
  for (const example of documentedExamples) {
    if (example.status !== status) continue
    const { instance: _instance, ...expected } = example.value as Record<string, unknown>
    if (isDeepStrictEqual(rest, expected)) return example.name
  }
  return undefined
}
