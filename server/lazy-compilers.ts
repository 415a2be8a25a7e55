/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for answers), loaded and
 * run the first time a route with a schema is called instead of while the server starts. Only the
 * admin API has schemas, and most runs call it a few times or never, so a start-up does not pay
 * for loading Ajv and compiling every admin schema (docs/performance.md#start-up). The compilers,
 * their options (`ajv` and `serializerOpts` of `Fastify()`) and their errors are Fastify's.
 */
import { createRequire } from 'node:module'
import type { ValidatorFactory } from '@fastify/ajv-compiler'
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler'
import type { FastifySchemaValidationError } from 'fastify'

const require = createRequire(import.meta.url)

type Validate = ReturnType<ReturnType<ValidatorFactory>>
type Serialize = ReturnType<ReturnType<SerializerFactory>>

/** A route's validator that compiles the schema on its first call; it reports failures as Ajv's do, in `errors`. */
interface LazyValidate {
  (data: unknown): boolean
  errors?: FastifySchemaValidationError[] | null
}

const buildValidator: ValidatorFactory = (externalSchemas, options) => {
  let compile: ReturnType<ValidatorFactory> | undefined
  return (route) => {
    let validate: Validate | undefined
    const lazy: LazyValidate = (data) => {
      compile ??= (require('@fastify/ajv-compiler') as () => ValidatorFactory)()(externalSchemas, options)
      validate ??= compile(route)
      // Ajv's validators are synchronous unless a schema says `$async`; none of the admin API's does.
      const valid = validate(data) as boolean
      lazy.errors = validate.errors as FastifySchemaValidationError[] | null | undefined
      return valid
    }
    return lazy as unknown as Validate
  }
}

const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  let compile: ReturnType<SerializerFactory> | undefined
  return (route) => {
    let serialize: Serialize | undefined
    return (data) => {
      compile ??= (require('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)()(externalSchemas, options)
      serialize ??= compile(route)
      return serialize(data)
    }
  }
}

/**
 * The `schemaController.compilersFactory` option of `Fastify()` that defers loading and compiling.
 * @example Fastify({ schemaController: { compilersFactory: lazyCompilers } })
 */
export const lazyCompilers: { buildValidator: ValidatorFactory, buildSerializer: SerializerFactory } = { buildValidator, buildSerializer }
