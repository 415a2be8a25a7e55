/**
 * The dashboard's browser script, served as `/dashboard.js`. Plain JavaScript in a string so it
 * ships inside the build with no bundler; it only talks to its own origin (the admin API and the
 * invites route) and builds every node with `textContent`, so scenario data can never inject markup.
 */

export const DASHBOARD_JS = String.raw`'use strict';
(function () {
  var POLL_MS = 1500;
  var JOURNAL_ROWS = 100;
  var KINDS = [
    { kind: 'documented', title: 'Documented examples', empty: '' },
    { kind: 'behaviour', title: 'Other answers a client must survive', empty: '' },
    { kind: 'custom', title: 'Custom scenarios', empty: 'None loaded. Start the mock with --scenarios-file to add some.' }
  ];

  var view = { scenarios: [], byId: {}, active: { global: null, sessions: {} }, journal: [], after: null, journalKey: '', adminToken: '', blocked: false, timer: 0 };

  function $ (id) { return document.getElementById(id); }

  function el (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function statusClass (status) {
    if (status >= 500) return 's5xx';
    if (status >= 400) return 's4xx';
    if (status >= 200) return 's2xx';
    return 's0';
  }

  function statusBadge (status) {
    return el('span', 'code ' + statusClass(status), status === 0 ? 'reset' : status);
  }

  function session () { return $('session').value.trim(); }

  function showMessage (text, ok) {
    var box = $('message');
    box.textContent = text;
    box.className = ok ? 'message ok' : 'message';
    box.hidden = false;
  }

  function hideMessage () { $('message').hidden = true; }

  function AdminTokenNeeded () {}

  function admin (method, path, body) {
    var headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (view.adminToken) headers['x-mock-admin-token'] = view.adminToken;
    var init = { method: method, headers: headers, cache: 'no-store' };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetch('/__mock' + path, init).then(function (res) {
      if (res.status === 401) {
        view.blocked = true;
        $('admin-form').hidden = false;
        showMessage(view.adminToken
          ? 'The admin token was refused. Check it and type it again.'
          : 'This mock requires an admin token: type it in the Admin token field.');
        throw new AdminTokenNeeded();
      }
      if (res.status === 204) return null;
      return res.json().then(function (data) {
        if (!res.ok) throw new Error((data && data.detail) || ('The admin API answered ' + res.status));
        return data;
      });
    });
  }

  function describeSticky (sticky) {
    var scenario = view.byId[sticky.id];
    var text = scenario ? scenario.title + ' (' + (scenario.status === 0 ? 'reset' : scenario.status) + ')' : 'Default behaviour (forced)';
    if (sticky.remaining !== undefined) text += ', ' + sticky.remaining + ' left';
    if (sticky.delayMs !== undefined) text += ', +' + sticky.delayMs + ' ms';
    return text;
  }

  function activeId () {
    var name = session();
    var sticky = name && view.active.sessions[name] ? view.active.sessions[name] : view.active.global;
    return sticky ? sticky.id : null;
  }

  function renderActive () {
    var global = view.active.global;
    $('active-global').textContent = global
      ? 'Everyone: ' + describeSticky(global)
      : 'Everyone: default behaviour (no scenario forced)';
    var list = $('active-sessions');
    list.replaceChildren();
    var names = Object.keys(view.active.sessions);
    names.sort().forEach(function (name) {
      var sticky = view.active.sessions[name];
      if (sticky) list.appendChild(el('li', '', 'Session ' + name + ': ' + describeSticky(sticky)));
    });
    var hidden = (view.active.totalSessions || 0) - names.length;
    if (hidden > 0) list.appendChild(el('li', '', 'and ' + hidden + ' more sessions (' + view.active.totalSessions + ' in all)'));
    var current = activeId();
    var cards = document.querySelectorAll('.card');
    for (var i = 0; i < cards.length; i++) {
      var card = cards[i];
      var on = card.dataset.id === current;
      card.classList.toggle('is-active', on);
      card.querySelector('button').setAttribute('aria-pressed', on ? 'true' : 'false');
      card.querySelector('.pill').hidden = !on;
    }
  }

  function renderScope () {
    var name = session();
    $('clear').textContent = name ? 'Clear scenario for session ' + name : 'Clear scenario for everyone';
    $('try-session').textContent = name
      ? 'Sent with X-Mock-Session: ' + name + '.'
      : 'Sent for everyone (no X-Mock-Session).';
  }

  function renderScenarios () {
    var groups = $('groups');
    groups.replaceChildren();
    KINDS.forEach(function (group) {
      var items = view.scenarios.filter(function (s) { return s.kind === group.kind; });
      if (items.length === 0 && !group.empty) return;
      var section = el('section', 'group');
      var headingId = 'group-' + group.kind;
      var heading = el('h3', '', group.title + ' (' + items.length + ')');
      heading.id = headingId;
      section.setAttribute('aria-labelledby', headingId);
      section.appendChild(heading);
      if (items.length === 0) {
        section.appendChild(el('p', 'empty', group.empty));
      } else {
        var list = el('ul', 'cards');
        items.forEach(function (scenario, index) {
          var item = el('li', 'card');
          item.dataset.id = scenario.id;
          var button = el('button');
          button.type = 'button';
          button.setAttribute('aria-pressed', 'false');
          var descId = 'desc-' + group.kind + '-' + index;
          button.setAttribute('aria-describedby', descId);
          button.appendChild(statusBadge(scenario.status));
          var title = el('span', 'title', scenario.title);
          var pill = el('span', 'pill', 'ACTIVE');
          pill.hidden = true;
          title.appendChild(pill);
          button.appendChild(title);
          button.appendChild(el('code', 'id', scenario.id));
          button.addEventListener('click', function () { activate(scenario); });
          var desc = el('p', 'desc', scenario.description);
          desc.id = descId;
          item.appendChild(button);
          item.appendChild(desc);
          list.appendChild(item);
        });
        section.appendChild(list);
      }
      groups.appendChild(section);
    });
  }

  function renderJournal (requests) {
    var last = requests.length > 0 ? requests[requests.length - 1].seq : 0;
    var key = requests.length + ':' + last;
    if (key === view.journalKey) return;
    view.journalKey = key;
    var body = $('journal-rows');
    body.replaceChildren();
    if (requests.length === 0) {
      var cell = el('td', 'empty', 'No requests yet.');
      cell.colSpan = 7;
      var row = el('tr');
      row.appendChild(cell);
      body.appendChild(row);
      return;
    }
    requests.slice(-JOURNAL_ROWS).reverse().forEach(function (entry) {
      var tr = el('tr');
      tr.appendChild(el('td', 'mono', entry.time.slice(11, 23)));
      tr.appendChild(el('td', '', entry.method));
      tr.appendChild(el('td', 'path mono', entry.url));
      tr.appendChild(el('td', '', entry.session === null ? '—' : entry.session));
      tr.appendChild(el('td', 'mono', entry.scenario));
      var status = el('td');
      status.appendChild(statusBadge(entry.status));
      tr.appendChild(status);
      tr.appendChild(el('td', 'mono', entry.heldMs));
      body.appendChild(tr);
    });
  }

  function sameIds (scenarios) {
    if (scenarios.length !== view.scenarios.length) return false;
    for (var i = 0; i < scenarios.length; i++) if (scenarios[i].id !== view.scenarios[i].id) return false;
    return true;
  }

  function applyScenarios (data) {
    if (!sameIds(data.scenarios)) {
      view.scenarios = data.scenarios;
      view.byId = {};
      data.scenarios.forEach(function (s) { view.byId[s.id] = s; });
      renderScenarios();
    }
    view.active = data.active;
    renderActive();
  }

  function failed (error) {
    if (error instanceof AdminTokenNeeded) return;
    showMessage(error && error.message ? error.message : String(error));
  }

  // Asks only for entries newer than the last one shown; one that fell behind starts from the newest again.
  function loadJournal () {
    return admin('GET', view.after === null ? '/requests' : '/requests?after=' + view.after).then(function (page) {
      if (page.more) { view.after = null; view.journal = []; return loadJournal(); }
      view.journal = view.journal.filter(function (entry) { return entry.seq >= page.oldest; }).concat(page.requests).slice(-JOURNAL_ROWS);
      view.after = page.next;
      return view.journal;
    });
  }

  function refresh () {
    return Promise.all([admin('GET', '/scenarios'), loadJournal()]).then(function (results) {
      if (view.blocked) { view.blocked = false; hideMessage(); }
      applyScenarios(results[0]);
      renderJournal(results[1]);
    });
  }

  function schedule () {
    window.clearTimeout(view.timer);
    view.timer = window.setTimeout(poll, POLL_MS);
  }

  function poll () {
    if (view.blocked || document.hidden) { schedule(); return; }
    refresh().catch(failed).then(schedule);
  }

  function activate (scenario) {
    var body = { id: scenario.id };
    var name = session();
    if (name) body.session = name;
    var times = $('times').value.trim();
    if (times) body.times = Number(times);
    admin('PUT', '/scenario', body).then(function () {
      showMessage((scenario.title + ' is now active ') + (name ? 'for session ' + name : 'for everyone') + (times ? ' for the next ' + times + ' requests.' : '.'), true);
      return refresh();
    }).catch(failed);
  }

  function clearScenario () {
    var name = session();
    admin('DELETE', name ? '/scenario?session=' + encodeURIComponent(name) : '/scenario').then(function () {
      showMessage(name ? 'Cleared the scenario of session ' + name + '.' : 'Cleared: everyone gets the default behaviour.', true);
      return refresh();
    }).catch(failed);
  }

  function resetMock () {
    admin('POST', '/reset').then(function () {
      showMessage('Reset: scenarios, journal, invites and rate windows are back to their start-up state.', true);
      return refresh();
    }).catch(failed);
  }

  function showResult (res, text) {
    var status = $('result-status');
    status.replaceChildren();
    status.appendChild(statusBadge(res.status));
    status.appendChild(el('span', '', res.statusText || ''));
    var served = res.headers.get('x-mock-scenario-served');
    if (served) status.appendChild(el('span', 'served', 'scenario served: ' + served));
    var list = $('result-headers');
    list.replaceChildren();
    res.headers.forEach(function (value, name) {
      list.appendChild(el('dt', '', name));
      list.appendChild(el('dd', '', value));
    });
    var pretty = text;
    if (text) {
      try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { pretty = text; }
    }
    $('result-body').textContent = pretty || '(empty body)';
  }

  function showNoAnswer (error) {
    var status = $('result-status');
    status.replaceChildren();
    status.appendChild(statusBadge(0));
    status.appendChild(el('span', '', 'No answer: the connection was closed'));
    $('result-headers').replaceChildren();
    $('result-body').textContent = String(error && error.message ? error.message : error);
  }

  function send (event) {
    event.preventDefault();
    var button = $('send');
    button.disabled = true;
    var headers = { 'content-type': 'application/json' };
    var token = $('try-token').value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    var name = session();
    if (name) headers['x-mock-session'] = name;
    $('result-status').textContent = 'Sending…';
    fetch('/v3/invites', { method: 'POST', headers: headers, body: JSON.stringify({ email: $('try-email').value }), cache: 'no-store' })
      .then(function (res) { return res.text().then(function (text) { showResult(res, text); }); }, showNoAnswer)
      .then(function () {
        button.disabled = false;
        if (!view.blocked) return refresh().catch(failed);
      });
  }

  function start () {
    $('try-form').addEventListener('submit', send);
    $('clear').addEventListener('click', clearScenario);
    $('reset').addEventListener('click', resetMock);
    $('session').addEventListener('input', function () { renderScope(); renderActive(); });
    $('admin-form').addEventListener('submit', function (event) {
      event.preventDefault();
      view.adminToken = $('admin-token').value;
      view.blocked = false;
      hideMessage();
      refresh().catch(failed);
    });
    document.addEventListener('visibilitychange', function () { if (!document.hidden) poll(); });
    renderScope();
    refresh().catch(failed).then(schedule);
  }

  start();
}());
`
