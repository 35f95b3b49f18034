import zh from './zh.js';
import en from './en.js';

const catalogs = { zh, en };
let lang = (typeof localStorage !== 'undefined' && localStorage.getItem('zm.lang')) || 'zh';
if (!catalogs[lang]) lang = 'zh';
const subs = new Set();

export function getLang() { return lang; }
export function setLang(l) {
  lang = catalogs[l] ? l : 'zh';
  localStorage.setItem('zm.lang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  subs.forEach((f) => f(lang));
}
export function onLang(f) { subs.add(f); return () => subs.delete(f); }

/* t('key', {var}) -- falls back to Chinese, then to the key itself */
export function t(key, vars) {
  let s = catalogs[lang][key] ?? zh[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] ?? m));
  return s;
}
