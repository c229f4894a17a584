import { h, table, when, randomKey, mediaURL } from '../dom.js';
import { get, post } from '../api.js';
import { page, failure, status, field, showErrors, busy, kv } from '../ui.js';
import { statusNames, yuan } from './orders.js';
import { exchangeStatus } from './exchange-order.js';

const CURRENCIES = ['diamond', 'gold'];

function party(p) {
  if (!p) return '';
  if (p.user_id) return h('a', { href: '/admin/users/' + p.user_id }, 'user ' + p.user_id);
  return p.system || '';
}

const ledgerPath = (id, currency, cursor) => `/users/${id}/ledger?currency=${encodeURIComponent(currency)}&limit=20` + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');

// ledgerBox shows a user's ledger in one currency, cursor-paged; first is
// the first page of the first currency, asked for already (or null).
function ledgerBox(id, currencies, first) {
  const cur = h('select', { name: 'currency', id: 'ledger-currency' }, currencies.map(c => h('option', { value: c }, c)));
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'ledger-more' }, 'More');
  const st = status();
  let cursor = '';
  const load = async (reset, asked) => {
    if (reset) { cursor = ''; rows.replaceChildren(); }
    try {
      const p = asked ? await asked : await get(ledgerPath(id, cur.value, cursor));
      for (const e of p.items) {
        rows.append(h('tr', { class: 'ledger-line' },
          h('td', { text: when(e.created_at) }), h('td', { text: e.kind }),
          h('td', { class: e.amount < 0 ? 'num neg' : 'num', text: (e.amount > 0 ? '+' : '') + e.amount }),
          h('td', { class: 'num', text: String(e.balance) }), h('td', {}, party(e.counterparty)),
          h('td', { class: 'reason', text: e.reason || '' }), h('td', { text: e.ref_kind ? `${e.ref_kind} ${e.ref_id}` : '' })));
      }
      if (!rows.children.length) rows.append(h('tr', {}, h('td', { colspan: 7, class: 'muted', text: 'No entries.' })));
      cursor = p.next_cursor || '';
      more.hidden = !cursor;
      st.reset();
    } catch (e) { st.bad(e); }
  };
  cur.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  load(true, cur.value === currencies[0] ? first : null);
  const box = h('div', { class: 'card', id: 'ledger' }, h('h2', {}, 'Ledger'), h('div', { class: 'toolbar' }, cur),
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ['when', 'kind', 'amount', 'balance', 'counterparty', 'reason', 'for'].map(t => h('th', { text: t })))), rows),
    more, st);
  box.reload = () => { cur.value = cur.value; load(true); };
  box.show = c => { cur.value = c; load(true); };
  return box;
}

// walletForm grants (positive) or takes (negative) currency; its
// idempotency key is made once per form, so a double click pays once.
function walletForm(id, currencies, done) {
  let key = randomKey();
  const currency = h('select', { name: 'currency', id: 'grant-currency' }, currencies.map(c => h('option', { value: c }, c)));
  const amount = h('input', { type: 'number', name: 'amount', step: 1, id: 'grant-amount' });
  const reason = h('input', { type: 'text', name: 'reason', id: 'grant-reason', placeholder: 'why (shown in the ledger)' });
  const keyText = h('code', { class: 'muted', text: key });
  const st = status();
  const send = async sign => {
    await busy(form, async () => {
      const n = Math.abs(Math.trunc(Number(amount.value)));
      try {
        const r = await post(`/users/${id}/wallet`, { currency: currency.value, amount: sign * n, reason: reason.value.trim(), idempotency_key: key });
        st.ok(`${sign > 0 ? 'Granted' : 'Took'} ${n} ${currency.value}; balance now ${r.balance}` + (r.replayed ? ' (already done before: nothing changed)' : '') + '.');
        showErrors(form, { bad() {}, reset() {} }, null);
        key = randomKey(); keyText.textContent = key;
        amount.value = ''; reason.value = '';
        done(currency.value);
      } catch (e) { showErrors(form, st, e); }
    });
  };
  const form = h('form', { class: 'card', id: 'wallet-form', on: { submit: ev => { ev.preventDefault(); send(1); } } },
    h('h2', {}, 'Grant or take'),
    h('div', { class: 'row' }, field('Currency', currency, 'currency'), field('Amount', amount, 'amount'), field('Reason', reason, 'reason')),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: 'grant' }, 'Grant'),
      h('button', { type: 'button', class: 'danger', id: 'take', on: { click: () => send(-1) } }, 'Take')),
    h('small', {}, 'idempotency key ', keyText), st);
  return form;
}

