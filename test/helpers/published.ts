/**
 * The published contract for the tests that compare the mock with it: the snapshot committed in
 * `contracts/published.json`, present in every clone. Where the published document itself sits next
 * to the project (`../shared/reference/`), `referencePath` names it.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { publishedContract, type PublishedContract } from '../../contracts/published.js'
import { PROBLEM_JSON } from '../../contracts/schemas.js'
import { builtInScenarios } from '../../scenarios/catalogue.js'

export const published: PublishedContract = publishedContract

const REFERENCE = fileURLToPath(new URL('../../../shared/reference/konnect-invites.openapi.yaml', import.meta.url))
/** The published document, when it is next to the project. */
export const referencePath: string | undefined = existsSync(REFERENCE) ? REFERENCE : undefined

export interface PublishedExample {
  name: string
  status: number
  value: Record<string, unknown>
}

/** The statuses documented on the operation itself (401 and 403 are defined beside it). */
const OWN = (status: string): boolean => status !== '401' && status !== '403'

/**
 * The named examples of POST /v3/invites, in the document's order.
 * @example publishedInviteExamples()[0].name // 'Request Format is Invalid'
 */
export function publishedInviteExamples (snapshot: PublishedContract = published): PublishedExample[] {
  return Object.entries(snapshot.responses).filter(([status]) => OWN(status)).flatMap(([status, response]) =>
    Object.entries(response.content[PROBLEM_JSON]?.examples ?? {}).map(([name, value]) => ({ name, status: Number(status), value: value as Record<string, unknown> })))
}

/**
 * A named example of a status's problem+json answer (the 401 and 403 ones too).
 * @example publishedResponseExample(401, 'Unauthorized').status // 401
 */
export function publishedResponseExample (status: number, name: string): Record<string, unknown> {
  return published.responses[status]!.content[PROBLEM_JSON]!.examples[name] as Record<string, unknown>
}

/**
 * The response objects by status, in OpenAPI form with their schemas in place (for a validator).
 * @example publishedResponses()['409'].content['application/problem+json'].schema
 */
export function publishedResponses (): Record<string, any> {
  return Object.fromEntries(Object.entries(published.responses).map(([status, response]) => [status, {
    description: status,
    ...(Object.keys(response.content).length === 0 ? {} : { content: Object.fromEntries(Object.entries(response.content).map(([type, media]) => [type, { schema: media.schema }])) })
  }]))
}

const pointerKey = (pointer: string): string => pointer.slice(pointer.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~')

/**
 * An OpenAPI document that says what a snapshot says (schemas in place, examples under
 * `components/examples`, each response where the snapshot says it was found): the input for tests
 * that need a published document in a clone that has none.
 * @example snapshotOpenApi(documentFromSnapshot(published)).responses // published.responses
 */
export function documentFromSnapshot (snapshot: PublishedContract = published): Record<string, any> {
  const components: Record<string, any> = { responses: {}, examples: {} }
  const responses: Record<string, any> = {}
  let exampleCount = 0
  const content = (media: PublishedContract['request']): Record<string, any> => Object.fromEntries(Object.entries(media).map(([type, { schema, examples }]) => {
    const named = Object.fromEntries(Object.entries(examples).map(([name, value]) => {
      const key = `example-${++exampleCount}`
      components.examples[key] = { value }
      return [name, { $ref: `#/components/examples/${key}` }]
    }))
    return [type, { ...(schema === undefined ? {} : { schema }), ...(Object.keys(named).length === 0 ? {} : { examples: named }) }]
  }))
  for (const [status, response] of Object.entries(snapshot.responses)) {
    const object = { description: status, ...(Object.keys(response.content).length === 0 ? {} : { content: content(response.content) }) }
    if (!response.from.startsWith('#/components/responses/')) responses[status] = object
    else {
      components.responses[pointerKey(response.from)] = object
      if (OWN(status)) responses[status] = { $ref: response.from }
    }
  }
  return {
    openapi: '3.0.2',
    info: { ...snapshot.source },
    paths: { '/v3/invites': { post: { operationId: 'invite-user', requestBody: { content: content(snapshot.request) }, responses } } },
    components
  }
}

/**
 * Serializes a body with its `instance` replaced, keeping key order, to compare bytes.
 * @example withInstance({ status: 409, instance: 'x' }, 'konnect:trace:1') // '{"status":409,"instance":"konnect:trace:1"}'
 */
export function withInstance (value: Record<string, unknown>, instance: string): string {
  return JSON.stringify({ ...value, instance })
}

/**
 * The names of the documented examples the built-in scenarios answer with, in catalogue order:
 * the ones the coverage report lists.
 * @example documentedExampleNames().at(-2) // 'Unauthorized'
 */
export function documentedExampleNames (): string[] {
  return builtInScenarios.flatMap((scenario) => scenario.example === undefined ? [] : [scenario.example])
}
