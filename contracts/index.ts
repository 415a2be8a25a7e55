/**
 * The contract kit's public API: the TypeBox schemas and their types, the documented examples, the
 * validators, the typed client, the assertions for tests, the contract runner and the OpenAPI
 * helpers. The client's error classes keep the names users catch (`BadRequestError`, …); the
 * schemas of the same names are reachable as `schemas.BadRequestError` or through `contracts`.
 */
export * as schemas from './schemas.js'
export {
  BaseError, ForbiddenError, InvalidParameter, InvalidParameterChoiceItem, InvalidParameterDependentItem,
  InvalidParameterMaximumLength, InvalidParameterMinimumLength, InvalidParameters, InvalidParameterStandard, InvalidRules,
  InviteUserRequest, UnauthorizedError, contractForStatus, contracts, PROBLEM_JSON, type ContractName
} from './schemas.js'
export * from './examples.js'
export * from './validate.js'
export * from './client.js'
export * from './assert.js'
export * from './runner.js'
export * from './admin.js'
export * from './headers.js'
export * from './openapi.js'
export * from './published.js'
