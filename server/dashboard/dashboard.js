// The dashboard's browser script, served as `/dashboard.js` (an ES module, so strict and scoped
// to itself). It only talks to its own origin (the admin API and the invites route) and builds every
// node with `textContent`, so scenario data can never inject markup.

const POLL_MS = 1500
const JOURNAL_ROWS = 100
const REASON_MAX = 400
const KINDS = [
  { kind: 'documented', title: 'Documented examples', empty: '' },
  { kind: 'behaviour', title: 'Other answers a client must survive', empty: '' },
  { kind: 'custom', title: 'Custom scenarios', empty: 'None loaded. Start the mock with --scenarios-file to add some.' }
]
// Served values that are no scenario's, in words.
const SERVED_NAMES = { default: 'Default behaviour', upstream: 'Passed to the upstream', 'mock-error': 'The mock\'s own error' }

const view = { scenarios: [], byId: {}, active: { global: null, sessions: {}, totalSessions: 0 }, journal: [], after: null, journalKey: '', adminToken: '', blocked: false, timer: 0 }

const $ = (id) => document.getElementById(id)

function el (tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  return node
}

function statusClass (status) {
  if (status >= 500) return 's5xx'
  if (status >= 400) return 's4xx'
  if (status >= 200) return 's2xx'
  return 's0'
}

// Status 0 means no status line reached the client: which fault it was is the scenario's to say.
function statusBadge (status) {
  const badge = el('span', 'code ' + statusClass(status), status === 0 ? 'none' : status)
  if (status === 0) badge.title = 'no HTTP status: no complete answer'
  return badge
}

// The fault a journal entry met, named by its scenario; null for an ordinary answer.
function faultName (scenarioId, status) {
  const scenario = view.byId[scenarioId]
  if (scenario && (scenario.fault || scenario.status === 0)) return scenario.title
  return status === 0 ? 'No answer' : null
}

function servedName (id) {
  return view.byId[id] ? view.byId[id].title : (SERVED_NAMES[id] || id)
}

const session = () => $('session').value.trim()

function showMessage (text, ok, confirms) {
  view.confirms = confirms
  const box = $('message')
  box.textContent = text
  box.className = ok ? 'message ok' : 'message'
  box.hidden = false
}

function hideMessage () { $('message').hidden = true }

// The sticky scenario of a scope: a session's, or everyone's when the name is empty.
function stickyOf (name) {
  return (name ? view.active.sessions[name] : view.active.global) ?? null
}

// A confirmation stays while what it confirms holds: once anyone changes that scope, it goes.
function dropStaleConfirmation () {
  const confirms = view.confirms
  if (!confirms || $('message').hidden) return
  if ((stickyOf(confirms.scope)?.id ?? null) !== confirms.id) hideMessage()
}

// What an error answer says, in its own words: the problem's detail and any reason it does not already
// include, else its title, else the text it sent.
function reasonOf (text) {
  let data = null
  try {
    data = JSON.parse(text)
  } catch {
    // Not JSON: its text is the reason.
  }
  if (data === null || typeof data !== 'object') return text.trim().slice(0, REASON_MAX)
  const parts = []
  if (typeof data.detail === 'string' && data.detail.trim()) parts.push(data.detail.trim())
  for (const item of Array.isArray(data.invalid_parameters) ? data.invalid_parameters : []) {
    if (typeof item?.reason !== 'string' || parts.some((part) => part.includes(item.reason))) continue
    parts.push((typeof item.field === 'string' ? item.field + ': ' : '') + item.reason)
  }
  if (parts.length === 0 && typeof data.title === 'string') parts.push(data.title)
  return parts.join('; ').slice(0, REASON_MAX)
}

// Thrown when the admin API asks for a token: the form is shown instead of an error message.
class AdminTokenNeeded extends Error {}

