import t from 'tap'
import * as kit from '../../contracts/index.js'
import * as client from '../../contracts/client.js'
import * as schemas from '../../contracts/schemas.js'

t.test('the barrel exports the client errors by name and the schemas under `schemas`', async (t) => {
  t.equal(kit.BadRequestError, client.BadRequestError)
  t.equal(kit.ConflictError, client.ConflictError)
  t.equal(kit.RateLimitedError, client.RateLimitedError)
  t.equal(kit.schemas.BadRequestError, schemas.BadRequestError)
  t.equal(kit.contracts.BadRequestError, schemas.BadRequestError)
  t.equal(kit.UnauthorizedError, schemas.UnauthorizedError)
  for (const name of ['inviteUser', 'checkResponse', 'assertResponse', 'conforms', 'runContract', 'readCoverage', 'checkContract', 'normalizeSchema', 'diffJson', 'snapshotOpenApi', 'contractDrift', 'mockContract', 'formatDifference', 'backoffInterval', 'retryWaitFromHeaders']) {
    t.type(kit[name as keyof typeof kit], 'function', name)
  }
  t.equal(kit.inviteExamples.length, 12)
  t.equal(kit.publishedContract.operation, 'POST /v3/invites')
})

t.test('the barrel exports the admin API schemas and the header names', async (t) => {
  const admin = await import('../../contracts/admin.js')
  const headers = await import('../../contracts/headers.js')
  t.equal(kit.ScenarioListResponse, admin.ScenarioListResponse)
  t.equal(kit.SetScenarioRequest, admin.SetScenarioRequest)
  t.equal(kit.CoverageResponse, admin.CoverageResponse)
  t.equal(kit.SERVED_HEADER, headers.SERVED_HEADER)
  t.equal(kit.ADMIN_TOKEN_HEADER, 'x-mock-admin-token')
})
