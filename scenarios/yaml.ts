/**
 * The YAML library, loaded the first time a YAML file is read or written: most runs never touch
 * one, and loading it costs start-up time (docs/performance.md#start-up).
 */
import { createRequire } from 'node:module'

/** The `yaml` package's API, as its own types describe it. */
export type Yaml = typeof import('yaml')

const require = createRequire(import.meta.url)
let loaded: Yaml | undefined

/**
 * The `yaml` package, loaded on first use.
 * @example yaml().parse('a: 1') // { a: 1 }
 */
export function yaml (): Yaml {
  loaded ??= require('yaml') as Yaml
  return loaded
}