async function admin (method, path, body) {
  const headers = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (view.adminToken) headers['x-mock-admin-token'] = view.adminToken
  const init = { method, headers, cache: 'no-store' }
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await fetch('/__mock' + path, init)
  if (res.status === 401) {
    view.blocked = true
    $('admin-form').hidden = false
    showMessage(view.adminToken
      ? 'The admin token was refused. Check it and type it again.'
      : 'This mock requires an admin token: type it in the Admin token field.')
    throw new AdminTokenNeeded()
  }
  if (res.status === 204) return null
  const text = await res.text()
  if (!res.ok) {
    const reason = reasonOf(text)
    throw new Error('The admin API answered ' + res.status + (reason ? ': ' + reason : ' with no reason given'))
  }
  return JSON.parse(text)
}

function describeSticky (sticky) {
  const scenario = view.byId[sticky.id]
  let text = scenario ? scenario.title + ' (' + (scenario.status === 0 ? 'no status' : scenario.status) + ')' : 'Default behaviour (forced)'
  if (sticky.step !== undefined) text += ', step ' + sticky.step + ' of ' + sticky.steps
  if (sticky.remaining !== undefined) text += ', ' + sticky.remaining + ' left'
  if (sticky.delayMs !== undefined) text += ', +' + sticky.delayMs + ' ms'
  return text
}

function activeId () {
  const sticky = stickyOf(session()) ?? view.active.global
  return sticky ? sticky.id : null
}

// A sequence's steps as chips: those done, the one answering now (with what is left of it), those to come.
function renderSteps (sticky) {
  const list = $('active-steps')
  list.replaceChildren()
  list.hidden = !sticky?.sequence
  if (!sticky?.sequence) return
  sticky.sequence.forEach((step, index) => {
    const number = index + 1
    const state = number < sticky.step ? 'done' : number === sticky.step ? 'now' : 'next'
    const item = el('li', 'step ' + state, servedName(step.id))
    const count = number === sticky.step && sticky.remaining !== undefined
      ? sticky.remaining + ' left'
      : step.times === undefined ? 'then stays' : '×' + step.times
    item.appendChild(document.createTextNode(' '))
    item.appendChild(el('span', 'step-count', count))
    if (state === 'now') item.setAttribute('aria-current', 'step')
    list.appendChild(item)
  })
}

function renderActive () {
  const global = view.active.global
  $('active-global').textContent = global
    ? 'Everyone: ' + describeSticky(global)
    : 'Everyone: default behaviour (no scenario forced)'
  renderSteps(global)
  const list = $('active-sessions')
  list.replaceChildren()
  const names = Object.keys(view.active.sessions).sort()
  for (const name of names) {
    const sticky = view.active.sessions[name]
    if (sticky) list.appendChild(el('li', '', 'Session ' + name + ': ' + describeSticky(sticky)))
  }
  const hidden = view.active.totalSessions - names.length
  if (hidden > 0) list.appendChild(el('li', '', 'and ' + hidden + ' more sessions (' + view.active.totalSessions + ' in all)'))
  list.hidden = list.childElementCount === 0
  const current = activeId()
  for (const card of document.querySelectorAll('.card')) {
    const on = card.dataset.id === current
    card.classList.toggle('is-active', on)
    card.querySelector('button').setAttribute('aria-pressed', on ? 'true' : 'false')
    card.querySelector('.pill').hidden = !on
  }
}

function renderScope () {
  const name = session()
  $('clear').textContent = name ? 'Clear for session ' + name : 'Clear for everyone'
  $('try-session').textContent = name
    ? 'Sent with X-Mock-Session: ' + name + '.'
    : 'Sent for everyone (no X-Mock-Session).'
}

// A line of a card: a bold label and its text, with `field` names set as code.
function cardLine (className, label, text) {
  const line = el('p', className)
  if (label) line.appendChild(el('b', '', label + ' '))
  String(text).split('`').forEach((part, index) => {
    line.appendChild(index % 2 === 1 ? el('code', '', part) : document.createTextNode(part))
  })
  return line
}

