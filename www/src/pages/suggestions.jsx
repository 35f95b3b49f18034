import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, watchTask } from '../api.js';
import { Chips, ErrorBox, Field, fmtTime, Gauge, HistoryCard, List, Progress, Spinner, useAsync } from '../ui.jsx';
import { ResumePicker } from './resumes.jsx';

export function SuggestionView({ s }) {
  const r = s.result || {};
  const [fb, setFb] = useState(s.helpful === true || s.helpful === false ? s.helpful : null);
  const [err, setErr] = useState(null);
  const send = async (helpful) => {
    setErr(null);
    try { await api('POST', '/api/suggestions/' + s.id + '/feedback', { is_helpful: helpful }); setFb(helpful); } catch (e) { setErr(e); }
  };
  return (
    <section class="card result" data-suggestion={s.id}>
      <div class="result-top">
        <Gauge score={r.score ?? s.score} label={t('sugg.score')} />
        <div class="result-summary">
          <h2>{t('sugg.summary')}</h2>
          <p data-summary>{r.summary || s.feedback}</p>
          <p class="muted small">{fmtTime(s.created_at)}</p>
        </div>
      </div>
      {r.components && r.components.length > 0 && (
        <div class="components">
          {r.components.map((c) => (
            <div class="component"><div class="row-between small"><span>{c.name} <span class="muted">· {c.weight}%</span></span><b>{c.score}</b></div>
              <div class="progress thin"><div class="progress-bar" style={{ width: c.score + '%' }} /></div>
              <p class="muted small">{c.detail}</p></div>
          ))}
        </div>
      )}
      <div class="grid-2 tight">
        <div><h3>{t('sugg.matched')}</h3><Chips items={r.matched_skills} kind="good" /></div>
        <div><h3>{t('sugg.missing')}</h3><Chips items={r.missing_skills} kind="bad" /></div>
        <div><h3>{t('sugg.strengths')}</h3><List items={r.strengths} kind="good" /></div>
        <div><h3>{t('sugg.gaps')}</h3><List items={r.gaps} kind="bad" /></div>
      </div>
      <h3>{t('sugg.suggestions')}</h3>
      <List items={r.suggestions} kind="tip" />
      <div class="feedback">
        {fb === null ? <>
          <span>{t('sugg.helpfulQ')}</span>
          <button class="btn btn-small btn-ghost" onClick={() => send(true)} data-helpful="yes">{t('sugg.helpful')}</button>
          <button class="btn btn-small btn-ghost" onClick={() => send(false)} data-helpful="no">{t('sugg.notHelpful')}</button>
        </> : <span class="good" data-feedback-done>{t('sugg.thanks')}</span>}
        <ErrorBox error={err} />
      </div>
    </section>
  );
}

export function Suggestions() {
  const [resume, setResume] = useState('');
  const [jd, setJd] = useState('');
  const [busy, setBusy] = useState(false);
  const [pct, setPct] = useState(null);
  const [errors, setErrors] = useState(null);
  const [error, setError] = useState(null);
  const [current, setCurrent] = useState(null);
  const hist = useAsync(() => api('GET', '/api/suggestions?page_size=20'));
  const go = async (e) => {
    e.preventDefault();
    setErrors(null); setError(null);
    if (!jd.trim()) { setErrors({ job_description: [t('err.required')] }); return; }
    setBusy(true);
    try {
      let s = await api('POST', '/api/suggestions', { resume_id: resume, job_description: jd });
      if (!s.result && s.task_id) {
        setPct(0);
        await watchTask(s.task_id, (p) => setPct(p)).promise;
        s = await api('GET', '/api/suggestions/' + s.id);
      }
      setCurrent(s);
      hist.reload();
    } catch (err) {
      if (err.fields) setErrors(err.fields);
      setError(err);
    } finally { setBusy(false); setPct(null); }
  };
  const open = async (id) => {
    setError(null);
    try { setCurrent(await api('GET', '/api/suggestions/' + id)); window.scrollTo(0, 0); } catch (e) { setError(e); }
  };
  return (
    <div class="page">
      <div class="page-head"><h1>{t('sugg.title')}</h1><p class="muted">{t('sugg.sub')}</p></div>
      <section class="card">
        <form onSubmit={go} data-form="suggest" novalidate>
          <ResumePicker value={resume} onChange={setResume} errors={errors} />
          <Field label={t('sugg.jd')} name="job_description" errors={errors}>
            <textarea name="job_description" rows={7} placeholder={t('sugg.jdPh')} value={jd} onInput={(e) => setJd(e.currentTarget.value)} />
          </Field>
          {error && !(error.fields && Object.keys(error.fields).length) && <ErrorBox error={error} />}
          {pct !== null && <Progress value={pct} />}
          <div class="row-end">
            <button class="btn btn-primary" type="submit" disabled={busy || !resume}>{busy && <Spinner />}{busy ? t('sugg.working') : t('sugg.submit')}</button>
          </div>
        </form>
      </section>
      {current && <SuggestionView key={current.id} s={current} />}
      <HistoryCard title={t('sugg.history')} state={hist} activeId={current && current.id} onOpen={(d) => open(d.id)}
        pill={(d) => <span class="score-pill">{Math.round(d.score ?? 0)}</span>}
        itemTitle={(d) => (d.job_description || '').slice(0, 80)} end={() => <span class="chev">›</span>} />
    </div>
  );
}
