/**
 * The published contract of `POST /v3/invites`, kept inside the project: a snapshot of its
 * statuses, media types, schemas (refs resolved, prose dropped) and example values (key order
 * kept), made from a Konnect Identity OpenAPI document, and the drift between any such document
 * and what the mock serves.
 */
import { documentedExamples } from './examples.js'
import { diffJson, normalizeSchema, pointer, resolveRefs, type Json } from './openapi.js'
import { contractForStatus, contracts, InviteUserRequest, PROBLEM_JSON } from './schemas.js'
import snapshot from './published.json' with { type: 'json' }
import { isObject as isPlainObject } from './internal/object.js'
const isObject = (value: unknown): value is JsonObject => isPlainObject<JsonObject>(value)

type JsonObject = { [key: string]: Json }

/** One media type of a request or a response. */
export interface PublishedMedia {
  /** The schema with every `$ref` resolved and its prose (descriptions, titles, examples) dropped. */
  schema?: Json
  /** The named examples' values, in the document's order, key order kept. */
  examples: Record<string, Json>
}

export interface PublishedResponse {
  /** Where the document defines it (a JSON pointer). */
  from: string
  content: Record<string, PublishedMedia>
}

export interface PublishedContract {
  /** The document's `info.title` and `info.version`. */
  source: { title: string, version: string }
  operation: 'POST /v3/invites'
  request: Record<string, PublishedMedia>
  /** By status: the operation's own responses, plus the 401 and 403 the document defines beside it. */
  responses: Record<string, PublishedResponse>
  /** The component schemas these use, by name, resolved and without prose. */
  schemas: Record<string, Json>
}

/** The snapshot committed with the project (`npm run contract:snapshot -- --spec <openapi.yaml>` writes it). */
export const publishedContract = snapshot as unknown as PublishedContract

const OPERATION = '#/paths/~1v3~1invites/post'
/** The 401 and 403 answers, which the published excerpt defines beside the operation rather than on it. */
const ALONGSIDE: Record<string, string> = { 401: 'IdentityUnauthenticated', 403: 'IdentityPermissionDenied' }
const PROSE = new Set(['description', 'title', 'example', 'examples', 'externalDocs', 'xml'])
/** Keywords whose values are data, not schemas: nothing in them is prose. */
const DATA = new Set(['enum', 'const', 'default'])

function withoutProse (schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(withoutProse)
  if (!isObject(schema)) return schema
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(schema)) {
    if (PROSE.has(key)) continue
    if (key === 'properties' && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, withoutProse(property)]))
    else out[key] = DATA.has(key) ? value : withoutProse(value)
  }
  return out
}

function schemaRefs (document: JsonObject, value: Json, found: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) schemaRefs(document, item, found)
  if (!isObject(value)) return
  const ref = value.$ref
  if (typeof ref === 'string') {
    if (ref.startsWith('#/components/schemas/') && !found.has(ref)) {
      found.add(ref)
      schemaRefs(document, pointer(document, ref), found)
    } else if (!ref.startsWith('#/components/schemas/')) schemaRefs(document, pointer(document, ref), found)
  }
  for (const [key, item] of Object.entries(value)) if (key !== '$ref') schemaRefs(document, item, found)
}

function contentOf (document: JsonObject, content: Json | undefined): Record<string, PublishedMedia> {
  const out: Record<string, PublishedMedia> = {}
  for (const [mediaType, media] of Object.entries(isObject(content) ? content : {})) {
    const resolved = isObject(media) ? media : {}
    const examples = isObject(resolved.examples) ? resolved.examples : {}
    out[mediaType] = {
      ...(resolved.schema === undefined ? {} : { schema: withoutProse(resolveRefs(document, resolved.schema)) }),
      examples: Object.fromEntries(Object.entries(examples).map(([name, example]) => {
        const value = resolveRefs(document, example)
        return [name, isObject(value) && value.value !== undefined ? value.value : null]
      }))
    }
  }
  return out
}

/**
 * Makes the snapshot of `POST /v3/invites` from an OpenAPI document (the whole Konnect Identity
 * document or an excerpt). Throws when the document has no such operation or a `$ref` is dangling.
 * @example snapshotOpenApi(loadOpenApi('konnect-invites.openapi.yaml')).responses['409'].content['application/problem+json'].examples
 */
export function snapshotOpenApi (document: JsonObject): PublishedContract {
  const paths = isObject(document.paths) ? document.paths : {}
  const path = paths['/v3/invites']
  const operation = isObject(path) ? path.post : undefined
  if (!isObject(operation)) throw new Error('the document has no POST /v3/invites')
  const info = isObject(document.info) ? document.info : {}
  const found = new Set<string>()
  const roots: Json[] = [operation]

  const requestBody = operation.requestBody === undefined ? {} : resolveRefs(document, operation.requestBody)
  const responses: Record<string, PublishedResponse> = {}
  for (const [status, response] of Object.entries(isObject(operation.responses) ? operation.responses : {})) {
    const from = isObject(response) && typeof response.$ref === 'string' ? response.$ref : `${OPERATION}/responses/${status.replace(/~/g, '~0').replace(/\//g, '~1')}`
    const resolved = resolveRefs(document, response)
    responses[status] = { from, content: contentOf(document, isObject(resolved) ? resolved.content : undefined) }
  }
  const components = isObject(document.components) && isObject(document.components.responses) ? document.components.responses : {}
  for (const [status, name] of Object.entries(ALONGSIDE)) {
    if (responses[status] !== undefined || components[name] === undefined) continue
    roots.push(components[name])
    const resolved = resolveRefs(document, components[name])
    responses[status] = { from: `#/components/responses/${name}`, content: contentOf(document, isObject(resolved) ? resolved.content : undefined) }
  }
  for (const root of roots) schemaRefs(document, root, found)
  const schemas: Record<string, Json> = {}
  for (const ref of [...found].sort()) schemas[ref.slice('#/components/schemas/'.length)] = withoutProse(resolveRefs(document, pointer(document, ref)))

  return {
    source: { title: String(info.title ?? ''), version: String(info.version ?? '') },
    operation: 'POST /v3/invites',
    request: contentOf(document, isObject(requestBody) ? requestBody.content : undefined),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    schemas
  }
}

