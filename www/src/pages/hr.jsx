/* HR: 职位管理 (own jobs: list, create, edit, open/close, delete, CSV) and 候选人 per job
 * (the resume snapshot, status moves along the machine, CSV), kept current by the user's
 * live channel (a new applicant, a withdrawal). */
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { useLive } from '../live.js';
import { Link, navigate, useLocation } from '../router.js';
import { Alert, Empty, ErrorBox, Field, Loading, Modal, Spinner, fmtTime, markReady, useAsync, useForm } from '../ui.jsx';
import { AppStatus, EDUCATION, EXPERIENCE, LANGUAGES } from './jobs.jsx';

/* submitted -> viewed -> interviewing -> offered / rejected (fcgi/jobs/applications.c) */
const NEXT = {
  submitted: ['viewed', 'interviewing', 'rejected'],
  viewed: ['interviewing', 'rejected'],
  interviewing: ['offered', 'rejected'],
};

export function JobStatus({ status }) {
  const tone = status === 'open' ? 'good' : status === 'closed' ? 'bad' : 'wait';
  return <span class={'badge badge-' + tone} data-job-status={status}>{t('hr.status.' + status)}</span>;
}

/* download an authenticated CSV through a blob (a plain link would carry no token) */
async function download(path, name) {
  const blob = await api('GET', path, undefined, { blob: true });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url; a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

function CsvButton({ path, name, label }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const go = async () => { setBusy(true); setErr(null); try { await download(path, name); } catch (e) { setErr(e); } setBusy(false); };
  return (
    <>
      <button type="button" class="btn btn-small btn-ghost" data-csv={path} disabled={busy} onClick={go}>{busy && <Spinner />}{label || t('hr.csv')}</button>
      {err && <ErrorBox error={err} />}
    </>
  );
}

function toForm(j) {
  return {
    name: j ? j.name : '', company: j ? j.company : '', city: j ? j.city : '', salary: j ? j.salary : '',
    education: j ? j.education : '', years_of_working: j ? j.years_of_working : '', language: j ? j.language : '',
    responsibilities: j ? (j.responsibilities || []).join('\n') : '', requirements: j ? (j.requirements || []).join('\n') : '',
    description: j ? j.description : '', status: j ? j.status : 'open',
  };
}

const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);

function Choice({ f, name, options }) {
  return (
    <select {...f.bind(name)} onChange={(e) => f.setValues((s) => ({ ...s, [name]: e.currentTarget.value }))}>
      <option value="">{t('jobs.any')}</option>
      {options.map((o) => <option value={o}>{o}</option>)}
    </select>
  );
}

export function JobForm({ job, onSaved, onCancel }) {
  const f = useForm(toForm(job));
  const errs = f.errors || {};
  const save = f.submit(async (v) => {
    const body = { ...v, responsibilities: lines(v.responsibilities), requirements: lines(v.requirements) };
    onSaved(job ? await api('PATCH', '/api/v1/hr/jobs/' + job.id, body) : await api('POST', '/api/v1/hr/jobs', body));
  });
  return (
    <form onSubmit={save} data-form="job" novalidate>
      {f.error && !f.errors && <ErrorBox error={f.error} />}
      <div class="grid-2 tight">
        <Field label={t('hr.name')} name="name" errors={errs}><input {...f.bind('name')} maxLength={200} required /></Field>
        <Field label={t('hr.company')} name="company" errors={errs}><input {...f.bind('company')} maxLength={200} required /></Field>
        <Field label={t('jobs.city')} name="city" errors={errs}><input {...f.bind('city')} maxLength={100} /></Field>
        <Field label={t('jobs.salary')} name="salary" errors={errs} hint={t('hr.salaryHint')}><input {...f.bind('salary')} maxLength={50} /></Field>
        <Field label={t('jobs.education')} name="education" errors={errs}><Choice f={f} name="education" options={EDUCATION} /></Field>
        <Field label={t('jobs.experience')} name="years_of_working" errors={errs}><Choice f={f} name="years_of_working" options={EXPERIENCE} /></Field>
        <Field label={t('jobs.language')} name="language" errors={errs}><Choice f={f} name="language" options={LANGUAGES} /></Field>
        <Field label={t('hr.statusLabel')} name="status" errors={errs}>
          <select {...f.bind('status')} onChange={(e) => f.setValues((s) => ({ ...s, status: e.currentTarget.value }))}>
            {['draft', 'open', 'closed'].map((s) => <option value={s}>{t('hr.status.' + s)}</option>)}
          </select></Field>
      </div>
      <Field label={t('jobs.responsibilities')} name="responsibilities" errors={errs} hint={t('hr.oneALine')}>
        <textarea rows="3" {...f.bind('responsibilities')} /></Field>
      <Field label={t('jobs.requirements')} name="requirements" errors={errs} hint={t('hr.oneALine')}>
        <textarea rows="3" {...f.bind('requirements')} /></Field>
      <Field label={t('hr.description')} name="description" errors={errs}><textarea rows="3" {...f.bind('description')} /></Field>
      <div class="row-end">
        {onCancel && <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('common.cancel')}</button>}
        <button class="btn btn-primary" type="submit" disabled={f.busy}>{f.busy && <Spinner />}{job ? t('common.save') : t('hr.publish')}</button>
      </div>
    </form>
  );
}

