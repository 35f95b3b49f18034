/*
 * The user's live channel: one EventSource at /api/v1/events/users/{id}/{role} (nginx's nchan,
 * fcgi/tasks/live.h: the user's own channel multiplexed with their role's and everyone's, where
 * the message center's broadcasts arrive) shared by every listener, opened while someone listens.  Messages are
 * hints ({"type": "application.status", ...}); a page keeps reading the API for the truth.
 * When the stream fails (an expired token, no nchan in front) it refreshes the token and
 * tries again with a growing pause; useLive() reports whether it is connected, so a page can
 * poll meanwhile.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getTokens, refreshTokens } from './api.js';
import { getUser } from './session.js';

const listeners = new Set();
const states = new Set();
let es = null, userKey = null, connected = false, retry = null, backoff = 1000;

function setConnected(v) {
  if (connected === v) return;
  connected = v;
  states.forEach((f) => f(v));
}

function close() {
  clearTimeout(retry); retry = null;
  if (es) { es.close(); es = null; }
  setConnected(false);
}

function open() {
  const u = getUser(), tk = getTokens();
  if (!u || !tk || typeof EventSource === 'undefined') return;
  const role = ['seeker', 'hr', 'admin'].includes(u.role) ? u.role : 'seeker';
  if (es && userKey === u.id + '/' + role) return;
  close();
  userKey = u.id + '/' + role;
  es = new EventSource('/api/v1/events/users/' + userKey + '?access_token=' + encodeURIComponent(tk.access));
  es.onopen = () => { backoff = 1000; setConnected(true); };
  es.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    listeners.forEach((f) => { try { f(ev); } catch { /* one listener's fault is its own */ } });
  };
  es.onerror = () => {
    /* EventSource retries a dropped stream by itself; a refused one (401, 403) is CLOSED */
    if (es && es.readyState !== EventSource.CLOSED) { setConnected(false); return; }
    close();
    if (!listeners.size) return;
    retry = setTimeout(async () => {
      retry = null;
      await refreshTokens();
      if (listeners.size) open();
    }, backoff);
    backoff = Math.min(backoff * 2, 30000);
  };
}

/* listen(fn): fn(message) for each message until the returned function is called */
export function listen(fn) {
  listeners.add(fn);
  open();
  return () => {
    listeners.delete(fn);
    if (!listeners.size) close();
  };
}

/* a component's listener while it is mounted; returns whether the stream is connected */
export function useLive(fn, deps = []) {
  const [on, setOn] = useState(connected);
  useEffect(() => {
    states.add(setOn);
    const off = listen(fn);
    setOn(connected);
    return () => { states.delete(setOn); off(); };
  }, deps);
  return on;
}

/*
 * A session's own channel (a mock interview's or a meeting's: /api/v1/events/interviews/{id}),
 * opened for one page: useChannel(path, fn) calls fn(message) for each message and returns
 * whether the stream is connected (the page polls the API meanwhile).  A refused stream
 * refreshes the token and tries again with a growing pause, as the user's channel does.
 */
export function useChannel(path, fn) {
  const [on, setOn] = useState(false);
  const cb = useRef(fn);
  cb.current = fn;
  useEffect(() => {
    if (!path || typeof EventSource === 'undefined') return undefined;
    let ch = null, timer = null, pause = 1000, gone = false;
    const connect = () => {
      const tk = getTokens();
      if (gone || !tk) return;
      ch = new EventSource(path + '?access_token=' + encodeURIComponent(tk.access));
      ch.onopen = () => { pause = 1000; setOn(true); };
      ch.onmessage = (m) => {
        let ev;
        try { ev = JSON.parse(m.data); } catch { return; }
        cb.current(ev);
      };
      ch.onerror = () => {
        setOn(false);
        if (ch && ch.readyState !== EventSource.CLOSED) return;
        if (ch) ch.close();
        ch = null;
        timer = setTimeout(async () => { await refreshTokens(); connect(); }, pause);
        pause = Math.min(pause * 2, 30000);
      };
    };
    connect();
    return () => { gone = true; clearTimeout(timer); if (ch) ch.close(); setOn(false); };
  }, [path]);
  return on;
}
