import { useState } from 'preact/hooks';
import { t } from './i18n/index.js';
import { Link, navigate } from './router.js';
import { displayName, logout } from './session.js';
import { LangSwitch } from './ui.jsx';
import { useUnread } from './unread.js';

const NAV = [
  ['/dashboard', 'nav.dashboard'],
  ['/resumes', 'nav.resumes'],
  ['/suggestions', 'nav.suggestions'],
  ['/diagnosis', 'nav.diagnosis'],
  ['/interview', 'nav.interview'],
  ['/question-bank', 'nav.questions'],
  ['/partners', 'nav.partners'],
  ['/mock-interview', 'nav.mock'],
  ['/meeting', 'nav.meeting'],
  ['/jobs', 'nav.jobs'],
  ['/applications', 'nav.applications'],
  ['/news', 'nav.news'],
  ['/calendar', 'nav.calendar'],
  ['/upgrade', 'nav.upgrade'],
  ['/messages', 'nav.notifications'],
  ['/feedback', 'nav.feedback'],
  ['/tickets', 'nav.tickets'],
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
  ['/admin/inspections', 'nav.adminInspections'],
  ['/admin/content', 'nav.adminContent'],
  ['/admin/messages', 'nav.adminMessages'],
  ['/admin/stats', 'nav.adminStats'],
  ['/admin/feedback', 'nav.adminFeedback'],
  ['/admin/tickets', 'nav.adminTickets'],
];

function NavItem({ href, label, path, onNav, count }) {
  return (
    <Link href={href} onNav={onNav} class={'nav-item' + (path === href || path.startsWith(href + '/') ? ' active' : '')}>
      <span class="nav-icon" />{label}
      {count > 0 && <span class="count-badge" data-nav-unread>{count > 99 ? '99+' : count}</span>}</Link>
  );
}

/* the bell in the top bar: the unread count, live (unread.js) */
function Bell({ n, onNav }) {
  const label = n > 0 ? t('msg.bellUnread', { n }) : t('msg.bell');
  return (
    <Link class="bell" href="/messages" onNav={onNav} aria-label={label} title={label} data-bell>
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" /></svg>
      {n > 0 && <span class="count-badge" data-unread-badge>{n > 99 ? '99+' : n}</span>}
    </Link>
  );
}

export function Layout({ user, path, children }) {
  const [open, setOpen] = useState(false);
  const unread = useUnread();
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
          <Bell n={unread} onNav={close} />
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
          ? <NavItem href={href} label={t(key)} path={path} onNav={close} count={href === '/messages' ? unread : 0} />
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