function HrJobsPage() {
  const { query } = useLocation();
  const status = query.get('status') || '';
  const list = useAsync(() => api('GET', '/api/v1/hr/jobs?page_size=100' + (status ? '&status=' + status : '')), [status]);
  const [creating, setCreating] = useState(false);
  const items = (list.data && list.data.items) || [];
  if (list.data) markReady('hr-jobs');
  return (
    <div class="page" data-page="hr-jobs">
      <div class="page-head row-between">
        <h1>{t('hr.title')}</h1>
        <div class="row-end">
          <CsvButton path="/api/v1/hr/export/jobs.csv" name="职位.csv" />
          <CsvButton path="/api/v1/hr/export/jobs.xlsx" name="职位.xlsx" label={t('hr.xlsx')} />
          {!creating && <button class="btn btn-primary" data-new-job onClick={() => setCreating(true)}>{t('hr.new')}</button>}
        </div>
      </div>
      {creating && (
        <section class="card"><h2>{t('hr.new')}</h2>
          <JobForm onCancel={() => setCreating(false)} onSaved={(j) => { setCreating(false); navigate('/hr/jobs/' + j.id); }} />
        </section>
      )}
      <section class="card">
        <div class="chips tabs" role="tablist">
          {['', 'open', 'draft', 'closed'].map((s) => (
            <Link class={'chip' + (s === status ? ' chip-tip' : '')} href={'/hr/jobs' + (s ? '?status=' + s : '')} data-status-tab={s || 'all'}>
              {s ? t('hr.status.' + s) : t('hr.all')}</Link>))}
        </div>
        {list.loading && !list.data ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !items.length ? <Empty>{t('hr.none')}</Empty> : (
            <ul class="item-list" data-hr-jobs>
              {items.map((j) => (
                <li><Link class="item" href={'/hr/jobs/' + j.id} data-hr-job={j.id}>
                  <span class="item-main"><b>{j.name}</b>
                    <span class="muted small">{[j.company, j.city, j.salary].filter(Boolean).join(' · ')} · {fmtTime(j.created_at)}</span></span>
                  {!j.synced && j.status === 'open' && <span class="badge badge-wait">{t('hr.syncing')}</span>}
                  <JobStatus status={j.status} />
                  <span class="chev">›</span>
                </Link></li>))}
            </ul>
          )}
      </section>
    </div>
  );
}

function Candidate({ a, onMove, busy }) {
  const [open, setOpen] = useState(false);
  const next = NEXT[a.status] || [];
  return (
    <li><div class="item static candidate" data-candidate={a.id} data-status={a.status}>
      <span class="item-main">
        <b>{a.applicant_email}</b>
        <span class="muted small">{a.resume_name} · {t('apps.appliedAt', { t: fmtTime(a.created_at) })}</span>
        {a.resume_updated && <span class="small warn" data-resume-updated>{t('hr.resumeUpdated')}</span>}
        {a.close_reason && <span class="small muted">{a.close_reason}</span>}
      </span>
      <AppStatus status={a.status} />
      <div class="cand-actions">
        <button class="btn btn-small btn-ghost" data-snapshot={a.id} aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? t('hr.hideResume') : t('hr.showResume')}</button>
        {next.map((s) => (
          <button class={'btn btn-small ' + (s === 'rejected' ? 'btn-danger-ghost' : 'btn-primary')} disabled={busy}
            data-move={s} onClick={() => onMove(a, s)}>{t('hr.move.' + s)}</button>))}
      </div>
      {open && (
        <div class="snapshot" data-snapshot-text>
          <p class="muted small">{t('hr.snapshot', { file: a.resume_file_name })}</p>
          {a.resume_text ? <pre class="resume-text">{a.resume_text}</pre> : <p class="muted">{t('hr.noText')}</p>}
        </div>
      )}
    </div></li>
  );
}

