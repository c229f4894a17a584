import { h, table, pager, when } from '../dom.js';
import { get } from '../api.js';
import { page, failure } from '../ui.js';
import { exchangeStatus } from './exchange-order.js';

export const statusNames = { 0: 'pending', 1: 'paid', 2: 'cancelled or expired', 3: 'refunded' };
export const yuan = fen => (Number(fen) / 100).toFixed(2);

export default async function ({ query, nav }) {
  const kind = query.get('kind') === 'exchange' ? 'exchange' : 'tickets';
  const st = query.get('status') || '';
  const no = Number(query.get('page')) || 1;
  const go = (k, s, p) => nav(`/admin/orders?kind=${k}` + (s !== '' ? '&status=' + s : '') + (p > 1 ? '&page=' + p : ''));
  const sel = h('select', { name: 'status', id: 'order-status', on: { change: () => go(kind, sel.value, 1) } },
    h('option', { value: '' }, 'every status'),
    Object.entries(statusNames).map(([k, v]) => h('option', { value: k, selected: k === st }, v)));
  const tabs = h('nav', { class: 'tabs' },
    h('a', { href: '/admin/orders', class: kind === 'tickets' ? 'on' : null }, 'Ticket orders'),
    h('a', { href: '/admin/orders?kind=exchange', class: kind === 'exchange' ? 'on' : null }, 'Exchange orders'));
  let data;
  try {
    data = await get((kind === 'exchange' ? '/exchange-orders' : '/orders') + `?page=${no}&page_size=20` + (st !== '' ? '&status=' + st : ''));
  } catch (e) { return page('Orders', tabs, h('div', { class: 'toolbar' }, sel), failure(e)); }
  const cols = kind === 'exchange' ? [
    { label: 'order', get: o => h('a', { href: '/admin/exchange-orders/' + encodeURIComponent(o.order_number) }, o.order_number) },
    { label: 'user', get: o => h('a', { href: '/admin/users/' + o.user_id }, String(o.user_id)), sort: o => o.user_id },
    { label: 'product', get: o => o.product ? o.product.name : '' },
    { label: 'diamonds', get: o => String(o.diamond), sort: o => o.diamond },
    { label: 'status', get: o => exchangeStatus[o.status] || String(o.status), sort: o => o.status },
    { label: 'when', get: o => when(o.created_at), sort: o => o.created_at },
  ] : [
    { label: 'id', get: o => h('a', { href: '/admin/orders/' + o.id }, String(o.id)), sort: o => o.id },
    { label: 'user', get: o => h('a', { href: '/admin/users/' + o.user_id }, String(o.user_id)), sort: o => o.user_id },
    { label: 'ticket', get: o => o.ticket_name || '' },
    { label: 'price ¥', get: o => yuan(o.price), sort: o => o.price },
    { label: 'status', get: o => h('span', { class: 'badge s' + o.status }, statusNames[o.status] || String(o.status)), sort: o => o.status },
    { label: 'paid by', get: o => o.pay_method },
    { label: 'when', get: o => when(o.created_at), sort: o => o.created_at },
  ];
  return page('Orders', tabs, h('div', { class: 'toolbar' }, kind === 'tickets' ? sel : null),
    table(cols, data.items, { empty: 'No orders.' }), pager(data, p => go(kind, st, p)));
}
