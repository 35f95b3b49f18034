import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { getLang, onLang, t } from './i18n/index.js';
import { onAuthLost, getTokens } from './api.js';
import { navigate, useLocation, match, Link } from './router.js';
import { getUser, onUser, loadUser, setUser } from './session.js';
import { ErrorBox, Loading, LangSwitch } from './ui.jsx';
import { Layout } from './layout.jsx';
import { Login, Register, Forgot, Reset, Verify } from './pages/auth.jsx';
import { Resumes, ResumeDetail } from './pages/resumes.jsx';
import { Suggestions } from './pages/suggestions.jsx';
import { Diagnosis } from './pages/diagnosis.jsx';
import { Settings } from './pages/settings.jsx';
import { Interview } from './pages/interview.jsx';

/* a page fetched on first use: its own chunk, out of the initial JavaScript */
function lazyPage(load, name) {
  let C = null, p = null;
  const get = () => (p = p || load().then((m) => { C = m[name]; }, (e) => { p = null; throw e; }));
  return function Lazy(props) {
    const [st, setSt] = useState({ ready: !!C, error: null });
    useEffect(() => {
      if (!st.ready && !st.error) get().then(() => setSt({ ready: true, error: null }), (error) => setSt({ ready: false, error }));
    }, [st]);
    if (st.error) return <ErrorBox error={st.error} onRetry={() => setSt({ ready: false, error: null })} />;
    return st.ready && C ? <C {...props} /> : <Loading />;
  };
}
const AdminUsers = lazyPage(() => import('./pages/admin.jsx'), 'AdminUsers');
const AdminInspections = lazyPage(() => import('./pages/inspections.jsx'), 'AdminInspections');
const AdminMessages = lazyPage(() => import('./pages/admin.jsx'), 'AdminMessages');
const Messages = lazyPage(() => import('./pages/messages.jsx'), 'Messages');
const Partners = lazyPage(() => import('./pages/partners.jsx'), 'Partners');
const Jobs = lazyPage(() => import('./pages/jobs.jsx'), 'Jobs');
const JobDetail = lazyPage(() => import('./pages/jobs.jsx'), 'JobDetail');
const Applications = lazyPage(() => import('./pages/jobs.jsx'), 'Applications');
const HrJobs = lazyPage(() => import('./pages/hr.jsx'), 'HrJobs');
const HrJob = lazyPage(() => import('./pages/hr.jsx'), 'HrJob');
const SyncDashboard = lazyPage(() => import('./pages/sync.jsx'), 'SyncDashboard');
const Matching = lazyPage(() => import('./pages/matching.jsx'), 'Matching');
const Upgrade = lazyPage(() => import('./pages/upgrade.jsx'), 'Upgrade');
const Questions = lazyPage(() => import('./pages/content.jsx'), 'Questions');
const News = lazyPage(() => import('./pages/content.jsx'), 'News');
const Calendar = lazyPage(() => import('./pages/content.jsx'), 'Calendar');
const AdminContent = lazyPage(() => import('./pages/content.jsx'), 'AdminContent');
const Dashboard = lazyPage(() => import('./pages/dashboard.jsx'), 'Dashboard');
const AdminStats = lazyPage(() => import('./pages/stats.jsx'), 'AdminStats');
const Feedback = lazyPage(() => import('./pages/tickets.jsx'), 'Feedback');
const Tickets = lazyPage(() => import('./pages/tickets.jsx'), 'Tickets');
const AdminFeedback = lazyPage(() => import('./pages/tickets.jsx'), 'AdminFeedback');
const AdminTickets = lazyPage(() => import('./pages/tickets.jsx'), 'AdminTickets');
const MockInterview = lazyPage(() => import('./pages/mockinterview.jsx'), 'MockInterview');
const Meeting = lazyPage(() => import('./pages/meeting.jsx'), 'Meeting');