const canonical = (schema: unknown): Json => normalizeSchema(JSON.parse(JSON.stringify(schema)) as Json)

/**
 * What the mock serves, in the snapshot's shape: its TypeBox contracts by status and the documented
 * examples its catalogue serves (schemas in canonical form, so `from` is empty).
 * @example Object.keys(mockContract().responses) // ['201', '400', '401', '403', '409', '429']
 */
export function mockContract (): Omit<PublishedContract, 'source' | 'schemas'> {
  const examples = documentedExamples
  const responses: Record<string, PublishedResponse> = { 201: { from: '', content: {} } }
  for (const [status, name] of Object.entries(contractForStatus)) {
    responses[status] = {
      from: '',
      content: {
        [PROBLEM_JSON]: {
          schema: canonical(contracts[name]),
          examples: Object.fromEntries(examples.filter((example) => String(example.status) === status).map((example) => [example.name, example.value as Json]))
        }
      }
    }
  }
  return { operation: 'POST /v3/invites', request: { 'application/json': { schema: canonical(InviteUserRequest), examples: {} } }, responses }
}

/** One difference between a document and the mock; `document` and `mock` show the two sides. */
export interface ContractDifference {
  kind: 'status' | 'media type' | 'schema' | 'example'
  change: 'added' | 'removed' | 'changed'
  /** `request`, or the status, then the media type. */
  where: string
  /** The example's name. */
  name?: string
  /** A JSON pointer into the schema or the example. */
  path?: string
  document?: string
  mock?: string
}

function compareContent (where: string, document: Record<string, PublishedMedia>, mock: Record<string, PublishedMedia>, out: ContractDifference[]): void {
  for (const mediaType of Object.keys(document)) if (mock[mediaType] === undefined) out.push({ kind: 'media type', change: 'added', where: `${where} ${mediaType}` })
  for (const [mediaType, served] of Object.entries(mock)) {
    const published = document[mediaType]
    if (published === undefined) {
      out.push({ kind: 'media type', change: 'removed', where: `${where} ${mediaType}` })
      continue
    }
    const at = `${where} ${mediaType}`
    for (const difference of diffJson(normalizeSchema(published.schema ?? {}), normalizeSchema(served.schema ?? {}))) {
      out.push({ kind: 'schema', change: 'changed', where: at, path: difference.path, document: difference.expected, mock: difference.got })
    }
    for (const name of Object.keys(published.examples)) if (!(name in served.examples)) out.push({ kind: 'example', change: 'added', where: at, name })
    for (const [name, value] of Object.entries(served.examples)) {
      if (!(name in published.examples)) out.push({ kind: 'example', change: 'removed', where: at, name })
      else {
        for (const difference of diffJson(published.examples[name], value, { keyOrder: true })) {
          out.push({ kind: 'example', change: 'changed', where: at, name, path: difference.path, document: difference.expected, mock: difference.got })
        }
      }
    }
  }
}

/**
 * Every difference between a document's snapshot and what the mock serves. The 401 and 403 are
 * compared only when the document defines them (an excerpt may leave them out).
 * @example contractDrift(publishedContract) // []
 */
export function contractDrift (document: Pick<PublishedContract, 'request' | 'responses'>, mock = mockContract()): ContractDifference[] {
  const out: ContractDifference[] = []
  compareContent('request', document.request, mock.request, out)
  for (const status of Object.keys(document.responses)) if (mock.responses[status] === undefined) out.push({ kind: 'status', change: 'added', where: status })
  for (const [status, served] of Object.entries(mock.responses)) {
    const published = document.responses[status]
    if (published === undefined) {
      if (ALONGSIDE[status] === undefined) out.push({ kind: 'status', change: 'removed', where: status })
      continue
    }
    compareContent(status, published.content, served.content, out)
  }
  return out
}

/**
 * One line for a difference, saying what the document has and what the mock serves.
 * @example formatDifference({ kind: 'status', change: 'added', where: '418' }) // 'status 418 added in the document'
 */
export function formatDifference (difference: ContractDifference): string {
  const sides = difference.path === undefined ? '' : ` at ${difference.path}: document ${difference.document!}, mock ${difference.mock!}`
  switch (difference.kind) {
    case 'status': return `status ${difference.where} ${difference.change === 'added' ? 'added in the document' : 'removed from the document'}`
    case 'media type': return `media type ${difference.where} ${difference.change === 'added' ? 'added in the document' : 'removed from the document'}`
    case 'schema': return `schema ${difference.where} changed${sides}`
    default: return `example ${JSON.stringify(difference.name)} (${difference.where}) ${difference.change === 'changed' ? 'changed' : difference.change === 'added' ? 'added in the document' : 'removed from the document'}${sides}`
  }
}
