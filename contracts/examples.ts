/**
 * The named examples of the published document, as typed data, in their published key order
 * (the mock serves them byte-for-byte, apart from a fresh `instance`).
 */
import type { BadRequestError, ConflictError, ForbiddenError, RateLimitedError, UnauthorizedError } from './schemas.js'

export interface DocumentedExample<T> {
  /** The example's name in the published document (what `Prefer: example="…"` names). */
  readonly name: string
  /** The example's key under `components/examples` (or `inline` when it is written in place). */
  readonly ref: string
  readonly status: number
  readonly value: T
}

const badRequest = (name: string, ref: string, value: BadRequestError): DocumentedExample<BadRequestError> =>
  ({ name, ref, status: 400, value })

/** The twelve examples documented on `POST /v3/invites`, in the document's order. */
export const inviteExamples = [
  badRequest('Request Format is Invalid', '400-request-format-is-invalid', {
    status: 400,
    title: 'Bad Request',
    detail: '',
    instance: 'konnect:trace:3674017986744198214',
    invalid_parameters: [{ field: 'body', reason: 'request format is invalid' }]
  }),
  badRequest('Cannot be Blank', '400-cannot-be-blank', {
    status: 400,
    title: 'Bad Request',
    detail: '',
    instance: 'konnect:trace:6644808935508571943',
    invalid_parameters: [{ field: 'name', reason: 'cannot be blank' }]
  }),
  badRequest('Invalid ID format', '400-invalid-id-format', {
    status: 400,
    title: 'Bad Request',
    detail: '',
    instance: 'konnect:trace:8988732526256293040',
    invalid_parameters: [{ field: 'teamID', reason: 'invalid ID format' }]
  }),
  badRequest('Must be a valid UUID v4', '400-valid-uuid', {
    status: 400,
    title: 'Bad Request',
    detail: '',
    instance: 'konnect:trace:7680390984800447837',
    invalid_parameters: [{ field: 'id', reason: 'must be a valid UUID v4' }]
  }),
  badRequest('System teams cannot be modified', '400-systems-team-modified', {
    status: 400,
    title: 'Bad Request',
    detail: '',
    instance: 'konnect:trace:1738820719742148545',
    invalid_parameters: [{ field: 'teamID', reason: 'system teams cannot be modified' }]
  }),
  badRequest('Password Complexity', '400-password-complexity', {
    status: 400,
    title: 'Bad Request',
    detail: 'Password does not meet complexity requirements.',
    instance: 'konnect:trace:1738820719742148545',
    invalid_parameters: [
      { field: 'new_password', reason: 'is too short (minimum length: 8)', rule: 'min_length', minimum: 8 },
      { field: 'new_password', reason: 'must contain at least 1 digit', rule: 'min_digits', minimum: 1 },
      { field: 'new_password', reason: 'must contain at least 1 lower case character', rule: 'min_lowercase', minimum: 1 },
      { field: 'new_password', reason: 'must contain at least 1 upper case character', rule: 'min_uppercase', minimum: 1 },
      { field: 'new_password', reason: 'must contain at least 1 special character', rule: 'min_symbols', minimum: 1 }
    ]
  }),
  badRequest('Authentication Settings cannot be all Disabled', '400-authentication-settings-cannot-be-all-disabled', {
    status: 400,
    title: 'Bad Request',
    instance: 'konnect:trace:6644808935508571943',
    invalid_parameters: [
      { field: 'oidc_auth_enabled', reason: 'cannot be disabled when both basic auth and SAML are also disabled' },
      { field: 'basic_auth_enabled', reason: 'cannot be disabled when both OIDC and SAML are also disabled' },
      { field: 'saml_auth_enabled', reason: 'cannot be disabled when both OIDC and basic auth are also disabled' }
    ],
    detail: 'Atleast one of the authentication schemes from basic, oidc or saml needs to be enabled'
  }),
  badRequest('OIDC needs an IdP configuration', '400-oidc-auth-enabled-needs-idp', {
    status: 400,
    title: 'Bad Request',
    detail: '',
    instance: 'konnect:trace:6644808935508571943',
    invalid_parameters: [{ field: 'oidc_auth_enabled', reason: 'cannot be set before configuring an identity provider' }]
  }),
  badRequest('IdP configuration is required', '400-idp-config-is-required', {
    status: 400,
    title: 'Bad Request',
    detail: 'An IdP configuration is required',
    instance: 'konnect:trace:6644808935508571943',
    invalid_parameters: [{ field: 'data', reason: 'cannot be set before configuring an identity provider' }]
  }),
  badRequest('Unsupported filter operation', 'inline', {
    status: 400,
    title: 'Bad Request',
    detail: '',
    instance: 'konnect:trace:3674017986744198214',
    invalid_parameters: [{ field: '[filter][actions][contains]', reason: '[contains] is not a supported filter operation' }]
  }),
  {
    name: 'User is Already Active',
    ref: '409-user-is-already-active',
    status: 409,
    value: {
      status: 409,
      title: 'Resource Conflict',
      instance: 'konnect:trace:6644808935508571943',
      detail: 'User is already active'
    } satisfies ConflictError
  },
  {
    name: 'Rate Limited',
    ref: '429-rate-limited',
    status: 429,
    value: {
      status: 429,
      title: 'Rate Limited',
      instance: 'konnect:trace:6644808935508571943',
      detail: 'Too many requests'
    } satisfies RateLimitedError
  }
] as const satisfies ReadonlyArray<DocumentedExample<unknown>>

/** The 401 example the same API documents for its other operations. */
export const unauthorizedExample: DocumentedExample<UnauthorizedError> = {
  name: 'Unauthorized',
  ref: '401-unauthenticated',
  status: 401,
  value: {
    status: 401,
    title: 'Unauthenticated',
    instance: 'konnect:trace:952172606039454040',
    detail: 'A valid token is required'
  }
}

/** The 403 examples the same API documents for its other operations. */
export const forbiddenExamples: ReadonlyArray<DocumentedExample<ForbiddenError>> = [
  {
    name: 'Permission Denied',
    ref: '403-permission-denied',
    status: 403,
    value: {
      status: 403,
      title: 'Permission denied',
      instance: 'konnect:trace:2822394689570210664',
      detail: 'Only enterprise organizations can create teams'
    }
  },
  {
    name: 'Invalid Permissions',
    ref: '403-invalid-permissions',
    status: 403,
    value: {
      status: 403,
      title: 'Invalid Permissions',
      detail: 'You must have the [administrator] role to perform this action',
      instance: 'konnect:trace:6c1ef33ae5bce33634d7d7d695c7f203'
    }
  },
  {
    name: 'Username or Password invalid',
    ref: '403-auth-invalid',
    status: 403,
    value: {
      type: 'https://kongapi.info/konnect/invalid-permissions',
      status: 403,
      title: 'Invalid Permissions',
      detail: 'You must have the [administrator] role to perform this action',
      instance: 'konnect:trace:6c1ef33ae5bce33634d7d7d695c7f203'
    }
  }
]

/** Every documented example of the operation, the invite's twelve first, then the 401's and the 403s. */
export const documentedExamples: ReadonlyArray<DocumentedExample<unknown>> = [...inviteExamples, unauthorizedExample, ...forbiddenExamples]