const publicRoutes = [
  ['/login', Login], ['/register', Register], ['/forgot-password', Forgot],
  ['/reset-password', Reset], ['/verify-email', Verify],
];
/* [pattern, page, key]: routes sharing a key keep the page mounted when moving between them */
const appRoutes = [
  ['/resumes', Resumes], ['/resumes/:id', ResumeDetail], ['/suggestions', Suggestions],
  ['/diagnosis', Diagnosis], ['/diagnosis/:id', Diagnosis],
  ['/interview', Interview, 'interview'], ['/interview/:id', Interview, 'interview'],
  ['/settings', Settings], ['/admin/users', AdminUsers], ['/admin/messages', AdminMessages],
  ['/admin/inspections', AdminInspections, 'inspections'], ['/admin/inspections/:id', AdminInspections, 'inspections'],
  ['/messages', Messages], ['/partners', Partners],
  ['/jobs', Jobs], ['/jobs/:id', JobDetail], ['/applications', Applications],
  ['/hr/jobs', HrJobs], ['/hr/jobs/:id', HrJob], ['/upgrade', Upgrade],
  /* seed 002's path for the sync dashboard (nginx serves index.html there) */
  ['/smartrecruit/hr/sync/dashboard', SyncDashboard],
  ['/matching/:job', Matching],
  /* 经典题库 (the seed's /classic-questions is the API's, through nginx), 职场动态, 日历事件 */
  ['/question-bank', Questions], ['/news', News], ['/calendar', Calendar], ['/admin/content', AdminContent],
  ['/dashboard', Dashboard], ['/admin/stats', AdminStats],
  /* 意见反馈, 工单 and the admins' review and queue */
  ['/feedback', Feedback], ['/tickets', Tickets, 'tickets'], ['/tickets/:id', Tickets, 'tickets'],
  ['/admin/feedback', AdminFeedback], ['/admin/tickets', AdminTickets, 'admin-tickets'],
  ['/admin/tickets/:id', AdminTickets, 'admin-tickets'],
  /* 模拟面试 and 会议助手: /…/{id} is a live session (rejoined after a reload) or its report */
  ['/mock-interview', MockInterview, 'mock'], ['/mock-interview/:id', MockInterview, 'mock'],
  ['/meeting', Meeting, 'meeting'], ['/meeting/:id', Meeting, 'meeting'],
];

function NotFound() {
  return <div class="card narrow center"><h2>{t('notfound.title')}</h2><Link class="btn btn-primary" href="/">{t('notfound.back')}</Link></div>;
}

function App() {
  const [, setL] = useState(getLang());
  const [user, setU] = useState(getUser());
  const [booting, setBooting] = useState(!!getTokens());
  const { path } = useLocation();
  useEffect(() => onLang(setL), []);
  useEffect(() => onUser(setU), []);
  useEffect(() => {
    onAuthLost(() => {
      setUser(null);
      if (location.pathname !== '/login') {
        navigate('/login?expired=1&next=' + encodeURIComponent(location.pathname + location.search), true);
      }
    });
    if (getTokens()) loadUser().finally(() => setBooting(false));
  }, []);

  for (const [p, C] of publicRoutes) {
    if (match(p, path)) return <div class="auth-page"><AuthHeader /><C /></div>;
  }
  if (booting) return <Loading />;
  if (!user) return <Redirect to={path === '/' ? '/login' : '/login?next=' + encodeURIComponent(path + location.search)} />;
  if (path === '/' || path === '') return <Redirect to="/resumes" />;
  for (const [p, C, key] of appRoutes) {
    const params = match(p, path);
    if (params) return <Layout user={user} path={path}><C key={key || p} params={params} user={user} /></Layout>;
  }
  return <Layout user={user} path={path}><NotFound /></Layout>;
}

function Redirect({ to }) {
  useEffect(() => navigate(to, true), [to]);
  return <Loading />;
}

function AuthHeader() {
  return (
    <header class="auth-header">
      <Link class="brand" href="/"><span class="brand-mark">麦</span>{t('app.name')}</Link>
      <LangSwitch />
    </header>
  );
}

document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
render(<App />, document.getElementById('app'));
