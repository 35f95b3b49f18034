/* 人岗匹配 (issue 13): an HR user's job page part -- 开始匹配 with a priority, a live progress bar with
 * the ETA, the ranked candidates (score bar, key skills, years, education, job-seeking status) with a
 * minimum-score filter, and 邀请投递 per candidate (POST /match/invite/{job}/: a notification for the
 * candidate; once per candidate, then the button says 已邀请).  Route: /matching/:job (the job's id). */
import { useEffect, useState } from 'preact/hooks';
import { api, watchTask } from '../api.js';
import { Alert, Chips, Empty, ErrorBox, Loading, Progress } from '../ui.jsx';

const PRIORITIES = [['high', '高'], ['normal', '普通'], ['low', '低']];

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
      <h2>人岗匹配</h2>
      <div class="row">
        <label>优先级{' '}
          <select value={priority} onChange={(e) => setPriority(e.target.value)} data-priority>
            {PRIORITIES.map(([v, l]) => <option value={v}>{l}</option>)}
          </select>
        </label>{' '}
        {st.status === 'matching'
          ? <button class="btn" onClick={cancel}>取消匹配</button>
          : <button class="btn btn-primary" onClick={start} data-start>开始匹配</button>}
      </div>
      {st.status === 'matching' && <Progress value={st.progress} label={'预计剩余 ' + st.estimated_time} />}
      {st.status === 'failed' && <Alert kind="error">匹配失败：{st.error_message || ''}</Alert>}
      {st.stale && <Alert kind="info">职位在上次匹配后已修改，建议重新匹配。</Alert>}
      {res && (
        <div>
          <p>候选人 {res.total_candidates} 人，达到匹配线 {res.matched_count} 人{' '}
            <label>最低分 <input type="number" min="0" max="100" value={minScore}
              onChange={(e) => { setPage(1); setMinScore(Math.max(0, Math.min(100, Number(e.target.value) || 0))); }} /></label>
          </p>
          {inviteError && <Alert kind="error">邀请失败：{inviteError.message || String(inviteError)}</Alert>}
          {res.results.length === 0 ? <Empty>暂无匹配结果</Empty> : (
            <table class="table" data-results>
              <thead><tr><th>排名</th><th>候选人</th><th>匹配度</th><th>技能</th><th>年限</th><th>学历</th><th>求职状态</th><th>邀请</th></tr></thead>
              <tbody>
                {res.results.map((c) => (
                  <tr key={c.resume_id}>
                    <td>{c.rank}</td>
                    <td>{c.candidate_name}</td>
                    <td><Progress value={c.match_score} /></td>
                    <td><Chips items={c.key_skills} /></td>
                    <td>{c.experience_years == null ? '—' : c.experience_years + ' 年'}</td>
                    <td>{c.education || '—'}</td>
                    <td>{c.status}</td>
                    <td>
                      <button class="btn btn-small" data-invite={c.resume_id} disabled={c.invited || inviting === c.resume_id}
                        onClick={() => invite(c)}>{c.invited ? '已邀请' : '邀请投递'}</button>
                      <button class="btn btn-small btn-ghost" data-open-resume={c.resume_id} onClick={() => openResume(c)}>简历</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div class="row">
            <button class="btn" disabled={page <= 1} onClick={() => setPage(page - 1)}>上一页</button>{' '}
            <span>第 {page} 页</span>{' '}
            <button class="btn" disabled={res.results.length < 20} onClick={() => setPage(page + 1)}>下一页</button>
          </div>
        </div>
      )}
    </div>
  );
}
