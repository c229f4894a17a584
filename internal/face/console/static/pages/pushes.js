import { h, table, pager, when } from '../dom.js';
import { get, post } from '../api.js';
import { page, failure, status, field, showErrors, busy } from '../ui.js';

// A push's status (pushes.status): queued until every delivery settled.
export const pushStatus = { 0: 'queued', 1: 'sent', 2: 'failed' };
const statusClass = { 0: 'badge warn', 1: 'badge', 2: 'badge bad' };

// statusBadge shows a push's status, coloured.
export function statusBadge(s, id) {
  return h('span', { class: statusClass[s] || 'badge muted', id, dataset: { status: pushStatus[s] || String(s) }, text: pushStatus[s] || String(s) });
}

export default async function ({ query, nav }) {
  const no = Number(query.get('page')) || 1;
  const title = h('input', { type: 'text', name: 'push_title', id: 'push-title' });
  const body = h('textarea', { name: 'push_body', rows: 3, id: 'push-body' });
  const everyone = h('input', { type: 'radio', name: 'to', value: 'all', checked: true, id: 'to-all' });
  const chosen = h('input', { type: 'radio', name: 'to', value: 'some', id: 'to-some' });
  const ids = h('input', { type: 'text', name: 'user_ids', id: 'push-users', placeholder: 'user ids, separated by commas' });
  const st = status();
  const form = h('form', { class: 'card', on: { submit: async ev => {
    ev.preventDefault();
    const b = { push_title: title.value, push_body: body.value };
    if (chosen.checked) b.user_ids = ids.value.split(/[\s,]+/).filter(Boolean).map(Number);
    const who = chosen.checked ? `${b.user_ids.length} chosen users` : 'every user';
    await busy(form, async () => {
      try {
        await post('/pushes', b);
        st.ok('Sent to ' + who + '.');
        setTimeout(() => nav('/admin/pushes', true), 600);
      } catch (e) { showErrors(form, st, e); }
    });
  } } }, h('h2', {}, 'Compose'), field('Title', title, 'push_title'), field('Message', body, 'push_body'),
  h('div', { class: 'field', dataset: { name: 'user_ids' } }, h('span', { class: 'label' }, 'To'),
    h('label', { class: 'inline' }, everyone, ' everyone'), h('label', { class: 'inline' }, chosen, ' chosen users: '), ids,
    h('small', { class: 'field-error' })),
  h('button', { type: 'submit', id: 'send-push' }, 'Send push'), st);
  let data, hist;
  try {
    data = await get(`/pushes?page=${no}&page_size=20`);
    hist = [table([
      { label: 'id', get: p => h('a', { href: '/admin/pushes/' + p.id }, String(p.id)), sort: p => p.id },
      { label: 'title', get: p => p.push_title }, { label: 'message', get: p => (p.push_body || '').slice(0, 80) },
      { label: 'to', get: p => p.user_ids && p.user_ids.length ? p.user_ids.join(', ') : 'everyone' },
      { label: 'by', get: p => 'admin ' + p.admin_id }, { label: 'when', get: p => when(p.created_at), sort: p => p.created_at },
      { label: 'status', get: p => statusBadge(p.status), sort: p => p.status },
    ], data.items, { empty: 'No pushes sent yet.' }), pager(data, p => nav('/admin/pushes?page=' + p))];
  } catch (e) { hist = failure(e); }
  return page('Pushes', form, h('div', { class: 'card' }, h('h2', {}, 'History'), hist));
}
