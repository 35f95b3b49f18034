import { useState } from 'preact/hooks';
import { t } from './i18n/index.js';
import { Link, navigate } from './router.js';
import { displayName, logout } from './session.js';
import { LangSwitch } from './ui.jsx';

const NAV = [
  ['/dashboard', 'nav.dashboard'],
  ['/resumes', 'nav.resumes'],
  ['/suggestions', 'nav.suggestions'],
  ['/diagnosis', 'nav.diagnosis'],
  ['/interview', 'nav.interview'],
  ['/partners', 'nav.partners'],
  [null, 'nav.mock'],
  ['/jobs', 'nav.jobs'],
  ['/applications', 'nav.applications'],
  ['/upgrade', 'nav.upgrade'],
  [null, 'nav.notifications'],
  ['/settings', 'nav.settings'],
];
/* for roles hr and admin (an HR user's own jobs; an admin's: all) */
const HR_NAV = [
  ['/hr/jobs', 'nav.hrJobs'],
  ['/smartrecruit/hr/sync/dashboard', 'nav.sync'],
];
/* only for role admin */
const ADMIN_NAV = [
  ['/admin/users', 'nav.adminUsers'],
  ['/admin/stats', 'nav.adminStats'],
];

function NavItem({ href, label, path, onNav }) {
  return (
    <Link href={href} onNav={onNav} class={'nav-item' + (path === href || path.startsWith(href + '/') ? ' active' : '')}>
      <span class="nav-icon" />{label}</Link>
  );
}

export function Layout({ user, path, children }) {
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  const out = async () => { await logout(); navigate('/login'); };
  return (
    <div class={'shell' + (open ? ' nav-open' : '')}>
      <header class="topbar">
        <button class="nav-toggle" aria-label={t('nav.menu')} aria-expanded={open} onClick={() => setOpen(!open)}>
          <span /><span /><span />
        </button>
        <Link class="brand" href="/resumes" onNav={close}><span class="brand-mark">麦</span>{t('app.name')}</Link>
        <div class="topbar-right">
          <LangSwitch />
          <Link class="user-chip" href="/settings" onNav={close} data-user-chip>
            <span class="avatar">{displayName(user).slice(0, 1).toUpperCase()}</span>
            <span class="user-meta">
              <span class="user-name" data-user-name>{displayName(user)}</span>
              <span class="user-role">{t('role.' + (user.role || 'seeker'))}</span>
            </span>
          </Link>
        </div>
      </header>
      <nav class="sidenav" aria-label="main">
        {NAV.map(([href, key]) => href
          ? <NavItem href={href} label={t(key)} path={path} onNav={close} />
          : <span class="nav-item disabled" aria-disabled="true" title={t('nav.soon')}>
              <span class="nav-icon" />{t(key)}<span class="soon">{t('nav.soon')}</span></span>)}
        {(user.role === 'hr' || user.role === 'admin') && (
          <div class="nav-group" data-hr-nav>
            <span class="nav-group-label">{t('nav.hr')}</span>
            {HR_NAV.map(([href, key]) => <NavItem href={href} label={t(key)} path={path} onNav={close} />)}
          </div>
        )}
        {user.role === 'admin' && (
          <div class="nav-group" data-admin-nav>
            <span class="nav-group-label">{t('nav.admin')}</span>
            {ADMIN_NAV.map(([href, key]) => <NavItem href={href} label={t(key)} path={path} onNav={close} />)}
          </div>
        )}
        <button class="nav-item nav-logout" onClick={out} data-logout><span class="nav-icon" />{t('nav.logout')}</button>
      </nav>
      <div class="nav-scrim" onClick={close} />
      <main class="content">{children}</main>
    </div>
  );
}
