import { readFileSync } from 'node:fs'
import { Kind } from '@sinclair/typebox'
import t from 'tap'
import * as kit from '../../contracts/index.js'
import * as admin from '../../contracts/admin.js'
import * as client from '../../contracts/client.js'
import * as headers from '../../contracts/headers.js'
import * as runner from '../../contracts/runner.js'
import * as schemas from '../../contracts/schemas.js'

const isSchema = (value: unknown): boolean => typeof value === 'object' && value !== null && Kind in value
const exported = Object.entries(kit) as Array<[string, unknown]>

t.test('every TypeBox schema the kit exports is named …Schema, and every capitalized …Schema export is one', async (t) => {
  const schemaNames = exported.filter(([, value]) => isSchema(value)).map(([name]) => name)
  t.ok(schemaNames.length > 30, 'the request, error and admin schemas are exported')
  for (const name of schemaNames) t.match(name, /Schema$/, `${name} is a schema`)
  // Functions that act on schemas (checkSchema, normalizeSchema) are verbs, in lower camel case.
  for (const [name, value] of exported) {
    if (/^[A-Z]\w*Schema$/.test(name)) t.ok(isSchema(value), `${name} is a TypeBox schema`)
  }
})

t.test('every …Error export is a class whose instances are Errors', async (t) => {
  const errorNames = exported.filter(([name]) => name.endsWith('Error')).map(([name]) => name)
  t.same(errorNames.sort(), ['BadRequestError', 'ConflictError', 'ConnectionError', 'ContractViolationError', 'IncompleteAnswerError', 'NoAnswerError', 'RateLimitedError', 'RunnerError', 'SDKError'])
  for (const name of errorNames) {
    const value = kit[name as keyof typeof kit] as unknown
    t.type(value, 'function', name)
    t.ok((value as { prototype: unknown }).prototype instanceof Error, `${name} builds Errors`)
  }
  t.equal(kit.BadRequestError, client.BadRequestError)
  t.equal(kit.RunnerError, runner.RunnerError)
  const problem = new kit.ConflictError(409, {}, 'application/problem+json', { status: 409, title: 'Conflict', instance: 'x', detail: 'taken' })
  t.ok(problem instanceof kit.ConflictError, 'instanceof works on every …Error export')
  t.notOk(problem instanceof kit.BadRequestError)
})

t.test('the schemas are the module\'s objects under their …Schema names, and under `schemas` as they are', async (t) => {
  t.equal(kit.BaseErrorSchema, schemas.BaseError)
  t.equal(kit.BadRequestErrorSchema, schemas.BadRequestError)
  t.equal(kit.ConflictErrorSchema, schemas.ConflictError)
  t.equal(kit.RateLimitedErrorSchema, schemas.RateLimitedError)
  t.equal(kit.UnauthorizedErrorSchema, schemas.UnauthorizedError)
  t.equal(kit.ForbiddenErrorSchema, schemas.ForbiddenError)
  t.equal(kit.InviteUserRequestSchema, schemas.InviteUserRequest)
  t.equal(kit.schemas.BadRequestError, schemas.BadRequestError)
  t.equal(kit.contracts.BadRequestError, schemas.BadRequestError)
  t.equal(kit.ScenarioListResponseSchema, admin.ScenarioListResponse)
  t.equal(kit.SetScenarioRequestSchema, admin.SetScenarioRequest)
  t.equal(kit.CoverageResponseSchema, admin.CoverageResponse)
  t.equal(kit.ViolationsResponseSchema, admin.ViolationsResponse)
  const moduleSchemas = [...Object.values(schemas), ...Object.values(admin)].filter(isSchema)
  const exportedSchemas = new Set(exported.map(([, value]) => value).filter(isSchema))
  for (const schema of moduleSchemas) t.ok(exportedSchemas.has(schema), `${(schema as { $id?: string }).$id ?? 'a schema'} is exported`)
})

t.test('the kit exports its functions, examples and header names', async (t) => {
  for (const name of ['inviteUser', 'checkResponse', 'assertResponse', 'conforms', 'runContract', 'readCoverage', 'checkContract', 'normalizeSchema', 'diffJson', 'snapshotOpenApi', 'contractDrift', 'mockContract', 'formatDifference', 'backoffInterval', 'retryWaitFromHeaders']) {
    t.type(kit[name as keyof typeof kit], 'function', name)
  }
  t.equal(kit.inviteExamples.length, 12)
  t.equal(kit.publishedContract.operation, 'POST /v3/invites')
  t.equal(kit.SERVED_HEADER, headers.SERVED_HEADER)
  t.equal(kit.ADMIN_TOKEN_HEADER, 'x-mock-admin-token')
  t.equal(kit.ADMIN_PREFIX, '/__mock')
})

t.test('the package exports its two entry points and nothing under dist/', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> }
  t.same(Object.keys(pkg.exports).sort(), ['./contracts', './package.json', './server'])
})

t.test('the kit exports what its docs name, not its internals', async (t) => {
  for (const name of ['preview', 'pointer', 'compile', 'normalizeHeaders', 'expectationFor', 'mediaTypeOf', 'bodyViolations', 'checkAgainst', 'describeSchema', 'parseRetryAfter', 'RETRY_STATUSES']) {
    t.notOk(name in kit, `${name} stays inside the kit`)
  }
  const docs = readFileSync(new URL('../../docs/contract-kit.md', import.meta.url), 'utf8')
  for (const [, names] of docs.matchAll(/import \{([^}]+)\} from 'konnect-invites-mock\/contracts'/g)) {
    for (const name of names!.split(',').map((part) => part.trim())) t.ok(name in kit, `docs/contract-kit.md imports ${name}, which the kit exports`)
  }
})
