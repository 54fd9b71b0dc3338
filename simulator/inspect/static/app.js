// hookcheck inspector: the live list of deliveries. Plain JavaScript, no
// build step; every action goes through the JSON endpoints documented in
// docs/inspector.md.
'use strict';

const ROW_H = 28;         // px, as .row's height in app.css
const PAGE = 200;         // rows fetched per page
const OVERSCAN = 10;      // rows rendered beyond the visible ones

const $ = (id) => document.getElementById(id);
const state = {
  info: null, rows: [], byId: new Map(), total: 0, next: 0, loading: false, gen: 0,
  filter: { status: '', transcript_id: '', session_id: '' }, selected: '', pool: [], frame: 0,
  detailTimer: 0, streamOpened: false, marked: false,
};

async function call(path, opts) {
  const res = await fetch(path, Object.assign({ credentials: 'same-origin', headers: { 'Content-Type': 'application/json' } }, opts));
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || res.status + ' ' + res.statusText);
  return body;
}

function matches(r) {
  const f = state.filter;
  return (!f.status || r.status === f.status) && (!f.transcript_id || r.transcript_id === f.transcript_id) &&
    (!f.session_id || r.session_id === f.session_id);
}

async function reload() {
  const g = ++state.gen;
  state.rows = []; state.byId.clear(); state.next = 0; state.total = 0; state.loading = false;
  $('list').scrollTop = 0;
  await loadMore(g, true);
}

async function loadMore(g, first) {
  if (state.loading || (!first && !state.next)) return;
  state.loading = true;
  const q = new URLSearchParams({ limit: String(PAGE) });
  for (const [k, v] of Object.entries(state.filter)) if (v) q.set(k, v);
  if (state.next) q.set('before', String(state.next));
  try {
    const p = await call('/api/deliveries?' + q);
    if (g !== state.gen) return;
    for (const r of p.deliveries) {
      if (state.byId.has(r.id)) continue;
      state.byId.set(r.id, r);
      state.rows.push(r);
    }
    state.next = p.next || 0;
    state.total = Math.max(p.total, state.rows.length);
  } catch (e) {
    console.warn('list:', e.message);
  } finally {
    if (g === state.gen) state.loading = false;
  }
  schedule();
}

// insertAt finds where a row of creation number n goes (rows are newest first).
function insertAt(n) {
  let lo = 0, hi = state.rows.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (state.rows[mid].n > n) lo = mid + 1; else hi = mid; }
  return lo;
}

function onRow(r) {
  const cur = state.byId.get(r.id);
  if (cur) {
    if (r.version <= cur.version) return;
    Object.assign(cur, r);
    if (!matches(cur)) {
      state.rows.splice(state.rows.indexOf(cur), 1);
      state.byId.delete(r.id);
      state.total = Math.max(0, state.total - 1);
    }
  } else if (matches(r)) {
    const i = insertAt(r.n);
    if (i < state.rows.length || !state.next) { // else it lies in a page not loaded yet
      state.rows.splice(i, 0, r);
      state.byId.set(r.id, r);
    }
    state.total++;
    // Keep the rows in view where they are when the list is scrolled down.
    const list = $('list');
    if (list.scrollTop > 0 && i * ROW_H < list.scrollTop) list.scrollTop += ROW_H;
  }
  schedule();
  if (state.selected === r.id) scheduleDetail();
}

function schedule() {
  if (!state.frame) state.frame = requestAnimationFrame(() => { state.frame = 0; render(); });
}

function fmtTime(s) {
  const d = new Date(s);
  return isNaN(d) ? '' : d.toLocaleTimeString([], { hour12: false });
}

function countdown(r) {
  if (!r.next_attempt_at || r.status !== 'retrying') return '';
  const left = (Date.parse(r.next_attempt_at) - Date.now()) / 1000;
  return left > 0 ? 'in ' + (left < 10 ? left.toFixed(1) : Math.round(left)) + ' s' : 'due now';
}

const STATUS_WORDS = { rejected: '4xx ended it' };

function cells(el, r) {
  const c = el.children;
  c[0].textContent = fmtTime(r.started_at);
  c[1].textContent = r.transcript_id || r.session_id || '(' + r.id + ')';
  c[2].firstChild.textContent = STATUS_WORDS[r.status] || r.status;
  c[2].firstChild.className = 'st ' + r.status;
  c[3].textContent = r.attempts ? 'attempt ' + r.attempts + ' of ' + r.max_attempts : '–';
  c[4].textContent = r.answer || '';
  c[5].textContent = r.attempts ? (r.latency_ms < 10 ? r.latency_ms.toFixed(1) : Math.round(r.latency_ms)) + ' ms' : '';
  c[6].textContent = countdown(r);
  c[7].textContent = r.outcome || '';
  el.dataset.id = r.id;
  el.dataset.attempts = String(r.attempts);
  el.dataset.status = r.status;
  el.classList.toggle('sel', r.id === state.selected);
}

function newRowEl() {
  const el = document.createElement('div');
  el.className = 'row';
  el.setAttribute('role', 'row');
  for (let i = 0; i < 8; i++) {
    const s = document.createElement('span');
    if (i === 1) s.className = 'id';
    if (i === 2) s.appendChild(document.createElement('span'));
    el.appendChild(s);
  }
  el.addEventListener('click', () => select(el.dataset.id));
  return el;
}

