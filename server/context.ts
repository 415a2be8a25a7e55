/**
 * What the plugins of one app instance share: its state, its catalogue and its settings, reached
 * by every plugin (and test) as the `app.mock` decorator.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { ResponseViolation } from '../contracts/assert.js'
import type { BehaviourConfig } from '../scenarios/behaviour.js'
import type { Catalogue } from '../scenarios/catalogue.js'
import type { MockState } from '../scenarios/state.js'
import type { Upstream } from './upstream.js'
import type { ScenariosFile } from './scenarios-file.js'

export interface MockContext {
  state: MockState
  /** Replaced whole when `--watch` reloads the scenarios file: read it per request, never keep it. */
  catalogue: Catalogue
  behaviour: BehaviourConfig
  maxDelayMs: number
  now: () => number
  /** Waits this many milliseconds: how a delayed answer is held back (tests pass a fake one). */
  sleep: (ms: number) => Promise<unknown>
  /** The app's logger (Fastify's, built on the mock's pino; silent when logging is off). */
  log: FastifyBaseLogger
  /**
   * Records a request in the journal: every invite and every error answer outside the admin API.
   * `heldMs` is how long the answer was held back; `at` the time of the answer (ms since the epoch);
   * `violations` how an upstream answer broke its contract; `sequence` the step of a sequence that
   * answered (a selection's choice carries it).
   */
  record: (request: FastifyRequest, served: string, status: number, heldMs: number, at: number, violations?: ResponseViolation[], sequence?: { step?: number | undefined, steps?: number | undefined }) => void
  /** The CA certificate clients trust for `--proxy` (PEM), when the proxy is on. */
  caPem?: string | undefined
  /** Where invites no scenario was chosen for go (`--upstream`). */
  upstream?: Upstream | undefined
  /** The scenarios file the custom scenarios came from (`--scenarios-file`), when one is set. */
  scenariosFile?: ScenariosFile | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The mock's state, catalogue and settings. */
    mock: MockContext
  }
}
