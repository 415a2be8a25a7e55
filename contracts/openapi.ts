/**
 * Reads a published OpenAPI document and brings its schemas and the TypeBox ones to one canonical
 * JSON Schema form ($ref resolved, allOf merged, prose and examples dropped, `nullable` and oneOf
 * spelled as anyOf, literals as one-value enums), so the two can be compared path by path.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { isObject as isPlainObject } from './internal/object.js'
const isObject = (value: unknown): value is JsonObject => isPlainObject<JsonObject>(value)

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const PROSE = new Set(['description', 'example', 'examples', 'readOnly', 'writeOnly', 'title', '$id', 'deprecated', 'externalDocs', 'xml'])

/**
 * Parses an OpenAPI document (YAML or JSON) from a file.
 * @example const document = loadOpenApi('../shared/reference/konnect-invites.openapi.yaml')
 */
export function loadOpenApi (path: string): JsonObject {
  const document = parse(readFileSync(path, 'utf8')) as unknown
  if (!isObject(document) || typeof document.openapi !== 'string') throw new Error(`${path} is not an OpenAPI document`)
  return document
}

/**
 * The value at a local JSON pointer (`#/components/schemas/BaseError`) of a document.
 * @example pointer(document, '#/components/examples/429-rate-limited/value')
 */
export function pointer (document: Json, ref: string): Json {
  if (!ref.startsWith('#')) throw new Error(`only local references are supported: ${ref}`)
  let node: Json | undefined = document
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    node = isObject(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined
    if (node === undefined) throw new Error(`unresolved reference ${ref} (no ${JSON.stringify(key)})`)
  }
  return node
}

/**
 * Resolves every `$ref` in a value, deeply (no cycles in the documents this kit reads).
 * @example resolveRefs(document, { $ref: '#/components/schemas/ConflictError' }) // { allOf: [{ description: 'standard error', … }, …] }
 */
export function resolveRefs (document: Json, value: Json): Json {
  if (Array.isArray(value)) return value.map((item) => resolveRefs(document, item))
  if (!isObject(value)) return value
  if (typeof value.$ref === 'string') return resolveRefs(document, pointer(document, value.$ref))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveRefs(document, item)]))
}

function mergeInto (target: JsonObject, source: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key]
    if (key === 'required' && Array.isArray(current) && Array.isArray(value)) target[key] = [...new Set([...current, ...value])]
    else if (key === 'properties' && isObject(current) && isObject(value)) {
      const properties = { ...current }
      for (const [name, schema] of Object.entries(value)) {
        const existing = properties[name]
        properties[name] = isObject(existing) && isObject(schema) ? mergeInto({ ...existing }, schema) : schema
      }
      target[key] = properties
    } else target[key] = value
  }
  return target
}

function typeOfConstant (value: Json): string {
  if (value === null) return 'null'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value === 'object' ? (Array.isArray(value) ? 'array' : 'object') : typeof value
}

function flattenAnyOf (members: JsonObject[]): JsonObject {
  const flat = members.flatMap((member) => Array.isArray(member.anyOf) && Object.keys(member).length === 1 ? member.anyOf as JsonObject[] : [member])
  const merged: JsonObject[] = []
  for (const member of flat) {
    const previous = merged[merged.length - 1]
    const enumOnly = (schema: JsonObject | undefined): boolean =>
      schema !== undefined && Array.isArray(schema.enum) && Object.keys(schema).every((key) => key === 'type' || key === 'enum')
    if (enumOnly(member) && enumOnly(previous) && member.type === previous!.type) {
      merged[merged.length - 1] = { type: previous!.type!, enum: [...previous!.enum as Json[], ...member.enum as Json[]] }
    } else merged.push(member)
  }
  return merged.length === 1 ? merged[0]! : { anyOf: merged }
}

/**
 * One canonical form for a (resolved) schema: no prose, `allOf` merged, `oneOf` and `nullable`
 * written as `anyOf`, a `const` as a one-value `enum` with its type, `required` sorted.
 * TypeBox schemas go through `JSON.parse(JSON.stringify(schema))` first (its markers are symbols).
 * @example normalizeSchema({ type: 'string', enum: ['a'], nullable: true }) // { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'null' }] }
 */
export function normalizeSchema (schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(normalizeSchema)
  if (!isObject(schema)) return schema
  let source: JsonObject = schema
  if (Array.isArray(source.allOf)) {
    const { allOf, ...rest } = source
    source = (allOf as Json[]).reduce<JsonObject>((merged, member) => mergeInto(merged, normalizeSchema(member) as JsonObject), {})
    source = mergeInto(source, rest)
  }
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(source)) {
    if (PROSE.has(key) || key === 'nullable') continue
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, normalizeSchema(property)]))
    } else if (key === 'required' && Array.isArray(value)) {
      if (value.length > 0) out.required = [...value].sort()
    } else if (key === 'const') {
      out.type = typeOfConstant(value)
      out.enum = [value]
    } else if (key === 'oneOf' || key === 'anyOf') {
      out.anyOf = (value as Json[]).map(normalizeSchema)
    } else out[key] = normalizeSchema(value)
  }
  if (Array.isArray(out.anyOf)) {
    const { anyOf, ...rest } = out
    const union = flattenAnyOf(anyOf as JsonObject[])
    if (Object.keys(rest).length === 0) return source.nullable === true ? flattenAnyOf([union, { type: 'null' }]) : union
    Object.assign(out, { anyOf: Array.isArray(union.anyOf) ? union.anyOf : [union] })
  }
  return source.nullable === true ? flattenAnyOf([out, { type: 'null' }]) : out
}

/** Where two JSON values differ. */
export interface JsonDifference {
  path: string
  expected: string
  got: string
}

const show = (value: Json | undefined): string => value === undefined ? '(absent)' : JSON.stringify(value)

/**
 * Every place where `got` differs from `expected`, as JSON pointers; with `keyOrder`, objects must
 * also list their keys in the same order.
 * @example diffJson({ a: 1 }, { a: 2 }) // [{ path: '/a', expected: '1', got: '2' }]
 */
export function diffJson (expected: Json | undefined, got: Json | undefined, options: { keyOrder?: boolean } = {}, path = ''): JsonDifference[] {
  const bothArrays = Array.isArray(expected) && Array.isArray(got)
  const bothObjects = isObject(expected) && isObject(got)
  if (!bothArrays && !bothObjects) return Object.is(expected, got) ? [] : [{ path: path || '/', expected: show(expected), got: show(got) }]
  const left = expected as Record<string, Json>
  const right = got as Record<string, Json>
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])]
  const differences = keys.flatMap((key) => diffJson(left[key], right[key], options, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`))
  if (differences.length === 0 && options.keyOrder === true && bothObjects && Object.keys(left).join() !== Object.keys(right).join()) {
    differences.push({ path: path || '/', expected: `keys ${Object.keys(left).join(', ')}`, got: `keys ${Object.keys(right).join(', ')}` })
  }
  return differences
}
