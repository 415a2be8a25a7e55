import t from 'tap'
import { forbiddenExamples, inviteExamples, unauthorizedExample, type DocumentedExample } from '../../contracts/examples.js'
import { diffJson, normalizeSchema, type Json } from '../../contracts/openapi.js'
import { contractDrift } from '../../contracts/published.js'
import { contractForStatus, contracts, PROBLEM_JSON } from '../../contracts/schemas.js'
import * as schemas from '../../contracts/schemas.js'
import { published } from '../helpers/published.js'

const problem = (status: number): Json => published.responses[status]!.content[PROBLEM_JSON]!.schema!
/** Each TypeBox schema's published counterpart in the snapshot. */
const locations: Record<string, Json> = {
  InviteUserRequest: published.request['application/json']!.schema!,
  RateLimitedError: problem(429),
  ...Object.fromEntries(['BaseError', 'BadRequestError', 'ConflictError', 'UnauthorizedError', 'ForbiddenError', 'InvalidParameters', 'InvalidRules',
    'InvalidParameterStandard', 'InvalidParameterMinimumLength', 'InvalidParameterMaximumLength', 'InvalidParameterChoiceItem', 'InvalidParameterDependentItem']
    .map((name) => [name, published.schemas[name]!]))
}

const canonical = (schema: unknown): Json => normalizeSchema(JSON.parse(JSON.stringify(schema)) as Json)
const publishedSchema = (name: string): Json => normalizeSchema(locations[name]!)

t.test('each TypeBox schema is the published one (refs and allOf resolved, prose ignored)', async (t) => {
  t.equal(Object.keys(locations).length, 14)
  for (const name of Object.keys(locations)) {
    const differences = diffJson(publishedSchema(name), canonical(schemas[name as keyof typeof schemas]))
    t.same(differences, [], `${name}${differences.length > 0 ? `; differs at ${differences.map((d) => d.path).join(', ')}` : ''}`)
  }
})

t.test('every documented response uses problem+json and the schema of contractForStatus', async (t) => {
  const errors = Object.keys(published.responses).filter((status) => status !== '201')
  t.same(errors.sort(), Object.keys(contractForStatus).sort(), 'one contract per documented error status')
  for (const status of errors) {
    t.same(Object.keys(published.responses[status]!.content), [PROBLEM_JSON], `${status}: media type`)
    const name = contractForStatus[Number(status)]!
    t.same(diffJson(normalizeSchema(problem(Number(status))), canonical(contracts[name])), [], `${status}: ${name}`)
  }
  t.same(published.responses['201']!.content, {}, '201 documents no body')
  t.same(contractDrift(published), [], 'and contractDrift, which the drift command runs, finds nothing')
})

t.test('every example is the published value, key order included', async (t) => {
  const all: Array<DocumentedExample<unknown>> = [...inviteExamples, unauthorizedExample, ...forbiddenExamples]
  t.equal(all.length, Object.values(published.responses).reduce((sum, response) => sum + Object.keys(response.content[PROBLEM_JSON]?.examples ?? {}).length, 0), 'as many as published')
  for (const example of all) {
    const value = published.responses[example.status]!.content[PROBLEM_JSON]!.examples[example.name]
    t.same(diffJson(value, example.value as Json, { keyOrder: true }), [], `${example.name} (${example.status})`)
  }
})

t.test('drift on either side is caught, naming the path that differs', async (t) => {
  const badRequest = publishedSchema('BadRequestError')
  const looser = canonical(schemas.BadRequestError) as Record<string, any>
  looser.properties.invalid_parameters.minItems = 0
  t.same(diffJson(badRequest, looser), [{ path: '/properties/invalid_parameters/minItems', expected: '1', got: '0' }])

  const moreRules = canonical(schemas.InvalidRules) as Record<string, any>
  moreRules.anyOf[0].enum.push('is_email')
  t.same(diffJson(publishedSchema('InvalidRules'), moreRules), [{ path: '/anyOf/0/enum/22', expected: '(absent)', got: '"is_email"' }])

  const edited = structuredClone(problem(409)) as Record<string, any>
  edited.allOf[0].required.pop()
  t.same(diffJson(normalizeSchema(edited), canonical(schemas.ConflictError)),
    [{ path: '/required/0', expected: '"instance"', got: '"detail"' }, { path: '/required/1', expected: '"status"', got: '"instance"' },
      { path: '/required/2', expected: '"title"', got: '"status"' }, { path: '/required/3', expected: '(absent)', got: '"title"' }])

  const reordered = { ...inviteExamples[10].value }
  const { status, ...rest } = reordered
  t.same(diffJson(inviteExamples[10].value, { ...rest, status }, { keyOrder: true }),
    [{ path: '/', expected: 'keys status, title, instance, detail', got: 'keys title, instance, detail, status' }])
})
