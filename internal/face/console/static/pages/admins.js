import { h, table, when } from '../dom.js';
import { get, post, patch } from '../api.js';
import { page, failure, status, field, showErrors, busy } from '../ui.js';

export default async function ({ nav, session }) {
  const email = h('input', { type: 'email', name: 'email', id: 'admin-email', autocomplete: 'off' });
  const password = h('input', { type: 'password', name: 'password', id: 'admin-password', autocomplete: 'new-password' });
  const st = status();
  const form = h('form', { class: 'card', on: { submit: async ev => {
    ev.preventDefault();
    await busy(form, async () => {
      try { await post('/admins', { email: email.value.trim(), password: password.value }); nav('/admin/admins', true); } catch (e) { showErrors(form, st, e); }
    });
  } } }, h('h2', {}, 'New admin'), h('div', { class: 'row' }, field('E-mail', email, 'email'), field('Password', password, 'password')),
  h('button', { type: 'submit', id: 'create-admin' }, 'Create'), st);
  let list;
  try {
    const r = await get('/admins');
    const items = Array.isArray(r) ? r : r.items || [];
    const lst = status();
    list = [table([
      { label: 'id', get: a => String(a.id), sort: a => a.id },
      { label: 'e-mail', get: a => a.email },
      { label: 'TOTP', get: a => a.totp_enabled ? 'on' : 'off' },
      { label: 'state', get: a => a.disabled ? h('span', { class: 'badge bad' }, 'disabled') : h('span', { class: 'badge' }, 'active') },
      { label: 'created', get: a => when(a.created_at), sort: a => a.created_at },
      { label: '', sort: false, get: a => session.admin && session.admin.id === a.id ? h('span', { class: 'muted' }, 'you') :
        h('button', { type: 'button', class: a.disabled ? 'secondary' : 'danger', dataset: { admin: String(a.id) }, on: { click: async () => {
          try { await patch('/admins/' + a.id, { disabled: !a.disabled }); nav('/admin/admins', true); } catch (e) { lst.bad(e); }
        } } }, a.disabled ? 'Enable' : 'Disable') },
    ], items), lst];
  } catch (e) { list = failure(e, 'The admins list'); }
  return page('Admins', h('div', { class: 'card' }, list), form);
}
