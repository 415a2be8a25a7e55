/**
 * The dashboard's stylesheet, served as `/dashboard.css`: large type and high contrast so it reads
 * on a projector, a focus ring that is always visible, and status colours that never carry meaning
 * alone (every status is also written out).
 */

export const DASHBOARD_CSS = `
:root {
  --ink: #111418;
  --paper: #ffffff;
  --muted: #3d4450;
  --line: #5c6573;
  --soft: #eef1f5;
  --brand: #0b1f3a;
  --accent: #0a4fc2;
  --accent-soft: #e3ecfd;
  --focus: #ffbf47;
  --ok: #0a5c26;
  --ok-soft: #ddf3e4;
  --warn: #7a3d00;
  --warn-soft: #ffecc7;
  --bad: #9b0a1a;
  --bad-soft: #fde2e5;
  --none: #2b2f36;
  --none-soft: #e2e5ea;
  font-size: 20px;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { background: var(--paper); color: var(--ink); }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
  line-height: 1.45;
}
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
h1, h2, h3 { line-height: 1.2; margin: 0 0 0.5rem; }
h1 { font-size: 1.8rem; }
h2 { font-size: 1.35rem; }
h3 { font-size: 1.05rem; margin-top: 1rem; }
.hint { font-size: 0.8rem; font-weight: 400; color: var(--muted); }
.top .hint { color: #d5dbe5; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
.skip { position: absolute; left: 1rem; top: -4rem; background: var(--focus); color: var(--ink); padding: 0.5rem 1rem; z-index: 10; }
.skip:focus { top: 1rem; }
:focus-visible { outline: 4px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 7px var(--ink); }

.top {
  background: var(--brand); color: #ffffff; padding: 1rem 1.5rem;
  display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; align-items: baseline; justify-content: space-between;
}
.top h1 { margin: 0; }
.route { font-size: 1rem; font-weight: 600; background: #ffffff; color: var(--brand); padding: 0.1rem 0.5rem; border-radius: 4px; margin-left: 0.5rem; vertical-align: middle; }
.active { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 1rem; }
.active h2 { font-size: 1rem; margin: 0; color: #d5dbe5; font-weight: 600; }
.active-global { margin: 0; font-size: 1.2rem; font-weight: 700; }
.active-sessions { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
.active-sessions li { background: #24385a; border-radius: 4px; padding: 0.1rem 0.5rem; font-size: 0.9rem; }

main { padding: 1rem 1.5rem 2rem; max-width: 1800px; margin: 0 auto; }
.controls {
  display: flex; flex-wrap: wrap; gap: 1rem 1.5rem; align-items: flex-start;
  background: var(--soft); border: 2px solid var(--line); border-radius: 8px; padding: 1rem;
}
.field { display: flex; flex-direction: column; gap: 0.25rem; min-width: 14rem; }
.field.narrow { min-width: 9rem; max-width: 11rem; }
label { font-weight: 700; }
input {
  font: inherit; color: var(--ink); background: var(--paper);
  border: 2px solid var(--line); border-radius: 6px; padding: 0.35rem 0.6rem; min-height: 2.4rem;
}
.admin-form { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-start; }
.admin-form button, .controls .buttons { margin-top: 1.7rem; }
.buttons { display: flex; flex-wrap: wrap; gap: 0.75rem; }
button {
  font: inherit; font-weight: 700; cursor: pointer; color: var(--ink); background: var(--paper);
  border: 2px solid var(--ink); border-radius: 6px; padding: 0.35rem 1rem; min-height: 2.4rem;
}
button:hover { background: var(--accent-soft); }
button.primary { background: var(--accent); border-color: var(--accent); color: #ffffff; }
button.primary:hover { background: #083c94; }
button.secondary { border-color: var(--line); color: var(--muted); }
button:disabled { opacity: 0.6; cursor: progress; }
.message { margin: 1rem 0 0; padding: 0.6rem 1rem; border: 2px solid var(--bad); background: var(--bad-soft); color: var(--bad); font-weight: 700; border-radius: 6px; }
.message.ok { border-color: var(--ok); background: var(--ok-soft); color: var(--ok); }

.columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1.5rem; margin-top: 1.25rem; align-items: start; }
@media (max-width: 1100px) { .columns { grid-template-columns: minmax(0, 1fr); } }

.group { margin-bottom: 1rem; }
.group h3 { margin-top: 0.5rem; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 0.6rem; }
.card { border: 2px solid var(--line); border-radius: 8px; background: var(--paper); display: flex; flex-direction: column; }
.card.is-active { border: 3px solid var(--accent); background: var(--accent-soft); }
.card button {
  border: 0; border-radius: 6px 6px 0 0; background: transparent; text-align: left; width: 100%;
  display: grid; grid-template-columns: max-content minmax(0, 1fr); align-items: baseline; gap: 0.15rem 0.6rem;
  padding: 0.5rem 0.6rem 0.2rem;
}
.card button:hover { background: var(--accent-soft); }
.card .title { font-size: 1.05rem; }
.card .code { width: 3.8rem; }
.card .id { grid-column: 2; font-size: 0.8rem; font-weight: 400; color: var(--muted); overflow-wrap: anywhere; }
.card .desc { margin: 0; padding: 0 0.6rem 0.5rem 5rem; font-size: 0.85rem; color: var(--muted); }
.pill { display: inline-block; margin-left: 0.4rem; font-size: 0.7rem; font-weight: 800; letter-spacing: 0.04em; background: var(--accent); color: #ffffff; border-radius: 4px; padding: 0 0.4rem; vertical-align: 0.15em; }

.code {
  display: inline-block; min-width: 3.8rem; text-align: center; font-weight: 800; border-radius: 4px;
  padding: 0 0.35rem; border: 2px solid currentColor;
}
.s2xx { color: var(--ok); background: var(--ok-soft); }
.s4xx { color: var(--warn); background: var(--warn-soft); }
.s5xx { color: var(--bad); background: var(--bad-soft); }
.s0 { color: var(--none); background: var(--none-soft); }

.try { border: 2px solid var(--line); border-radius: 8px; padding: 1rem; background: var(--paper); }
.try h2:focus { outline: none; box-shadow: none; }
.try-form { display: grid; gap: 0.75rem; }
.try-form .hint { margin: 0; }
.try-form button { justify-self: start; }
.result { margin-top: 1rem; border-top: 2px solid var(--soft); padding-top: 0.75rem; }
.result-status { font-size: 1.4rem; font-weight: 800; margin: 0; display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; }
.result-status .served { font-size: 0.9rem; font-weight: 600; color: var(--muted); }
.result-headers { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.1rem 1rem; margin: 0; font-size: 0.85rem; }
.result-headers dt { font-weight: 700; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.result-headers dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.result-body {
  margin: 0; background: #0f1722; color: #f3f6fa; border-radius: 6px; padding: 0.75rem;
  font-size: 0.85rem; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 26rem; overflow: auto; min-height: 2.5rem;
}

.journal { margin-top: 1.5rem; }
.table-wrap { overflow-x: auto; border: 2px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #c3c9d2; vertical-align: top; }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); }
tbody tr:nth-child(even) { background: #f7f8fa; }
td.path { overflow-wrap: anywhere; }
.empty { color: var(--muted); font-style: italic; }
`
