import { h, when } from '../dom.js';
import { get } from '../api.js';
import { page, failure, status } from '../ui.js';

function json(v) {
  if (v === undefined || v === null || v === '') return '';
  return h('pre', { class: 'json', text: typeof v === 'string' ? v : JSON.stringify(v, null, 1) });
}

export default async function ({ query, nav }) {
  const admin = query.get('admin_id') || '';
  const action = query.get('action') || '';
  const a = h('input', { type: 'text', name: 'admin_id', value: admin, placeholder: 'admin id', id: 'audit-admin' });
  const act = h('input', { type: 'text', name: 'action', value: action, placeholder: 'action, e.g. POST /admin/v1/masters', id: 'audit-action' });
  const filter = h('form', { class: 'toolbar', on: { submit: ev => { ev.preventDefault(); nav(`/admin/audit?admin_id=${encodeURIComponent(a.value.trim())}&action=${encodeURIComponent(act.value.trim())}`); } } },
    a, act, h('button', { type: 'submit', id: 'audit-filter' }, 'Filter'));
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'audit-more' }, 'Older');
  const st = status();
  let cursor = '';
  const load = async () => {
    const p = await get(`/audit?admin_id=${encodeURIComponent(admin)}&action=${encodeURIComponent(action)}` + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    for (const e of p.entries || p.items || []) {
      rows.append(h('tr', { class: 'audit-entry' },
        h('td', { text: when(e.created_at || e.at) }), h('td', { text: e.admin_email || ('admin ' + (e.admin_id ?? '')) }),
        h('td', { text: e.action || '' }), h('td', { text: [e.target_kind || e.object || e.target || '', e.target_id || ''].join(' ').trim() }),
        h('td', {}, json(e.before)), h('td', {}, json(e.after)), h('td', { text: e.ip || '' })));
    }
    if (!rows.children.length) rows.append(h('tr', {}, h('td', { colspan: 7, class: 'muted', text: 'Nothing recorded.' })));
    cursor = p.next_cursor || '';
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load().catch(e => st.bad(e)));
  try { await load(); } catch (e) { return page('Audit log', filter, failure(e, 'The audit log')); }
  return page('Audit log', filter, h('table', { class: 'grid audit' },
    h('thead', {}, h('tr', {}, ['when', 'who', 'action', 'object', 'before', 'after', 'from'].map(t => h('th', { text: t })))), rows), more, st);
}
