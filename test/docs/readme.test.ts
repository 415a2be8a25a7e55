import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import t from 'tap'
import { startMockServer } from '../../server/index.js'

// The README is a front door: short, with contents reaching every page of docs/, links that resolve.
const run = promisify(execFile)
const root = new URL('../../', import.meta.url)
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8')
const pages = readdirSync(new URL('docs/', root)).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)
const files = ['README.md', ...pages]

/** The headings of a markdown file, outside code blocks. */
function headings (text: string): string[] {
  let fenced = false
  const found: string[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    else if (!fenced && /^#{1,6} /.test(line)) found.push(line.replace(/^#+ /, ''))
  }
  return found
}

/** GitHub's anchor for a heading. */
const anchor = (heading: string): string => heading.toLowerCase().replace(/[^\w\- ]/g, '').replaceAll(' ', '-')

t.test('the README is short and its contents reach every page of docs/', async (t) => {
  const readme = read('README.md')
  t.ok(readme.split('\n').length <= 320, `README.md has ${readme.split('\n').length} lines`)
  const contents = readme.slice(readme.indexOf('**Contents:**'), readme.indexOf('\n## '))
  t.ok(contents.length > 0, 'a table of contents before the first section')
  for (const heading of headings(readme).filter((heading) => !heading.startsWith('konnect-invites-mock'))) {
    t.ok(contents.includes(`(#${anchor(heading)})`), `the contents link to "${heading}"`)
  }
  for (const page of pages) t.ok(contents.includes(`(${page})`), `the contents link to ${page}`)
})

t.test('no page repeats a heading, and every relative link and anchor resolves', async (t) => {
  for (const file of files) {
    const text = read(file)
    const own = headings(text)
    t.same(own.filter((heading, i) => own.indexOf(heading) !== i), [], `${file}: headings are unique`)
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:/.test(target!)) continue
      const [path, hash] = target!.split('#')
      const resolved = path === '' ? new URL(file, root) : new URL(path!, new URL(file, root))
      t.ok(existsSync(resolved), `${file}: ${target} exists`)
      if (hash !== undefined && resolved.pathname.endsWith('.md')) {
        t.ok(headings(readFileSync(resolved, 'utf8')).map(anchor).includes(hash), `${file}: ${target} names a heading`)
      }
    }
  }
})

t.test('the CI example\'s start step fails when the mock never answers, and passes when it does', async (t) => {
  const ci = read('docs/ci.md')
  const step = /- name: Start the mock\n\s+run: \|\n((?:\s{10}.+\n)+)/.exec(ci)?.[1]
  t.ok(step, 'the step is found')
  const lines = step!.split('\n').map((line) => line.trim()).filter((line) => line !== '')
  t.match(lines[0], /^npx konnect-invites-mock /)
  // The loop as written, shortened to two quick tries; the start line is the one thing left out.
  const script = (url: string): string => lines.slice(1).join('\n')
    .replace('$(seq 1 50)', '$(seq 1 2)').replace('sleep 0.2', 'sleep 0.01').replaceAll('http://127.0.0.1:8080', url)
  // GitHub runs a step with `bash -e`.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as { port: number }).port
  await new Promise((resolve) => closed.close(resolve))
  await t.rejects(run('bash', ['-e', '-c', script(`http://127.0.0.1:${port}`)]), 'no mock: the step fails')
  const mock = await startMockServer({})
  t.teardown(() => mock.close())
  const { stdout } = await run('bash', ['-e', '-c', script(mock.url)])
  t.match(stdout, '"status":"ok"', 'a mock: the step passes')
})

t.test('docs/go-sdk.md keeps the Go SDK program complete, as its first go block', async (t) => {
  const go = /```go\n([\s\S]*?)\n```/.exec(read('docs/go-sdk.md'))?.[1] ?? ''
  t.match(go, /^package main\n/)
  t.match(go, /\nfunc main\(\) \{\n[\s\S]*\n\}$/)
  t.match(go, /sdkkonnectgo\.WithClient/)
})