function HrJobPage({ params }) {
  const job = useAsync(() => api('GET', '/api/v1/hr/jobs/' + params.id), [params.id]);
  const apps = useAsync(() => api('GET', '/api/v1/hr/jobs/' + params.id + '/applications?page_size=100'), [params.id]);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const [confirm, setConfirm] = useState(false);
  /* a new applicant or a withdrawal on this job: read the applicants again */
  useLive((ev) => {
    if (String(ev.job_id) === String(params.id) && (ev.type === 'application.new' || ev.type === 'application.status')) apps.reload();
  }, [params.id]);
  const j = job.data;
  if (j && apps.data) markReady('hr-job');
  const act = async (fn) => {
    setBusy(true); setErr(null);
    try { await fn(); } catch (e) { setErr(e); }
    setBusy(false);
  };
  const setStatus = (status) => act(async () => { job.setData(await api('PATCH', '/api/v1/hr/jobs/' + j.id, { status })); apps.reload(); });
  const del = () => { setConfirm(false); act(async () => { await api('DELETE', '/api/v1/hr/jobs/' + j.id); navigate('/hr/jobs'); }); };
  const move = (a, status) => act(async () => {
    const d = await api('PATCH', '/api/v1/hr/applications/' + a.id, { status });
    apps.setData({ ...apps.data, items: apps.data.items.map((x) => (x.id === d.id ? d : x)) });
  });
  const items = (apps.data && apps.data.items) || [];
  return (
    <div class="page" data-page="hr-job">
      <Link class="back" href="/hr/jobs">‹ {t('hr.title')}</Link>
      {job.loading ? <Loading /> : job.error ? <ErrorBox error={job.error} onRetry={job.reload} /> : (
        <>
          <ErrorBox error={err} />
          <section class="card" data-hr-job-detail={j.id}>
            {editing ? (
              <><h2>{t('hr.edit')}</h2>
                <JobForm job={j} onCancel={() => setEditing(false)} onSaved={(d) => { setEditing(false); job.setData(d); apps.reload(); }} /></>
            ) : (
              <>
                <div class="row-between wrap">
                  <div><h1>{j.name}</h1><p class="muted">{[j.company, j.city, j.salary].filter(Boolean).join(' · ')}</p></div>
                  <JobStatus status={j.status} />
                </div>
                <p class="muted small">{t('hr.lastSynced')}: {j.last_synced ? fmtTime(j.last_synced) : '—'}</p>
                <div class="row-end wrap">
                  <button class="btn btn-small btn-ghost" data-edit-job onClick={() => setEditing(true)}>{t('hr.edit')}</button>
                  {j.status !== 'open' && <button class="btn btn-small btn-primary" disabled={busy} data-open-job onClick={() => setStatus('open')}>{t('hr.open')}</button>}
                  {j.status === 'open' && <button class="btn btn-small btn-ghost" disabled={busy} data-close-job onClick={() => setStatus('closed')}>{t('hr.close')}</button>}
                  <button class="btn btn-small btn-danger-ghost" disabled={busy} data-delete-job onClick={() => setConfirm(true)}>{t('common.delete')}</button>
                  <Link class="btn btn-small btn-ghost" href={'/matching/' + j.id} data-match-job>{t('hr.match')}</Link>
                </div>
              </>
            )}
          </section>
          <section class="card">
            <div class="card-head"><h2>{t('hr.candidates')} {apps.data && <span class="muted small">({apps.data.total})</span>}</h2>
              <CsvButton path={'/api/v1/hr/export/jobs/' + j.id + '/applications.csv'} name={'职位' + j.id + '-候选人.csv'} />
              <CsvButton path={'/api/v1/hr/export/jobs/' + j.id + '/applications.xlsx'} name={'职位' + j.id + '-候选人.xlsx'} label={t('hr.xlsx')} /></div>
            {apps.loading && !apps.data ? <Loading /> : apps.error ? <ErrorBox error={apps.error} onRetry={apps.reload} />
              : !items.length ? <Empty>{t('hr.noCandidates')}</Empty> : (
                <ul class="item-list" data-candidates>{items.map((a) => <Candidate a={a} busy={busy} onMove={move} />)}</ul>
              )}
          </section>
          {confirm && (
            <Modal title={t('hr.deleteTitle')} danger confirmLabel={t('common.delete')} onCancel={() => setConfirm(false)} onConfirm={del}>
              <Alert kind="warn">{t('hr.deleteBody')}</Alert>
            </Modal>
          )}
        </>
      )}
    </div>
  );
}

export const isHr = (user) => !!user && (user.role === 'hr' || user.role === 'admin');

/* a seeker who finds an HR path: say so, without asking the API for what it will refuse */
export function HrOnly() {
  return (
    <div class="page">
      <section class="card narrow center no-perm" data-no-permission>
        <div class="no-perm-icon" aria-hidden="true">!</div>
        <h2>{t('admin.noPermTitle')}</h2>
        <p class="muted">{t('hr.noPerm')}</p>
        <Link class="btn btn-primary" href="/jobs">{t('nav.jobs')}</Link>
      </section>
    </div>
  );
}

export function HrJobs({ user }) { return isHr(user) ? <HrJobsPage /> : <HrOnly />; }
export function HrJob({ user, params }) { return isHr(user) ? <HrJobPage params={params} /> : <HrOnly />; }
