/**
 * The published contract, read for the tests that compare the mock with it. When the document is
 * not next to the project, `skipPublished` gives the reason the dependent tests are skipped.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const PUBLISHED_PATH = fileURLToPath(new URL('../../../shared/reference/konnect-invites.openapi.yaml', import.meta.url))

/** The parsed document, or undefined when it is absent. */
export const published: Record<string, any> | undefined = existsSync(PUBLISHED_PATH)
  ? parse(readFileSync(PUBLISHED_PATH, 'utf8'))
  : undefined

/** `false`, or the reason to skip a test that needs the published document. */
export const skipPublished: string | false = published === undefined ? `the published contract is absent (${PUBLISHED_PATH})` : false

export interface PublishedExample {
  name: string
  status: number
  value: Record<string, unknown>
}

function resolveRef (document: Record<string, any>, node: any): any {
  if (node?.$ref === undefined) return node
  return (node.$ref as string).slice(2).split('/').reduce((at: any, key) => at[key], document)
}

/**
 * The response objects by status: the ones of POST /v3/invites and the 401/403 documented alongside.
 * @example publishedResponses(published!)['409'].content['application/problem+json'].schema
 */
export function publishedResponses (document: Record<string, any>): Record<string, any> {
  const operation = document.paths['/v3/invites'].post
  const responses: Record<string, any> = {}
  for (const [status, response] of Object.entries(operation.responses)) responses[status] = resolveRef(document, response)
  responses['401'] = document.components.responses.IdentityUnauthenticated
  responses['403'] = document.components.responses.IdentityPermissionDenied
  return responses
}

/**
 * The named examples of POST /v3/invites, in the document's order, with their values resolved.
 * @example publishedInviteExamples(published!)[0].name // 'Request Format is Invalid'
 */
export function publishedInviteExamples (document: Record<string, any>): PublishedExample[] {
  const operation = document.paths['/v3/invites'].post
  const out: PublishedExample[] = []
  for (const [status, ref] of Object.entries(operation.responses)) {
    const content = resolveRef(document, ref).content?.['application/problem+json']
    for (const [name, example] of Object.entries(content?.examples ?? {})) {
      out.push({ name, status: Number(status), value: resolveRef(document, example).value })
    }
  }
  return out
}

/**
 * A named example of a component response (the 401 and 403 ones).
 * @example publishedResponseExample(published!, 'IdentityUnauthenticated', 'Unauthorized').status // 401
 */
export function publishedResponseExample (document: Record<string, any>, response: string, name: string): Record<string, unknown> {
  return resolveRef(document, document.components.responses[response].content['application/problem+json'].examples[name]).value
}

/**
 * Serializes a body with its `instance` replaced, keeping key order, to compare bytes.
 * @example withInstance({ status: 409, instance: 'x' }, 'konnect:trace:1') // '{"status":409,"instance":"konnect:trace:1"}'
 */
export function withInstance (value: Record<string, unknown>, instance: string): string {
  return JSON.stringify({ ...value, instance })
}
