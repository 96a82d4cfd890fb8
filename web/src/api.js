// The browser's only server: the gateway's HTTP/JSON API (docs/gateway.md, "HTTP").
// Tokens live in localStorage; a 401 triggers one Refresh (rotating the refresh token), then
// the call is retried once; a failed refresh logs out.
const KEY = 'gridwork.session';
let session = JSON.parse(localStorage.getItem(KEY) || 'null');
let refreshing = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

export const getSession = () => session;
export const onSessionChange = (fn) => listeners.add(fn);

function setSession(s) {
  session = s;
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
  for (const fn of listeners) fn(s);
}

async function post(method, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(body || {}) });
  const text = await res.text();
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text };
  }
  if (!res.ok) throw new ApiError(res.status, json.code, json.message);
  return json;
}

export async function login(username, password) {
  const pair = await post('gridwork.gateway.v1.Identity/Login', { username, password });
  setSession(pair);
  return pair;
}

/** Residents: a 6-digit code is sent to the phone (RegisterResident), then VerifyResident
 * creates the account and logs in. */
export const registerResident = (phone) => post('gridwork.gateway.v1.Identity/RegisterResident', { phone });
export async function verifyResident(phone, code, password, displayName) {
  const pair = await post('gridwork.gateway.v1.Identity/VerifyResident', {
    phone, code, password, display_name: displayName,
  });
  setSession(pair);
  return pair;
}

export async function logout() {
  try {
    if (session) await post('gridwork.gateway.v1.Identity/Logout', {}, session.access_token);
  } catch {
    // The session is dropped locally either way.
  }
  setSession(null);
}

async function refresh() {
  if (!session) throw new ApiError(401, 'UNAUTHENTICATED', 'not logged in');
  if (!refreshing) {
    refreshing = post('gridwork.gateway.v1.Identity/Refresh', { refresh_token: session.refresh_token })
      .then((pair) => setSession({ ...pair, user: pair.user || session.user }))
      .catch((e) => {
        setSession(null);
        throw e;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Calls `pkg.Service/Method` with a protobuf-JSON body; resolves to the response JSON. */
export async function call(method, body = {}) {
  try {
    return await post(method, body, session?.access_token);
  } catch (e) {
    if (e.status !== 401 || !session) throw e;
  }
  await refresh();
  return post(method, body, session?.access_token);
}

/** Every page of a paged list method, concatenated (`field` names the repeated field). */
export async function callAll(method, body, field, maxPages = 20) {
  const out = [];
  let token = '';
  for (let i = 0; i < maxPages; i++) {
    const r = await call(method, { ...body, page_token: token });
    out.push(...(r[field] || []));
    token = r.next_page_token || '';
    if (!token) break;
  }
  return out;
}

function toQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  return q;
}

/**
 * Subscribes to a server-streaming method over Server-Sent Events. Reconnects (refreshing
 * the token first) when the stream ends or fails. Returns a function that closes it.
 */
export function stream(method, params, onMessage, onState = () => {}) {
  let es = null;
  let closed = false;
  let retry = 1000;
  const open = () => {
    if (closed || !session) return;
    const q = toQuery({ ...params, access_token: session.access_token });
    es = new EventSource(`/api/${method}/stream?${q}`);
    es.onopen = () => onState('open');
    es.onmessage = (ev) => {
      retry = 1000;
      onState('live');
      try {
        onMessage(JSON.parse(ev.data));
      } catch {
        // A frame that is not JSON is ignored.
      }
    };
    const again = () => {
      es?.close();
      es = null;
      if (closed) return;
      onState('reconnecting');
      setTimeout(() => refresh().catch(() => {}).finally(open), retry);
      retry = Math.min(retry * 2, 30000);
    };
    es.addEventListener('end', again);
    es.onerror = again;
  };
  open();
  return () => {
    closed = true;
    es?.close();
  };
}

/** Downloads a server-streaming CSV method (CsvChunk frames, base64 `data`) as one file. */
export async function downloadCsv(method, params, filename) {
  const q = toQuery({ ...params, access_token: session.access_token });
  const res = await fetch(`/api/${method}/stream?${q}`);
  if (!res.ok) throw new ApiError(res.status, '', await res.text());
  const text = await res.text();
  const parts = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    try {
      const msg = JSON.parse(line.slice(5));
      if (msg.data) parts.push(Uint8Array.from(atob(msg.data), (c) => c.charCodeAt(0)));
    } catch {
      // the end frame
    }
  }
  const blob = new Blob(parts, { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  return blob;
}

export const newRequestId = () =>
  crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
