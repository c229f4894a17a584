// Small DOM helpers. Every text goes in with textContent or text nodes,
// never innerHTML; event handlers are listeners, never attributes.

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'multiple', 'readOnly', 'required', 'type', 'name', 'placeholder', 'rows', 'accept', 'min', 'max', 'step', 'htmlFor', 'id', 'autocomplete', 'title', 'open']);

// h makes an element: h('a', {href: '/admin/', class: 'x', on: {click: f}}, 'text', child...).
export function h(tag, props, ...children) {
  const el = tag.startsWith('svg:') ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    } else if (k === 'class') {
      el.setAttribute('class', v);
    } else if (k === 'text') {
      el.textContent = String(v);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k.toLowerCase().startsWith('on') || k === 'style' || k === 'innerHTML') {
      throw new Error('refused attribute ' + k);
    } else if (PROPS.has(k) && !(el instanceof SVGElement)) {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  add(el, children);
  return el;
}

export function add(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// when shows an RFC 3339 time briefly in the browser's zone.
export function when(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return String(s);
  return d.toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

// mediaURL is where a media id (or an image URL) is shown from.
export function mediaURL(v) {
  if (!v) return '';
  if (/^(https?:|\/|data:|blob:)/.test(v)) return v;
  return '/media/' + encodeURIComponent(v);
}

// safeURL keeps http(s) and same-site URLs only (a link an operator follows).
export function safeURL(v) {
  return /^(https?:\/\/|\/)/.test(v || '') ? v : '';
}

// randomKey is a fresh idempotency key (works outside secure contexts too).
export function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

// confirmDialog asks a yes/no question in a <dialog>; resolves true on yes.
export function confirmDialog(question, yes = 'Delete') {
  return new Promise(resolve => {
    const dlg = h('dialog', { class: 'confirm' },
      h('p', { text: question }),
      h('form', { method: 'dialog' },
        h('button', { value: 'no', type: 'submit', class: 'secondary' }, 'Cancel'),
        h('button', { value: 'yes', type: 'submit', class: 'danger', id: 'confirm-yes' }, yes)));
    dlg.addEventListener('close', () => { resolve(dlg.returnValue === 'yes'); dlg.remove(); });
    document.body.append(dlg);
    dlg.showModal();
  });
}

// table draws rows as a table: cols are [{label, get(row) -> text|Node, sort?}].
// A column's sort is false (none), a key function (the rows shown are
// sorted in the page), or with opts.order a field name the server sorts
// by: opts.order is {by: 'name' or '-name', go(by)}, which loads the list
// in that order.
export function table(cols, rows, opts = {}) {
  let sorted = rows.slice();
  let by = -1, dir = 1;
  const tbody = h('tbody');
  const draw = () => {
    clear(tbody);
    if (!sorted.length) tbody.append(h('tr', {}, h('td', { colspan: cols.length, class: 'muted', text: opts.empty || 'Nothing here.' })));
    for (const r of sorted) tbody.append(h('tr', { class: opts.rowClass ? opts.rowClass(r) : null }, cols.map(c => h('td', {}, c.get(r)))));
  };
  const header = (c, i) => {
    if (c.sort === false) return c.label;
    if (typeof c.sort === 'string' && opts.order) {
      const cur = opts.order.by || '';
      const on = cur.replace(/^-/, '') === c.sort;
      const desc = on && cur.startsWith('-');
      return h('button', { type: 'button', class: 'link sort' + (on ? ' on' : ''), dataset: { sort: c.sort },
        title: 'sort by ' + c.label, on: { click: () => opts.order.go(on && !desc ? '-' + c.sort : c.sort) } },
        c.label + (on ? (desc ? ' ▼' : ' ▲') : ''));
    }
    return h('button', { type: 'button', class: 'link sort', on: { click: () => {
      dir = by === i ? -dir : 1; by = i;
      const key = typeof c.sort === 'function' ? c.sort : (r => { const v = c.get(r); return v instanceof Node ? v.textContent : v; });
      sorted = rows.slice().sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * dir; });
      draw();
    } } }, c.label);
  };
  const head = h('tr', {}, cols.map((c, i) => h('th', {}, header(c, i))));
  draw();
  return h('table', { class: 'grid' }, h('thead', {}, head), tbody);
}

// pager draws previous/next links for a {total, page, page_size} answer.
export function pager(data, go) {
  const pages = Math.max(1, Math.ceil((data.total || 0) / (data.page_size || 20)));
  return h('div', { class: 'pager' },
    h('button', { type: 'button', class: 'secondary', disabled: data.page <= 1, on: { click: () => go(data.page - 1) } }, '‹ Previous'),
    h('span', { class: 'muted', text: `page ${data.page} of ${pages} · ${data.total} in all` }),
    h('button', { type: 'button', class: 'secondary', disabled: data.page >= pages, on: { click: () => go(data.page + 1) } }, 'Next ›'));
}
