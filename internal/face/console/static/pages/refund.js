// refundForm asks for a reason and posts a refund; not a page.
import { h, confirmDialog } from '../dom.js';
import { post } from '../api.js';
import { status, field, showErrors, busy } from '../ui.js';

export function refundForm(path, done) {
  const reason = h('input', { type: 'text', name: 'reason', id: 'refund-reason', placeholder: 'why (kept in the ledger and the audit log)' });
  const st = status();
  const form = h('form', { class: 'card', on: { submit: async ev => {
    ev.preventDefault();
    if (form.dataset.busy || !(await confirmDialog('Refund this order? What paid it is given back and what it bought is released.', 'Refund'))) return;
    await busy(form, async () => {
      try { const r = await post(path, { reason: reason.value.trim() }); st.ok('Refunded: the payment is reversed in the ledger.'); done(r); } catch (e) { showErrors(form, st, e); }
    });
  } } }, h('h2', {}, 'Refund'), field('Reason', reason, 'reason'), h('button', { type: 'submit', class: 'danger', id: 'refund' }, 'Refund this order'), st);
  return form;
}