// When a client meets the answer, what it says (the body's own words, or the fault), and a note.
function cardText (scenario) {
  const box = el('div', 'desc')
  // A custom scenario may not say when: its description stands in, unlabelled.
  box.appendChild(scenario.when ? cardLine('when', 'When:', scenario.when) : cardLine('when', '', scenario.description))
  if (scenario.says) {
    const words = !scenario.fault && scenario.status > 0 && (scenario.contentType || '').startsWith('application/problem+json')
    if (words) box.appendChild(cardLine('says', 'Says:', '“' + scenario.says + '”'))
    else box.appendChild(cardLine('says', scenario.fault || scenario.status === 0 ? 'Fault:' : 'Answer:', scenario.says))
  }
  if (scenario.note) box.appendChild(cardLine('note', 'Note:', scenario.note))
  return box
}

function scenarioCard (group, scenario, index) {
  const item = el('li', 'card')
  item.dataset.id = scenario.id
  const button = el('button')
  button.type = 'button'
  button.setAttribute('aria-pressed', 'false')
  const descId = 'desc-' + group.kind + '-' + index
  button.setAttribute('aria-describedby', descId)
  button.appendChild(statusBadge(scenario.status))
  const title = el('span', 'title', scenario.title)
  const pill = el('span', 'pill', 'ACTIVE')
  pill.hidden = true
  title.appendChild(pill)
  button.appendChild(title)
  button.appendChild(el('code', 'id', scenario.id))
  button.addEventListener('click', () => activate(scenario))
  const desc = cardText(scenario)
  desc.id = descId
  item.appendChild(button)
  item.appendChild(desc)
  return item
}

function renderScenarios () {
  const groups = $('groups')
  groups.replaceChildren()
  for (const group of KINDS) {
    const items = view.scenarios.filter((s) => s.kind === group.kind)
    if (items.length === 0 && !group.empty) continue
    const section = el('section', 'group')
    const headingId = 'group-' + group.kind
    const heading = el('h3', '', group.title + ' (' + items.length + ')')
    heading.id = headingId
    section.setAttribute('aria-labelledby', headingId)
    section.appendChild(heading)
    if (items.length === 0) {
      section.appendChild(el('p', 'empty', group.empty))
    } else {
      const list = el('ul', 'cards')
      items.forEach((scenario, index) => list.appendChild(scenarioCard(group, scenario, index)))
      section.appendChild(list)
    }
    groups.appendChild(section)
  }
}

// Time, the answer (status and what it was, a fault named by its scenario) and the request.
function journalRow (entry) {
  const tr = el('tr')
  tr.appendChild(el('td', 'mono time', entry.time.slice(11, 19)))
  const answer = el('td', 'answer')
  answer.appendChild(statusBadge(entry.status))
  const fault = faultName(entry.scenario, entry.status)
  answer.appendChild(el('span', fault ? 'answer-name fault' : 'answer-name', fault || servedName(entry.scenario)))
  tr.appendChild(answer)
  const details = [entry.method + ' ' + entry.url]
  if (entry.session !== null) details.push('session ' + entry.session)
  if (entry.step !== undefined) details.push('step ' + entry.step + ' of ' + entry.steps)
  if (entry.heldMs > 0) details.push('held ' + Math.round(entry.heldMs) + ' ms')
  const request = el('td', 'request')
  request.appendChild(el('code', 'served-id', entry.scenario))
  request.appendChild(el('span', 'request-more mono', details.join(' · ')))
  tr.appendChild(request)
  return tr
}

function renderJournal (requests) {
  const last = requests.length > 0 ? requests[requests.length - 1].seq : 0
  const key = requests.length + ':' + last + ':' + view.scenarios.length
  if (key === view.journalKey) return
  view.journalKey = key
  const body = $('journal-rows')
  body.replaceChildren()
  if (requests.length === 0) {
    const cell = el('td', 'empty', 'No requests yet.')
    cell.colSpan = 3
    const row = el('tr')
    row.appendChild(cell)
    body.appendChild(row)
    return
  }
  for (const entry of requests.slice(-JOURNAL_ROWS).reverse()) body.appendChild(journalRow(entry))
}

