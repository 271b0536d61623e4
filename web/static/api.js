// The API client. The access token lives only in this module's memory; the
// refresh token is kept in sessionStorage (see web/README.md) so a reload of
// the tab keeps the session. Refreshes happen before expiry and on a 401.

const RT = 'sb.refresh';
let access = '';
let timer = 0;
let refreshing = null;
let onExpired = () => {};
let onPassword = () => {};

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

// A duplicated tab copies sessionStorage, refresh token included. Refresh
// tokens are single use and a reuse after 30 seconds revokes the session,
// so two tabs must never hold the same one: each tab has an id, and a tab
// that finds another live tab with its id (it is the copy) forgets the
// token and signs in anew.
const TAB = 'sb.tab';
const instance = String(Math.random()).slice(2);
const channel = 'BroadcastChannel' in self ? new BroadcastChannel('sb-tabs') : null;
if (channel) {
  channel.onmessage = (e) => {
    const d = e.data || {};
    if (d.from !== instance && d.who && d.who === sessionStorage.getItem(TAB)) channel.postMessage({ mine: d.who, to: d.from });
  };
}

/** claimSession resolves false when this tab is a copy of a live tab (its
 * kept token is then dropped), true otherwise. */
export function claimSession() {
  const id = sessionStorage.getItem(TAB);
  const fresh = () => sessionStorage.setItem(TAB, (crypto.randomUUID && crypto.randomUUID()) || String(Math.random()));
  if (!id || !channel || !hasSession()) {
    if (!id) fresh();
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const probe = new BroadcastChannel('sb-tabs');
    const done = (ok) => { probe.close(); resolve(ok); };
    const timer = setTimeout(() => done(true), 120);
    probe.onmessage = (e) => {
      if (e.data && e.data.mine === id && e.data.to === instance) {
        clearTimeout(timer);
        fresh();
        sessionStorage.removeItem(RT);
        done(false);
      }
    };
    probe.postMessage({ who: id, from: instance });
  });
}

/** hasSession tells whether a refresh token is kept for this tab. */
export function hasSession() {
  return !!sessionStorage.getItem(RT);
}

function keep(tokens) {
  access = tokens.access_token;
  sessionStorage.setItem(RT, tokens.refresh_token);
  clearTimeout(timer);
  const ms = Math.max(5, (tokens.expires_in || 60) - 30) * 1000;
  timer = setTimeout(() => refresh().catch(() => {}), ms);
  return tokens;
}

function drop() {
  access = '';
  clearTimeout(timer);
  sessionStorage.removeItem(RT);
}

async function raw(method, path, body, headers) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body,
      credentials: 'omit',
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

/** refresh exchanges the kept refresh token for new tokens (once at a time). */
export function refresh() {
  if (refreshing) return refreshing;
  const rt = sessionStorage.getItem(RT);
  if (!rt) return Promise.reject(new ApiError(401, { code: 'unauthorized', detail: 'signed out' }));
  refreshing = (async () => {
    const res = await raw('POST', '/v1/auth/refresh', JSON.stringify({ refresh_token: rt }), {
      'Content-Type': 'application/json',
    });
    if (!res.ok) {
      const err = await problem(res);
      if (res.status === 401 || res.status === 400) {
        drop();
        onExpired();
      }
      throw err;
    }
    return keep(await res.json());
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** login opens a session; the device token is remembered per email. */
export async function login(email, password) {
  const key = 'sb.device.' + email.toLowerCase();
  const body = { email, password };
  const dt = localStorage.getItem(key);
  if (dt) body.device_token = dt;
  const res = await raw('POST', '/v1/auth/login', JSON.stringify(body), { 'Content-Type': 'application/json' });
  if (!res.ok) throw await problem(res);
  const tokens = await res.json();
  if (tokens.device_token) localStorage.setItem(key, tokens.device_token);
  return keep(tokens);
}

/** logout ends the session on the server and forgets the tokens. */
export async function logout() {
  const rt = sessionStorage.getItem(RT);
  drop();
  if (rt) {
    await raw('POST', '/v1/auth/logout', JSON.stringify({ refresh_token: rt }), {
      'Content-Type': 'application/json',
    }).catch(() => {});
  }
}

/**
 * api calls the REST API with the bearer token. opts: query (object), body
 * (JSON), form (FormData), blob (answer as Blob), headers. A 401 refreshes
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
    return raw(method, url, body, headers);
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
