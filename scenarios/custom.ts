/**
 * Custom scenarios from a JSON or YAML file (`--scenarios-file`). The file is checked as a whole
 * before the server starts: its shape, then its answer by the rule the contract runner applies too:
 * it conforms to the contract of its status (media type included), or it declares `fault: true`.
 * A file may also set the scenarios served from start-up (`global`, `sessions`), sequences included.
 */
import { SERVED_HEADER } from '../contracts/headers.js'
import { readFileSync } from 'node:fs'
import { Type, type Static } from '@sinclair/typebox'
import { SetScenarioRequest } from '../contracts/admin.js'
import { FORMATS, isSessionName, SCENARIO_ID_PATTERN } from '../contracts/formats.js'
import { truncate } from '../contracts/internal/text.js'
import { checkSchema } from '../contracts/validate.js'
import type { YAMLError } from 'yaml'
import { yaml } from './yaml.js'
import { builtInScenarios, compileScenario, RESERVED_IDS, ScenarioError, type ScenarioDefinition } from './catalogue.js'
import { jsonSyntaxError } from '../contracts/internal/json.js'
import { DEFAULT_MAX_SESSIONS } from './state.js'
import { checkScenarioBody, type ScenarioBody } from './sticky.js'

/** The longest delay a custom scenario may carry (the largest `--max-delay`). */
const MAX_CUSTOM_DELAY_MS = 600_000
/** Headers the server writes itself (framing, connection, the served scenario): a scenario may not set them. */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', SERVED_HEADER])

export const CustomScenario = Type.Object({
  id: Type.String({ pattern: SCENARIO_ID_PATTERN }),
  title: Type.String({ minLength: 1 }),
  status: Type.Integer({ minimum: 200, maximum: 599 }),
  description: Type.Optional(Type.String()),
  headers: Type.Optional(Type.Record(Type.String({ pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$' }), Type.String())),
  body: Type.Optional(Type.Unknown()),
  text: Type.Optional(Type.String()),
  contentType: Type.Optional(Type.String({ minLength: 1 })),
  delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_CUSTOM_DELAY_MS })),
  fault: Type.Optional(Type.Boolean()),
  /** When a client meets this answer, for the dashboard's card. */
  when: Type.Optional(Type.String({ maxLength: 300 })),
  /** A caveat shown on the dashboard's card. */
  note: Type.Optional(Type.String({ maxLength: 300 }))
}, { additionalProperties: false })
export type CustomScenario = Static<typeof CustomScenario>

/** A scenario served from start-up: what `PUT /__mock/scenario` takes (one `id`, or a `sequence`), without `session`. */
const StartingScenario = Type.Omit(SetScenarioRequest, ['session'])

const ScenarioList = Type.Array(CustomScenario)
const ScenarioDocument = Type.Object({
  scenarios: Type.Optional(ScenarioList),
  /** Served to every request from start-up, and again after a reset (`--scenario` wins over it). */
  global: Type.Optional(StartingScenario),
  /** Served to the requests of each session (`X-Mock-Session`) from start-up, and again after a reset. */
  sessions: Type.Optional(Type.Record(Type.String(), StartingScenario, { maxProperties: DEFAULT_MAX_SESSIONS }))
}, { additionalProperties: false })

/** A scenarios file: a list of scenarios, or an object holding them under `scenarios` (and `global`, `sessions`). */
export const CustomScenarioFile = Type.Union([ScenarioList, ScenarioDocument])

/** What a scenarios file sets up: its custom scenarios, and the scenarios it serves from start-up. */
export interface ScenarioSetup {
  scenarios: ScenarioDefinition[]
  global?: ScenarioBody
  sessions?: Record<string, ScenarioBody>
}

export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError'
}

function locate (data: unknown, path: string): string {
  const match = /^(?:\/scenarios)?\/(\d+)/.exec(path)
  const list = Array.isArray(data) ? data : (data as { scenarios?: unknown[] } | null)?.scenarios
  const item = match === null || !Array.isArray(list) ? undefined : list[Number(match[1])] as { id?: unknown } | undefined
  return typeof item?.id === 'string' ? `scenario "${item.id}"` : match === null ? 'the file' : `scenario #${Number(match[1]) + 1}`
}

/**
 * A parser's message on one line. The YAML parser ends its first line with "at line L, column C:"
 * and puts a code frame below it; the frame is dropped and the position given in words instead.
 */
function syntaxError (error: Error): string {
  const [first = ''] = error.message.split('\n')
  const at = (error as Partial<Pick<YAMLError, 'linePos'>>).linePos?.[0]
  return at === undefined ? first : `${first.replace(/ at line \d+, column \d+:?$/, '')} (line ${at.line}, column ${at.col})`
}

/**
 * Parses and checks a scenarios document; `file` names it in messages. A blank document holds no scenario.
 * Throws a ScenarioFileError naming the file, the scenario and the failing path.
 * @example parseScenarios('[{"id":"teapot","title":"Teapot","status":418,"body":{...}}]', 'x.json')
 */
