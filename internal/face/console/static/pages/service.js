import { h, table, pager, when } from '../dom.js';
import { get } from '../api.js';
import { page, failure } from '../ui.js';

export default async function ({ query, nav }) {
  const no = Number(query.get('page')) || 1;
  let data;
  try { data = await get(`/service-conversations?page=${no}&page_size=20`); } catch (e) { return page('Customer service', failure(e)); }
  return page('Customer service', table([
    { label: 'user', get: c => h('a', { href: '/admin/service/' + c.user_id }, 'user ' + c.user_id), sort: c => c.user_id },
    { label: 'last message', get: c => h('span', { class: c.last_message.from_user ? 'waiting' : '', text: (c.last_message.from_user ? '' : 'you: ') + c.last_message.content.slice(0, 100) }) },
    { label: 'waiting', get: c => c.last_message.from_user ? h('span', { class: 'badge warn' }, 'to answer') : '', sort: c => c.last_message.from_user },
    { label: 'when', get: c => when(c.last_message.created_at), sort: c => c.last_message.created_at },
  ], data.items, { empty: 'No conversations.' }), pager(data, p => nav('/admin/service?page=' + p)));
}
