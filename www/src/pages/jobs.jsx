/* 找工作 for seekers: search with filters, a job's detail, applying with a resume, and
 * 我的申请 with each application's status as it changes (the user's live channel). */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { useLive } from '../live.js';
import { Link, navigate, useLocation } from '../router.js';
import { Alert, Empty, ErrorBox, Field, List, Loading, Spinner, fmtTime, markReady, useAsync } from '../ui.jsx';

/* the values HR's form offers too: search filters match them exactly */
export const EDUCATION = ['大专', '本科', '硕士', '博士'];
export const EXPERIENCE = ['应届', '1-3年', '3-5年', '5-10年', '10年以上'];
export const LANGUAGES = ['英语', '日语', '韩语', '德语', '法语'];
const FILTERS = ['q', 'city', 'salary_min', 'salary_max', 'education', 'experience', 'language', 'sort'];
const PAGE_SIZE = 10;

/* an application's status as a badge; live: it just changed */
export function AppStatus({ status, text, live }) {
  const tone = ['offered', 'interviewing'].includes(status) ? 'good'
    : ['rejected', 'withdrawn', 'closed'].includes(status) ? 'bad' : 'wait';
  return <span class={'badge badge-' + tone + (live ? ' badge-live' : '')} data-app-status={status}>{t('app.status.' + status) || text}</span>;
}

function Select({ name, value, options, onChange, any }) {
  return (
    <select name={name} value={value} onChange={(e) => onChange(name, e.currentTarget.value)}>
      <option value="">{any}</option>
      {options.map((o) => (Array.isArray(o) ? <option value={o[0]}>{o[1]}</option> : <option value={o}>{o}</option>))}
    </select>
  );
}

function SearchForm({ query }) {
  const init = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || '']));
  const [v, setV] = useState(init);
  useEffect(() => setV(init), [query.toString()]);
  const set = (k, x) => setV((s) => ({ ...s, [k]: x }));
  const submit = (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const k of FILTERS) if (v[k] !== '' && v[k] != null) p.set(k, String(v[k]).trim());
    navigate('/jobs' + (p.toString() ? '?' + p : ''));
  };
  const any = t('jobs.any');
  return (
    <form class="card job-search" role="search" data-form="job-search" onSubmit={submit}>
      <div class="search-bar">
        <input name="q" type="search" value={v.q} placeholder={t('jobs.qPlaceholder')} maxLength={100}
          onInput={(e) => set('q', e.currentTarget.value)} />
        <button class="btn btn-primary" type="submit">{t('jobs.search')}</button>
      </div>
      <div class="filters">
        <label class="filter"><span>{t('jobs.city')}</span>
          <input name="city" value={v.city} maxLength={100} onInput={(e) => set('city', e.currentTarget.value)} /></label>
        <label class="filter"><span>{t('jobs.salary')}</span>
          <span class="range">
            <input name="salary_min" type="number" min="0" max="10000" inputMode="numeric" value={v.salary_min}
              placeholder={t('jobs.min')} onInput={(e) => set('salary_min', e.currentTarget.value)} />
            <span>–</span>
            <input name="salary_max" type="number" min="0" max="10000" inputMode="numeric" value={v.salary_max}
              placeholder={t('jobs.max')} onInput={(e) => set('salary_max', e.currentTarget.value)} />
          </span></label>
        <label class="filter"><span>{t('jobs.education')}</span>
          <Select name="education" value={v.education} options={EDUCATION} onChange={set} any={any} /></label>
        <label class="filter"><span>{t('jobs.experience')}</span>
          <Select name="experience" value={v.experience} options={EXPERIENCE} onChange={set} any={any} /></label>
        <label class="filter"><span>{t('jobs.language')}</span>
          <Select name="language" value={v.language} options={LANGUAGES} onChange={set} any={any} /></label>
        <label class="filter"><span>{t('jobs.sort')}</span>
          <select name="sort" value={v.sort || 'relevance'} onChange={(e) => set('sort', e.currentTarget.value)}>
            <option value="relevance">{t('jobs.sort.relevance')}</option>
            <option value="newest">{t('jobs.sort.newest')}</option>
          </select></label>
      </div>
    </form>
  );
}

function JobLine({ j }) {
  const facts = [j.city, j.education, j.years_of_working, j.language].filter(Boolean);
  return (
    <Link class="item job-item" href={'/jobs/' + j.id} data-job-id={j.id}>
      <span class="item-main">
        <b>{j.name}</b>
        <span class="muted small">{j.company}{facts.length ? ' · ' + facts.join(' · ') : ''}</span>
      </span>
      <span class="salary">{j.salary || t('jobs.negotiable')}</span>
      <span class="chev">›</span>
    </Link>
  );
}

