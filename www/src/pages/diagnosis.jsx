import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, followAnalysis } from '../api.js';
import { navigate } from '../router.js';
import { Chips, ErrorBox, Field, Gauge, HistoryCard, List, Progress, Spinner, useAsync } from '../ui.jsx';
import { ResumePicker } from './resumes.jsx';

function Report({ d }) {
  const r = d.result || {};
  const skills = r.skills || {};
  const cats = Object.entries(skills.by_category || {});
  return (
    <section class="card result" data-report={d.id}>
      <div class="result-top">
        <Gauge score={r.overall_score ?? d.score} label={t('diag.overall')} />
        <div class="result-summary">
          <h2>{t('diag.overall')}{d.target_role ? ' · ' + d.target_role : ''}</h2>
          <p data-summary>{r.summary}</p>
          <div class="facts">
            {r.years != null && <span class="fact"><span class="muted">{t('diag.years')}</span> {r.years}</span>}
            {r.education && <span class="fact"><span class="muted">{t('diag.education')}</span> {r.education}</span>}
          </div>
        </div>
      </div>
      <h3>{t('diag.sections')}</h3>
      <div class="sections">
        {(r.sections || []).map((s) => (
          <div class={'section-card ' + (s.present ? 'present' : 'absent')}>
            <div class="row-between"><b>{s.name}</b><span class={'badge ' + (s.present ? 'badge-good' : 'badge-bad')}>{s.present ? t('diag.present') : t('diag.missing')}</span></div>
            <List items={s.findings} />
          </div>
        ))}
      </div>
      <h3>{t('diag.skills')}</h3>
      {cats.length ? <div class="skill-cats">{cats.map(([k, v]) => <div class="skill-cat"><span class="muted small">{k}</span><Chips items={v} kind="good" /></div>)}</div> : <p class="muted">—</p>}
      {skills.suggested && skills.suggested.length > 0 && <><h3>{t('diag.suggestedSkills')}</h3><Chips items={skills.suggested} kind="tip" /></>}
      <h3>{t('diag.rewrites')}</h3>
      {r.rewrites && r.rewrites.length ? (
        <div class="rewrites">{r.rewrites.map((w) => (
          <div class="rewrite">
            <div><span class="muted small">{t('diag.original')}</span><p class="strike">{w.original}</p></div>
            <div><span class="muted small">{t('diag.better')}</span><p class="good">{w.suggestion}</p></div>
            {w.why && <p class="muted small">{w.why}</p>}
          </div>))}</div>
      ) : <p class="muted">{t('diag.noRewrites')}</p>}
    </section>
  );
}

export function Diagnosis({ params }) {
  const [resume, setResume] = useState('');
  const [role, setRole] = useState('');
  const [busy, setBusy] = useState(false);
  const [pct, setPct] = useState(null);
  const [errors, setErrors] = useState(null);
  const [error, setError] = useState(null);
  const [report, setReport] = useState(null);
  const watch = useRef(null);
  const hist = useAsync(() => api('GET', '/api/v1/resume-diagnosis/history?page_size=20'));
  useEffect(() => () => watch.current && watch.current.cancel(), []);
  useEffect(() => {
    if (!params.id) return;
    api('GET', '/api/v1/resume-diagnosis/' + params.id).then(setReport, setError);
  }, [params.id]);
  const go = async (e) => {
    e.preventDefault();
    setErrors(null); setError(null); setReport(null);
    setBusy(true); setPct(0);
    try {
      const a = await api('POST', '/api/v1/resume-diagnosis/full-with-skills', { resume_id: resume, target_role: role.trim() || undefined });
      const d = await followAnalysis(a, '/api/v1/resume-diagnosis/', watch,
        (p) => setPct((old) => Math.max(old || 0, p)), t('diag.failed'));
      setPct(100);
      setReport(d);
      history.replaceState(null, '', '/diagnosis/' + d.id);
      hist.reload();
    } catch (err) {
      if (err.fields) setErrors(err.fields);
      setError(err);
      setPct(null);
    } finally { setBusy(false); }
  };
  return (
    <div class="page">
      <div class="page-head"><h1>{t('diag.title')}</h1><p class="muted">{t('diag.sub')}</p></div>
      <section class="card">
        <form onSubmit={go} data-form="diagnose" novalidate>
          <div class="grid-2 tight">
            <ResumePicker value={resume} onChange={setResume} errors={errors} />
            <Field label={t('diag.role')} name="target_role" errors={errors}>
              <input name="target_role" placeholder={t('diag.rolePh')} value={role} onInput={(e) => setRole(e.currentTarget.value)} />
            </Field>
          </div>
          {error && !(error.fields && Object.keys(error.fields).length) && <ErrorBox error={error} />}
          {pct !== null && <Progress value={pct} label={t('diag.progress')} />}
          <div class="row-end">
            <button class="btn btn-primary" type="submit" disabled={busy || !resume}>{busy && <Spinner />}{t('diag.submit')}</button>
          </div>
        </form>
      </section>
      {report && <Report d={report} />}
      <HistoryCard title={t('diag.history')} state={hist} activeId={report && report.id} onOpen={(d) => navigate('/diagnosis/' + d.id)}
        pill={(d) => <span class="score-pill">{d.score != null ? Math.round(d.score) : '…'}</span>}
        itemTitle={(d) => d.target_role || t('diag.title')} />
    </div>
  );
}
