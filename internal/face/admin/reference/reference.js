// The reference page of the admin API: fetches openapi.json and shows its
// paths, parameters and schemas. Every text is set with textContent.

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
};
const text = (s) => document.createTextNode(s == null ? '' : String(s));
const slug = (s) => s.replace(/[^A-Za-z0-9_-]+/g, '-');

let doc;

// resolve follows a local $ref (#/components/...).
function resolve(ref) {
  let v = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) v = v && v[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v || {};
}

// refLink is a link to a component schema.
function refLink(ref) {
  const name = ref.split('/').pop();
  return el('a', { href: '#schema-' + slug(name), text: name });
}

// typeOf says a schema's type in a few words.
function typeOf(s) {
  if (s.$ref) return null;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type;
  if (t === 'array' && s.items) return 'array of';
  return t || (s.allOf ? 'all of' : s.oneOf ? 'one of' : s.anyOf ? 'any of' : 'any');
}

const keywords = ['format', 'enum', 'const', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'pattern', 'default', 'readOnly', 'deprecated'];

// schemaNode renders a schema as a tree; depth stops runaway recursion.
function schemaNode(s, depth = 0) {
  const box = el('div', { class: 'schema' });
  if (!s || depth > 8) return box;
  if (s.$ref) {
    box.append(refLink(s.$ref));
    if (s.description) box.append(el('span', { class: 'note', text: ' — ' + s.description }));
    return box;
  }
  const head = el('span');
  const t = typeOf(s);
  head.append(el('code', { text: t }));
  const notes = [];
  for (const k of keywords) if (s[k] !== undefined) notes.push(k + ': ' + JSON.stringify(s[k]));
  if (s.additionalProperties === false) notes.push('no other properties');
  if (notes.length) head.append(el('span', { class: 'note', text: ' (' + notes.join(', ') + ')' }));
  if (s.description) head.append(el('span', { class: 'note', text: ' — ' + s.description }));
  box.append(head);
  if (s.items && !Array.isArray(s.items)) box.append(el('ul', {}, el('li', {}, schemaNode(s.items, depth + 1))));
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    if (!s[k]) continue;
    const ul = el('ul');
    for (const sub of s[k]) ul.append(el('li', {}, schemaNode(sub, depth + 1)));
    box.append(ul);
  }
  if (s.properties) {
    const req = new Set(s.required || []);
    const ul = el('ul');
    for (const [name, sub] of Object.entries(s.properties)) {
      const li = el('li', {}, el('code', { text: name }));
      if (req.has(name)) li.append(el('span', { class: 'req', text: ' *' }));
      li.append(text(': '));
      li.append(schemaNode(sub, depth + 1));
      ul.append(li);
    }
    box.append(ul);
  } else if (s.required && s.required.length) {
    box.append(el('div', { class: 'note', text: 'requires ' + s.required.join(', ') }));
  }
  return box;
}

function parameters(list) {
  const table = el('table', {}, el('tr', {}, el('th', { text: 'name' }), el('th', { text: 'in' }), el('th', { text: 'schema' }), el('th', { text: 'description' })));
  for (let p of list) {
    if (p.$ref) p = Object.assign({}, resolve(p.$ref), p.description ? { description: p.description } : {});
    const name = el('td', {}, el('code', { text: p.name }));
    if (p.required) name.append(el('span', { class: 'req', text: ' *' }));
    table.append(el('tr', {}, name, el('td', { text: p.in }), el('td', {}, schemaNode(p.schema || {})), el('td', { text: p.description || '' })));
  }
  return table;
}

function content(c) {
  const out = el('div');
  for (const [type, media] of Object.entries(c || {})) {
    out.append(el('div', { class: 'note', text: type }));
    if (media.schema) out.append(schemaNode(media.schema));
  }
  return out;
}

function operation(path, method, op, item) {
  const id = 'op-' + slug(op.operationId || method + path);
  const sec = el('section', { class: 'op', id });
  sec.append(el('div', {}, el('span', { class: 'method ' + method, text: method.toUpperCase() }), el('span', { class: 'path', text: path })));
  if (op.summary) sec.append(el('p', { text: op.summary }));
  if (op.description) sec.append(el('p', { class: 'desc', text: op.description }));
  const sec0 = op.security || doc.security || [];
  sec.append(el('p', { class: 'note', text: sec0.length ? 'Needs a session: ' + sec0.map((r) => Object.keys(r).join(' + ')).join(' or ') + '.' : 'No session needed.' }));
  const params = [...(item.parameters || []), ...(op.parameters || [])];
  if (params.length) sec.append(el('h4', { text: 'Parameters' }), parameters(params));
  if (op.requestBody) {
    let b = op.requestBody.$ref ? resolve(op.requestBody.$ref) : op.requestBody;
    sec.append(el('h4', { text: 'Request body' + (b.required ? ' (required)' : '') }), content(b.content));
  }
  sec.append(el('h4', { text: 'Responses' }));
  const table = el('table');
  for (const [status, r0] of Object.entries(op.responses || {})) {
    const r = r0.$ref ? resolve(r0.$ref) : r0;
    const desc = el('td', { text: r.description || '' });
    if (r.content) desc.append(content(r.content));
    table.append(el('tr', {}, el('td', { class: 'status', text: status }), desc));
  }
  sec.append(table);
  return [id, sec];
}

function render() {
  document.title = (doc.info && doc.info.title) || document.title;
  document.getElementById('title').textContent = document.title + ' ' + ((doc.info && doc.info.version) || '');
  const main = document.getElementById('content');
  const toc = document.getElementById('toc');
  main.replaceChildren();
  toc.replaceChildren();
  if (doc.info && doc.info.description) main.append(el('p', { class: 'desc', text: doc.info.description }));

  // Operations by tag, in the order of the document's tags.
  const byTag = new Map();
  for (const t of doc.tags || []) byTag.set(t.name, { tag: t, ops: [] });
  const methods = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
  for (const [path, item] of Object.entries(doc.paths || {}).sort()) {
    for (const m of methods) {
      const op = item[m];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, { tag: { name: tag }, ops: [] });
      byTag.get(tag).ops.push([path, m, op, item]);
    }
  }
  for (const { tag, ops } of byTag.values()) {
    if (!ops.length) continue;
    main.append(el('h2', { id: 'tag-' + slug(tag.name), text: tag.name }));
    if (tag.description) main.append(el('p', { class: 'desc', text: tag.description }));
    toc.append(el('h3', {}, el('a', { href: '#tag-' + slug(tag.name), text: tag.name })));
    for (const [path, m, op, item] of ops) {
      const [id, sec] = operation(path, m, op, item);
      main.append(sec);
      toc.append(el('a', { href: '#' + id, text: m.toUpperCase() + ' ' + path }));
    }
  }

  // Schemas.
  const schemas = Object.entries((doc.components && doc.components.schemas) || {}).sort(([a], [b]) => a.localeCompare(b));
  main.append(el('h2', { id: 'schemas', text: 'Schemas' }));
  toc.append(el('h3', {}, el('a', { href: '#schemas', text: 'Schemas' })));
  for (const [name, s] of schemas) {
    main.append(el('section', { class: 'op', id: 'schema-' + slug(name) }, el('h4', {}, el('code', { text: name })), schemaNode(s)));
    toc.append(el('a', { href: '#schema-' + slug(name), text: name }));
  }
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
}

async function load() {
  const status = document.getElementById('status');
  try {
    const res = await fetch('openapi.json', { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    doc = await res.json();
    render();
  } catch (err) {
    status.textContent = 'Could not load openapi.json: ' + err.message;
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', load);
else load();
