/**
 * A command's output, captured: `io` goes to the mock's or the contract runner's `main`, and `out`
 * and `err` hold the lines it printed.
 */
import type { Test } from 'tap'
import { main } from '../../contracts/contract-cli.js'

export function capture () {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } }
}

/** Runs the contract CLI once per argument list and checks each exits 2 with one line on stderr matching its message, nothing on stdout. */
export async function assertBadArguments (t: Test, cases: ReadonlyArray<readonly [readonly string[], string | RegExp]>): Promise<void> {
  for (const [argv, message] of cases) {
    const { out, err, io } = capture()
    t.equal(await main(argv, io), 2, argv.join(' '))
    t.same(out, [])
    t.equal(err.length, 1)
    t.match(err[0], message)
  }
}
