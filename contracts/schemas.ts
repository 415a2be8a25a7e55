/**
 * TypeBox schemas of the published `POST /v3/invites` contract: the request body and every
 * documented error body. The server, the typed client and the contract runner all use these
 * objects, and the static types below are derived from them, so there is one source for schemas,
 * types and the wire format.
 */
import { Type, type Static } from '@sinclair/typebox'

export const InviteUserRequest = Type.Object({
  email: Type.String({ format: 'email' })
}, { $id: 'InviteUserRequest' })
export type InviteUserRequest = Static<typeof InviteUserRequest>

const baseErrorProperties = {
  status: Type.Integer(),
  title: Type.String(),
  type: Type.Optional(Type.String()),
  instance: Type.String(),
  detail: Type.String()
}

export const BaseError = Type.Object(baseErrorProperties, { $id: 'BaseError', title: 'Error' })
export type BaseError = Static<typeof BaseError>

export const InvalidRules = Type.Union([
  Type.Union([
    'required', 'is_array', 'is_base64', 'is_boolean', 'is_date_time', 'is_integer', 'is_null',
    'is_number', 'is_object', 'is_string', 'is_uuid', 'is_fqdn', 'is_arn', 'unknown_property',
    'missing_reference', 'is_label', 'matches_regex', 'invalid',
    'is_supported_network_availability_zone_list', 'is_supported_network_cidr_block',
    'is_supported_provider_region', 'type'
  ].map((rule) => Type.Literal(rule))),
  Type.Null()
], { $id: 'InvalidRules' })
export type InvalidRules = Static<typeof InvalidRules>

export const InvalidParameterStandard = Type.Object({
  field: Type.String(),
  rule: Type.Optional(InvalidRules),
  source: Type.Optional(Type.String()),
  reason: Type.String()
}, { additionalProperties: false, $id: 'InvalidParameterStandard' })
export type InvalidParameterStandard = Static<typeof InvalidParameterStandard>

export const InvalidParameterMinimumLength = Type.Object({
  field: Type.String(),
  rule: Type.Union(['min_length', 'min_digits', 'min_lowercase', 'min_uppercase', 'min_symbols', 'min_items', 'min']
    .map((rule) => Type.Literal(rule))),
  minimum: Type.Integer(),
  source: Type.Optional(Type.String()),
  reason: Type.String()
}, { additionalProperties: false, $id: 'InvalidParameterMinimumLength' })
export type InvalidParameterMinimumLength = Static<typeof InvalidParameterMinimumLength>

export const InvalidParameterMaximumLength = Type.Object({
  field: Type.String(),
  rule: Type.Union(['max_length', 'max_items', 'max'].map((rule) => Type.Literal(rule))),
  maximum: Type.Integer(),
  source: Type.Optional(Type.String()),
  reason: Type.String()
}, { additionalProperties: false, $id: 'InvalidParameterMaximumLength' })
export type InvalidParameterMaximumLength = Static<typeof InvalidParameterMaximumLength>

export const InvalidParameterChoiceItem = Type.Object({
  field: Type.String(),
  rule: Type.Literal('enum'),
  reason: Type.String(),
  choices: Type.Array(Type.Unknown(), { minItems: 1, uniqueItems: true }),
  source: Type.Optional(Type.String())
}, { additionalProperties: false, $id: 'InvalidParameterChoiceItem' })
export type InvalidParameterChoiceItem = Static<typeof InvalidParameterChoiceItem>

export const InvalidParameterDependentItem = Type.Object({
  field: Type.String(),
  rule: Type.Union([Type.Literal('dependent_fields'), Type.Null()]),
  reason: Type.String(),
  dependents: Type.Union([Type.Array(Type.Unknown(), { uniqueItems: true }), Type.Null()]),
  source: Type.Optional(Type.String())
}, { additionalProperties: false, $id: 'InvalidParameterDependentItem' })
export type InvalidParameterDependentItem = Static<typeof InvalidParameterDependentItem>

export const InvalidParameter = Type.Union([
  InvalidParameterStandard,
  InvalidParameterMinimumLength,
  InvalidParameterMaximumLength,
  InvalidParameterChoiceItem,
  InvalidParameterDependentItem
])
export type InvalidParameter = Static<typeof InvalidParameter>

export const InvalidParameters = Type.Array(InvalidParameter, { minItems: 1, uniqueItems: true, $id: 'InvalidParameters' })
export type InvalidParameters = Static<typeof InvalidParameters>

export const BadRequestError = Type.Object({
  ...baseErrorProperties,
  invalid_parameters: InvalidParameters
}, { $id: 'BadRequestError' })
export type BadRequestError = Static<typeof BadRequestError>

export const ConflictError = Type.Object(baseErrorProperties, { $id: 'ConflictError' })
export type ConflictError = Static<typeof ConflictError>

export const UnauthorizedError = Type.Object(baseErrorProperties, { $id: 'UnauthorizedError' })
export type UnauthorizedError = Static<typeof UnauthorizedError>

export const ForbiddenError = Type.Object(baseErrorProperties, { $id: 'ForbiddenError' })
export type ForbiddenError = Static<typeof ForbiddenError>

/** The 429 body: every property is optional in the published document. */
export const RateLimitedError = Type.Object({
  status: Type.Optional(Type.Integer()),
  title: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String())
}, { $id: 'RateLimitedError', title: 'Rate Limited Response' })
export type RateLimitedError = Static<typeof RateLimitedError>

/** Every named contract, by the name used in messages, the runner and the assertions. */
export const contracts = {
  InviteUserRequest,
  BaseError,
  BadRequestError,
  ConflictError,
  RateLimitedError,
  UnauthorizedError,
  ForbiddenError
} as const
export type ContractName = keyof typeof contracts

/** The contract that documents the error body of each status; any other error status uses BaseError. */
export const contractForStatus: Readonly<Record<number, ContractName>> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  409: 'ConflictError',
  429: 'RateLimitedError'
}

export const PROBLEM_JSON = 'application/problem+json'
