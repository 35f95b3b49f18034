/* The API client: JSON envelope, Bearer token, one refresh on 401, XHR uploads. */
import { t } from './i18n/index.js';

const KEY = 'zm.tokens';

export function getTokens() {
  try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch { return null; }
}
export function setTokens(tk) {
  if (tk && tk.access) localStorage.setItem(KEY, JSON.stringify({ access: tk.access, refresh: tk.refresh }));
  else localStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, err) {
    super((err && err.message) || t('err.generic'));
    this.status = status;
    this.code = (err && err.code) || 'error';
    this.fields = (err && err.fields) || null;
  }
}

let authLost = () => {};
export function onAuthLost(f) { authLost = f; }

let refreshing = null;
/* POST /api/v1/auth/refresh once, shared by concurrent callers; true when a new pair is stored */
export function refreshTokens() {
  const tk = getTokens();
  if (!tk || !tk.refresh) return Promise.resolve(false);
  if (!refreshing) {
    refreshing = fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh: tk.refresh }),
    })
      .then(async (r) => {
        if (!r.ok) return false;
        const j = await r.json();
        setTokens(j.data);
        return true;
      })
      .catch(() => false)
      .finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  }
  return refreshing;
}

function lost() {
  setTokens(null);
  authLost();
}

async function parse(r) {
  if (r.status === 204) return null;
  let j = null;
  try { j = await r.json(); } catch { /* not JSON */ }
  if (!r.ok || !j || j.success === false) {
    throw new ApiError(r.status, (j && j.error) || { code: 'http_' + r.status, message: t('err.generic') });
  }
  return j.data;
}

/* api('GET', '/api/resumes') / api('POST', path, body, {auth:false}) / {blob:true}
 * / {raw: Blob} (the body sent as it is, with the Blob's type: an audio chunk) */
export async function api(method, path, body, opts = {}) {
  const useAuth = opts.auth !== false;
  const send = async () => {
    const headers = {};
    const tk = getTokens();
    if (useAuth && tk) headers.Authorization = 'Bearer ' + tk.access;
    let b;
    if (opts.raw) {
      headers['Content-Type'] = opts.raw.type || 'application/octet-stream';
      b = opts.raw;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      b = JSON.stringify(body);
    }
    try {
      return await fetch(path, { method, headers, body: b });
    } catch {
      throw new ApiError(0, { code: 'network', message: t('err.network') });
    }
  };
  let r = await send();
  if (r.status === 401 && useAuth && getTokens()) {
    if (await refreshTokens()) r = await send();
    if (r.status === 401) {
      lost();
      throw new ApiError(401, { code: 'token_invalid', message: t('err.session') });
    }
  }
  if (opts.blob && r.ok) return r.blob();
  return parse(r);
}

/* multipart upload with progress: onProgress(0..100) */
export function upload(path, form, onProgress) {
  const once = () => new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    const tk = getTokens();
    if (tk) x.setRequestHeader('Authorization', 'Bearer ' + tk.access);
    x.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(Math.round((e.loaded / e.total) * 100)); };
    x.onerror = () => reject(new ApiError(0, { code: 'network', message: t('err.network') }));
    x.onload = () => resolve(x);
    x.send(form);
  });
  const finish = (x) => {
    let j = null;
    try { j = JSON.parse(x.responseText); } catch { /* not JSON */ }
    if (x.status >= 200 && x.status < 300 && j && j.success) return j.data;
    throw new ApiError(x.status, (j && j.error) || { code: 'http_' + x.status, message: t('err.generic') });
  };
  return once().then(async (x) => {
    if (x.status === 401 && getTokens()) {
      if (await refreshTokens()) x = await once();
      if (x.status === 401) { lost(); throw new ApiError(401, { code: 'token_invalid', message: t('err.session') }); }
    }
    return finish(x);
  });
}

const FINAL_BAD = ['failed', 'error', 'dead', 'cancelled', 'canceled'];

/*
 * Wait for a queued task: the EventSource stream when nginx offers it, polling
 * GET /api/v1/tasks/{id} every 300 ms otherwise.  onProgress(pct, state).
 * Resolves with the task's final state object; rejects on failure.
 * Returns {promise, cancel}.
 */
export function watchTask(id, onProgress) {
  let stopped = false, es = null, timer = null, guard = null;
  let resolve, reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  const stop = () => {
    stopped = true;
    if (es) es.close();
    clearTimeout(timer);
    clearTimeout(guard);
  };
  const settle = (task) => {
    if (stopped) return;
    onProgress && onProgress(task.progress ?? 0, task.state);
    if (task.state === 'done') { onProgress && onProgress(100, 'done'); stop(); resolve(task); }
    else if (FINAL_BAD.includes(task.state)) {
      stop();
      const e = task.error;
      reject(new ApiError(500, { code: 'task_failed', message: (e && (e.message || e.detail)) || (typeof e === 'string' ? e : t('diag.failed')) }));
    }
  };
  let polling = false;
  const poll = async () => {
    if (stopped || polling) return;
    polling = true;
    const tick = async () => {
      if (stopped) return;
      try { settle(await api('GET', '/api/v1/tasks/' + id)); } catch (e) { if (e.status === 401 || e.status === 404) { stop(); reject(e); return; } }
      if (!stopped) timer = setTimeout(tick, 300);
    };
    tick();
  };
  const tk = getTokens();
  if (typeof EventSource !== 'undefined' && tk) {
    try {
      es = new EventSource('/api/v1/events/tasks/' + id + '?access_token=' + encodeURIComponent(tk.access));
      es.onmessage = (m) => {
        let ev;
        try { ev = JSON.parse(m.data); } catch { return; }
        onProgress && onProgress(ev.progress ?? 0, ev.state);
        if (ev.final) {
          es.close(); es = null;
          /* the stream may omit the result: read the task once */
          api('GET', '/api/v1/tasks/' + id).then(settle, () => poll());
        }
      };
      es.onerror = () => { if (es) { es.close(); es = null; } poll(); };
      /* a stream that stays silent is no better than none */
      guard = setTimeout(poll, 4000);
    } catch { poll(); }
  } else {
    poll();
  }
  return { promise, cancel: stop };
}

const RUNNING = ['pending', 'queued', 'running', 'processing'];

/* An analysis answer followed to its finished record: while its task runs, watch it
 * (watch.current holds the watch, for the page to cancel) and report progress 0..100;
 * then read the record from base + id.  A failed analysis throws its reason, or `failed`. */
export async function followAnalysis(d, base, watch, onProgress, failed) {
  let id = d.id;
  if (d.task_id && (!d.state || RUNNING.includes(d.state))) {
    onProgress(0);
    if (watch.current) watch.current.cancel();
    watch.current = watchTask(d.task_id, onProgress);
    const task = await watch.current.promise;
    id = (task.result && task.result.analysis_id) || id;
    onProgress(100);
    d = null;
  }
  if (!d || !d.result) d = await api('GET', base + id);
  if (d.state === 'failed') {
    const e = d.error;
    throw new Error((e && (e.message || (typeof e === 'string' && e))) || failed);
  }
  return d;
}
