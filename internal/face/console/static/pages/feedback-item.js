import { h, when } from '../dom.js';
import { get, post } from '../api.js';
import { page, failure, status, field, showErrors, busy, kv } from '../ui.js';

export default async function ({ params }) {
  const [id] = params;
  let b;
  try { b = await get('/feedback/' + id); } catch (e) { return page('Feedback ' + id, failure(e)); }
  const list = h('ol', { class: 'thread', id: 'replies' });
  const draw = () => list.replaceChildren(...(b.replies || []).map(r => h('li', { class: 'reply' },
    h('p', { class: 'content', text: r.content }),
    h('small', { class: 'muted', text: `admin ${r.admin_id} · ${when(r.created_at)} · ${r.is_read ? 'read' : 'unread'}` }))));
  draw();
  const content = h('textarea', { name: 'content', rows: 4, id: 'reply-content' });
  const st = status();
  const form = h('form', { class: 'card', on: { submit: async ev => {
    ev.preventDefault();
    await busy(form, async () => {
      try {
        const r = await post(`/feedback/${id}/replies`, { content: content.value });
        b.replies = [r].concat(b.replies || []);
        draw();
        content.value = '';
        showErrors(form, st, null);
        st.ok('Reply sent.');
      } catch (e) { showErrors(form, st, e); }
    });
  } } }, h('h2', {}, 'Reply'), field('Answer', content, 'content'), h('button', { type: 'submit', id: 'send-reply' }, 'Send reply'), st);
  return page('Feedback ' + id,
    h('div', { class: 'card' }, kv([
      ['user', h('a', { href: '/admin/users/' + b.user_id }, String(b.user_id))], ['category', String(b.category_id || '')],
      ['contact', b.contact_phone], ['when', when(b.created_at)], ['state', b.status ? 'answered' : 'open']]),
    h('blockquote', { class: 'content', id: 'feedback-content', text: b.content })),
    form, h('div', { class: 'card' }, h('h2', {}, 'Replies'), list));
}
