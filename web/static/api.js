// The API client. The access token lives only in this module's memory; the
// refresh token is in the HttpOnly session cookie the server sets for a
// "session": "cookie" login, which no script can read (see web/README.md).
// Refreshes happen before expiry and on a 401, one tab at a time.

// SIGNED marks in localStorage that this browser has a cookie session, so
// a page that has none does not ask the server; it holds no secret.
const SIGNED = 'sb.session';
let access = '';
let timer = 0;
let refreshing = null;
let onExpired = () => {};
let onPassword = () => {};

// Tokens kept by earlier versions of the console are forgotten.
sessionStorage.removeItem('sb.refresh');
sessionStorage.removeItem('sb.tab');

/** ApiError carries a problem+json answer (or a network failure). */
export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem || {};
    super(p.detail || p.title || (status ? 'HTTP ' + status : 'network error'));
    this.status = status;
    this.code = p.code || '';
    this.errors = Array.isArray(p.errors) ? p.errors : [];
  }
  /** fields names the fields the server refused. */
  fields() {
    return this.errors.map((e) => e.field);
  }
  /** text is the message shown to people. */
  text() {
    const parts = [this.message];
    for (const e of this.errors) parts.push(e.field + ': ' + e.message);
    return parts.join(' — ');
  }
}

/** onSessionEnd registers what to do when the session cannot be refreshed. */
export function onSessionEnd(fn) {
  onExpired = fn;
}

/** onPasswordRequired registers what to do when the server answers 403
 * password_change_required (the member must choose a password first). */
export function onPasswordRequired(fn) {
  onPassword = fn;
}

/** hasSession tells whether this browser holds a cookie session. */
export function hasSession() {
  return localStorage.getItem(SIGNED) === 'cookie';
}

// Signing out in one tab signs out the others.
window.addEventListener('storage', (e) => {
  if (e.key === SIGNED && e.newValue === null && access) {
    access = '';
    clearTimeout(timer);
    onExpired();
  }
});

function keep(tokens) {
  access = tokens.access_token;
  localStorage.setItem(SIGNED, 'cookie');
  clearTimeout(timer);
  const ms = Math.max(5, (tokens.expires_in || 60) - 30) * 1000;
  timer = setTimeout(() => refresh().catch(() => {}), ms);
  return tokens;
}

function drop() {
  access = '';
  clearTimeout(timer);
  localStorage.removeItem(SIGNED);
}

// raw sends a request; only the /v1/auth/ calls carry the session cookie
// (credentials), which the browser sends to no other path anyway.
async function raw(method, path, body, headers, credentials = 'omit', signal = undefined) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body,
      credentials,
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, null);
  }
  return res;
}

async function problem(res) {
  let p = null;
  try {
    p = await res.json();
  } catch (e) {
    p = null;
  }
  return new ApiError(res.status, p);
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

// exclusive runs fn while no other tab of the console refreshes: the
// cookie's refresh token is single use and shared by the tabs.
function exclusive(fn) {
  return navigator.locks ? navigator.locks.request('sb-refresh', fn) : fn();
}

/** refresh exchanges the session cookie for new tokens (once at a time). */
export function refresh() {
  if (refreshing) return refreshing;
  if (!hasSession()) return Promise.reject(new ApiError(401, { code: 'unauthorized', detail: 'signed out' }));
  refreshing = exclusive(async () => {
    const res = await raw('POST', '/v1/auth/refresh', '{}', JSON_TYPE, 'same-origin');
    if (!res.ok) {
      const err = await problem(res);
      if (res.status === 401 || res.status === 400) {
        drop();
        onExpired();
      }
      throw err;
    }
    return keep(await res.json());
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** login opens a cookie session; the device token is remembered per email. */
export async function login(email, password) {
  const key = 'sb.device.' + email.toLowerCase();
  const body = { email, password, session: 'cookie' };
  const dt = localStorage.getItem(key);
  if (dt) body.device_token = dt;
  const res = await raw('POST', '/v1/auth/login', JSON.stringify(body), JSON_TYPE, 'same-origin');
  if (!res.ok) throw await problem(res);
  const tokens = await res.json();
  if (tokens.device_token) localStorage.setItem(key, tokens.device_token);
  return keep(tokens);
}

/** acceptInvite sets the invited member's password (and name) and opens a
 * cookie session, as login does. */
export async function acceptInvite(token, name, password) {
  const body = { token, password, session: 'cookie' };
  if (name) body.name = name;
  const res = await raw('POST', '/v1/auth/accept-invite', JSON.stringify(body), JSON_TYPE, 'same-origin');
  if (!res.ok) throw await problem(res);
  return keep(await res.json());
}

/** logout ends the session on the server, which clears the cookie. */
export async function logout() {
  const had = hasSession();
  drop();
  if (had) await raw('POST', '/v1/auth/logout', '{}', JSON_TYPE, 'same-origin').catch(() => {});
}

/**
 * api calls the REST API with the bearer token. opts: query (object), body
 * (JSON), form (FormData), blob (answer as Blob), headers, signal (an
 * AbortSignal; an aborted call is an ApiError with status 0). A 401 refreshes
 * once and retries. Errors are ApiError.
 */
export async function api(method, path, opts = {}) {
  if (!access && hasSession()) await refresh();
  let url = path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) if (v !== '' && v != null) q.set(k, String(v));
    const s = q.toString();
    if (s) url += '?' + s;
  }
  const send = () => {
    const headers = Object.assign({ Authorization: 'Bearer ' + access }, opts.headers || {});
    let body;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    return raw(method, url, body, headers, 'omit', opts.signal);
  };
  let res = await send();
  if (res.status === 401 && hasSession()) {
    await refresh();
    res = await send();
  }
  if (!res.ok) {
    const err = await problem(res);
    if (err.code === 'password_change_required') onPassword();
    throw err;
  }
  if (opts.blob) return res.blob();
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : null;
}

/** blobURL fetches a same-origin /v1/ file with the token and returns an object URL. */
const blobs = new Map();
export async function blobURL(path) {
  if (blobs.has(path)) return blobs.get(path);
  const p = api('GET', path, { blob: true }).then((b) => URL.createObjectURL(b));
  blobs.set(path, p);
  p.catch(() => blobs.delete(path));
  return p;
}
