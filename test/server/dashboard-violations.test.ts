import { Script, createContext } from 'node:vm'
import t from 'tap'
import { build } from '../helpers/app.js'

interface FakeNode { hidden?: boolean, textContent: string, value?: string, children: FakeNode[], appendChild: (node: FakeNode) => void, replaceChildren: () => void }
const node = (extra: Partial<FakeNode> = {}): FakeNode => {
  const made: FakeNode = { textContent: '', children: [], appendChild: (child) => { made.children.push(child) }, replaceChildren: () => { made.children.length = 0 }, ...extra }
  return made
}

/** Runs the panel's script against a page with these elements and an admin API answering `answer`. */
async function runPanel (script: string, elements: Record<string, FakeNode>, answer: { ok: boolean, body: unknown } | Error) {
  const calls: Array<{ url: string, headers: Record<string, string> }> = []
  const context = createContext({
    document: {
      getElementById: (id: string) => elements[id] ?? null,
      createElement: () => node()
    },
    fetch: (url: string, init: { headers: Record<string, string> }) => {
      calls.push({ url, headers: init.headers })
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ ok: answer.ok, json: async () => answer.body })
    },
    window: { setTimeout: () => 0 }
  })
  new Script(script).runInContext(context)
  await new Promise((resolve) => setImmediate(resolve))
  return calls
}

t.test('the dashboard shows the upstream violations when invites pass through', async (t) => {
  const app = build(t)
  const page = await app.inject('/')
  t.match(page.body, /<script type="module" src="\/violations\.js"><\/script>/)
  t.match(page.body, /<section id="violations"[^>]* hidden>/, 'hidden until there is an upstream')
  const res = await app.inject('/violations.js')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/javascript; charset=utf-8')
  t.match(res.headers['content-security-policy'], "script-src 'self'")
  t.notMatch(res.body, /innerHTML|eval\(|new Function/)

  const elements = () => ({ violations: node({ hidden: true }), 'violations-count': node(), 'violations-list': node(), 'admin-token': node({ value: 's3cret' }) })
  const shown = elements()
  const report = { upstream: 'https://us.api.konghq.com', total: 2, violations: [{ seq: 2, status: 400, violations: [{ path: '/body/detail', expected: 'a string (required)', got: '(missing)' }] }] }
  const calls = await runPanel(res.body, shown, { ok: true, body: report })
  t.same(calls, [{ url: '/__mock/violations', headers: { accept: 'application/json', 'x-mock-admin-token': 's3cret' } }])
  t.equal(shown.violations.hidden, false)
  t.equal(shown['violations-count'].textContent, '2 answer(s) of https://us.api.konghq.com broke the contract')
  t.same(shown['violations-list'].children.map((item) => item.textContent), ['#2 400 /body/detail: expected a string (required), got (missing)'])

  for (const [name, answer] of [
    ['no upstream', { ok: true, body: { upstream: null, total: 0, violations: [] } }],
    ['a refusal', { ok: false, body: {} }],
    ['a network error', new Error('offline')]
  ] as const) {
    const quiet = { ...elements(), 'admin-token': node({ value: '' }) }
    const quietCalls = await runPanel(res.body, quiet, answer)
    t.equal(quiet.violations.hidden, true, `${name}: the panel stays hidden`)
    t.same(quietCalls[0]!.headers, { accept: 'application/json' }, 'no token when none is typed')
  }
  t.same(await runPanel(res.body, {}, { ok: true, body: report }), [], 'a page without the panel fetches nothing')
})
