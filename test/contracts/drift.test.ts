import t from 'tap'
import { forbiddenExamples, inviteExamples, unauthorizedExample, type DocumentedExample } from '../../contracts/examples.js'
import { diffJson, loadOpenApi, normalizeSchema, pointer, resolveRefs, type Json } from '../../contracts/openapi.js'
import { contractForStatus, contracts, PROBLEM_JSON } from '../../contracts/schemas.js'
import * as schemas from '../../contracts/schemas.js'
import { PUBLISHED_PATH, skipPublished } from '../helpers/published.js'

const document = skipPublished === false ? loadOpenApi(PUBLISHED_PATH) : undefined

/** Where each TypeBox schema is published. */
const locations: Record<string, string> = {
  InviteUserRequest: '#/components/requestBodies/InviteUser/content/application~1json/schema',
  RateLimitedError: '#/components/responses/RateLimited/content/application~1problem+json/schema',
  ...Object.fromEntries(['BaseError', 'BadRequestError', 'ConflictError', 'UnauthorizedError', 'ForbiddenError', 'InvalidParameters', 'InvalidRules',
    'InvalidParameterStandard', 'InvalidParameterMinimumLength', 'InvalidParameterMaximumLength', 'InvalidParameterChoiceItem', 'InvalidParameterDependentItem']
    .map((name) => [name, `#/components/schemas/${name}`]))
}

const canonical = (schema: unknown): Json => normalizeSchema(JSON.parse(JSON.stringify(schema)) as Json)
const publishedSchema = (ref: string): Json => normalizeSchema(resolveRefs(document!, pointer(document!, ref)))

t.test('each TypeBox schema is the published one (refs and allOf resolved, prose ignored)', { skip: skipPublished }, async (t) => {
  for (const [name, ref] of Object.entries(locations)) {
    const differences = diffJson(publishedSchema(ref), canonical(schemas[name as keyof typeof schemas]))
    t.same(differences, [], `${name} matches ${ref}${differences.length > 0 ? `; differs at ${differences.map((d) => d.path).join(', ')}` : ''}`)
  }
})

t.test('every documented response uses problem+json and the schema of contractForStatus', { skip: skipPublished }, async (t) => {
  const operation = pointer(document!, '#/paths/~1v3~1invites/post') as Record<string, any>
  const responses: Record<string, Json> = {
    ...Object.fromEntries(Object.entries(operation.responses as Record<string, Json>).filter(([status]) => status !== '201')),
    401: pointer(document!, '#/components/responses/IdentityUnauthenticated'),
    403: pointer(document!, '#/components/responses/IdentityPermissionDenied')
  }
  t.same(Object.keys(responses).sort(), Object.keys(contractForStatus).sort(), 'one contract per documented error status')
  for (const [status, response] of Object.entries(responses)) {
    const content = (resolveRefs(document!, response) as Record<string, any>).content as Record<string, { schema: Json }>
    t.same(Object.keys(content), [PROBLEM_JSON], `${status}: media type`)
    const name = contractForStatus[Number(status)]!
    t.same(diffJson(normalizeSchema(content[PROBLEM_JSON]!.schema), canonical(contracts[name])), [], `${status}: ${name}`)
  }
  t.equal(Object.keys((pointer(document!, '#/paths/~1v3~1invites/post/responses/201') as Record<string, Json>)).join(), 'description', '201 documents no body')
})

t.test('every example is the published value, key order included', { skip: skipPublished }, async (t) => {
  const where = (example: DocumentedExample<unknown>, response: string): string => example.ref === 'inline'
    ? `#/components/responses/${response}/content/application~1problem+json/examples/${example.name}/value`
    : `#/components/examples/${example.ref}/value`
  const all: Array<[DocumentedExample<unknown>, string]> = [
    ...inviteExamples.map((example): [DocumentedExample<unknown>, string] => [example, 'IdentityBadRequest']),
    [unauthorizedExample, 'IdentityUnauthenticated'],
    ...forbiddenExamples.map((example): [DocumentedExample<unknown>, string] => [example, 'IdentityPermissionDenied'])
  ]
  for (const [example, response] of all) {
    t.same(diffJson(pointer(document!, where(example, response)), example.value as Json, { keyOrder: true }), [], `${example.name} (${example.ref})`)
  }
})

t.test('drift on either side is caught, naming the path that differs', { skip: skipPublished }, async (t) => {
  const published = publishedSchema(locations.BadRequestError!)
  const looser = canonical(schemas.BadRequestError) as Record<string, any>
  looser.properties.invalid_parameters.minItems = 0
  t.same(diffJson(published, looser), [{ path: '/properties/invalid_parameters/minItems', expected: '1', got: '0' }])

  const moreRules = canonical(schemas.InvalidRules) as Record<string, any>
  moreRules.anyOf[0].enum.push('is_email')
  t.same(diffJson(publishedSchema(locations.InvalidRules!), moreRules), [{ path: '/anyOf/0/enum/22', expected: '(absent)', got: '"is_email"' }])

  const edited = structuredClone(document!) as Record<string, any>
  edited.components.schemas.BaseError.required.pop()
  t.same(diffJson(normalizeSchema(resolveRefs(edited, pointer(edited, '#/components/schemas/ConflictError'))), canonical(schemas.ConflictError)),
    [{ path: '/required/0', expected: '"instance"', got: '"detail"' }, { path: '/required/1', expected: '"status"', got: '"instance"' },
      { path: '/required/2', expected: '"title"', got: '"status"' }, { path: '/required/3', expected: '(absent)', got: '"title"' }])

  const reordered = { ...inviteExamples[10].value }
  const { status, ...rest } = reordered
  t.same(diffJson(inviteExamples[10].value, { ...rest, status }, { keyOrder: true }),
    [{ path: '/', expected: 'keys status, title, instance, detail', got: 'keys title, instance, detail, status' }])
})