export default async function ({ params }) {
  const [id] = params;
  // The ledger's first page is asked for beside the profile, not after it.
  const first = get(ledgerPath(id, CURRENCIES[0], ''));
  first.catch(() => {}); // its failure shows in the ledger box
  let prof = null, u;
  try {
    prof = await get(`/users/${id}/profile`);
    u = prof.user;
  } catch (e) {
    if (!e.missing) return page('User ' + id, failure(e));
    try { u = await get('/users/' + id); } catch (e2) { return page('User ' + id, failure(e2)); }
  }
  const st = status();
  const stateBtn = h('button', { type: 'button', id: u.is_active === false ? 'unban' : 'ban', class: u.is_active === false ? '' : 'danger', on: { click: async () => {
    try {
      const nu = await post(`/users/${id}/${u.is_active === false ? 'unban' : 'ban'}`);
      u.is_active = nu.is_active;
      stateBtn.id = u.is_active ? 'ban' : 'unban';
      stateBtn.textContent = u.is_active ? 'Ban' : 'Unban';
      stateBtn.className = u.is_active ? 'danger' : '';
      badge.textContent = u.is_active ? 'active' : 'banned';
      badge.className = u.is_active ? 'badge' : 'badge bad';
      st.ok(u.is_active ? 'Unbanned.' : 'Banned: the user\'s sessions are refused.');
    } catch (e) { st.bad(e); }
  } } }, u.is_active === false ? 'Unban' : 'Ban');
  const badge = h('span', { class: u.is_active === false ? 'badge bad' : 'badge', id: 'user-state', text: u.is_active === false ? 'banned' : 'active' });
  const currencies = [...new Set(CURRENCIES.concat(prof ? prof.balances.map(b => b.currency) : []))];
  const balances = prof
    ? h('div', { class: 'tiles', id: 'balances' }, prof.balances.length ? prof.balances.map(b => h('div', { class: 'tile' }, h('span', { class: 'muted', text: b.currency }), h('strong', { dataset: { currency: b.currency }, text: String(b.balance) }))) : h('p', { class: 'muted' }, 'No balances.'))
    : h('p', { class: 'unavailable', text: 'Balances: not available on this server (see the ledger).' });
  const ledger = ledgerBox(id, currencies, first);
  const extra = [];
  if (prof) {
    extra.push(h('div', { class: 'card', id: 'user-orders' }, h('h2', {}, 'Orders (latest 20)'), table([
      { label: 'order', get: o => o.kind === 'exchange_order'
        ? h('a', { href: '/admin/exchange-orders/' + encodeURIComponent(o.order_number) }, o.order_number)
        : h('a', { href: '/admin/orders/' + o.id }, String(o.id)) },
      { label: 'status', get: o => (o.kind === 'exchange_order' ? exchangeStatus : statusNames)[o.status] || String(o.status) },
      { label: 'amount', get: o => o.currency === 'cny' ? '¥ ' + yuan(o.amount) : `${o.amount} ${o.currency}` },
      { label: 'what', get: o => o.title || '' }, { label: 'paid by', get: o => o.pay_method || '' }, { label: 'when', get: o => when(o.created_at) },
    ], prof.orders || [], { empty: 'No orders.' })));
    extra.push(h('div', { class: 'card', id: 'user-devices' }, h('h2', {}, 'Devices'), table([
      { label: 'device', get: d => d.client_id }, { label: 'kind', get: d => d.client_type },
      { label: 'pushes', get: d => d.switch ? 'on' : 'off' }, { label: 'seen', get: d => when(d.updated_at || d.created_at) },
    ], prof.devices || [], { empty: 'No devices.' })));
    extra.push(h('div', { class: 'card', id: 'user-feedback' }, h('h2', {}, 'Feedback (latest 20)'), table([
      { label: 'id', get: b => h('a', { href: '/admin/feedback/' + b.id }, String(b.id)) },
      { label: 'content', get: b => (b.content || '').slice(0, 80) }, { label: 'status', get: b => b.status ? 'answered' : 'open' },
      { label: 'when', get: b => when(b.created_at) },
    ], prof.feedback || [], { empty: 'No feedback.' })));
  }
  return page('User ' + id,
    h('div', { class: 'card user-head' },
      u.avatar ? h('img', { src: mediaURL(u.avatar), alt: '', class: 'avatar' }) : null,
      kv([['nickname', h('span', { class: 'nickname', id: 'user-nickname', text: u.nickname || '' })], ['phone', u.phone], ['e-mail', u.email], ['uid', h('code', { id: 'user-uid', text: u.uid || '' })], ['openid', u.openid],
        ['state', badge], ['joined', when(u.created_at)]]),
      h('div', { class: 'actions' }, stateBtn, h('a', { class: 'button secondary', href: '/admin/service/' + id }, 'Conversation')), st),
    balances,
    walletForm(id, currencies, c => ledger.show(c)),
    ledger, extra);
}