function sameIds (scenarios) {
  return scenarios.length === view.scenarios.length &&
    scenarios.every((scenario, i) => scenario.id === view.scenarios[i].id)
}

// With --watch, a scenarios file that no longer loads keeps serving its last good version: say so.
function renderFileProblem (file) {
  const box = $('file-problem')
  box.hidden = !file?.error
  if (!file?.error) return
  // The error may begin with the path already: said once is enough.
  const error = file.error.startsWith(file.path + ': ') ? file.error.slice(file.path.length + 2) : file.error
  box.textContent = 'Scenarios file ' + file.path + ': ' + error + ' (serving the last good one)'
}

function applyScenarios (data) {
  if (!sameIds(data.scenarios)) {
    view.scenarios = data.scenarios
    view.byId = Object.fromEntries(data.scenarios.map((s) => [s.id, s]))
    renderScenarios()
  }
  view.active = data.active
  renderActive()
  dropStaleConfirmation()
  renderFileProblem(data.scenariosFile)
}

function failed (error) {
  if (error instanceof AdminTokenNeeded) return
  showMessage(error?.message ? error.message : String(error))
}

// Asks only for entries newer than the last one shown; a view that fell behind starts from the newest again.
async function loadJournal () {
  const page = await admin('GET', view.after === null ? '/requests' : '/requests?after=' + view.after)
  if (page.more) {
    view.after = null
    view.journal = []
    return loadJournal()
  }
  view.journal = view.journal.filter((entry) => entry.seq >= page.oldest).concat(page.requests).slice(-JOURNAL_ROWS)
  view.after = page.next
  return view.journal
}

async function refresh () {
  const [scenarios, journal] = await Promise.all([admin('GET', '/scenarios'), loadJournal()])
  if (view.blocked) {
    view.blocked = false
    hideMessage()
  }
  applyScenarios(scenarios)
  renderJournal(journal)
}

function schedule () {
  window.clearTimeout(view.timer)
  view.timer = window.setTimeout(poll, POLL_MS)
}

function poll () {
  if (view.blocked || document.hidden) {
    schedule()
    return
  }
  refresh().catch(failed).then(schedule)
}

function activate (scenario) {
  const body = { id: scenario.id }
  const name = session()
  if (name) body.session = name
  const times = $('times').value.trim()
  if (times) body.times = Number(times)
  admin('PUT', '/scenario', body).then(() => {
    showMessage((scenario.title + ' is now active ') + (name ? 'for session ' + name : 'for everyone') + (times ? ' for the next ' + times + ' requests.' : '.'), true, { scope: name, id: scenario.id })
    return refresh()
  }).catch(failed)
}

function clearScenario () {
  const name = session()
  admin('DELETE', name ? '/scenario?session=' + encodeURIComponent(name) : '/scenario').then(() => {
    showMessage(name ? 'Cleared the scenario of session ' + name + '.' : 'Cleared: everyone gets the default behaviour.', true, { scope: name, id: null })
    return refresh()
  }).catch(failed)
}

function resetMock () {
  admin('POST', '/reset').then(() => {
    showMessage('Reset: scenarios, journal, invites and rate windows are back to their start-up state.', true, { scope: '', id: null })
    return refresh()
  }).catch(failed)
}

// JSON on one line, with a space after each colon and comma.
function inlineJson (value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return '[' + value.map(inlineJson).join(', ') + ']'
  if (Object.keys(value).length === 0) return '{}'
  return '{ ' + Object.entries(value).map(([key, item]) => JSON.stringify(key) + ': ' + inlineJson(item)).join(', ') + ' }'
}

// Pretty JSON that keeps each nested object or array on one line when it fits, so a whole problem
// document, reasons included, fits the panel.
function compactJson (value, width, indent = '', room = 0) {
  const inline = inlineJson(value)
  if (value === null || typeof value !== 'object' || inline.length <= room) return inline
  const inner = indent + '  '
  const entries = Array.isArray(value) ? value.map((item) => ['', item]) : Object.entries(value).map(([key, item]) => [JSON.stringify(key) + ': ', item])
  if (entries.length === 0) return inline
  const lines = entries.map(([key, item]) => inner + key + compactJson(item, width, inner, width - inner.length - key.length - 1))
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  return open + '\n' + lines.join(',\n') + '\n' + indent + close
}