export function Jobs() {
  const { query } = useLocation();
  const qs = query.toString();
  const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
  const res = useAsync(() => {
    const p = new URLSearchParams(qs);
    p.set('page_size', PAGE_SIZE);
    if (!p.get('sort')) p.delete('sort');
    return api('GET', '/api/v1/search/jobs?' + p);
  }, [qs]);
  const d = res.data;
  if (d) markReady('jobs');
  const go = (n) => { const p = new URLSearchParams(qs); p.set('page', n); navigate('/jobs?' + p); };
  const pages = d ? Math.max(1, Math.ceil(d.total / d.page_size)) : 1;
  return (
    <div class="page" data-page="jobs">
      <div class="page-head row-between">
        <h1>{t('jobs.title')}</h1>
        <Link class="btn btn-ghost btn-small" href="/applications">{t('nav.applications')}</Link>
      </div>
      <SearchForm query={query} />
      <section class="card">
        {res.loading && !d ? <Loading /> : res.error ? <ErrorBox error={res.error} onRetry={res.reload} /> : (
          <>
            <p class="muted small" data-job-total={d.total}>{t('jobs.found', { n: d.total })}</p>
            {!d.items.length ? <Empty>{t('jobs.none')}</Empty> : (
              <ul class="item-list" data-job-results>{d.items.map((j) => <li><JobLine j={j} /></li>)}</ul>
            )}
            {pages > 1 && (
              <div class="pager" data-pager>
                <button class="btn btn-small btn-ghost" disabled={page <= 1} onClick={() => go(page - 1)}>{t('common.prev')}</button>
                <span class="muted small">{page} / {pages}</span>
                <button class="btn btn-small btn-ghost" disabled={page >= pages} onClick={() => go(page + 1)}>{t('common.next')}</button>
              </div>
            )}
          </>
        )}
      </section>
    </div>
  );
}

function ApplyBox({ jobId, mine }) {
  const resumes = useAsync(() => api('GET', '/api/resumes?page_size=100'), []);
  const [rid, setRid] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const [done, setDone] = useState(mine);
  const items = (resumes.data && resumes.data.items) || [];
  useEffect(() => { if (!rid && items.length) setRid(items[0].id); }, [items.length]);
  if (done) {
    return (
      <Alert kind="success"><span data-applied>{t('jobs.applied')} <AppStatus status={done.status} /></span>
        <Link class="btn btn-small btn-ghost" href="/applications">{t('nav.applications')}</Link></Alert>
    );
  }
  const apply = async (e) => {
    e.preventDefault();
    setBusy(true); setErr(null);
    try { setDone(await api('POST', '/api/v1/applications', { job_id: Number(jobId), resume_id: rid })); } catch (x) { setErr(x); }
    setBusy(false);
  };
  if (resumes.loading) return <Loading />;
  if (resumes.error) return <ErrorBox error={resumes.error} onRetry={resumes.reload} />;
  if (!items.length) return <Alert kind="warn"><span>{t('jobs.noResume')}</span><Link class="btn btn-small btn-primary" href="/resumes">{t('nav.resumes')}</Link></Alert>;
  return (
    <form class="apply" data-form="apply" onSubmit={apply}>
      <ErrorBox error={err} />
      <Field label={t('jobs.chooseResume')} name="resume_id" errors={err && err.fields}>
        <select name="resume_id" value={rid} onChange={(e) => setRid(e.currentTarget.value)}>
          {items.map((r) => <option value={r.id}>{r.name || r.id}</option>)}
        </select>
      </Field>
      <div class="row-end"><button class="btn btn-primary" disabled={busy || !rid}>{busy && <Spinner />}{t('jobs.apply')}</button></div>
    </form>
  );
}

