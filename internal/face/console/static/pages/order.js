import { h, table, when, mediaURL } from '../dom.js';
import { get } from '../api.js';
import { page, failure, kv } from '../ui.js';
import { statusNames, yuan } from './orders.js';
import { refundForm } from './refund.js';

export default async function ({ params, nav }) {
  const [id] = params;
  let o;
  try { o = await get('/orders/' + id); } catch (e) { return page('Order ' + id, failure(e)); }
  return page('Order ' + id,
    h('div', { class: 'card' }, kv([
      ['user', h('a', { href: '/admin/users/' + o.user_id }, String(o.user_id))], ['price', '¥ ' + yuan(o.price)],
      ['status', statusNames[o.status] || String(o.status)], ['paid by', o.pay_method], ['paid at', when(o.paid_at)],
      ['expires', when(o.expires_at)], ['created', when(o.created_at)]])),
    h('div', { class: 'card' }, h('h2', {}, 'Items'), table([
      { label: '', sort: false, get: i => i.image ? h('img', { src: mediaURL(i.image), alt: '', class: 'thumb' }) : '' },
      { label: 'ticket', get: i => i.name }, { label: 'price ¥', get: i => yuan(i.price) }], o.items || [])),
    h('div', { class: 'card' }, h('h2', {}, 'Payments'), table([
      { label: 'out_trade_no', get: p => p.out_trade_no }, { label: 'method', get: p => p.method },
      { label: 'amount ¥', get: p => yuan(p.amount) }, { label: 'status', get: p => p.status }, { label: 'paid', get: p => when(p.paid_at) },
    ], o.payments || [], { empty: 'No payments.' })),
    o.status === 1 ? refundForm(`/orders/${id}/refund`, o.pay_method, () => setTimeout(() => nav(location.pathname, true), 800)) : null);
}
