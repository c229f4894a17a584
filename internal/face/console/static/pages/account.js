import { h } from '../dom.js';
import { post, del } from '../api.js';
import { page, status, field, showErrors, busy, kv } from '../ui.js';

function passwordForm() {
  const oldp = h('input', { type: 'password', name: 'old_password', autocomplete: 'current-password', id: 'old-password' });
  const newp = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', id: 'new-password' });
  const st = status();
  const form = h('form', { class: 'card', on: { submit: async ev => {
    ev.preventDefault();
    await busy(form, async () => {
      try { await post('/admins/me/password', { old_password: oldp.value, new_password: newp.value }); oldp.value = newp.value = ''; showErrors(form, st, null); st.ok('Password changed.'); } catch (e) { showErrors(form, st, e); }
    });
  } } }, h('h2', {}, 'Password'), field('Current password', oldp, 'old_password'), field('New password', newp, 'new_password'),
  h('button', { type: 'submit', id: 'change-password' }, 'Change password'), st);
  return form;
}

function totpBox(session) {
  const st = status();
  const body = h('div');
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', placeholder: '123456', id: 'totp-code' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', id: 'totp-password' });
  const start = h('form', { on: { submit: async ev => {
    ev.preventDefault();
    try {
      const r = await post('/admins/me/totp', { password: password.value });
      password.value = '';
      const confirm = h('form', { on: { submit: async ev => {
        ev.preventDefault();
        await busy(confirm, async () => {
          try {
            const c = await post('/admins/me/totp/confirm', { code: code.value.trim() });
            body.replaceChildren(h('p', {}, 'TOTP is on. Keep these recovery codes somewhere safe; each works once:'),
              h('ol', { class: 'codes', id: 'recovery-codes' }, (c.recovery_codes || []).map(x => h('li', {}, h('code', { text: x })))));
            if (session.admin) session.admin.totp_enabled = true;
            st.ok('Enrolled.');
          } catch (e) { showErrors(confirm, st, e); }
        });
      } } }, field('Code shown by the app', code, 'code'), h('button', { type: 'submit', id: 'totp-confirm' }, 'Confirm'));
      body.replaceChildren(
        h('p', {}, 'Scan this code with an authenticator app, then type the code it shows.'),
        h('img', { src: r.qr_png, alt: 'TOTP QR code', class: 'qr', id: 'totp-qr' }),
        h('p', {}, 'Or enter the secret: ', h('code', { text: r.secret, id: 'totp-secret' }),
          /^otpauth:\/\//.test(r.otpauth_url || '') ? [' or ', h('a', { href: r.otpauth_url, id: 'totp-uri' }, 'open it in an authenticator app')] : null), confirm);
    } catch (e) { showErrors(start, st, e); }
  } } }, field('Your password', password, 'password'), h('button', { type: 'submit', id: 'totp-start' }, 'Turn on TOTP'));
  const offCode = h('input', { type: 'text', name: 'code', inputmode: 'numeric', placeholder: '123456' });
  const off = h('form', { on: { submit: async ev => {
    ev.preventDefault();
    try { await del('/admins/me/totp', { code: offCode.value.trim() }); st.ok('TOTP is off.'); if (session.admin) session.admin.totp_enabled = false; } catch (e) { showErrors(off, st, e); }
  } } }, field('Code to turn TOTP off', offCode, 'code'), h('button', { type: 'submit', class: 'danger' }, 'Turn off TOTP'));
  body.append(session.admin && session.admin.totp_enabled ? off : start);
  return h('div', { class: 'card' }, h('h2', {}, 'Second factor (TOTP)'), body, st);
}

export default async function ({ session }) {
  return page('Your account',
    h('div', { class: 'card' }, kv([['e-mail', session.admin ? session.admin.email : ''], ['session', 'cookie (CSRF-protected)'],
      ['expires', session.expires || '']])),
    passwordForm(), totpBox(session));
}
