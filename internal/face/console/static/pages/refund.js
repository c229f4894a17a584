// refundForm asks for a reason and posts a refund; not a page.
import { h, confirmDialog } from '../dom.js';
import { post } from '../api.js';
import { status, field, showErrors, busy } from '../ui.js';

// What a refund did, by what paid: plaza gives back what went through
// its ledger; a vendor's money goes back in the vendor's console.
const outcomes = {
  wallet: 'Refunded: the payment is credited back to the wallet (a ledger reversal).',
  diamond: 'Refunded: the diamonds are credited back (a ledger reversal).',
  sandbox: 'Refunded: marked refunded (a sandbox payment: no money moved).',
  wechat: 'Marked refunded. Give the money back in the WeChat Pay merchant console: plaza does not send vendor refunds.',
  alipay: 'Marked refunded. Give the money back in the Alipay merchant console: plaza does not send vendor refunds.',
};

// refundForm posts a refund of the order at path, paid by paidBy (a
// pay_method, or 'diamond'); done gets the API's answer.
export function refundForm(path, paidBy, done) {
  const reason = h('input', { type: 'text', name: 'reason', id: 'refund-reason', placeholder: 'why (kept in the ledger and the audit log)' });
  const st = status();
  const form = h('form', { class: 'card', on: { submit: async ev => {
    ev.preventDefault();
    if (form.dataset.busy || !(await confirmDialog('Refund this order? What paid it is given back and what it bought is released.', 'Refund'))) return;
    await busy(form, async () => {
      try { const r = await post(path, { reason: reason.value.trim() }); st.ok(outcomes[paidBy] || 'Refunded.'); done(r); } catch (e) { showErrors(form, st, e); }
    });
  } } }, h('h2', {}, 'Refund'), field('Reason', reason, 'reason'), h('button', { type: 'submit', class: 'danger', id: 'refund' }, 'Refund this order'), st);
  return form;
}
