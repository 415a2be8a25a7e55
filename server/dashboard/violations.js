// The upstream panel: when invites pass through to the real service, how many of its answers broke
// their contract and the latest violations, from GET /__mock/violations.
const POLL_MS = 2000
const SHOWN = 10

const panel = document.getElementById('violations')

function line (text) {
  const item = document.createElement('li')
  item.textContent = text
  return item
}

async function refresh () {
  const token = document.getElementById('admin-token')
  const headers = { accept: 'application/json' }
  if (token?.value) headers['x-mock-admin-token'] = token.value
  const res = await fetch('/__mock/violations', { headers, cache: 'no-store' })
  const data = res.ok ? await res.json() : null
  if (data === null || data.upstream === null) return
  panel.hidden = false
  document.getElementById('violations-count').textContent = data.total + ' answer(s) of ' + data.upstream + ' broke the contract'
  const list = document.getElementById('violations-list')
  list.replaceChildren()
  for (const report of data.violations.slice(-SHOWN).reverse()) {
    for (const v of report.violations) {
      list.appendChild(line('#' + report.seq + ' ' + report.status + ' ' + v.path + ': expected ' + v.expected + ', got ' + v.got))
    }
  }
}

function poll () {
  refresh().catch(() => {}).finally(() => window.setTimeout(poll, POLL_MS))
}

if (panel !== null) poll()
