/* 人岗匹配 (issue 13): an HR user's job page part -- 开始匹配 with a priority, a live progress bar with
 * the ETA, the ranked candidates (score bar, key skills, years, education, job-seeking status) with a
 * minimum-score filter, and 邀请投递 per candidate (POST /match/invite/{job}/: a notification for the
 * candidate; once per candidate, then the button says 已邀请).  Route: /matching/:job (the job's id). */
import { useEffect, useState } from 'preact/hooks';
import { api, watchTask } from '../api.js';
import { t } from '../i18n/index.js';
import { Alert, Chips, Empty, ErrorBox, Loading, Progress } from '../ui.jsx';

const PRIORITIES = ['high', 'normal', 'low'];
/* the job-seeking statuses as the API names them (accounts' four values), shown through i18n */
const JOB_STATUSES = ['离职，正在找工作', '在职，急寻新工作', '在职，看看新机会', '在职，暂无跳槽打算'];
const jobStatus = (s) => (JOB_STATUSES.includes(s) ? t('matching.jobStatus.' + JOB_STATUSES.indexOf(s)) : s);
const education = (e) => (e ? t('matching.edu.' + e) : '—');
/* the API's ETA words ("不到1分钟", "约3分钟", "约2小时") in the page's language */
function eta(words) {
  const m = /^约(\d+)(分钟|小时)$/.exec(words || '');
  if (m) return t(m[2] === '分钟' ? 'matching.eta.min' : 'matching.eta.hour', { n: m[1] });
  return words === '不到1分钟' ? t('matching.eta.lt1') : (words || '');
}

