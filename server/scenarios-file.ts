/**
 * The scenarios file behind `--scenarios-file`, as `GET /__mock/scenarios` reports it, and `--watch`:
 * a change is read and checked by the start-up path (`parseScenarioSetup`), then swapped in whole; a
 * file that is refused, or gone, leaves the last good one in place and says why in one log line.
 */
import { unwatchFile, watchFile } from 'node:fs'
import type { ScenariosFileStatus } from '../contracts/admin.js'
import { Catalogue } from '../scenarios/catalogue.js'
import { parseScenarioSetup, readScenariosText, type ScenarioSetup } from '../scenarios/custom.js'
import { applyReload, startupScenarios, type StartupScenarios } from '../scenarios/reload.js'
import type { MockContext } from './context.js'

/**
 * How often the file's status is read. Polling its status (`fs.watchFile`) rather than inotify
 * (`fs.watch`) because it follows the path, not an inode or a directory entry: it sees a write in
 * place, an editor's save by rename, a delete and a later re-create, a Kubernetes ConfigMap's
 * symlink swap (no event names the file then), and files on bind mounts and network filesystems
 * that send no inotify events. Its cost is one `stat` per interval.
 */
const POLL_MS = 100
/** How long the file must stay unchanged before it is read: an editor's save is several writes. */
const SETTLE_MS = 200

export interface ScenariosFileOptions {
  path: string
  /** Read the file again on change (`--watch`). */
  watch: boolean
  /** `--scenario`: it wins over the file's `global`, and must stay a scenario the mock has. */
  scenario: string | undefined
}

/**
 * The scenarios file of one app: what `GET /__mock/scenarios` shows of it and, with `watch`, the
 * watcher that `start()` begins and `close()` ends (the app calls them when ready and on close).
 * @example const file = new ScenariosFile({ path: './scenarios.yaml', watch: true, scenario: undefined }, app.mock)
 */
export class ScenariosFile {
  private loadedAt: number
  private error: { message: string, at: number } | undefined
  /** The text of the last good load, so a change that leaves it as it was changes nothing. */
  private text: string | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly changed = (): void => {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => { this.reload() }, SETTLE_MS)
  }

  constructor (private readonly options: ScenariosFileOptions, private readonly context: MockContext) {
    this.loadedAt = context.now()
  }

  /** What `GET /__mock/scenarios` says of the file. */
  view (): ScenariosFileStatus {
    const iso = (ms: number) => new Date(ms).toISOString()
    return {
      path: this.options.path,
      watching: this.options.watch,
      loadedAt: iso(this.loadedAt),
      ...(this.error === undefined ? {} : { error: this.error.message, errorAt: iso(this.error.at) })
    }
  }

  /** Starts watching, with `watch`. */
  start (): void {
    if (this.options.watch) watchFile(this.options.path, { interval: POLL_MS }, this.changed)
  }

  /** Stops watching: no timer or watcher is left to hold the process. */
  close (): void {
    clearTimeout(this.timer)
    unwatchFile(this.options.path, this.changed)
  }

  /**
   * Reads the file and, when it passes the start-up checks, puts it in place: the new catalogue
   * and the state it sets up are built first and swapped in one synchronous turn.
   */
  reload (): void {
    const { path, scenario } = this.options
    const { context } = this
    let text: string
    let setup: ScenarioSetup
    try {
      text = readScenariosText(path)!
      if (text === this.text && this.error === undefined) return
      setup = parseScenarioSetup(text, path, context.maxDelayMs)
    } catch (error) {
      this.refuse((error as Error).message)
      return
    }
    const catalogue = new Catalogue(setup.scenarios)
    let startup: StartupScenarios
    try {
      // The file's starting scenarios passed the same checks above: only `--scenario` can fail here.
      startup = startupScenarios(catalogue, { scenario, ...setup }, context.maxDelayMs)
    } catch (error) {
      this.refuse(`${path}: --scenario: ${(error as Error).message}`)
      return
    }
    const cleared = applyReload(context.state, catalogue, startup, scenario === undefined && setup.global !== undefined)
    context.catalogue = catalogue
    this.text = text
    this.error = undefined
    this.loadedAt = context.now()
    const count = setup.scenarios.length
    context.log.info(`${path}: reloaded, ${count} custom scenario${count === 1 ? '' : 's'}`)
    for (const { where, id } of cleared) context.log.warn(`${path}: ${where}: the active scenario is cleared: "${id}" is no longer a scenario`)
  }

  private refuse (message: string): void {
    this.error = { message, at: this.context.now() }
    this.context.log.warn(`${message} (the last good scenarios stay)`)
  }
}
