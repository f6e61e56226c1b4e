// The benchmark's yardstick: the app's list (same API calls, same windowed table, filter and
// sort) written as plain JavaScript with no framework and no build step. BENCHMARKS.md
// compares the app with it. It does the obvious efficient things and nothing clever, so the
// gap to it is what the framework and the wasm boundary cost.
//
// It runs only on the simulator's origin with `--control`: the token comes from
// `POST /_sim/token` instead of a sign-in, which the benchmark does not measure.
'use strict';

/** Row height in px; baseline.css fixes rows to it, as the app's stylesheet does. */
const ROW = 44;
/** Rows rendered above and below the visible ones (the app's figure). */
const OVERSCAN = 12;

const scroller = document.querySelector('.table-scroll');
const table = scroller.querySelector('table');
const tbody = table.tBodies[0];
const [topSpacer, bottomSpacer] = tbody.rows;
const filterInput = document.querySelector('input[type=search]');
const countLine = document.querySelector('.count');
const loading = document.querySelector('.loading');
const empty = document.querySelector('.empty');
// One formatter for every cell: building one per call (toLocaleString with options) is the
// expensive part of date formatting.
const dates = new Intl.DateTimeFormat(navigator.language || 'en-US', { dateStyle: 'short', timeStyle: 'short' });

let token = '';
/** Entries as the API sent them. */
let files = [];
/** Per file, what filter and sort compare, lower-cased once per load. */
let folded = [];
/** Indices of deleted files, hidden without a reload. */
const removed = new Set();
let sort = { key: 'name', ascending: true };
/** Every index in sort order; only a sort change re-sorts, a filter change only filters it. */
let sorted = [];
/** What the table shows: indices of the matching files, in sort order. */
let view = [];
/** The rendered window: positions [start, end) of `view`, and their rows. */
let shown = { start: 0, end: 0, rows: [] };
let viewport = 640;

// The User Timing contract shared with the app: measures end in the requestAnimationFrame
// callback of the frame that paints the change (the work is done; style, layout and paint of
// that frame follow).
function afterPaint(f) {
  requestAnimationFrame(() => f());
}

async function load() {
  const minted = await fetch('/_sim/token', { method: 'POST' });
  if (!minted.ok) throw new Error(`POST /_sim/token: ${minted.status}`);
  token = (await minted.json()).accessToken;
  const out = [];
  let url = new URL('/api/libraryfiles', location.origin);
  for (;;) {
    const resp = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    if (!resp.ok) throw new Error(`GET ${url.pathname}${url.search}: ${resp.status}`);
    const page = await resp.json();
    for (const f of page.value) out.push(f);
    const next = page['@odata.nextLink'];
    if (!next) return out;
    url = new URL(next, url);
    // The token goes to the API origin and nowhere else, as in the app.
    if (url.origin !== location.origin) throw new Error(`@odata.nextLink leaves the API origin: ${url.origin}`);
  }
}

function fileType(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

function fold(f) {
  const lc = (s) => (s ?? '').toLowerCase();
  return {
    name: lc(f.fileName),
    type: fileType(f.fileName),
    description: lc(f.description),
    // Files with parameters sort after those without, then by the parameters' description.
    parameters: (f.hasParameters ? '1' : '0') + lc(f.parametersDescription),
    createdBy: lc(f.createdBy),
    // ISO 8601 UTC and hex sort as text, as sent.
    created: f.creationTime,
    updated: f.lastUpdatedTime,
    sha256: f.sha256,
  };
}

function sortAll() {
  const col = folded.map((d) => d[sort.key]);
  const dir = sort.ascending ? 1 : -1;
  // Names are unique, so the tie-break makes the order total, as in the app.
  return files.map((_, i) => i).sort((a, b) => {
    const x = col[a];
    const y = col[b];
    if (x !== y) return x < y ? -dir : dir;
    const m = files[a].fileName;
    const n = files[b].fileName;
    return m === n ? 0 : m < n ? -dir : dir;
  });
}

function filtered() {
  const needle = filterInput.value.trim().toLowerCase();
  return sorted.filter((i) => {
    if (removed.has(i)) return false;
    const d = folded[i];
    return !needle || d.name.includes(needle) || d.description.includes(needle) || d.createdBy.includes(needle);
  });
}

function text(tag, className, content, title) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (title !== undefined) el.title = title;
  el.textContent = content;
  return el;
}

function timeCell(iso) {
  const time = document.createElement('time');
  time.dateTime = iso;
  time.title = `${iso} (UTC)`;
  const d = new Date(iso);
  time.textContent = Number.isNaN(d.getTime()) ? iso : dates.format(d);
  const td = document.createElement('td');
  td.append(time);
  return td;
}

function parameters(f) {
  const d = f.parametersDescription;
  if (f.hasParameters) return d ? `Yes: ${d}` : 'Yes';
  return d ? `No (${d})` : 'No';
}