// How many characters of the monospaced body fit on one line of its panel.
function columnsOf (pre) {
  const probe = el('span', '', '0'.repeat(20))
  pre.replaceChildren(probe)
  const style = getComputedStyle(pre)
  const inside = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
  return Math.max(20, Math.floor(inside / (probe.getBoundingClientRect().width / 20)))
}

// The body first (it says why), with the retry hint beside the status; every header folded below.
function showResult (res, text) {
  const status = $('result-status')
  status.replaceChildren()
  status.appendChild(statusBadge(res.status))
  status.appendChild(el('span', '', res.statusText || ''))
  const served = res.headers.get('x-mock-scenario-served')
  if (served) status.appendChild(el('span', 'served mono', served))
  const retry = res.headers.get('retry-after')
  if (retry) status.appendChild(el('span', 'retry', 'retry after ' + retry + ' s'))
  const body = $('result-body')
  body.hidden = false
  let pretty = text
  if (text) {
    try {
      pretty = compactJson(JSON.parse(text), columnsOf(body))
    } catch {
      // Not JSON (an HTML error page, say): shown as received.
      pretty = text
    }
  }
  body.textContent = pretty || '(empty body)'
  const list = $('result-headers')
  list.replaceChildren()
  let count = 0
  res.headers.forEach((value, name) => {
    count++
    list.appendChild(el('dt', '', name))
    list.appendChild(el('dd', '', value))
  })
  $('result-summary').textContent = 'Headers (' + count + ')'
  $('result-more').hidden = false
}

// The browser's reason for a broken exchange, and where the fault is named.
function brokenText (error, what) {
  return what + ' (' + String(error?.message ? error.message : error) + '). The journal names the fault.'
}

function showNoAnswer (error) {
  const status = $('result-status')
  status.replaceChildren()
  status.appendChild(statusBadge(0))
  status.appendChild(el('span', '', 'No answer'))
  $('result-more').hidden = true
  const body = $('result-body')
  body.textContent = brokenText(error, 'The connection closed before a whole answer arrived')
  body.hidden = false
}

// A status and headers arrived, then the body broke off.
function showCutBody (res, error) {
  showResult(res, '')
  $('result-body').textContent = brokenText(error, 'The body was cut short')
}

function send (event) {
  event.preventDefault()
  const button = $('send')
  button.disabled = true
  const headers = { 'content-type': 'application/json' }
  const token = $('try-token').value.trim()
  if (token) headers.authorization = 'Bearer ' + token
  const name = session()
  if (name) headers['x-mock-session'] = name
  $('result-status').textContent = 'Sending…'
  fetch('/v3/invites', { method: 'POST', headers, body: JSON.stringify({ email: $('try-email').value }), cache: 'no-store' })
    .then((res) => res.text().then((text) => showResult(res, text), (error) => showCutBody(res, error)), showNoAnswer)
    .then(() => {
      button.disabled = false
      if (!view.blocked) return refresh().catch(failed)
    })
}

// The side column and scrolled-to cards sit below the sticky header, whatever its height.
function followHeaderHeight () {
  const header = $('top')
  const set = () => document.documentElement.style.setProperty('--head', header.offsetHeight + 'px')
  new ResizeObserver(set).observe(header)
  set()
}

function start () {
  followHeaderHeight()
  $('try-form').addEventListener('submit', send)
  $('clear').addEventListener('click', clearScenario)
  $('reset').addEventListener('click', resetMock)
  $('session').addEventListener('input', () => {
    renderScope()
    renderActive()
  })
  $('admin-form').addEventListener('submit', (event) => {
    event.preventDefault()
    view.adminToken = $('admin-token').value
    view.blocked = false
    hideMessage()
    refresh().catch(failed)
  })
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll() })
  renderScope()
  refresh().catch(failed).then(schedule)
}

start()
