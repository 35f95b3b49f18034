/* who is logged in: the user object from /api/v1/auth/me, shared with subscribers */
import { api, getTokens, setTokens } from './api.js';

let user = null;
const subs = new Set();
export function getUser() { return user; }
export function setUser(u) { user = u; subs.forEach((f) => f(u)); }
export function onUser(f) { subs.add(f); return () => subs.delete(f); }

export async function loadUser() {
  if (!getTokens()) { setUser(null); return null; }
  try { setUser(await api('GET', '/api/v1/auth/me')); } catch { if (!getTokens()) setUser(null); }
  return user;
}

export async function login(email, password) {
  const d = await api('POST', '/api/v1/auth/login', { email, password }, { auth: false });
  setTokens(d);
  setUser(d.user || null);
  if (!d.user) await loadUser();
  return d;
}

export async function logout() {
  const tk = getTokens();
  try { if (tk) await api('POST', '/api/v1/auth/logout', { refresh: tk.refresh }); } catch { /* gone anyway */ }
  setTokens(null);
  setUser(null);
}

export function displayName(u) {
  if (!u) return '';
  const full = ((u.last_name || '') + (u.first_name || '')).trim();
  return full || u.username || (u.email || '').split('@')[0];
}
