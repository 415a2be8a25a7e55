/**
 * The dashboard's HTML shell. It holds no data and no inline script or style (the page is served
 * with a strict Content-Security-Policy); `/dashboard.js` fills it from the admin API.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Konnect Invites mock</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
<script src="/dashboard-violations.js" defer></script>
</head>
<body>
<a class="skip" href="#try-heading">Skip to Try it</a>
<header class="top">
  <h1>Konnect Invites mock <span class="route">POST /v3/invites</span></h1>
  <section class="active" aria-labelledby="active-heading">
    <h2 id="active-heading">Active scenario</h2>
    <p id="active-global" class="active-global" aria-live="polite">Loading…</p>
    <ul id="active-sessions" class="active-sessions" aria-label="Per-session scenarios"></ul>
  </section>
</header>
<main>
  <section class="controls" aria-labelledby="controls-heading">
    <h2 id="controls-heading" class="visually-hidden">Where a scenario applies</h2>
    <div class="field">
      <label for="session">Session</label>
      <input id="session" aria-describedby="session-hint" name="session" type="text" autocomplete="off" spellcheck="false" maxlength="200" placeholder="everyone">
      <span id="session-hint" class="hint">X-Mock-Session; empty means everyone</span>
    </div>
    <div class="field narrow">
      <label for="times">Times</label>
      <input id="times" aria-describedby="times-hint" name="times" type="number" min="1" step="1" inputmode="numeric" placeholder="until cleared">
      <span id="times-hint" class="hint">optional: then it falls through</span>
    </div>
    <form class="admin-form" id="admin-form" hidden>
      <div class="field">
        <label for="admin-token">Admin token</label>
        <input id="admin-token" name="admin-token" type="password" autocomplete="off" aria-describedby="admin-hint">
        <span id="admin-hint" class="hint">sent as X-Mock-Admin-Token</span>
      </div>
      <button id="admin-use" type="submit">Use token</button>
    </form>
    <div class="buttons">
      <button id="clear" type="button">Clear scenario for everyone</button>
      <button id="reset" type="button" class="secondary">Reset mock</button>
    </div>
  </section>
  <p id="message" class="message" role="alert" hidden></p>
  <div class="columns">
    <section class="scenarios" aria-labelledby="scenarios-heading">
      <h2 id="scenarios-heading">Scenarios <span class="hint">click one to make it active</span></h2>
      <div id="groups"><p class="empty">Loading scenarios…</p></div>
    </section>
    <section class="try" aria-labelledby="try-heading">
      <h2 id="try-heading" tabindex="-1">Try it</h2>
      <form id="try-form" class="try-form">
        <div class="field">
          <label for="try-email">Email</label>
          <input id="try-email" name="email" type="text" autocomplete="off" spellcheck="false" value="ada@example.com">
        </div>
        <div class="field">
          <label for="try-token">Bearer token</label>
          <input id="try-token" name="token" type="text" autocomplete="off" spellcheck="false" value="demo-token">
        </div>
        <p id="try-session" class="hint">Sent for everyone (no X-Mock-Session).</p>
        <button id="send" type="submit" class="primary">Send invite</button>
      </form>
      <div id="result" class="result">
        <p id="result-status" class="result-status" aria-live="polite">Nothing sent yet.</p>
        <h3>Headers</h3>
        <dl id="result-headers" class="result-headers"></dl>
        <h3>Body</h3>
        <pre id="result-body" class="result-body" tabindex="0" aria-label="Response body"></pre>
      </div>
    </section>
  </div>
  <section class="journal" aria-labelledby="journal-heading">
    <h2 id="journal-heading">Request journal <span class="hint">newest first, live</span></h2>
    <div class="table-wrap">
      <table>
        <thead>
          <tr><th scope="col">Time (UTC)</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Session</th><th scope="col">Scenario served</th><th scope="col">Status</th><th scope="col">ms</th></tr>
        </thead>
        <tbody id="journal-rows"><tr><td colspan="7" class="empty">No requests yet.</td></tr></tbody>
      </table>
    </div>
  </section>
  <section id="violations" class="violations" aria-labelledby="violations-heading" hidden>
    <h2 id="violations-heading">Upstream violations</h2>
    <p id="violations-count" aria-live="polite"></p>
    <ul id="violations-list"></ul>
  </section>
</main>
</body>
</html>
`
