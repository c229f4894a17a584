import { h, when } from '../dom.js';
import { get } from '../api.js';
import { page, failure, status, kv, unavailable } from '../ui.js';
import { statusBadge } from './pushes.js';

// A push and its deliveries: one per switched-on device of its addressees
// (docs/compat.md, "Push delivery is durable"), in one of these states.
export const STATES = ['due', 'sending', 'delivered', 'failed', 'dead', 'skipped'];
const stateClass = { due: 'badge warn', sending: 'badge warn', delivered: 'badge', failed: 'badge bad', dead: 'badge bad', skipped: 'badge muted' };
const stateHint = {
  due: 'waiting for its try (or its next one, after the vendor put it off)',
  sending: 'claimed by a worker and being sent',
  delivered: 'the vendor took it',
  failed: 'refused by the vendor, or given up after the retries',
  dead: 'the token is gone: the device was deleted',
  skipped: 'switched off, removed or moved to another user before its turn',
};

// While the push is queued its counts are read again this often.
const REFRESH_MS = 3000;
// The addressees shown by id (a push to more says how many more).
const SHOWN_USERS = 50;

// gen tells a page's timer whether its page is still the one drawn: every
// drawing of this page takes the next number.
let gen = 0;

// at shows a time to the second (a retry comes due seconds later).
function at(s) {
  if (!s) return '';
  const d = new Date(s);
  return isNaN(d) ? String(s) : d.toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const listPath = (id, state, cursor) => `/pushes/${id}/deliveries?limit=20` + (state ? '&state=' + state : '') + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');

function addressees(p) {
  const ids = p.user_ids || [];
  if (!ids.length) return 'everyone';
  return h('span', { id: 'push-to' }, ids.slice(0, SHOWN_USERS).map((u, i) => [i ? ', ' : '', h('a', { href: '/admin/users/' + u }, 'user ' + u)]),
    ids.length > SHOWN_USERS ? ` and ${ids.length - SHOWN_USERS} more` : '');
}

function stateBadge(s) {
  return h('span', { class: stateClass[s] || 'badge muted', title: stateHint[s] || null, text: s });
}

// countTiles shows the deliveries counted by state; show(counts) redraws them.
function countTiles() {
  const box = h('div', { class: 'tiles counts', id: 'delivery-counts' });
  box.show = counts => {
    if (!counts) { box.replaceChildren(unavailable('Delivery counts')); return; }
    const total = STATES.reduce((n, s) => n + (counts[s] || 0), 0);
    box.replaceChildren(
      h('div', { class: 'tile', title: 'one delivery per switched-on device of the addressees' }, h('span', { class: 'muted', text: 'devices' }), h('strong', { dataset: { count: 'all' }, text: String(total) })),
      ...STATES.map(s => h('div', { class: 'tile', title: stateHint[s] }, h('span', { class: 'muted', text: s }), h('strong', { dataset: { count: s }, text: String(counts[s] || 0) }))));
  };
  return box;
}

function deliveryRow(d) {
  const later = d.state === 'due' || d.state === 'sending';
  return h('tr', { class: 'delivery', dataset: { state: d.state } },
    h('td', {}, h('a', { href: '/admin/users/' + d.user_id }, String(d.user_id))),
    h('td', {}, h('code', { class: 'token', text: d.client_id })),
    h('td', { text: d.client_type }),
    h('td', {}, stateBadge(d.state)),
    h('td', { class: 'num', text: String(d.attempts) }),
    h('td', { text: d.channel || '' }),
    h('td', { class: 'reason', text: d.detail || '' }),
    h('td', { text: later ? at(d.next_at) : '', title: d.state === 'sending' ? 'the claim lapses then' : null }),
    h('td', { text: at(d.updated_at) }));
}

// deliveriesBox lists the push's deliveries in state ('' all), newest
// first, cursor-paged; first is its first page, asked for already.
function deliveriesBox(id, state, first) {
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'deliveries-more', hidden: true }, 'More');
  const st = status();
  let cursor = '';
  const load = async (reset, asked) => {
    more.disabled = true;
    try {
      const d = asked ? await asked : await get(listPath(id, state, reset ? '' : cursor));
      if (reset) rows.replaceChildren();
      for (const x of d.items) rows.append(deliveryRow(x));
      if (!rows.children.length) rows.append(h('tr', {}, h('td', { colspan: 9, class: 'muted', text: state ? `No delivery ${state}.` : 'No deliveries: no addressee had a device with pushes on.' })));
      cursor = d.next_cursor || '';
      more.hidden = !cursor;
      st.reset();
    } catch (e) { st.bad(e); } finally { more.disabled = false; }
  };
  more.addEventListener('click', () => load(false));
  load(true, first);
  const tabs = h('nav', { class: 'tabs', id: 'delivery-tabs' }, ['', ...STATES].map(s =>
    h('a', { href: `/admin/pushes/${id}` + (s ? '?state=' + s : ''), class: s === state ? 'on' : null, dataset: { state: s || 'all' }, title: stateHint[s] || null }, s || 'all')));
  const box = h('div', { class: 'card', id: 'deliveries' }, h('h2', {}, 'Deliveries'), tabs,
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ['user', 'device token', 'type', 'state', 'tries', 'channel', 'detail', 'next try', 'updated'].map(t => h('th', { text: t })))), rows),
    more, st);
  box.reload = () => load(true);
  return box;
}

