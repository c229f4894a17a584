// The admin API client. The session is the HttpOnly plaza_admin cookie the
// login sets (the browser keeps and sends it; this code never sees it);
// every write carries X-CSRF-Token, the csrf_token of the login or of
// GET /admin/v1/session. No Authorization header is sent: a bearer token
// is for API clients, and would be readable by any script of the page.

export const session = { csrf: '', admin: null, expires: '' };

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || '';
  }
  // missing: the server has no such route yet (another branch brings it).
  get missing() { return this.status === 404 && /^no such route/.test(this.message); }
}

let onUnauthorized = () => {};
export function setUnauthorized(f) { onUnauthorized = f; }

export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  let res;
  try {
    res = await fetch('/admin/v1' + path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', 'the server cannot be reached: ' + e.message);
  }
  let data = null;
  const text = res.status === 204 ? '' : await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || String(res.status), e.message || res.statusText || 'request failed', e.field);
    if (res.status === 401 && !opts.quiet) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (p, o) => api('GET', p, undefined, o);
export const post = (p, b) => api('POST', p, b === undefined ? {} : b);
export const patch = (p, b) => api('PATCH', p, b);
export const del = (p, b) => api('DELETE', p, b);

// login signs in; it answers the error of the API (totp_required...) as thrown.
export async function login(email, password, totp, recovery) {
  const body = { email, password, cookie: true }; // the cookie is the session: no token in the page
  if (totp) body.totp = totp;
  if (recovery) body.recovery_code = recovery;
  session.csrf = '';
  const r = await api('POST', '/login', body, { quiet: true });
  if (!r || !r.csrf_token) throw new ApiError(0, 'protocol', 'the server answered no csrf_token: it has no cookie sessions');
  // The browser may have refused the cookie (e.g. its Expires already past
  // by this machine's clock): say so here rather than bounce back later.
  if (!(await resume())) {
    throw new ApiError(0, 'cookie', 'signed in, but the browser did not keep the session cookie (cookies blocked, or this computer\'s clock far from the server\'s?)');
  }
  return session;
}

// resume finds the session the page already has (GET /session with the
// cookie); false when none.
export async function resume() {
  try {
    const s = await api('GET', '/session', undefined, { quiet: true });
    session.csrf = s.csrf_token || '';
    session.admin = s.admin || null;
    session.expires = s.expires_at || '';
    return true;
  } catch (e) {
    if (e.status === 401) { session.csrf = ''; session.admin = null; return false; }
    throw e;
  }
}

export async function logout() {
  try { await api('POST', '/logout', {}, { quiet: true }); } catch { /* gone already */ }
  session.csrf = ''; session.admin = null; session.expires = '';
}
