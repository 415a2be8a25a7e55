/**
 * The server processes the benchmark and the stress run drive: started as `npm start` starts the
 * mock, stopped, and their memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startFlags } from './flags.js'

/** This build's server script. */
export const MOCK_ENTRY = fileURLToPath(new URL('../server/bin.js', import.meta.url))
/** The bare Fastify route the mock is measured against. */
export const CEILING_ENTRY = fileURLToPath(new URL('./ceiling.js', import.meta.url))

/** The Node flags of `npm start`, given to every server started here. */
export const NODE_FLAGS = startFlags(JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts?: Record<string, string> })

const LISTENING = /listening on (http:\/\/\S+)/
const START_TIMEOUT_MS = 10_000

/** A server that printed its listening line. */
export interface Running {
  child: ChildProcess
  url: string
}

/**
 * Starts a server script in a child process and resolves once it prints its listening line;
 * `wrapper` is a command Node runs under (valgrind), which needs longer to start. What the server
 * writes to stderr before then is quoted when it exits early, and passed on to ours after (not
 * under a wrapper).
 * @example const mock = await start(MOCK_ENTRY, ['--port', '0', '--log-level', 'silent']); await stop(mock)
 */
export function start (entry: string, args: readonly string[], options: { nodeArgs?: readonly string[], wrapper?: readonly string[] } = {}): Promise<Running> {
  const { nodeArgs = [], wrapper = [] } = options
  const command = [...wrapper, process.execPath, ...NODE_FLAGS, ...nodeArgs, entry, ...args]
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  const timeoutMs = wrapper.length === 0 ? START_TIMEOUT_MS : START_TIMEOUT_MS * 12
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const onErr = (chunk: Buffer): void => { err += String(chunk) }
    child.once('error', (error) => { reject(new Error(`cannot run ${command[0]!}: ${error.message}`)) })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${entry} did not start within ${timeoutMs} ms`)) }, timeoutMs)
    child.stderr!.on('data', onErr)
    // A listener, not for-await: leaving a for-await loop destroys the stream, and the server's next
    // line would then fail with EPIPE.
    const onOut = (chunk: Buffer): void => {
      out += String(chunk)
      const match = LISTENING.exec(out)
      if (match === null) return
      clearTimeout(timer)
      child.stdout!.removeListener('data', onOut)
      child.stdout!.resume()
      child.stderr!.removeListener('data', onErr)
      // The wrapper's own lines (valgrind's summary at exit) are not the server's.
      if (wrapper.length === 0) child.stderr!.pipe(process.stderr)
      else child.stderr!.resume()
      resolve({ child, url: match[1]! })
    }
    child.stdout!.on('data', onOut)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${entry} exited with ${code} before listening (built? npm run build): ${err.trim().split('\n')[0] ?? ''}`))
    })
  })
}

/**
 * Stops a server with SIGTERM and resolves once it has exited.
 * @example await stop(await start(MOCK_ENTRY, ['--port', '0']))
 */
export async function stop (running: Running): Promise<void> {
  if (running.child.exitCode !== null) return
  const exited = once(running.child, 'exit')
  running.child.kill('SIGTERM')
  await exited
}

/**
 * A memory field of /proc/<pid>/status in MB to a tenth (VmRSS now, VmHWM the peak), or null off Linux.
 * @example procMb(process.pid, 'VmHWM') // 61.3
 */
export function procMb (pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? null : Math.round(Number(match[1]) / 102.4) / 10
  } catch {
    return null
  }
}
