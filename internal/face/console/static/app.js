// The console's entry: the router over the pages (one module each).
import { h, add, clear } from './dom.js';
import { session, resume, logout, setUnauthorized } from './api.js';

const routes = [
  [/^\/admin\/login$/, 'login', ''],
  [/^\/admin\/?$/, 'dashboard', 'Dashboard'],
  [/^\/admin\/collections\/([a-z-]+)$/, 'collections', 'Catalogue'],
  [/^\/admin\/collections\/([a-z-]+)\/(new|\d+)$/, 'record', 'Catalogue'],
  [/^\/admin\/users$/, 'users', 'Users'],
  [/^\/admin\/users\/(\d+)$/, 'user', 'Users'],
  [/^\/admin\/feedback$/, 'feedback', 'Feedback'],
  [/^\/admin\/feedback\/(\d+)$/, 'feedback-item', 'Feedback'],
  [/^\/admin\/service$/, 'service', 'Service'],
  [/^\/admin\/service\/(\d+)$/, 'service-thread', 'Service'],
  [/^\/admin\/pushes$/, 'pushes', 'Pushes'],
  [/^\/admin\/pushes\/(\d+)$/, 'push', 'Pushes'],
  [/^\/admin\/orders$/, 'orders', 'Orders'],
  [/^\/admin\/orders\/(\d+)$/, 'order', 'Orders'],
  [/^\/admin\/exchange-orders\/([^/]+)$/, 'exchange-order', 'Orders'],
  [/^\/admin\/audit$/, 'audit', 'Audit'],
  [/^\/admin\/admins$/, 'admins', 'Admins'],
  [/^\/admin\/account$/, 'account', 'Account'],
];

const menu = [
  ['/admin/', 'Dashboard'], ['/admin/collections/masters', 'Catalogue'], ['/admin/users', 'Users'],
  ['/admin/feedback', 'Feedback'], ['/admin/service', 'Service'], ['/admin/pushes', 'Pushes'],
  ['/admin/orders', 'Orders'], ['/admin/audit', 'Audit'], ['/admin/admins', 'Admins'], ['/admin/account', 'Account'],
];

let signedIn = false;

export function nav(path, replace) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  render();
}

async function render() {
  const app = document.getElementById('app');
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  let route = routes.find(([re]) => re.test(path));
  if (!route) route = [null, 'missing', ''];
  const [re, name, section] = route;
  if (name !== 'login' && !signedIn) {
    nav('/admin/login?next=' + encodeURIComponent(path + location.search), true);
    return;
  }
  drawTop(section);
  document.body.dataset.page = name;
  delete document.body.dataset.ready;
  const params = re ? path.match(re).slice(1) : [];
  clear(app).append(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const mod = await import('./pages/' + name + '.js');
    const node = await mod.default({ params, query, nav, session, signedInAs });
    if (location.pathname !== path) return; // navigated away meanwhile
    clear(app).append(node);
  } catch (e) {
    clear(app).append(h('div', { class: 'error-box' }, h('h1', {}, 'Something went wrong'), h('p', { text: e.message })));
    console.error(e);
  }
  document.body.dataset.ready = '1';
}

function drawTop(section) {
  const top = document.getElementById('top');
  top.hidden = !signedIn;
  const n = clear(document.getElementById('nav'));
  for (const [href, label] of menu) add(n, h('a', { href, class: label === section ? 'on' : null }, label));
  document.getElementById('who').textContent = session.admin ? session.admin.email : '';
}

// signedInAs is called by the login page once the API took the password.
function signedInAs() { signedIn = true; }

document.addEventListener('click', e => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/admin') || url.pathname.startsWith('/admin/v1/') || url.pathname.startsWith('/admin/static/')) return;
  e.preventDefault();
  nav(url.pathname + url.search);
});
window.addEventListener('popstate', render);

setUnauthorized(() => {
  if (!signedIn) return;
  signedIn = false;
  nav('/admin/login?next=' + encodeURIComponent(location.pathname + location.search), true);
});

document.getElementById('signout').addEventListener('click', async () => {
  await logout();
  signedIn = false;
  nav('/admin/login', true);
});

signedIn = await resume().catch(() => false); // unreachable server: the login page says so on its try
if (signedIn && location.pathname === '/admin/login') {
  const next = new URLSearchParams(location.search).get('next');
  history.replaceState(null, '', next && next.startsWith('/admin/') && !next.startsWith('/admin/login') ? next : '/admin/');
}
render();
