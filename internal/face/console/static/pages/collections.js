import { h } from '../dom.js';
import { get, del } from '../api.js';
import { page, failure, status } from '../ui.js';
import { table, pager, mediaURL, when, confirmDialog } from '../dom.js';
import { collections, title } from '../catalog.js';

function tabs(all, current) {
  return h('nav', { class: 'tabs' }, all.map(c => h('a', { href: '/admin/collections/' + c.name, class: c.name === current ? 'on' : null }, title(c.name))));
}

export function cell(f, v) {
  if (v === null || v === undefined || v === '') return '';
  if (f && f.media) {
    const first = Array.isArray(v) ? v[0] : v;
    return first ? h('img', { src: mediaURL(first), alt: '', class: 'thumb', loading: 'lazy' }) : '';
  }
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return Object.values(v).filter(Boolean).join(' · ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const s = String(v);
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}

export default async function ({ params, query, nav }) {
  const [name] = params;
  let all;
  try { all = await collections(); } catch (e) { return page('Catalogue', failure(e, 'The catalogue')); }
  const c = all.find(x => x.name === name);
  if (!c) return page('Catalogue', tabs(all, ''), h('p', { class: 'error', text: 'No such collection.' }));
  const no = Number(query.get('page')) || 1;
  const size = Number(query.get('page_size')) || 20;
  let data;
  try { data = await get(`/${name}?page=${no}&page_size=${size}`); } catch (e) { return page(title(name), tabs(all, name), failure(e)); }

  const shown = c.fields.filter(f => f.kind !== 'public_id' && !f.multiline && f.kind !== 'object').slice(0, 5);
  const st = status();
  const cols = [{ label: 'id', get: r => h('a', { href: `/admin/collections/${name}/${r.id}` }, String(r.id)), sort: r => r.id }]
    .concat(shown.map(f => ({ label: f.name, get: r => cell(f, r[f.name]), sort: f.media ? false : r => r[f.name] })))
    .concat([{ label: 'updated', get: r => when(r.updated_at), sort: r => r.updated_at },
      { label: '', sort: false, get: r => h('span', { class: 'actions' },
        h('a', { href: `/admin/collections/${name}/${r.id}`, class: 'button secondary' }, 'Edit'),
        h('button', { type: 'button', class: 'danger', dataset: { del: r.id }, on: { click: async () => {
          if (!await confirmDialog(`Delete ${title(name)} record ${r.id}? This cannot be undone.`)) return;
          try { await del(`/${name}/${r.id}`); nav(location.pathname + location.search, true); } catch (e) { st.bad(e); }
        } } }, 'Delete')) }]);

  const search = h('input', { type: 'search', placeholder: 'Filter this page…', class: 'filter' });
  const holder = h('div');
  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const rows = q ? data.items.filter(r => JSON.stringify(r).toLowerCase().includes(q)) : data.items;
    holder.replaceChildren(table(cols, rows));
  };
  search.addEventListener('input', draw);
  draw();
  return page(title(name), tabs(all, name),
    h('div', { class: 'toolbar' }, search, h('a', { href: `/admin/collections/${name}/new`, class: 'button', id: 'new-record' }, 'New ' + title(name).toLowerCase().replace(/s$/, ''))),
    st, holder, pager(data, p => nav(`/admin/collections/${name}?page=${p}&page_size=${size}`)));
}
