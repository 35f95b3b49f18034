/* A tiny history router: path state, navigate(), <Link>. */
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const subs = new Set();
export function navigate(to, replace) {
  if (replace) history.replaceState(null, '', to); else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  subs.forEach((f) => f());
}
addEventListener('popstate', () => subs.forEach((f) => f()));

export function useLocation() {
  const [, force] = useState(0);
  useEffect(() => { const f = () => force((n) => n + 1); subs.add(f); return () => subs.delete(f); }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export function Link({ href, children, ...rest }) {
  const click = (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (rest.onNav) rest.onNav();
    navigate(href);
  };
  const { onNav, ...props } = rest;
  return h('a', { href, onClick: click, ...props }, children);
}

/* match('/resumes/:id', '/resumes/abc') -> {id:'abc'} | null */
export function match(pattern, path) {
  const p = pattern.split('/'), s = path.replace(/\/+$/, '').split('/');
  if (p.length !== s.length) return null;
  const out = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}