export function Matching({ params }) {
  const job = params.job;
  const [st, setSt] = useState(null);
  const [res, setRes] = useState(null);
  const [error, setError] = useState(null);
  const [priority, setPriority] = useState('normal');
  const [minScore, setMinScore] = useState(0);
  const [page, setPage] = useState(1);
  const [inviting, setInviting] = useState(null);
  const [inviteError, setInviteError] = useState(null);

  const loadStatus = () => api('GET', `/match/status/${job}/`).then(setSt, setError);
  const loadResults = () => api('GET', `/match/result/${job}/?page=${page}&page_size=20&min_score=${minScore}`)
    .then(setRes, setError);

  useEffect(() => { loadStatus(); }, [job]);
  useEffect(() => { loadResults(); }, [job, page, minScore]);
  /* while a run goes on: its progress live (the run's queue task over nchan), the ETA every 2 s, the
   * ranking once it is done */
  const running = st && st.status === 'matching';
  useEffect(() => {
    if (!running || !st.queue_task_id) return undefined;
    const w = watchTask(st.queue_task_id, (pct) => setSt((s) => (s && s.status === 'matching' ? { ...s, progress: pct } : s)));
    w.promise.then(() => { loadStatus(); loadResults(); }, () => loadStatus());
    return () => w.cancel();
  }, [running, st && st.queue_task_id]);
  useEffect(() => {
    if (!running) return undefined;
    const id = setTimeout(() => api('GET', `/match/status/${job}/`).then((s) => {
      setSt((old) => ({ ...s, progress: Math.max(s.progress, old && old.status === 'matching' ? old.progress : 0) }));
      if (s.status !== 'matching') loadResults();
    }, setError), 2000);
    return () => clearTimeout(id);
  }, [st]);

  const start = () => api('POST', `/match/start/${job}/`, { job_id: Number(job), priority })
    .then(() => loadStatus(), setError);
  /* the row says 已邀请 at once; a 409 (invited meanwhile, elsewhere) says so too */
  const markInvited = (rid) => setRes((r) => (r ? { ...r, results: r.results.map((c) => (c.resume_id === rid ? { ...c, invited: true } : c)) } : r));
  /* the candidate's resume file (discoverable = opted in): fetched with the token, shown in a new tab */
  const openResume = async (c) => {
    const w = window.open('', '_blank');
    try {
      const blob = await api('GET', `/match/resume/${job}/${c.resume_id}/`, undefined, { blob: true });
      if (w) w.location = URL.createObjectURL(blob);
    } catch (e) {
      if (w) w.close();
      setInviteError(e);
    }
  };
  const invite = (c) => {
    setInviting(c.resume_id); setInviteError(null);
    api('POST', `/match/invite/${job}/`, { resume_id: c.resume_id })
      .then(() => markInvited(c.resume_id), (e) => {
        if (e && e.status === 409 && e.code === 'already_invited') markInvited(c.resume_id);
        else setInviteError(e);
      })
      .finally(() => setInviting(null));
  };
  const cancel = () => api('POST', `/match/cancel/${job}/`).then(() => loadStatus(), setError);

  if (error) return <ErrorBox error={error} onRetry={() => { setError(null); loadStatus(); loadResults(); }} />;
  if (!st) return <Loading />;
  return (
    <div class="card" data-page="matching">
      <h2>{t('matching.title')}</h2>
      <div class="row">
        <label>{t('matching.priority')}{' '}
          <select value={priority} onChange={(e) => setPriority(e.target.value)} data-priority>
            {PRIORITIES.map((v) => <option value={v}>{t('matching.priority.' + v)}</option>)}
          </select>
        </label>{' '}
        {st.status === 'matching'
          ? <button class="btn" onClick={cancel}>{t('matching.cancel')}</button>
          : <button class="btn btn-primary" onClick={start} data-start>{t('matching.start')}</button>}
      </div>
      {st.status === 'matching' && <Progress value={st.progress} label={t('matching.eta', { eta: eta(st.estimated_time) })} />}
      {st.status === 'failed' && <Alert kind="error">{t('matching.failed', { why: st.error_message || '' })}</Alert>}
      {st.stale && <Alert kind="info">{t('matching.stale')}</Alert>}
      {res && (
        <div>
          <p>{t('matching.summary', { total: res.total_candidates, matched: res.matched_count })}{' '}
            <label>{t('matching.minScore')} <input type="number" min="0" max="100" value={minScore}
              onChange={(e) => { setPage(1); setMinScore(Math.max(0, Math.min(100, Number(e.target.value) || 0))); }} /></label>
          </p>
          {inviteError && <Alert kind="error">{t('matching.inviteFailed', { why: inviteError.message || String(inviteError) })}</Alert>}
          {res.results.length === 0 ? <Empty>{t('matching.none')}</Empty> : (
            <table class="table" data-results>
              <thead><tr>{['rank', 'candidate', 'score', 'skills', 'years', 'education', 'status', 'invite'].map((k) => <th>{t('matching.col.' + k)}</th>)}</tr></thead>
              <tbody>
                {res.results.map((c) => (
                  <tr key={c.resume_id}>
                    <td>{c.rank}</td>
                    <td>{c.candidate_name}</td>
                    <td><Progress value={c.match_score} /></td>
                    <td><Chips items={c.key_skills} /></td>
                    <td>{c.experience_years == null ? '—' : t('matching.years', { n: c.experience_years })}</td>
                    <td>{education(c.education)}</td>
                    <td>{jobStatus(c.status)}</td>
                    <td>
                      <button class="btn btn-small" data-invite={c.resume_id} disabled={c.invited || inviting === c.resume_id}
                        onClick={() => invite(c)}>{c.invited ? t('matching.invited') : t('matching.invite')}</button>
                      <button class="btn btn-small btn-ghost" data-open-resume={c.resume_id} onClick={() => openResume(c)}>{t('matching.resume')}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div class="row">
            <button class="btn" disabled={page <= 1} onClick={() => setPage(page - 1)}>{t('matching.prev')}</button>{' '}
            <span>{t('matching.page', { n: page })}</span>{' '}
            <button class="btn" disabled={res.results.length < 20} onClick={() => setPage(page + 1)}>{t('matching.next')}</button>
          </div>
        </div>
      )}
    </div>
  );
}
