import { h, when, mediaURL } from '../dom.js';
import { get } from '../api.js';
import { page, failure, kv } from '../ui.js';
import { refundForm } from './refund.js';

export const exchangeStatus = { 1: 'exchanged', 2: 'refunded' };

export default async function ({ params, nav }) {
  const num = decodeURIComponent(params[0]);
  let o;
  try { o = await get('/exchange-orders/' + encodeURIComponent(num)); } catch (e) { return page('Exchange order ' + num, failure(e)); }
  return page('Exchange order ' + num,
    h('div', { class: 'card' }, o.product && o.product.image ? h('img', { src: mediaURL(o.product.image), alt: '', class: 'preview' }) : null, kv([
      ['user', h('a', { href: '/admin/users/' + o.user_id }, String(o.user_id))], ['product', o.product ? o.product.name : ''],
      ['diamonds paid', String(o.diamond)], ['status', exchangeStatus[o.status] || String(o.status)], ['created', when(o.created_at)]])),
    o.status === 1 ? refundForm(`/exchange-orders/${encodeURIComponent(num)}/refund`, 'diamond', () => setTimeout(() => nav(location.pathname, true), 800)) : null);
}
