import { h, table, pager, when } from '../dom.js';
import { get } from '../api.js';
import { page, failure } from '../ui.js';

// The inbox: the open feedback (no reply yet) first, newest first; the
// replied and all of it a tab away. The server filters (?status=).
const views = [['open', 'Open', '&status=0'], ['replied', 'Replied', '&status=1'], ['all', 'All', '']];

export default async function ({ query, nav }) {
  const no = Number(query.get('page')) || 1;
  const view = views.find(v => v[0] === query.get('show')) || views[0];
  const tabs = h('nav', { class: 'tabs' }, views.map(([key, label]) =>
    h('a', { href: '/admin/feedback' + (key === 'open' ? '' : '?show=' + key), class: key === view[0] ? 'on' : null, dataset: { show: key } }, label)));
  let data;
  try { data = await get(`/feedback?page=${no}&page_size=50${view[2]}`); } catch (e) { return page('Feedback', tabs, failure(e)); }
  return page('Feedback', tabs,
    table([
      { label: 'id', get: b => h('a', { href: '/admin/feedback/' + b.id }, String(b.id)), sort: b => b.id },
      { label: 'state', get: b => b.status ? h('span', { class: 'badge' }, 'answered') : h('span', { class: 'badge warn' }, 'open'), sort: b => b.status },
      { label: 'user', get: b => h('a', { href: '/admin/users/' + b.user_id }, String(b.user_id)), sort: b => b.user_id },
      { label: 'content', get: b => h('span', { class: 'content', text: (b.content || '').slice(0, 100) }) },
      { label: 'contact', get: b => b.contact_phone },
      { label: 'when', get: b => when(b.created_at), sort: b => b.created_at },
    ], data.items, { empty: view[0] === 'open' ? 'No open feedback: every one has a reply.' : 'No feedback.', rowClass: b => b.status ? null : 'open' }),
    pager(data, p => nav('/admin/feedback?' + (view[0] === 'open' ? '' : 'show=' + view[0] + '&') + 'page=' + p)));
}
