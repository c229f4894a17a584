// Pieces every page uses: headings, "not available", messages, form errors.
import { h, clear } from './dom.js';

export function page(title, ...children) {
  document.title = title + ' · plaza console';
  return h('section', { class: 'page' }, h('h1', { text: title }), children);
}

// unavailable is what a page shows when the server lacks its API route.
export function unavailable(what) {
  return h('p', { class: 'unavailable', text: `${what}: not available on this server.` });
}

// failure shows an API error (or unavailable when the route is missing).
export function failure(e, what = 'This') {
  if (e && e.missing) return unavailable(what);
  return h('p', { class: 'error', role: 'alert', text: e && e.message ? e.message : String(e) });
}

// status is a line that says how the last action went.
export function status() {
  const el = h('p', { class: 'status', role: 'status' });
  el.ok = m => { el.className = 'status ok'; el.textContent = m; };
  el.bad = e => { el.className = 'status error'; el.textContent = e && e.missing ? 'not available on this server' : (e.message || String(e)); };
  el.reset = () => { el.className = 'status'; el.textContent = ''; };
  return el;
}

// field is a labelled control with a place for its error message.
export function field(label, control, name, hint) {
  return h('div', { class: 'field', dataset: { name: name || control.name || '' } },
    h('label', {}, h('span', { class: 'label', text: label }), control),
    hint ? h('small', { class: 'muted', text: hint }) : null,
    h('small', { class: 'field-error', role: 'alert' }));
}

// showErrors puts an API error beside the field it names (error.field),
// else in the form's status line; it clears earlier ones.
export function showErrors(form, st, e) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
  if (e && e.field) {
    const names = [e.field, e.field.split('.')[0], e.field.split('[')[0], e.field.split('_')[0]];
    for (const n of names) {
      const f = form.querySelector(`.field[data-name="${CSS.escape(n)}"]`);
      if (f) {
        f.classList.add('invalid');
        f.querySelector('.field-error').textContent = e.message;
        st.bad({ message: 'Please correct ' + n + '.' });
        return;
      }
    }
  }
  if (e) st.bad(e); else st.reset();
}

// busy disables a form's buttons while f runs (one click, one request).
export async function busy(form, f) {
  const buttons = [...form.querySelectorAll('button')];
  if (form.dataset.busy) return;
  form.dataset.busy = '1';
  buttons.forEach(b => { b.disabled = true; });
  try { return await f(); } finally {
    delete form.dataset.busy;
    buttons.forEach(b => { b.disabled = false; });
  }
}

export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v === '' || v === null || v === undefined ? '—' : v)]));
}

export function replaceWith(el, node) { clear(el).append(node); }