export function JobDetail({ params }) {
  const job = useAsync(() => api('GET', '/jobs/api/job/' + params.id + '/'), [params.id]);
  const mine = useAsync(() => api('GET', '/api/v1/applications?page_size=100'), [params.id]);
  const j = job.data;
  if (j && !mine.loading) markReady('job');
  const applied = mine.data && mine.data.items.find((a) => String(a.job_id) === String(params.id));
  return (
    <div class="page" data-page="job">
      <a class="back" href="/jobs" onClick={(e) => { e.preventDefault(); history.length > 1 ? history.back() : navigate('/jobs'); }}>‹ {t('common.back')}</a>
      {job.loading ? <Loading /> : job.error ? <ErrorBox error={job.error} onRetry={job.reload} /> : (
        <>
          <section class="card" data-job={j.job_id}>
            <div class="row-between wrap">
              <div><h1 data-job-name>{j.name}</h1><p class="muted">{j.company}</p></div>
              <span class="salary big">{j.salary || t('jobs.negotiable')}</span>
            </div>
            <div class="facts">
              {[[t('jobs.city'), j.city], [t('jobs.education'), j.education], [t('jobs.experience'), j.years_of_working],
                [t('jobs.language'), j.language]].filter((x) => x[1]).map(([k, x]) => <span><span class="muted">{k}</span> {x}</span>)}
            </div>
            <h2>{t('jobs.responsibilities')}</h2><List items={j.responsibilities} />
            <h2>{t('jobs.requirements')}</h2><List items={j.requirements} />
            <div class="row-end"><Link class="btn btn-ghost btn-small" href={'/mock-interview?job=' + encodeURIComponent(j.job_id)} data-mock-job>{t('jobs.mock')}</Link></div>
          </section>
          <section class="card">
            <h2>{t('jobs.applyTitle')}</h2>
            {mine.loading ? <Loading /> : <ApplyBox jobId={params.id} mine={applied} />}
          </section>
        </>
      )}
    </div>
  );
}

/* 我的申请: the list from the seeker's read model; live messages patch a row's status at once
 * (the read model follows within moments), and a message about an unknown row reloads */
export function Applications() {
  const list = useAsync(() => api('GET', '/api/v1/applications?page_size=100'), []);
  const [live, setLive] = useState({}); /* application id -> {status, status_text, close_reason} */
  const [busy, setBusy] = useState(null);
  const [err, setErr] = useState(null);
  const on = useLive((ev) => {
    if (ev.type !== 'application.status' || !ev.application_id) return;
    setLive((m) => ({ ...m, [ev.application_id]: { status: ev.status, close_reason: ev.close_reason } }));
  }, []);
  const items = (list.data && list.data.items) || [];
  /* a live status holds until the list says the same (the read model caught up); a message
   * about a row the list lacks, or one still behind, reads the list again shortly */
  useEffect(() => {
    const ids = Object.keys(live);
    if (!ids.length) return undefined;
    const same = ids.filter((id) => { const a = items.find((x) => String(x.id) === id); return a && a.status === live[id].status; });
    if (same.length) {
      setLive((m) => { const n = { ...m }; same.forEach((id) => delete n[id]); return n; });
      return undefined;
    }
    const tm = setTimeout(() => list.reload(), 1500);
    return () => clearTimeout(tm);
  }, [live, list.data]);
  /* no stream (no nchan in front, or down): read the list now and then instead */
  useEffect(() => {
    if (on) return undefined;
    const id = setInterval(() => list.reload(), 15000);
    return () => clearInterval(id);
  }, [on]);
  if (list.data) markReady('applications');
  const withdraw = async (a) => {
    setBusy(a.id); setErr(null);
    try {
      const d = await api('POST', '/api/v1/applications/' + a.id + '/withdraw');
      setLive((m) => ({ ...m, [a.id]: { status: d.status, close_reason: d.close_reason } }));
    } catch (x) { setErr(x); }
    setBusy(null);
  };
  return (
    <div class="page" data-page="applications">
      <div class="page-head row-between">
        <h1>{t('apps.title')}</h1>
        <span class={'live-dot' + (on ? ' on' : '')} data-live={on ? 'on' : 'off'} title={on ? t('apps.liveOn') : t('apps.liveOff')}>
          {on ? t('apps.liveOn') : t('apps.liveOff')}</span>
      </div>
      <ErrorBox error={err} />
      <section class="card">
        {list.loading && !list.data ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !items.length ? <Empty><span>{t('apps.none')} </span><Link href="/jobs">{t('nav.jobs')}</Link></Empty> : (
            <ul class="item-list" data-applications>
              {items.map((a) => {
                const l = live[a.id];
                const status = l ? l.status : a.status;
                const reason = l ? l.close_reason : a.close_reason;
                const open = ['submitted', 'viewed', 'interviewing', 'offered'].includes(status);
                return (
                  <li><div class="item static app-item" data-application={a.id} data-status={status}>
                    <span class="item-main">
                      <Link href={'/jobs/' + a.job_id}><b>{a.job_name}</b></Link>
                      <span class="muted small">{a.company} · {a.city} · {a.salary} · {t('apps.appliedAt', { t: fmtTime(a.applied_at) })}</span>
                      {reason && <span class="small muted" data-close-reason>{reason}</span>}
                    </span>
                    <AppStatus status={status} live={!!l} />
                    {open && <button class="btn btn-small btn-danger-ghost" disabled={busy === a.id} data-withdraw={a.id}
                      onClick={() => withdraw(a)}>{t('apps.withdraw')}</button>}
                  </div></li>
                );
              })}
            </ul>
          )}
      </section>
    </div>
  );
}
