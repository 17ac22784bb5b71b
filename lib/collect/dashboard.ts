// The dashboard page, embedded as a string so `deno compile` carries it: one self-contained HTML
// document (no CDN, no web fonts: lab networks are offline) with its CSS and script inline under
// a per-response CSP nonce. Everything that came from a submission is put in the page as text
// (textContent, never innerHTML), so a step named `<script>...` is shown, not run.

const style = `
:root { --pass: #0a5c27; --fail: #a3000b; --ink: #000; --paper: #fff; --muted: #444;
  --line: #767676; --focus: #ffbf00; font-size: 20px; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, "DejaVu Sans", "Noto Sans", "Noto Sans CJK SC",
  "WenQuanYi Zen Hei", sans-serif; color: var(--ink); background: var(--paper); line-height: 1.35; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline;
  padding: .8rem 1.2rem; border-bottom: 3px solid var(--ink); }
h1 { font-size: 1.6rem; margin: 0; }
#summary { font-size: 1.1rem; font-weight: 600; }
#live { font-weight: 700; }
#live.on::before { content: "\\25CF  "; color: var(--pass); }
#live.off::before { content: "\\25CB  "; color: var(--fail); }
main { padding: .8rem 1.2rem 2rem; }
.controls { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: end; margin-bottom: 1rem; }
label { font-weight: 600; display: flex; flex-direction: column; gap: .2rem; }
select, button, a.button { font: inherit; font-size: 1rem; }
select { padding: .3rem .5rem; border: 2px solid var(--ink); background: var(--paper); }
a.button { display: inline-block; padding: .35rem .8rem; border: 2px solid var(--ink);
  color: var(--ink); text-decoration: none; font-weight: 600; }
:focus-visible { outline: 4px solid var(--focus); outline-offset: 2px;
  box-shadow: 0 0 0 7px var(--ink); }
table { border-collapse: collapse; }
/* The matrix scrolls inside its own box, so its header row and machine column stay in view on a
   projector however many machines and drills there are. */
#grid { overflow: auto; max-height: calc(100vh - 9rem); max-width: 100%; }
#matrix { border-collapse: separate; border-spacing: 0; }
#matrix th, #matrix td { border: 0 solid var(--line); border-width: 0 2px 2px 0; padding: 0;
  text-align: left; }
#matrix tr > :first-child { border-left-width: 2px; }
#matrix thead th { border-top-width: 2px; }
#matrix thead th { padding: .35rem .5rem; font-size: .95rem; background: #eee; position: sticky;
  top: 0; z-index: 2; max-width: 9rem; overflow-wrap: anywhere; vertical-align: bottom; }
#matrix tbody th { padding: .35rem .6rem; font-size: 1.1rem; white-space: nowrap; position: sticky;
  left: 0; z-index: 1; background: var(--paper); }
#matrix thead th:first-child { left: 0; z-index: 3; }
#matrix .count { display: block; font-size: .8rem; font-weight: 400; color: var(--muted); }
#matrix .warn { display: block; font-size: .8rem; font-weight: 700; color: var(--fail); }
.cell { display: grid; grid-template-columns: auto auto; gap: 0 .5rem; width: 100%;
  min-width: 7rem; padding: .4rem .5rem; border: 0; cursor: pointer; text-align: left;
  color: #fff; font-weight: 700; }
.cell.pass { background: var(--pass); }
.cell.fail { background: var(--fail); }
.cell .steps { justify-self: end; }
.cell .when { grid-column: 1 / 3; font-weight: 400; font-size: .85rem; }
td.missing { color: var(--muted); text-align: center; padding: .45rem .6rem !important;
  background: repeating-linear-gradient(45deg, #fff, #fff 6px, #f0f0f0 6px, #f0f0f0 12px); }
.dim { opacity: .35; }
tr.fresh th { background: var(--focus); }
@media (prefers-reduced-motion: no-preference) { tr.fresh th { transition: background 2s; } }
#empty { font-size: 1.2rem; max-width: 60rem; }
code, pre { font-family: "DejaVu Sans Mono", "Noto Sans Mono", "WenQuanYi Zen Hei Mono", monospace; }
#howto code { background: #eee; padding: .1rem .3rem; overflow-wrap: anywhere; }
dialog { width: min(96vw, 70rem); max-height: 92vh; border: 4px solid var(--ink); padding: 0; }
dialog::backdrop { background: rgb(0 0 0 / .6); }
.dlg-head { display: flex; justify-content: space-between; align-items: center; gap: 1rem;
  padding: .6rem 1rem; border-bottom: 3px solid var(--ink); position: sticky; top: 0;
  background: var(--paper); }
.dlg-head h2 { margin: 0; font-size: 1.4rem; }
.dlg-body { padding: .6rem 1rem 1rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 .8rem; }
dl.meta dt { font-weight: 700; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
table.steps { width: 100%; margin-bottom: .8rem; }
table.steps td, table.steps th { border-bottom: 1px solid var(--line); padding: .25rem .5rem;
  vertical-align: top; text-align: left; }
table.steps td.n, table.steps td.ms { text-align: right; white-space: nowrap; }
.st-pass { color: var(--pass); font-weight: 700; }
.st-fail { color: var(--fail); font-weight: 700; }
.st-skip { color: var(--muted); }
pre.diff { background: #fff3f3; border: 2px solid var(--fail); padding: .5rem .7rem; margin: .3rem 0;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: .95rem; }
.message { font-weight: 600; overflow-wrap: anywhere; }
.error { color: var(--fail); font-weight: 700; }
#history ol { padding-left: 1.4rem; margin: .3rem 0; }
#history button { font-size: .95rem; margin: .1rem 0; padding: .2rem .5rem; border: 2px solid var(--ink);
  background: var(--paper); cursor: pointer; text-align: left; }
#history button[aria-current="true"] { background: var(--ink); color: var(--paper); }
.close, .act { border: 2px solid var(--ink); background: var(--paper); padding: .3rem .8rem;
  cursor: pointer; font-weight: 700; }
.acts { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: .4rem 0 .8rem; }
#hidden-list ul { margin: .3rem 0; padding-left: 1.4rem; }
#hidden-list li { margin: .2rem 0; }
.late { color: var(--fail); font-weight: 700; }
.sr { position: absolute; left: -9999px; }
`;

