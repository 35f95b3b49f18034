/*
 * The unread-message count for the layout's badge, shared by every component that shows it.
 * Read once from GET /api/v1/messages/unread-count when the first one mounts; then kept by the
 * live channel (live.js: each "message.new" is one more unread) and by the message center page
 * (marking read lowers it) -- never polled.  The server counts up to 100 ("capped": at least that
 * many, shown 99+); under a capped count marking one read asks the server again (unreadCapped).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { listen } from './live.js';

let count = null, loading = null, capped = false;
const subs = new Set();

export function setUnread(n, isCapped = false) {
  count = Math.max(0, n);
  capped = !!isCapped;
  subs.forEach((f) => f(count));
}

export function unreadNow() { return count; }
export function unreadCapped() { return capped; }

/* the server's count again (after a reconnect, say); one request however many ask at once */
export function reloadUnread() {
  if (!loading) {
    loading = api('GET', '/api/v1/messages/unread-count')
      .then((d) => setUnread(d.unread, d.capped), () => { /* the badge waits for the next message */ })
      .finally(() => { loading = null; });
  }
  return loading;
}

export function useUnread() {
  const [n, setN] = useState(count);
  useEffect(() => {
    subs.add(setN);
    const off = listen((ev) => { if (ev.type === 'message.new' && count !== null) setUnread(count + 1, capped); });
    if (count === null) reloadUnread();
    else setN(count);
    return () => { subs.delete(setN); off(); };
  }, []);
  return n;
}