// render draws only the rows in view: 10,000 deliveries cost what 40 do.
function render() {
  const list = $('list');
  $('spacer').style.height = (state.total * ROW_H) + 'px';
  $('empty').hidden = state.total > 0;
  $('count').textContent = state.total + (state.total === 1 ? ' delivery' : ' deliveries');
  const first = Math.max(0, Math.floor(list.scrollTop / ROW_H) - OVERSCAN);
  const last = Math.min(state.total, Math.ceil((list.scrollTop + list.clientHeight) / ROW_H) + OVERSCAN);
  if (last > state.rows.length && state.next) loadMore(state.gen, false);
  const end = Math.min(last, state.rows.length);
  let used = 0;
  for (let i = first; i < end; i++, used++) {
    let el = state.pool[used];
    if (!el) { el = newRowEl(); state.pool.push(el); list.appendChild(el); }
    el.hidden = false;
    el.style.top = (i * ROW_H) + 'px';
    cells(el, state.rows[i]);
  }
  for (let i = used; i < state.pool.length; i++) state.pool[i].hidden = true;
  if (used > 0 && !state.marked) { state.marked = true; performance.mark('hookcheck:first-rows'); }
}

function scheduleDetail() {
  if (state.detailTimer) return;
  state.detailTimer = setTimeout(() => { state.detailTimer = 0; showDetail(); }, 300);
}

function select(id) {
  state.selected = id;
  $('a-out').textContent = '';
  schedule();
  showDetail();
}

async function showDetail() {
  const id = state.selected;
  if (!id) { $('detail').hidden = true; return; }
  $('detail').hidden = false;
  try {
    const d = await call('/api/deliveries/' + encodeURIComponent(id));
    if (id !== state.selected) return;
    $('d-title').textContent = d.row.transcript_id || d.row.session_id || d.row.id;
    const open = new Set([...document.querySelectorAll('#d-body details[open]')].map((e) => e.className));
    $('d-body').innerHTML = d.html; // rendered and escaped by the server's templates
    for (const el of document.querySelectorAll('#d-body details')) el.open = open.size === 0 || open.has(el.className);
  } catch (e) {
    $('d-body').textContent = e.message;
  }
}

async function act(path, body) {
  $('a-out').textContent = '…';
  try {
    const r = await call(path, { method: 'POST', body: JSON.stringify(body || {}) });
    $('a-out').textContent = r.status ? 'answered ' + r.status + ' in ' + Math.round(r.duration_ms) + ' ms' :
      r.error ? 'no answer: ' + r.error : 'sent';
  } catch (e) {
    $('a-out').textContent = e.message;
  }
}

function stream() {
  const es = new EventSource('/api/events');
  es.addEventListener('row', (e) => onRow(JSON.parse(e.data)));
  es.addEventListener('open', () => {
    $('conn').textContent = 'live'; $('conn').className = 'conn live';
    if (state.streamOpened) reload(); // events may have been missed
    state.streamOpened = true;
  });
  es.addEventListener('error', () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'conn down'; });
}

function filters() {
  let t = 0;
  const apply = () => {
    state.filter = { status: $('f-status').value, transcript_id: $('f-transcript').value.trim(), session_id: $('f-session').value.trim() };
    reload();
  };
  $('f-status').addEventListener('change', apply);
  for (const id of ['f-transcript', 'f-session']) $(id).addEventListener('input', () => { clearTimeout(t); t = setTimeout(apply, 250); });
  $('f-clear').addEventListener('click', () => { $('f-status').value = ''; $('f-transcript').value = ''; $('f-session').value = ''; apply(); });
}

async function main() {
  state.info = await call('/api/info');
  $('mode').textContent = '· ' + state.info.mode;
  if (state.info.mode === 'serve-api') {
    $('create').hidden = false;
    $('a-notify').hidden = false;
    $('a-notify').addEventListener('click', () => act('/api/deliveries/' + encodeURIComponent(state.selected) + '/notify'));
    $('c-go').addEventListener('click', async () => {
      $('c-out').textContent = '…';
      try {
        const r = await call('/api/transcripts', { method: 'POST', body: JSON.stringify({
          webhook_url: $('c-url').value.trim(), status: $('c-status').value, after: $('c-after').value.trim(), fault: $('c-fault').value }) });
        $('c-out').textContent = 'created ' + r.transcript_id;
      } catch (e) { $('c-out').textContent = e.message; }
    });
  } else {
    $('a-replay').hidden = false;
    $('a-replay-url').value = state.info.forward_to || '';
    $('a-replay-go').addEventListener('click', () => act('/api/deliveries/' + encodeURIComponent(state.selected) + '/replay', { url: $('a-replay-url').value.trim() }));
  }
  $('d-close').addEventListener('click', () => { state.selected = ''; $('detail').hidden = true; schedule(); });
  $('list').addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  setInterval(() => { if (state.rows.some((r) => r.status === 'retrying')) schedule(); }, 500);
  filters();
  stream();
  await reload();
}

main().catch((e) => { $('conn').textContent = e.message; $('conn').className = 'conn down'; });