// Plain JavaScript for the browser. No template literals in here: this is itself a TS template
// (so every backslash is doubled).
const script = `
"use strict";
const $ = (id) => document.getElementById(id);
const state = {
  machines: new Map(), drills: [], submissions: 0, collector: null,
  hidden: { machines: [], drills: [] }, current: null, fresh: null,
};
const params = new URLSearchParams(location.search);
// The token became a cookie with this page: take it out of the address bar (a projector shows it).
if (params.has("t")) history.replaceState(null, "", location.pathname);

// Control characters and bidi overrides from a submission are shown escaped, as the CLI shows
// them (lib/text/printable.ts): an ESC or a U+202E must not reorder or hide what a line says.
// Line feeds and tabs stay (a diff is shown as lines).
const unsafe = /\\r(?!\\n)|[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]/g;
function shown(text) {
  return String(text).replace(unsafe, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\\r") return "\\\\r";
    return code < 0x100 ? "\\\\x" + code.toString(16).padStart(2, "0") : "\\\\u" + code.toString(16);
  });
}
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.dataset[k.slice(5)] = v;
    else node.setAttribute(k, shown(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(shown(c)) : c);
  }
  return node;
}
function clock(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleTimeString([], { hour12: false });
}
function when(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString([], { hour12: false });
}
function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
function passedSteps(d) { return d.steps.filter((s) => s.status === "pass").length; }
function cellOf(entry, name) { return entry.cells.find((c) => c.drill.name === name); }
function cellState(entry, name) {
  const c = cellOf(entry, name);
  return c ? c.drill.status : "missing";
}
function cells() { return [...document.querySelectorAll("#matrix .cell")]; }
function sameCell(b, key) { return key && b.dataset.machine === key[0] && b.dataset.drill === key[1]; }

// One Tab stop for the whole matrix (a roving tabindex): the current cell is in the tab order,
// every other cell is reached with the arrows.
function makeCurrent(button, focus) {
  for (const b of cells()) b.tabIndex = b === button ? 0 : -1;
  if (!button) return;
  state.current = [button.dataset.machine, button.dataset.drill];
  if (focus) button.focus();
}

function render() {
  const drillFilter = $("filter-drill").value;
  const stateFilter = $("filter-state").value;
  const drills = drillFilter ? state.drills.filter((d) => d === drillFilter) : state.drills;
  const hadFocus = document.activeElement && document.activeElement.classList.contains("cell");
  const entries = [...state.machines.values()].sort((a, b) => a.machine.localeCompare(b.machine));
  const allPass = entries.filter((e) => e.cells.length && e.cells.every((c) => c.drill.status === "pass")).length;
  $("summary").textContent = plural(entries.length, "machine") + " \\u00b7 " +
    plural(state.submissions, "submission") + " \\u00b7 " + allPass + " all passed \\u00b7 " +
    (entries.length - allPass) + " with failures";
  const sel = $("filter-drill");
  const have = [...sel.options].map((o) => o.value).slice(1);
  if (have.join("\\n") !== state.drills.join("\\n")) {
    sel.replaceChildren(el("option", { value: "" }, "all drills"),
      ...state.drills.map((d) => el("option", { value: d }, d)));
    sel.value = state.drills.includes(drillFilter) ? drillFilter : "";
  }
  $("empty").hidden = entries.length > 0;
  $("grid").hidden = entries.length === 0;
  const head = el("tr", {}, el("th", { scope: "col" }, "machine"),
    ...drills.map((d) => el("th", { scope: "col" }, d)));
  const rows = [];
  for (const entry of entries) {
    const states = drills.map((d) => cellState(entry, d));
    if (stateFilter !== "all" && !states.includes(stateFilter)) continue;
    const tr = el("tr", { "data-machine": entry.machine },
      el("th", { scope: "row" }, entry.machine,
        el("span", { class: "count" }, plural(entry.submissions, "submission") + ", last " + clock(entry.last.receivedAt)),
        entry.addresses > 1 ? el("span", { class: "warn" }, "\\u26a0 from " + entry.addresses + " addresses") : null));
    if (state.fresh === entry.machine) tr.classList.add("fresh");
    drills.forEach((name, i) => {
      const cell = cellOf(entry, name);
      const dim = stateFilter !== "all" && states[i] !== stateFilter;
      if (!cell) {
        tr.append(el("td", { class: "missing" + (dim ? " dim" : "") }, el("span", { "aria-label": entry.machine + " " + name + ": not submitted" }, "\\u2014")));
        return;
      }
      const d = cell.drill, at = clock(cell.submission.receivedAt);
      const passed = passedSteps(d);
      const label = d.status === "pass" ? "\\u2713 PASS" : "\\u2717 FAIL";
      const button = el("button", {
        class: "cell " + d.status, type: "button", tabindex: "-1", "data-machine": entry.machine, "data-drill": name,
        "aria-label": entry.machine + " " + name + ": " + (d.status === "pass" ? "passed" : "failed") +
          ", " + passed + " of " + d.steps.length + " steps, " + at,
      }, el("span", { class: "state" }, label), el("span", { class: "steps" }, passed + "/" + d.steps.length),
        el("span", { class: "when" }, at));
      tr.append(el("td", { class: dim ? "dim" : "" }, button));
    });
    rows.push(tr);
  }
  $("matrix").replaceChildren(el("caption", { class: "sr" }, "Machines by drills: each machine's latest result of each drill"),
    el("thead", {}, head), el("tbody", {}, ...rows));
  const all = cells();
  const current = all.find((b) => sameCell(b, state.current)) || all[0] || null;
  makeCurrent(current, hadFocus);
  renderHidden();
  const c = state.collector;
  if (c) {
    $("howto-command").textContent = shown("toolkit drill run NAME... --submit " + c.submitUrl + " --token " + c.classToken);
  }
}

function renderHidden() {
  const { machines, drills } = state.hidden;
  const box = $("hidden-list");
  box.hidden = machines.length + drills.length === 0;
  $("hidden-count").textContent = "Hidden: " + plural(machines.length, "machine") + ", " + plural(drills.length, "drill");
  const list = el("ul");
  for (const [kind, names] of [["machine", machines], ["drill", drills]]) {
    for (const name of names) {
      const b = el("button", { type: "button", class: "act", "data-kind": kind, "data-name": name }, "Show again");
      b.addEventListener("click", () => setHidden(kind, name, false));
      list.append(el("li", {}, kind + " " + name + " ", b));
    }
  }
  $("hidden-items").replaceChildren(list);
}

async function setHidden(kind, name, hidden) {
  const r = await fetch("/api/hidden", {
    method: "POST", credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind, name, hidden }),
  });
  $("announce").textContent = r.ok
    ? kind + " " + name + (hidden ? " hidden (its submissions are kept)" : " shown again")
    : "could not " + (hidden ? "hide " : "show ") + kind + " " + name + " (" + r.status + ")";
  if (r.ok) {
    if (hidden && $("details").open) $("details").close();
    await load();
  }
}

function diffText(d) {
  const lines = ["expected: " + d.expected];
  if (d.expectedHex && !d.expected.startsWith("(not UTF-8)")) lines.push("          " + d.expectedHex);
  lines.push("received: " + d.received);
  if (d.receivedHex && !d.received.startsWith("(not UTF-8)")) lines.push("          " + d.receivedHex);
  if (d.offset >= 0) lines.push("first difference at byte " + d.offset);
  return lines.join("\\n");
}
function scopeText(scope) {
  if (!scope) return "";
  const kinds = ["net", "read", "write", "run", "env", "sys"];
  const parts = kinds.map((k) => {
    const v = scope[k];
    if (!v) return null;
    if (Array.isArray(v)) return v.length ? k + " " + v.join(", ") : null;
    const grants = (v.grants || []).map((g) => g.implicit ? g.entry + " (implicit)" : g.entry);
    return k + " " + (v.all ? "any" : grants.length ? grants.join(", ") : "none");
  }).filter(Boolean);
  return (scope.narrowed ? "narrowed: " : "") + (parts.length ? parts.join("; ") : "nothing");
}

let lastCell = null;
async function openDetails(machine, drill, submissionId) {
  const entry = state.machines.get(machine);
  const cell = entry && cellOf(entry, drill);
  let sub = cell ? cell.submission : null, d = cell ? cell.drill : null;
  if (submissionId !== undefined && (!sub || sub.id !== submissionId)) {
    const r = await fetch("/api/submissions/" + submissionId, { credentials: "same-origin" });
    if (!r.ok) return;
    sub = await r.json();
    d = sub.drills.findLast((x) => x.name === drill);
  }
  if (!sub) return;
  $("dlg-title").textContent = shown(machine + " \\u00b7 " + drill + (d ? (d.status === "pass" ? " \\u00b7 PASS" : " \\u00b7 FAIL") : " \\u00b7 not in this submission"));
  const meta = el("dl", { class: "meta" });
  const add = (k, v) => meta.append(el("dt", {}, k), el("dd", {}, v));
  add("submission", "#" + sub.id + (entry && sub.id === entry.last.id ? " (the machine's latest)" : ""));
  add("received", when(sub.receivedAt) + " from " + sub.remote);
  add("ran at", when(sub.ranAt) + " (machine clock)");
  add("toolkit", sub.toolkitVersion);
  add("run scope", scopeText(sub.scope));
  const hideMachine = el("button", { type: "button", class: "act", id: "hide-machine" }, "Hide machine " + machine);
  hideMachine.addEventListener("click", () => setHidden("machine", machine, true));
  const hideDrill = el("button", { type: "button", class: "act", id: "hide-drill" }, "Hide drill " + drill);
  hideDrill.addEventListener("click", () => setHidden("drill", drill, true));
  const body = [meta];
  if (d) {
    add("drill", d.source + ", " + passedSteps(d) + "/" + d.steps.length + " steps passed in " + d.durationMs + " ms");
    add("drill scope", scopeText(d.scope));
    if (d.error) body.push(el("p", { class: "error" }, "error: " + d.error));
    const tbody = el("tbody");
    for (const s of d.steps) {
      const mark = s.status === "pass" ? "ok" : s.status === "fail" ? "FAIL" : "skip";
      const detail = el("td", {}, el("div", {}, s.title));
      if (s.status === "fail" || (s.status === "pass" && s.message)) {
        detail.append(el("div", { class: "message" }, s.message || "failed"));
      }
      if (s.denied) detail.append(el("div", {}, "denied: " + s.denied.kind + " " + s.denied.resource));
      if (s.diff) detail.append(el("pre", { class: "diff" }, diffText(s.diff)));
      tbody.append(el("tr", { class: "step-" + s.status },
        el("td", { class: "n" }, String(s.index)), el("td", { class: "st-" + s.status }, mark), detail,
        el("td", { class: "ms" }, s.status === "skip" ? "" : Math.round(s.durationMs) + " ms")));
    }
    body.push(el("table", { class: "steps" }, el("thead", {}, el("tr", {}, el("th", {}, "#"),
      el("th", {}, "state"), el("th", {}, "step"), el("th", {}, "time"))), tbody));
  }
  body.push(el("div", { class: "acts" }, hideMachine, hideDrill,
    el("small", {}, "Hidden entries leave the matrix and the exports; their submissions are kept.")));
  const history = el("section", { id: "history" }, el("h3", {}, "History of " + machine));
  body.push(history);
  $("dlg-body").replaceChildren(...body);
  const dlg = $("details");
  if (!dlg.open) dlg.showModal();
  // The teacher opened this cell for what went wrong: bring the failing step into view.
  const failing = document.querySelector("#dlg-body tr.step-fail");
  if (failing) failing.scrollIntoView({ block: "center" });
  const r = await fetch("/api/machines/" + encodeURIComponent(machine) + "/submissions", { credentials: "same-origin" });
  if (!r.ok) return;
  const list = el("ol", { reversed: "" });
  for (const h of (await r.json()).submissions) {
    const b = el("button", { type: "button", "aria-current": h.id === sub.id ? "true" : "false" },
      "#" + h.id + "  " + when(h.receivedAt) + " from " + h.remote + "  \\u2014 " + h.passed + " passed, " + h.failed + " failed",
      h.arrivedLate ? el("span", { class: "late" }, "  (arrived out of order: ran " + when(h.ranAt) + ", before an earlier submission)") : null);
    b.addEventListener("click", () => openDetails(machine, drill, h.id));
    list.append(el("li", {}, b));
  }
  history.append(list);
}

function moveFocus(from, e) {
  const td = from.closest("td"), tr = td.closest("tr");
  const col = [...tr.children].indexOf(td);
  const rowsEls = [...document.querySelectorAll("#matrix tbody tr")];
  const row = rowsEls.indexOf(tr);
  const at = (r, c) => { const t = rowsEls[r] && rowsEls[r].children[c]; return t && t.querySelector(".cell"); };
  const inRow = (r) => [...rowsEls[r].querySelectorAll(".cell")];
  const all = cells();
  let target = null;
  if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
    const step = e.key === "ArrowRight" ? 1 : -1;
    for (let c = col + step; c > 0 && c < tr.children.length && !target; c += step) target = at(row, c);
  } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    const step = e.key === "ArrowDown" ? 1 : -1;
    for (let r = row + step; r >= 0 && r < rowsEls.length && !target; r += step) target = at(r, col);
  } else if (e.key === "Home") target = e.ctrlKey ? all[0] : inRow(row)[0];
  else if (e.key === "End") target = e.ctrlKey ? all[all.length - 1] : inRow(row).at(-1);
  if (target) makeCurrent(target, true);
}

async function load() {
  const r = await fetch("/api/results", { credentials: "same-origin" });
  if (!r.ok) {
    $("summary").textContent = r.status === 401
      ? "the teacher token is no longer accepted: open the URL drill serve printed"
      : "cannot read results (" + r.status + ")";
    return false;
  }
  const data = await r.json();
  state.machines = new Map(data.machines.map((m) => [m.machine, m]));
  state.drills = data.drills;
  state.submissions = data.submissions;
  state.collector = data.collector;
  state.hidden = data.hidden || { machines: [], drills: [] };
  render();
  return true;
}

// Live updates. EventSource retries by itself after a dropped connection, but not after an
// answer other than 200 (503: too many dashboards; 401: the token changed): then this page
// tries again itself, waiting 2 s, doubling up to a minute.
let source = null, backoff = 0, retryTimer = 0;
function live(on, text) {
  $("live").className = on ? "on" : "off";
  $("live").textContent = text;
}
function listen() {
  clearTimeout(retryTimer);
  const es = source = new EventSource("/api/events");
  es.addEventListener("open", () => { backoff = 0; live(true, "live"); load(); });
  es.addEventListener("error", () => {
    if (es !== source) return;
    if (es.readyState !== EventSource.CLOSED) { live(false, "reconnecting"); return; }
    es.close();
    backoff = Math.min(backoff ? backoff * 2 : 2000, 60000);
    live(false, "reconnecting in " + Math.round(backoff / 1000) + " s");
    retryTimer = setTimeout(async () => {
      try { await load(); } catch { /* the server is away: the stream will say so */ }
      listen();
    }, backoff);
  });
  es.addEventListener("submission", (e) => {
    const entry = JSON.parse(e.data);
    const known = state.machines.get(entry.machine);
    if (known && known.last.id > entry.last.id) return;
    state.machines.set(entry.machine, entry);
    state.submissions += 1;
    for (const c of entry.cells) if (!state.drills.includes(c.drill.name)) state.drills.push(c.drill.name);
    state.fresh = entry.machine;
    render();
    $("announce").textContent = shown(entry.machine + " submitted (submission " + entry.last.id + ")");
    setTimeout(() => { if (state.fresh === entry.machine) { state.fresh = null; render(); } }, 4000);
  });
  es.addEventListener("hidden", () => { load(); });
}

$("matrix").addEventListener("click", (e) => {
  const b = e.target.closest(".cell");
  if (b) { lastCell = b; makeCurrent(b, false); openDetails(b.dataset.machine, b.dataset.drill); }
});
$("matrix").addEventListener("focusin", (e) => {
  if (e.target.classList.contains("cell")) makeCurrent(e.target, false);
});
$("matrix").addEventListener("keydown", (e) => {
  if (e.target.classList.contains("cell") && ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(e.key)) {
    e.preventDefault();
    moveFocus(e.target, e);
  }
});
$("details").addEventListener("close", () => {
  if (lastCell) {
    const again = cells().find((b) => sameCell(b, [lastCell.dataset.machine, lastCell.dataset.drill]));
    if (again) makeCurrent(again, true);
    else if (cells()[0]) makeCurrent(cells()[0], true);
  }
});
$("dlg-close").addEventListener("click", () => $("details").close());
$("filter-drill").addEventListener("change", render);
$("filter-state").addEventListener("change", render);
load().then(listen);
`;

