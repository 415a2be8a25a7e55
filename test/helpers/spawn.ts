/**
 * A server started in a child process, as a user starts it: resolves once it prints its
 * `listening on <url>` line, rejects with what it wrote to stderr when it exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process'

export interface Listening {
  child: ChildProcess
  url: string
  port: number
  /** Everything written to stdout and stderr so far. */
  stdout: () => string
  stderr: () => string
}

const LISTENING = /listening on (http:\/\/\S+)/

/** Runs `node <args>` (the script and its arguments) and waits for the listening line. */
export async function spawnListening (args: readonly string[]): Promise<Listening> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = LISTENING.exec(out)
      if (match !== null) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening: ${err}`)))
  })
  return { child, url, port: Number(new URL(url).port), stdout: () => out, stderr: () => err }
}
