import { h, mediaURL, confirmDialog, when } from '../dom.js';
import { get, post, patch, del } from '../api.js';
import { page, failure, status, field, showErrors, busy } from '../ui.js';
import { collections, title } from '../catalog.js';

// upload sends one image to the media core; resolves {id, url}.
export async function upload(file) {
  const fd = new FormData();
  fd.append('file', file);
  return post('/media', fd);
}

// control makes the input of one field and a read(): value | undefined (not sent).
function control(f, value, creating) {
  const id = 'f-' + f.name;
  const ro = f.read_only || (f.kind === 'public_id' && !creating);
  let el, read;
  switch (f.kind) {
    case 'bool':
      el = h('input', { type: 'checkbox', id, name: f.name, checked: !!value, disabled: ro });
      read = () => el.checked;
      break;
    case 'int':
      el = h('input', { type: 'number', id, name: f.name, value: value ?? '', step: 1, disabled: ro });
      read = () => el.value === '' ? (f.null && !creating ? null : undefined) : Number(el.value);
      break;
    case 'enum':
      el = h('select', { id, name: f.name, disabled: ro }, f.required ? null : h('option', { value: '' }, '—'),
        (f.options || []).map(o => h('option', { value: o, selected: o === value }, o)));
      read = () => el.value;
      break;
    case 'ref':
      el = h('input', { type: 'text', id, name: f.name, value: value ?? '', placeholder: `id of a ${f.ref || 'record'}`, disabled: ro });
      read = () => { const v = el.value.trim(); if (v === '') return creating ? undefined : null; return /^\d+$/.test(v) ? Number(v) : v; };
      break;
    case 'list':
      el = h('textarea', { id, name: f.name, rows: 3, placeholder: 'one per line', disabled: ro });
      el.value = (value || []).join('\n');
      read = () => el.value.split('\n').map(s => s.trim()).filter(Boolean);
      break;
    case 'object': {
      const subs = (f.sub || []).map(s => control(s, value ? value[s.name] : '', creating));
      el = h('fieldset', { class: 'object', id }, subs.map((s, i) => field(f.sub[i].name, s.el, f.name + '_' + f.sub[i].name)));
      read = () => {
        const o = {};
        f.sub.forEach((s, i) => { o[s.name] = subs[i].read() ?? ''; });
        return Object.values(o).every(v => v === '') ? null : o;
      };
      break;
    }
    default:
      if (f.multiline) {
        el = h('textarea', { id, name: f.name, rows: 5, disabled: ro });
        el.value = value ?? '';
      } else {
        el = h('input', { type: 'text', id, name: f.name, value: value ?? '', disabled: ro });
      }
      read = () => el.value;
  }
  if (ro) read = () => undefined;
  if (f.media && !ro) return mediaControl(f, el, read);
  return { el, read };
}

// mediaControl adds an upload button and a preview to an image field.
function mediaControl(f, input, read) {
  const previews = h('div', { class: 'previews' });
  const st = h('small', { class: 'muted upload-status' });
  const values = () => f.kind === 'list' ? input.value.split('\n').map(s => s.trim()).filter(Boolean) : [input.value.trim()].filter(Boolean);
  const draw = () => previews.replaceChildren(...values().map(v => h('img', { src: mediaURL(v), alt: '', class: 'preview' })));
  input.addEventListener('change', draw);
  const file = h('input', { type: 'file', accept: 'image/*', multiple: f.kind === 'list', class: 'file', name: f.name + '-file', on: { change: async () => {
    for (const fl of file.files) {
      const local = URL.createObjectURL(fl);
      previews.append(h('img', { src: local, alt: '', class: 'preview pending' }));
      st.textContent = 'Uploading ' + fl.name + '…';
      try {
        const m = await upload(fl);
        input.value = f.kind === 'list' ? values().concat(m.id).join('\n') : m.id;
        st.textContent = 'Uploaded ' + m.id;
        input.dataset.url = m.url;
      } catch (e) {
        st.textContent = e.missing ? 'uploads are not available on this server' : e.message;
      }
      URL.revokeObjectURL(local);
      draw();
    }
    file.value = '';
  } } });
  draw();
  return { el: h('div', { class: 'media' }, input, file, st, previews), read };
}

export default async function ({ params, nav }) {
  const [name, which] = params;
  const creating = which === 'new';
  let all;
  try { all = await collections(); } catch (e) { return page('Catalogue', failure(e, 'The catalogue')); }
  const c = all.find(x => x.name === name);
  if (!c) return page('Catalogue', h('p', { class: 'error', text: 'No such collection.' }));
  let rec = {};
  if (!creating) {
    try { rec = await get(`/${name}/${which}`); } catch (e) { return page(title(name), failure(e)); }
  }
  const ctrls = c.fields.map(f => [f, control(f, rec[f.name], creating)]);
  const st = status();
  const form = h('form', { class: 'card record', novalidate: true, on: { submit: async ev => {
    ev.preventDefault();
    await busy(form, async () => {
      const body = {};
      for (const [f, k] of ctrls) {
        const v = k.read();
        if (v === undefined) continue;
        if (creating && (v === '' || v === null || (Array.isArray(v) && !v.length))) continue;
        body[f.name] = v;
      }
      try {
        const saved = creating ? await post('/' + name, body) : await patch(`/${name}/${which}`, body);
        showErrors(form, st, null);
        if (creating) { nav(`/admin/collections/${name}/${saved.id}?saved=1`, true); return; }
        st.ok('Saved.');
      } catch (e) {
        showErrors(form, st, e);
      }
    });
  } } },
  ctrls.map(([f, k]) => field(f.name + (f.required ? ' *' : ''), k.el, f.name,
    [f.kind === 'ref' ? `the id of a ${f.ref}` : '', f.media ? 'a media id: upload an image' : ''].filter(Boolean).join('; '))),
  h('div', { class: 'actions' },
    h('button', { type: 'submit', id: 'save' }, creating ? 'Create' : 'Save'),
    creating ? null : h('button', { type: 'button', class: 'danger', id: 'delete', on: { click: async () => {
      if (!await confirmDialog(`Delete ${title(name)} record ${which}? This cannot be undone.`)) return;
      try { await del(`/${name}/${which}`); nav('/admin/collections/' + name, true); } catch (e) { st.bad(e); }
    } } }, 'Delete'),
    h('a', { href: '/admin/collections/' + name, class: 'button secondary' }, 'Back to the list')),
  st);
  if (new URLSearchParams(location.search).get('saved')) st.ok('Created.');
  return page(creating ? 'New ' + title(name).toLowerCase() : `${title(name)} ${which}`,
    creating ? null : h('p', { class: 'muted', text: `created ${when(rec.created_at)} · updated ${when(rec.updated_at)}` + (rec.master_id ? ' · ' + rec.master_id : '') }),
    form);
}