/**
 * The dashboard page; `nonce` must match the response's Content-Security-Policy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dashboardPage } from "./dashboard.ts";
 *
 * const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
 * const page = dashboardPage(nonce);
 * assert.ok(page.startsWith("<!doctype html>"));
 * // Every script and style carries the nonce: under `script-src 'nonce-...'` they run, and
 * // nothing a submission smuggled into the page would.
 * const tags = page.match(/<(script|style)\b[^>]*>/g) ?? [];
 * assert.ok(tags.length >= 2);
 * assert.ok(tags.every((tag) => tag.includes(` nonce="${nonce}"`)));
 * ```
 */
export function dashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>toolkit drills: class results</title>
<style nonce="${nonce}">${style}</style>
</head>
<body>
<header>
  <h1>Drill results</h1>
  <span id="summary">loading</span>
  <span id="live" class="off" role="status">connecting</span>
</header>
<main>
  <div class="controls">
    <label>Drill <select id="filter-drill"><option value="">all drills</option></select></label>
    <label>State <select id="filter-state">
      <option value="all">all</option>
      <option value="fail">failed</option>
      <option value="pass">passed</option>
      <option value="missing">not submitted</option>
    </select></label>
    <span>Export the class: <a class="button" id="export-csv" href="/export.csv" download>CSV</a>
      <a class="button" id="export-csv-bom" href="/export.csv?bom=1" download>CSV for Excel</a>
      <a class="button" id="export-junit" href="/export.xml" download>JUnit XML</a></span>
  </div>
  <div id="empty" hidden><p>No submissions yet. On each lab machine run:</p></div>
  <p id="howto">Students submit with <code id="howto-command">toolkit drill run NAME... --submit URL --token TOKEN</code></p>
  <div id="grid" hidden><table id="matrix"></table></div>
  <p class="sr" id="announce" aria-live="polite"></p>
  <p><small>Keys: the matrix is one Tab stop; arrows move between cells, Home and End to the
    first and last of the row, Ctrl+Home and Ctrl+End of the whole matrix; Enter opens a cell
    (its machine and drill can be hidden there), Esc closes it.</small></p>
  <details id="hidden-list" hidden><summary id="hidden-count">Hidden</summary>
    <div id="hidden-items"></div></details>
</main>
<dialog id="details" aria-labelledby="dlg-title">
  <div class="dlg-head"><h2 id="dlg-title">details</h2>
    <button type="button" class="close" id="dlg-close">Close (Esc)</button></div>
  <div class="dlg-body" id="dlg-body"></div>
</dialog>
<script nonce="${nonce}">${script}</script>
</body>
</html>
`;
}
