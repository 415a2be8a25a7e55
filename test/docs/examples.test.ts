import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { format, promisify } from 'node:util'
import t, { type Test } from 'tap'
import { startMockServer } from '../../server/index.js'

// Every code example of the README and docs/ runs as written: JavaScript against the local sources,
// curl against a fresh mock on a free port; a block that is not run says why in its marker.
const run = promisify(execFile)
const root = new URL('../../', import.meta.url)
// Inside node_modules, so an example's bare imports (undici, tap) resolve as they would for a user.
const scratch = new URL('node_modules/.cache/docs-examples/', root)
const entryPoints: Record<string, string> = {
  'konnect-invites-mock/server': new URL('server/index.ts', root).href,
  'konnect-invites-mock/contracts': new URL('contracts/index.ts', root).href
}
const CODE = /^(js|javascript|mjs|ts|typescript)$/
const MARKER = /^<!-- example: (.+?) -->$/

interface Block { file: string, line: number, lang: string, marker: string | undefined, code: string, next: string | undefined }

/** The fenced blocks of a markdown file, each with the marker on the nearest line before it and the block after it. */
function blocksOf (file: string): Block[] {
  const lines = readFileSync(new URL(file, root), 'utf8').split('\n')
  const blocks: Array<Omit<Block, 'next'>> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)$/.exec(lines[i]!)
    if (open === null) continue
    let end = i + 1
    while (lines[end] !== '```') end++
    let before = i - 1
    while (before >= 0 && lines[before]!.trim() === '') before--
    blocks.push({ file, line: i + 1, lang: open[1]!, marker: MARKER.exec(lines[before] ?? '')?.[1], code: lines.slice(i + 1, end).join('\n') })
    i = end
  }
  return blocks.map((block, index) => ({ ...block, next: blocks[index + 1]?.code }))
}

const files = ['README.md', ...readdirSync(new URL('docs/', root)).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)]
const blocks = files.flatMap(blocksOf)
const code = blocks.filter((block) => CODE.test(block.lang))
const curls = blocks.filter((block) => block.marker === 'curl, answers as shown')

/** A line of a shown output as a pattern: `…` stands for anything. */
function linePattern (line: string): RegExp {
  return new RegExp(`^${line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
}

function sameLines (t: Test, got: string[], shown: string[], where: string): void {
  t.equal(got.length, shown.length, `${where}: as many lines as shown`)
  shown.forEach((line, i) => { t.match(got[i] ?? '', linePattern(line), `${where}: line ${i + 1}`) })
}

t.test('every JavaScript or TypeScript block says whether it runs', async (t) => {
  t.ok(code.length >= 6, 'the examples are found')
  for (const block of code) {
    t.match(block.marker ?? '', /^(runs|not run, .+)/, `${block.file}:${block.line} has a marker`)
  }
  t.ok(curls.length >= 2, 'the quick start\'s curl blocks are found')
})

mkdirSync(scratch, { recursive: true })

for (const block of code.filter((block) => block.marker?.startsWith('runs'))) {
  const where = `${block.file}:${block.line}`
  const source = block.code.replace(/from '(konnect-invites-mock\/(?:server|contracts))'/g, (_match, specifier: string) => `from '${entryPoints[specifier]}'`)
  const file = new URL(`${block.file.replace(/\W/g, '-')}-${block.line}.mjs`, scratch)
  writeFileSync(file, source)

  t.test(`${where} runs as written`, async (t) => {
    const mock = await startMockServer({})
    t.teardown(() => mock.close())
    if (block.marker === 'runs as a tap test') {
      // Its `t.test` calls add tests to this file's own run: a failing assertion there fails this file.
      process.env.KONNECT_URL = mock.url
      await import(file.href)
      t.pass('the tap example loaded; its tests run after this one')
      return
    }
    const printed: string[] = []
    const log = console.log
    const previous = process.env.KONNECT_URL
    process.env.KONNECT_URL = mock.url
    console.log = (...args: unknown[]) => { printed.push(...format(...args).split('\n')) }
    try {
      await import(file.href)
    } finally {
      console.log = log
      if (previous === undefined) delete process.env.KONNECT_URL
      else process.env.KONNECT_URL = previous
    }
    const shown = block.next?.split('\n') ?? []
    if (block.marker === 'runs, prints the block below') sameLines(t, printed, shown, where)
    else if (block.marker === 'runs, ends with the block below') sameLines(t, printed.slice(-shown.length), shown, where)
    else t.equal(block.marker, 'runs')
  })
}

for (const block of curls) {
  t.test(`${block.file}:${block.line}: each curl answers as shown`, async (t) => {
    const mock = await startMockServer({})
    t.teardown(() => mock.close())
    for (const step of block.code.split(/\n\s*\n/)) {
      const lines = step.replace(/\\\n\s*/g, '').split('\n')
      const command = lines.findIndex((line) => line.startsWith('curl '))
      const shown = lines.slice(command + 1).map((line) => line.replace(/^# /, ''))
      t.ok(command >= 0 && shown.length > 0, `a command and what it prints: ${lines[0]}`)
      const { stdout } = await run('sh', ['-c', lines[command]!.replaceAll('http://127.0.0.1:8080', mock.url)])
      const got = stdout.split(/\r?\n/)
      for (const line of shown) {
        t.ok(got.some((out) => linePattern(line).test(out)), `${lines[command]!.slice(0, 60)}… prints ${line}`)
      }
    }
  })
}
