// The admin API client. Two modes:
//  - cookie: the login answered a csrf_token; the browser keeps the
//    HttpOnly plaza_admin cookie and every write carries X-CSRF-Token;
//  - bearer: the login answered only a token (older servers); it is kept
//    in sessionStorage and sent as Authorization: Bearer.

const TOKEN = 'plaza_admin_token';

export const session = { mode: '', csrf: '', admin: null, expires: '' };

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
  const tok = sessionStorage.getItem(TOKEN);
  if (tok) headers.Authorization = 'Bearer ' + tok;
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
  const body = { email, password };
  if (totp) body.totp = totp;
  if (recovery) body.recovery_code = recovery;
  sessionStorage.removeItem(TOKEN);
  session.csrf = '';
  const r = await api('POST', '/login', body, { quiet: true });
  if (r.csrf_token) {
    session.mode = 'cookie';
    session.csrf = r.csrf_token;
  } else {
    session.mode = 'bearer';
    sessionStorage.setItem(TOKEN, r.token);
  }
  session.admin = r.admin || { email };
  session.expires = r.expires_at || '';
  return session;
}

// resume finds the session the page already has; false when none.
export async function resume() {
  try {
    const s = await api('GET', '/session', undefined, { quiet: true });
    session.mode = sessionStorage.getItem(TOKEN) ? 'bearer' : 'cookie';
    session.csrf = s.csrf_token || '';
    session.admin = s.admin || null;
    session.expires = s.expires_at || '';
    return true;
  } catch (e) {
    if (e.status === 401) { sessionStorage.removeItem(TOKEN); return false; }
    if (!e.missing || !sessionStorage.getItem(TOKEN)) return false;
  }
  // No session route on this server: check the bearer token on a cheap read.
  try {
    await api('GET', '/users?page_size=1', undefined, { quiet: true });
    session.mode = 'bearer';
    return true;
  } catch {
    sessionStorage.removeItem(TOKEN);
    return false;
  }
}

export async function logout() {
  try { await api('POST', '/logout', {}, { quiet: true }); } catch { /* gone already */ }
  sessionStorage.removeItem(TOKEN);
  session.mode = ''; session.csrf = ''; session.admin = null;
}
