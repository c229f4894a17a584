import { h, table, pager, when } from '../dom.js';
import { get } from '../api.js';
import { page, failure } from '../ui.js';

export function userCols() {
  return [
    { label: 'id', get: u => h('a', { href: '/admin/users/' + u.id }, String(u.id)), sort: u => u.id },
    { label: 'phone', get: u => u.phone },
    { label: 'e-mail', get: u => u.email },
    { label: 'nickname', get: u => h('span', { class: 'nickname', text: u.nickname || '' }) },
    { label: 'state', get: u => u.is_active === false ? h('span', { class: 'badge bad' }, 'banned') : h('span', { class: 'badge' }, 'active') },
    { label: 'joined', get: u => when(u.created_at), sort: u => u.created_at },
  ];
}

export default async function ({ query, nav }) {
  const q = query.get('q') || '';
  const no = Number(query.get('page')) || 1;
  const input = h('input', { type: 'search', name: 'q', value: q, placeholder: 'phone, e-mail, nickname or uid', id: 'user-q' });
  const form = h('form', { class: 'toolbar', on: { submit: ev => { ev.preventDefault(); nav('/admin/users?q=' + encodeURIComponent(input.value.trim())); } } },
    input, h('button', { type: 'submit' }, 'Search'));
  let data;
  try {
    data = await get(`/users?page=${no}&page_size=20` + (q ? '&q=' + encodeURIComponent(q) : ''));
  } catch (e) {
    return page('Users', form, failure(e));
  }
  return page('Users', form, table(userCols(), data.items, { empty: q ? 'No user matches.' : 'No users yet.' }),
    pager(data, p => nav(`/admin/users?page=${p}` + (q ? '&q=' + encodeURIComponent(q) : ''))));
}
