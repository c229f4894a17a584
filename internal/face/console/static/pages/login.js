import { h } from '../dom.js';
import { login } from '../api.js';
import { field, status, showErrors, busy } from '../ui.js';

export default async function ({ query, nav, signedInAs }) {
  document.title = 'Sign in · plaza console';
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, id: 'email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, id: 'password' });
  const totp = h('input', { type: 'text', name: 'totp', autocomplete: 'one-time-code', inputmode: 'numeric', id: 'totp', placeholder: '123456' });
  const recovery = h('input', { type: 'text', name: 'recovery_code', id: 'recovery', placeholder: 'or a recovery code' });
  const second = h('div', { class: 'second', hidden: true }, field('Code from the authenticator app', totp, 'totp'), field('Recovery code', recovery, 'recovery_code'));
  const st = status();
  const form = h('form', { class: 'login card', on: { submit: async ev => {
    ev.preventDefault();
    await busy(form, async () => {
      try {
        await login(email.value.trim(), password.value, totp.value.trim(), recovery.value.trim());
        signedInAs();
        const next = query.get('next');
        nav(next && next.startsWith('/admin/') && !next.startsWith('/admin/login') ? next : '/admin/', true);
      } catch (e) {
        if (e.code === 'totp_required' || e.code === 'totp_invalid') {
          second.hidden = false;
          totp.focus();
        }
        showErrors(form, st, e);
      }
    });
  } } },
  h('h1', {}, 'plaza console'),
  field('E-mail', email, 'email'),
  field('Password', password, 'password'),
  second,
  h('button', { type: 'submit', id: 'signin' }, 'Sign in'),
  st);
  setTimeout(() => email.focus());
  return h('div', { class: 'login-wrap' }, form);
}
