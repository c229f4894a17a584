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

// The list of a collection: searched (?q=) and sorted (?sort=) by the
// server over all its records, paged.
export default async function ({ params, query, nav }) {
  const [name] = params;
  let all;
  try { all = await collections(); } catch (e) { return page('Catalogue', failure(e, 'The catalogue')); }
  const c = all.find(x => x.name === name);
  if (!c) return page('Catalogue', tabs(all, ''), h('p', { class: 'error', text: 'No such collection.' }));
  const no = Number(query.get('page')) || 1;
  const size = Number(query.get('page_size')) || 20;
  const q = query.get('q') || '';
  const sort = query.get('sort') || '';
  const here = (over = {}) => {
    const u = new URLSearchParams();
    const v = { q, sort, page: 1, page_size: size, ...over };
    if (v.q) u.set('q', v.q);
    if (v.sort) u.set('sort', v.sort);
    if (v.page > 1) u.set('page', v.page);
    if (v.page_size !== 20) u.set('page_size', v.page_size);
    const s = u.toString();
    return `/admin/collections/${name}` + (s ? '?' + s : '');
  };

  const search = h('input', { type: 'search', name: 'q', value: q, placeholder: 'Search ' + title(name).toLowerCase() + '…', class: 'filter', id: 'record-q' });
  const form = h('form', { class: 'search', on: { submit: ev => { ev.preventDefault(); nav(here({ q: search.value.trim() })); } } },
    search, h('button', { type: 'submit', class: 'secondary' }, 'Search'));
  const toolbar = h('div', { class: 'toolbar' }, form,
    h('a', { href: `/admin/collections/${name}/new`, class: 'button', id: 'new-record' }, 'New ' + title(name).toLowerCase().replace(/s$/, '')));
  let data;
  try {
    const api = new URLSearchParams({ page: no, page_size: size });
    if (q) api.set('q', q);
    if (sort) api.set('sort', sort);
    data = await get(`/${name}?${api}`);
  } catch (e) { return page(title(name), tabs(all, name), toolbar, failure(e)); }

  const shown = c.fields.filter(f => f.kind !== 'public_id' && !f.multiline && f.kind !== 'object').slice(0, 5);
  const st = status();
  const cols = [{ label: 'id', get: r => h('a', { href: `/admin/collections/${name}/${r.id}` }, String(r.id)), sort: 'id' }]
    .concat(shown.map(f => ({ label: f.name, get: r => cell(f, r[f.name]), sort: f.sortable ? f.name : false })))
    .concat([{ label: 'updated', get: r => when(r.updated_at), sort: 'updated_at' },
      { label: '', sort: false, get: r => h('span', { class: 'actions' },
        h('a', { href: `/admin/collections/${name}/${r.id}`, class: 'button secondary' }, 'Edit'),
        h('button', { type: 'button', class: 'danger', dataset: { del: r.id }, on: { click: async () => {
          if (!await confirmDialog(`Delete ${title(name)} record ${r.id}? This cannot be undone.`)) return;
          try { await del(`/${name}/${r.id}`); nav(location.pathname + location.search, true); } catch (e) { st.bad(e); }
        } } }, 'Delete')) }]);

  return page(title(name), tabs(all, name), toolbar, st,
    table(cols, data.items, { empty: q ? 'Nothing matches.' : 'No records yet.', order: { by: sort, go: by => nav(here({ sort: by })) } }),
    pager(data, p => nav(here({ page: p }))));
}