export function parseScenarios (text: string, file: string): ScenarioDefinition[] {
  return parseScenarioSetup(text, file).scenarios
}

/**
 * Parses and checks a scenarios document with the scenarios it serves from start-up: every id they
 * name is a built-in one or one of the file's, a sequence holds `times` on every step but the last,
 * no delay is over `maxDelayMs` (`--max-delay`). Throws a ScenarioFileError naming the file, the
 * entry and the failing path.
 * @example parseScenarioSetup('global: { sequence: [{ id: rate-limited, times: 2 }, { id: default }] }', 'x.yaml').global
 */
export function parseScenarioSetup (text: string, file: string, maxDelayMs = MAX_CUSTOM_DELAY_MS): ScenarioSetup {
  // A blank file holds no scenario, as `[]` does: the command line says so on start-up.
  if (text.trim() === '') return { scenarios: [] }
  let data: unknown
  if (/\.json$/i.test(file)) {
    const error = jsonSyntaxError(text)
    if (error !== undefined) throw new ScenarioFileError(`${file}: not valid JSON: ${error}`)
    data = JSON.parse(text)
  } else {
    try {
      data = yaml().parse(text)
    } catch (error) {
      throw new ScenarioFileError(`${file}: not valid YAML: ${syntaxError(error as Error)}`)
    }
  }
  const [violation] = checkSchema(Array.isArray(data) ? ScenarioList : ScenarioDocument, data)
  if (violation !== undefined) {
    throw new ScenarioFileError(`${file}: ${locate(data, violation.path)}: ${violation.path || '/'}: ${violation.message}`)
  }
  const prefix = Array.isArray(data) ? '' : '/scenarios'
  const document = Array.isArray(data) ? { scenarios: data as CustomScenario[] } : data as Static<typeof ScenarioDocument>
  const taken = new Set(builtInScenarios.map((scenario) => scenario.id))
  const scenarios = (document.scenarios ?? []).map((item, index) => {
    const served = RESERVED_IDS.get(item.id)
    if (served !== undefined) {
      throw new ScenarioFileError(`${file}: scenario "${item.id}": ${prefix}/${index}/id: the id is reserved (X-Mock-Scenario-Served says "${item.id}" for ${served})`)
    }
    if (taken.has(item.id)) throw new ScenarioFileError(`${file}: scenario "${item.id}": ${prefix}/${index}/id: the id is already taken`)
    taken.add(item.id)
    const reserved = Object.keys(item.headers ?? {}).find((name) => RESERVED_HEADERS.has(name.toLowerCase()))
    if (reserved !== undefined) {
      throw new ScenarioFileError(`${file}: scenario "${item.id}": ${prefix}/${index}/headers/${reserved}: the server sets this header itself`)
    }
    const definition: ScenarioDefinition = {
      ...item,
      kind: 'custom',
      description: item.description ?? `Custom scenario (${item.status}).`
    }
    try {
      compileScenario(definition)
    } catch (error) {
      throw new ScenarioFileError(`${file}: ${(error as ScenarioError).message}`)
    }
    return definition
  })
  const ids = [...taken]
  const starting = (where: string, body: ScenarioBody): void => {
    const problem = checkScenarioBody(body, ids, maxDelayMs)
    if (problem !== undefined) throw new ScenarioFileError(`${file}: ${where}: ${problem.detail}`)
  }
  const setup: ScenarioSetup = { scenarios }
  if (document.global !== undefined) {
    starting('global', document.global)
    setup.global = document.global
  }
  if (document.sessions !== undefined) {
    for (const [name, body] of Object.entries(document.sessions)) {
      if (!isSessionName(name)) throw new ScenarioFileError(`${file}: session "${truncate(name, 80)}": the name ${FORMATS['session-name'].reason}`)
      starting(`session "${name}"`, body)
    }
    setup.sessions = document.sessions
  }
  return setup
}

/**
 * Reads a scenarios file (JSON when it ends in `.json`, YAML otherwise).
 * @example loadScenariosFile('./scenarios.yaml')
 */
export function loadScenariosFile (file: string): ScenarioDefinition[] {
  return loadScenarioSetup(file).scenarios
}

/**
 * Reads a scenarios file with the scenarios it serves from start-up (`global`, `sessions`), their
 * delays at most `maxDelayMs`.
 * @example loadScenarioSetup('./scenarios.yaml', 30000).global // { sequence: [...] }
 */
export function loadScenarioSetup (file: string, maxDelayMs = MAX_CUSTOM_DELAY_MS): ScenarioSetup {
  return parseScenarioSetup(readScenariosText(file)!, file, maxDelayMs)
}

/**
 * A scenarios file's text. A file that cannot be read is a ScenarioFileError naming the reason,
 * except a missing one when `missingOk` (the recorder starts such a file): then undefined.
 * @example readScenariosText('./recorded.yaml', true) // undefined before the first recording
 */
export function readScenariosText (file: string, missingOk = false): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (missingOk && code === 'ENOENT') return undefined
    throw new ScenarioFileError(`${file}: cannot read it (${String(code)})`)
  }
}
