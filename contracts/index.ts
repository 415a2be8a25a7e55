/**
 * The contract kit's public API: the TypeBox schemas and their types, the documented examples, the
 * validators, the typed client, the assertions for tests, the contract runner and the OpenAPI
 * helpers. Names say what a thing is: every TypeBox schema ends in `Schema` (`BadRequestErrorSchema`),
 * the static type of an error body in `Body` (`BadRequestErrorBody`), and the names ending in `Error`
 * are the classes the client throws (`BadRequestError`). `schemas` holds the schema module as it is.
 */
export * as schemas from './schemas.js'
export {
  BaseError as BaseErrorSchema,
  BadRequestError as BadRequestErrorSchema,
  ConflictError as ConflictErrorSchema,
  ForbiddenError as ForbiddenErrorSchema,
  RateLimitedError as RateLimitedErrorSchema,
  UnauthorizedError as UnauthorizedErrorSchema,
  InvalidParameter as InvalidParameterSchema,
  InvalidParameterChoiceItem as InvalidParameterChoiceItemSchema,
  InvalidParameterDependentItem as InvalidParameterDependentItemSchema,
  InvalidParameterMaximumLength as InvalidParameterMaximumLengthSchema,
  InvalidParameterMinimumLength as InvalidParameterMinimumLengthSchema,
  InvalidParameters as InvalidParametersSchema,
  InvalidParameterStandard as InvalidParameterStandardSchema,
  InvalidRules as InvalidRulesSchema,
  InviteUserRequest as InviteUserRequestSchema,
  contractForStatus, contracts, PROBLEM_JSON, type ContractName
} from './schemas.js'
export type {
  BaseError as BaseErrorBody,
  BadRequestError as BadRequestErrorBody,
  ConflictError as ConflictErrorBody,
  ForbiddenError as ForbiddenErrorBody,
  RateLimitedError as RateLimitedErrorBody,
  UnauthorizedError as UnauthorizedErrorBody,
  InvalidParameter, InvalidParameterChoiceItem, InvalidParameterDependentItem, InvalidParameterMaximumLength,
  InvalidParameterMinimumLength, InvalidParameters, InvalidParameterStandard, InvalidRules, InviteUserRequest
} from './schemas.js'
export {
  ActiveScenarios as ActiveScenariosSchema,
  ActiveUser as ActiveUserSchema,
  CoverageResponse as CoverageResponseSchema,
  HealthResponse as HealthResponseSchema,
  InvitesResponse as InvitesResponseSchema,
  JournalEntry as JournalEntrySchema,
  ListedScenario as ListedScenarioSchema,
  NewUserParams as NewUserParamsSchema,
  NoContent as NoContentSchema,
  PendingInvite as PendingInviteSchema,
  RequestsCountQuery as RequestsCountQuerySchema,
  RequestsCountResponse as RequestsCountResponseSchema,
  RequestsQuery as RequestsQuerySchema,
  RequestsResponse as RequestsResponseSchema,
  ResponseViolationView as ResponseViolationViewSchema,
  ScenarioChange as ScenarioChangeSchema,
  ScenarioKind as ScenarioKindSchema,
  ScenarioListResponse as ScenarioListResponseSchema,
  ScenariosFileStatus as ScenariosFileStatusSchema,
  SequenceStep as SequenceStepSchema,
  SessionQuery as SessionQuerySchema,
  SetScenarioRequest as SetScenarioRequestSchema,
  StickyView as StickyViewSchema,
  UserParams as UserParamsSchema,
  UsersResponse as UsersResponseSchema,
  ViolationsQuery as ViolationsQuerySchema,
  ViolationsResponse as ViolationsResponseSchema,
  ADMIN_PREFIX
} from './admin.js'
export { LIST_LIMIT, MAX_EMAIL_LENGTH, MAX_PAGE, MAX_SEQUENCE_STEPS, MAX_SESSION_LENGTH } from './limits.js'
export { Email as EmailSchema, SessionName as SessionNameSchema, isEmail, isSessionName } from './formats.js'
export type {
  ActiveScenarios, ActiveUser, CoverageResponse, HealthResponse, InvitesResponse, JournalEntry, NewUserParams,
  RequestsCountQuery, RequestsCountResponse, RequestsQuery, RequestsResponse, ScenarioChange, ScenarioKind, ScenarioListResponse, ScenariosFileStatus, SequenceStep, SessionQuery,
  SetScenarioRequest, StickyView, UserParams, UsersResponse, ViolationsQuery, ViolationsResponse
} from './admin.js'
export {
  checkRequests, describeExpected, expectRequests, RequestsExpectationError, SHOWN_REQUESTS,
  type RequestsExpected, type RequestsVerdict, type VerifyOptions
} from './verify.js'
export { describeFilter, type RequestsFilter } from './requests-filter.js'
export {
  coverageSuite, coverageSummary, coverageTable, junitXml, runSuite, runSummary, verifySuite, verifySummary,
  type JunitCase, type JunitSuite
} from './reports.js'
export { inviteExamples, unauthorizedExample, forbiddenExamples, type DocumentedExample } from './examples.js'
export { checkSchema, checkContract, type Violation } from './validate.js'
export {
  inviteUser, DEFAULT_BACKOFF, backoffInterval, retryWaitFromHeaders,
  SDKError, BadRequestError, ConflictError, RateLimitedError, ContractViolationError, ConnectionError, IncompleteAnswerError,
  type BackoffStrategy, type RetryConfig, type InviteUserOptions, type InviteUserResult
} from './client.js'
export {
  checkResponse, assertResponse, conforms, formatViolation,
  type ResponseViolation, type HeadersLike, type ResponseLike, type ResponseContract
} from './assert.js'
export {
  runContract, readCoverage, RunnerError, NoAnswerError,
  type RunOptions, type RunViolation, type CheckReport, type RunReport, type CoverageExample, type CoverageReport
} from './runner.js'
export { INVITES_PATH, SCENARIO_HEADER, SESSION_HEADER, DELAY_HEADER, SERVED_HEADER, ADMIN_TOKEN_HEADER } from './headers.js'
export { loadOpenApi, resolveRefs, normalizeSchema, diffJson, type Json, type JsonDifference } from './openapi.js'
export {
  publishedContract, snapshotOpenApi, mockContract, contractDrift, formatDifference,
  type PublishedMedia, type PublishedResponse, type PublishedContract, type ContractDifference
} from './published.js'
