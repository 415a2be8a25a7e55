/**
 * Compiled checkers for every contract. Each schema is compiled once, on first use, and a failed
 * check reports every violation with its JSON path instead of a bare `false`.
 */
import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { contracts, type ContractName } from './schemas.js'
// Registers the formats the schemas name (`email`, `session-name`) before anything is compiled.
import './formats.js'

export interface Violation {
  /** JSON pointer to the failing value, `` for the root. */
  path: string
  /** What was expected there. */
  message: string
}

const compiled = new Map<TSchema, TypeCheck<TSchema>>()

/**
 * The compiled checker of a schema (compiled on first use, then cached), with the mock's formats registered.
 * @example compile(InviteUserRequest).Check({ email: 'a@b.co' }) // true
 */
export function compile<T extends TSchema> (schema: T): TypeCheck<T> {
  let check = compiled.get(schema)
  if (check === undefined) {
    check = TypeCompiler.Compile(schema)
    compiled.set(schema, check)
  }
  return check as TypeCheck<T>
}

/**
 * Checks a value against a schema and lists every violation (an empty list means it conforms).
 * @example checkSchema(BadRequestError, body) // [{ path: '/invalid_parameters', message: 'Expected array' }]
 */
export function checkSchema (schema: TSchema, value: unknown): Violation[] {
  const check = compile(schema)
  if (check.Check(value)) return []
  const seen = new Set<string>()
  const violations: Violation[] = []
  for (const error of check.Errors(value)) {
    const key = `${error.path}\u0000${error.message}`
    if (seen.has(key)) continue
    seen.add(key)
    violations.push({ path: error.path, message: error.message })
  }
  return violations
}

/**
 * Checks a value against a named contract.
 * @example checkContract('ConflictError', { status: 409 }) // [{ path: '/title', ... }, ...]
 */
export function checkContract (name: ContractName, value: unknown): Violation[] {
  return checkSchema(contracts[name], value)
}
