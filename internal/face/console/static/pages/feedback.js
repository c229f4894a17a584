import { h, table, pager, when } from '../dom.js';
import { get } from '../api.js';
import { page, failure } from '../ui.js';

export default async function ({ query, nav }) {
  const no = Number(query.get('page')) || 1;
  let data;
  try { data = await get(`/feedback?page=${no}&page_size=50`); } catch (e) { return page('Feedback', failure(e)); }
  // Unanswered first (status 0), newest first within each.
  const rows = data.items.slice().sort((a, b) => (a.status ? 1 : 0) - (b.status ? 1 : 0) || b.id - a.id);
  return page('Feedback',
    table([
      { label: 'id', get: b => h('a', { href: '/admin/feedback/' + b.id }, String(b.id)), sort: b => b.id },
      { label: 'state', get: b => b.status ? h('span', { class: 'badge' }, 'answered') : h('span', { class: 'badge warn' }, 'open'), sort: b => b.status },
      { label: 'user', get: b => h('a', { href: '/admin/users/' + b.user_id }, String(b.user_id)), sort: b => b.user_id },
      { label: 'content', get: b => h('span', { class: 'content', text: (b.content || '').slice(0, 100) }) },
      { label: 'contact', get: b => b.contact_phone },
      { label: 'when', get: b => when(b.created_at), sort: b => b.created_at },
    ], rows, { empty: 'No feedback.', rowClass: b => b.status ? null : 'open' }),
    pager(data, p => nav('/admin/feedback?page=' + p)));
}