function row(pos, i) {
  const f = files[i];
  const name = f.fileName;
  const tr = document.createElement('tr');
  tr.setAttribute('aria-rowindex', String(pos + 2));
  tr.fileIndex = i;
  // The app's selection checkbox (bulk delete).
  const pick = document.createElement('td');
  pick.className = 'pick';
  const check = document.createElement('input');
  check.type = 'checkbox';
  check.setAttribute('aria-label', `Select ${name}`);
  pick.append(check);
  const th = text('th', 'name', name, name);
  th.scope = 'row';
  const params = parameters(f);
  const description = f.description ?? '';
  const createdBy = f.createdBy ?? '';
  const sha = document.createElement('td');
  sha.className = 'sha';
  const copy = text('button', 'copy', 'Copy');
  copy.type = 'button';
  copy.setAttribute('aria-label', `Copy SHA-256 of ${name}`);
  sha.append(text('code', '', f.sha256.slice(0, 8), f.sha256), copy);
  const actions = document.createElement('td');
  actions.className = 'actions';
  const del = text('button', 'delete', 'Delete');
  del.type = 'button';
  del.setAttribute('aria-label', `Delete ${name}`);
  actions.append(del);
  tr.append(
    pick,
    th,
    text('td', 'type', fileType(name)),
    text('td', 'description', description, description),
    text('td', 'params', params, params),
    text('td', 'created-by', createdBy, createdBy),
    timeCell(f.creationTime),
    timeCell(f.lastUpdatedTime),
    sha,
    actions,
  );
  return tr;
}

/** Renders the rows in view; `same` says `view` is unchanged, so rows still in the window stay. */
function renderRows(same) {
  const n = view.length;
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - OVERSCAN);
  const start = Math.min(first, n);
  const end = Math.min(start + Math.ceil(viewport / ROW) + 2 * OVERSCAN, n);
  const old = shown;
  if (same && start === old.start && end === old.end) return;
  const rows = new Array(end - start);
  old.rows.forEach((tr, k) => {
    const pos = old.start + k;
    if (same && pos >= start && pos < end) rows[pos - start] = tr;
    else tr.remove();
  });
  // Kept rows are one block in order; new ones go before it or before the bottom spacer.
  let anchor = bottomSpacer;
  for (let k = rows.length - 1; k >= 0; k--) {
    if (!rows[k]) {
      rows[k] = row(start + k, view[start + k]);
      tbody.insertBefore(rows[k], anchor);
    }
    anchor = rows[k];
  }
  topSpacer.style.height = `${start * ROW}px`;
  bottomSpacer.style.height = `${(n - end) * ROW}px`;
  shown = { start, end, rows };
}

function renderView() {
  view = filtered();
  const total = files.length - removed.size;
  countLine.textContent = view.length === total ? `${total} files` : `Showing ${view.length} of ${total} files`;
  table.setAttribute('aria-rowcount', String(view.length + 1));
  empty.hidden = view.length > 0;
  empty.textContent = total === 0 ? 'The library is empty.' : 'No file matches the filter.';
  renderRows(false);
}

function renderHeaders() {
  for (const th of table.tHead.rows[0].cells) {
    const key = th.dataset.key;
    if (!key) continue;
    const state = key !== sort.key ? 'none' : sort.ascending ? 'ascending' : 'descending';
    th.setAttribute('aria-sort', state);
    th.querySelector('.arrow').textContent = state === 'ascending' ? '▲' : state === 'descending' ? '▼' : '';
  }
}

filterInput.addEventListener('input', () => {
  performance.mark('mde:filter-start');
  renderView();
  afterPaint(() => performance.measure('mde:filter', 'mde:filter-start'));
});

table.tHead.addEventListener('click', (e) => {
  const key = e.target.closest('button.sort')?.parentElement.dataset.key;
  if (!key) return;
  performance.mark('mde:sort-start');
  sort = { key, ascending: sort.key === key ? !sort.ascending : true };
  sorted = sortAll();
  renderHeaders();
  renderView();
  afterPaint(() => performance.measure('mde:sort', 'mde:sort-start'));
});

scroller.addEventListener('scroll', () => renderRows(true), { passive: true });

new ResizeObserver(() => {
  if (scroller.clientHeight > 0 && scroller.clientHeight !== viewport) {
    viewport = scroller.clientHeight;
    renderRows(true);
  }
}).observe(scroller);

tbody.addEventListener('click', async (e) => {
  const button = e.target.closest('button');
  if (!button) return;
  const i = button.closest('tr').fileIndex;
  const f = files[i];
  if (button.classList.contains('copy')) {
    await navigator.clipboard.writeText(f.sha256);
    button.textContent = 'Copied';
  } else if (confirm(`Delete ${f.fileName} (SHA-256 ${f.sha256})? This cannot be undone.`)) {
    const resp = await fetch(`/api/libraryfiles/${encodeURIComponent(f.fileName)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (resp.status === 204 || resp.status === 404) {
      removed.add(i);
      renderView();
    } else {
      alert(`Could not delete ${f.fileName}: ${resp.status}`);
    }
  }
});

async function main() {
  try {
    files = await load();
  } catch (e) {
    loading.setAttribute('role', 'alert');
    loading.textContent = `Could not load the library: ${e.message}`;
    return;
  }
  performance.mark('mde:list-loaded');
  folded = files.map(fold);
  sorted = sortAll();
  loading.remove();
  countLine.hidden = false;
  scroller.hidden = false;
  viewport = scroller.clientHeight || viewport;
  renderHeaders();
  renderView();
  afterPaint(() => performance.measure('mde:render', 'mde:list-loaded'));
}

main();
