// The dashboard's browser script, served as `/dashboard.js` (an ES module, so strict and scoped
// to itself). It only talks to its own origin (the admin API and the invites route) and builds every
// node with `textContent`, so scenario data can never inject markup.

const POLL_MS = 1500
const JOURNAL_ROWS = 100
const KINDS = [
  { kind: 'documented', title: 'Documented examples', empty: '' },
  { kind: 'behaviour', title: 'Other answers a client must survive', empty: '' },
  { kind: 'custom', title: 'Custom scenarios', empty: 'None loaded. Start the mock with --scenarios-file to add some.' }
]

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

function statusBadge (status) {
  return el('span', 'code ' + statusClass(status), status === 0 ? 'reset' : status)
}

const session = () => $('session').value.trim()

function showMessage (text, ok) {
  const box = $('message')
  box.textContent = text
  box.className = ok ? 'message ok' : 'message'
  box.hidden = false
}

function hideMessage () { $('message').hidden = true }

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
  const data = await res.json()
  if (!res.ok) throw new Error(data?.detail || ('The admin API answered ' + res.status))
  return data
}

function describeSticky (sticky) {
  const scenario = view.byId[sticky.id]
  let text = scenario ? scenario.title + ' (' + (scenario.status === 0 ? 'reset' : scenario.status) + ')' : 'Default behaviour (forced)'
  if (sticky.step !== undefined) text += ', step ' + sticky.step + ' of ' + sticky.steps
  if (sticky.remaining !== undefined) text += ', ' + sticky.remaining + ' left'
  if (sticky.delayMs !== undefined) text += ', +' + sticky.delayMs + ' ms'
  return text
}

function activeId () {
  const name = session()
  const sticky = name && view.active.sessions[name] ? view.active.sessions[name] : view.active.global
  return sticky ? sticky.id : null
}

function renderActive () {
  const global = view.active.global
  $('active-global').textContent = global
    ? 'Everyone: ' + describeSticky(global)
    : 'Everyone: default behaviour (no scenario forced)'
  const list = $('active-sessions')
  list.replaceChildren()
  const names = Object.keys(view.active.sessions).sort()
  for (const name of names) {
    const sticky = view.active.sessions[name]
    if (sticky) list.appendChild(el('li', '', 'Session ' + name + ': ' + describeSticky(sticky)))
  }
  const hidden = view.active.totalSessions - names.length
  if (hidden > 0) list.appendChild(el('li', '', 'and ' + hidden + ' more sessions (' + view.active.totalSessions + ' in all)'))
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
  $('clear').textContent = name ? 'Clear scenario for session ' + name : 'Clear scenario for everyone'
  $('try-session').textContent = name
    ? 'Sent with X-Mock-Session: ' + name + '.'
    : 'Sent for everyone (no X-Mock-Session).'
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
  const desc = el('p', 'desc', scenario.description)
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

function renderJournal (requests) {
  const last = requests.length > 0 ? requests[requests.length - 1].seq : 0
  const key = requests.length + ':' + last
  if (key === view.journalKey) return
  view.journalKey = key
  const body = $('journal-rows')
  body.replaceChildren()
  if (requests.length === 0) {
    const cell = el('td', 'empty', 'No requests yet.')
    cell.colSpan = 7
    const row = el('tr')
    row.appendChild(cell)
    body.appendChild(row)
    return
  }
  for (const entry of requests.slice(-JOURNAL_ROWS).reverse()) {
    const tr = el('tr')
    tr.appendChild(el('td', 'mono', entry.time.slice(11, 23)))
    tr.appendChild(el('td', '', entry.method))
    tr.appendChild(el('td', 'path mono', entry.url))
    tr.appendChild(el('td', '', entry.session === null ? '—' : entry.session))
    tr.appendChild(el('td', 'mono', entry.scenario))
    const status = el('td')
    status.appendChild(statusBadge(entry.status))
    tr.appendChild(status)
    tr.appendChild(el('td', 'mono', entry.heldMs))
    body.appendChild(tr)
  }
}

function sameIds (scenarios) {
  return scenarios.length === view.scenarios.length &&
    scenarios.every((scenario, i) => scenario.id === view.scenarios[i].id)
}

function applyScenarios (data) {
  if (!sameIds(data.scenarios)) {
    view.scenarios = data.scenarios
    view.byId = Object.fromEntries(data.scenarios.map((s) => [s.id, s]))
    renderScenarios()
  }
  view.active = data.active
  renderActive()
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
    showMessage((scenario.title + ' is now active ') + (name ? 'for session ' + name : 'for everyone') + (times ? ' for the next ' + times + ' requests.' : '.'), true)
    return refresh()
  }).catch(failed)
}

function clearScenario () {
  const name = session()
  admin('DELETE', name ? '/scenario?session=' + encodeURIComponent(name) : '/scenario').then(() => {
    showMessage(name ? 'Cleared the scenario of session ' + name + '.' : 'Cleared: everyone gets the default behaviour.', true)
    return refresh()
  }).catch(failed)
}

function resetMock () {
  admin('POST', '/reset').then(() => {
    showMessage('Reset: scenarios, journal, invites and rate windows are back to their start-up state.', true)
    return refresh()
  }).catch(failed)
}

function showResult (res, text) {
  const status = $('result-status')
  status.replaceChildren()
  status.appendChild(statusBadge(res.status))
  status.appendChild(el('span', '', res.statusText || ''))
  const served = res.headers.get('x-mock-scenario-served')
  if (served) status.appendChild(el('span', 'served', 'scenario served: ' + served))
  const list = $('result-headers')
  list.replaceChildren()
  res.headers.forEach((value, name) => {
    list.appendChild(el('dt', '', name))
    list.appendChild(el('dd', '', value))
  })
  let pretty = text
  if (text) {
    try {
      pretty = JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      // Not JSON (an HTML error page, say): shown as received.
      pretty = text
    }
  }
  $('result-body').textContent = pretty || '(empty body)'
}

function showNoAnswer (error) {
  const status = $('result-status')
  status.replaceChildren()
  status.appendChild(statusBadge(0))
  status.appendChild(el('span', '', 'No answer: the connection was closed'))
  $('result-headers').replaceChildren()
  $('result-body').textContent = String(error?.message ? error.message : error)
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
    .then((res) => res.text().then((text) => showResult(res, text)), showNoAnswer)
    .then(() => {
      button.disabled = false
      if (!view.blocked) return refresh().catch(failed)
    })
}

function start () {
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