export default async function ({ params, query }) {
  const [id] = params;
  const mine = ++gen;
  const state = STATES.includes(query.get('state')) ? query.get('state') : '';
  // The first page of deliveries is asked for beside the push, not after it.
  const first = get(listPath(id, state, ''));
  first.catch(() => {}); // its failure shows in the deliveries box
  let p;
  try { p = await get('/pushes/' + id); } catch (e) { return page('Push ' + id, failure(e)); }
  const st = status();
  const statusCell = h('span', {}, statusBadge(p.status, 'push-status'));
  const tiles = countTiles();
  tiles.show(p.deliveries);
  const list = deliveriesBox(id, state, first);
  const refreshBtn = h('button', { type: 'button', class: 'secondary', id: 'push-refresh', on: { click: () => refresh(true) } }, 'Refresh');
  const note = h('small', { class: 'muted', text: `queued: its counts are read again every ${REFRESH_MS / 1000} seconds` });
  const queued = () => { refreshBtn.hidden = note.hidden = p.status !== 0; };
  queued();
  let reading = false;
  async function refresh(manual) {
    if (reading) return;
    reading = true;
    try {
      const was = p.status;
      p = await get('/pushes/' + id);
      statusCell.replaceChildren(statusBadge(p.status, 'push-status'));
      tiles.show(p.deliveries);
      queued();
      if (manual || was !== p.status) list.reload(); // settled: the list shows the outcome
      st.reset();
    } catch (e) { st.bad(e); } finally { reading = false; }
  }
  const node = page('Push ' + id,
    h('div', { class: 'card', id: 'push' }, kv([
      ['title', h('span', { id: 'push-title', text: p.push_title || '' })],
      ['message', h('span', { class: 'content', id: 'push-body', text: p.push_body || '' })],
      ['to', addressees(p)], ['by', 'admin ' + p.admin_id], ['when', when(p.created_at)], ['status', statusCell]]),
    h('div', { class: 'actions' }, refreshBtn, note), st),
    tiles, list);
  // The light auto-refresh: while queued and this page is the one shown.
  const here = location.pathname + location.search;
  let seen = false;
  const tick = async () => {
    if (node.isConnected) seen = true;
    if (mine !== gen || (!node.isConnected && (seen || location.pathname + location.search !== here))) return; // the page was left
    if (p.status !== 0) return;
    if (!document.hidden) await refresh(false);
    setTimeout(tick, REFRESH_MS);
  };
  if (p.status === 0) setTimeout(tick, REFRESH_MS);
  return node;
}
