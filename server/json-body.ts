/**
 * A request body's JSON as Fastify's own parser reads it: prototype poisoning (`__proto__`,
 * `constructor.prototype`) is refused, everything else is `JSON.parse`. The invite route and the
 * admin API each decide what a refused body gets.
 */
import secureJson from 'secure-json-parse'

const POISON = { protoAction: 'error', constructorAction: 'error' } as const

/**
 * The value of a JSON body; throws on text that is not JSON or that carries a poisoning key.
 * @example parseBody('{"email":"a@b.co"}') // { email: 'a@b.co' }
 */
export function parseBody (text: string): unknown {
  return secureJson.parse(text, null, POISON)
}
