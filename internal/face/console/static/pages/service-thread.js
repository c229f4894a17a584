import { h, when } from '../dom.js';
import { get, post } from '../api.js';
import { page, failure, status, field, showErrors, busy } from '../ui.js';

export default async function ({ params }) {
  const [id] = params;
  let data;
  try { data = await get(`/service-conversations/${id}/messages?page=1&page_size=100`); } catch (e) { return page('Conversation with user ' + id, failure(e)); }
  const msgs = data.items.slice().reverse();
  const list = h('ol', { class: 'chat', id: 'messages' });
  const draw = () => list.replaceChildren(...msgs.map(m => h('li', { class: m.from_user ? 'them' : 'us' },
    h('p', { text: m.content }), h('small', { class: 'muted', text: (m.from_user ? 'user' : 'service') + ' · ' + when(m.created_at) }))));
  draw();
  const content = h('textarea', { name: 'content', rows: 3, id: 'answer-content' });
  const st = status();
  const form = h('form', { class: 'card', on: { submit: async ev => {
    ev.preventDefault();
    await busy(form, async () => {
      try {
        msgs.push(await post(`/service-conversations/${id}/messages`, { content: content.value }));
        draw(); content.value = ''; showErrors(form, st, null); st.ok('Sent.');
      } catch (e) { showErrors(form, st, e); }
    });
  } } }, field('Answer', content, 'content'), h('button', { type: 'submit', id: 'send-answer' }, 'Send'), st);
  return page('Conversation with user ' + id, h('p', {}, h('a', { href: '/admin/users/' + id }, 'Profile of user ' + id)),
    h('div', { class: 'card' }, list), form);
}
