import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, followAnalysis } from '../api.js';
import { navigate } from '../router.js';
import { Empty, ErrorBox, Field, fmtTime, HistoryCard, Loading, Progress, Spinner, useAsync } from '../ui.jsx';
import { ResumePicker } from './resumes.jsx';

const COUNTS = [5, 10, 15, 20, 30];
const CATS = ['technical', 'project', 'behavioral', 'hr'];

/* the result's groups, whatever its shape: {groups:[{category,label,questions}]} or a flat {questions:[...]} */
function groupsOf(r) {
  if (!r) return [];
  const norm = (q) => (typeof q === 'string' ? { question: q } : q || {});
  if (Array.isArray(r.groups)) {
    return r.groups.map((g) => ({ category: g.category, label: g.label, questions: (g.questions || []).map(norm) }))
      .filter((g) => g.questions.length);
  }
  if (Array.isArray(r.questions)) {
    const by = new Map();
    for (const q of r.questions.map(norm)) {
      const c = q.category || 'other';
      if (!by.has(c)) by.set(c, { category: c, questions: [] });
      by.get(c).questions.push(q);
    }
    return [...by.values()];
  }
  return [];
}

function catLabel(g) {
  return CATS.includes(g.category) ? t('iv.cat.' + g.category) : (g.label || g.category || t('iv.cat.other'));
}

/* what a prediction was for: the role, else the first line of its job description */
function titleOf(d) {
  if (d.target_role) return d.target_role;
  const jd = (d.job_description || '').trim().split('\n')[0];
  return jd ? jd.slice(0, 60) : t('iv.title');
}

function Question({ q, n, open }) {
  const outline = Array.isArray(q.outline) ? q.outline : q.outline ? [q.outline] : [];
  const why = q.why || q.reason || q.reasoning;
  const hints = outline.length ? outline : Array.isArray(q.hints) ? q.hints : q.answer ? [q.answer] : [];
  const more = why || hints.length;
  return (
    <details class="question" open={open || undefined} data-question>
      <summary>
        <span class="q-num">{n}</span>
        <span class="q-text">{q.question}</span>
        {q.skill && <span class="chip chip-tip q-skill">{q.skill}</span>}
        {more ? <span class="q-chev" aria-hidden="true" /> : null}
      </summary>
      {more ? (
        <div class="q-body">
          {why && <div class="q-why"><span class="q-label">{t('iv.why')}</span><p>{why}</p></div>}
          {hints.length > 0 && (
            <div class="q-outline"><span class="q-label">{t('iv.outline')}</span>
              <ul class="bullets bullets-tip" data-outline>{hints.map((h) => <li>{h}</li>)}</ul></div>
          )}
        </div>
      ) : null}
    </details>
  );
}

function Questions({ d }) {
  const groups = groupsOf(d.result);
  const total = groups.reduce((n, g) => n + g.questions.length, 0);
  const [all, setAll] = useState(false);
  let n = 0;
  return (
    <section class="card result" data-interview={d.id}>
      <div class="card-head iv-head">
        <div class="iv-title">
          <h2>{t('iv.result')}</h2>
          <p class="muted small">
            {d.target_role ? t('iv.forRole', { role: d.target_role }) : t('iv.fromJd')}
            {' · '}<span data-question-total>{t('iv.total', { n: total })}</span>
            {d.created_at ? ' · ' + fmtTime(d.created_at) : ''}
          </p>
        </div>
        {total > 0 && <button type="button" class="btn btn-small btn-ghost" onClick={() => setAll(!all)} data-expand-all>
          {all ? t('iv.collapseAll') : t('iv.expandAll')}</button>}
      </div>
      {groups.length > 1 && (
        <nav class="iv-cats" aria-label={t('iv.result')}>
          {groups.map((g, i) => <a class="chip" href={'#iv-cat-' + i} onClick={(e) => {
            e.preventDefault();
            const el = document.getElementById('iv-cat-' + i);
            if (el) el.scrollIntoView({ behavior: 'smooth', block: 'start' });
          }}>{catLabel(g)} <b>{g.questions.length}</b></a>)}
        </nav>
      )}
      {!total ? <Empty>{t('iv.noQuestions')}</Empty> : groups.map((g, i) => (
        <div class="iv-group" id={'iv-cat-' + i} data-category={g.category}>
          <h3>{catLabel(g)}<span class="muted small"> · {g.questions.length}</span></h3>
          <div class="questions" key={String(all)}>
            {g.questions.map((q) => { n++; return <Question q={q} n={n} open={all || n === 1} />; })}
          </div>
        </div>
      ))}
    </section>
  );
}

export function Interview({ params }) {
  const [resume, setResume] = useState('');
  const [role, setRole] = useState('');
  const [jd, setJd] = useState('');
  const [count, setCount] = useState(10);
  const [busy, setBusy] = useState(false);
  const [pct, setPct] = useState(null);
  const [errors, setErrors] = useState(null);
  const [error, setError] = useState(null);
  const [current, setCurrent] = useState(null);
  const [opening, setOpening] = useState(false);
  const watch = useRef(null);
  const hist = useAsync(() => api('GET', '/api/v1/interview-prep/history?page_size=20'));
  useEffect(() => () => watch.current && watch.current.cancel(), []);

  /* follow a prediction until it is done, then show it */
  const follow = (d) => followAnalysis(d, '/api/v1/interview-prep/', watch,
    (p) => setPct((old) => Math.max(old || 0, p)), t('iv.failed'));

  useEffect(() => {
    if (!params.id) { if (!busy) setCurrent(null); return; }
    if (current && current.id === params.id) return;
    let gone = false;
    setOpening(true); setError(null);
    api('GET', '/api/v1/interview-prep/' + params.id)
      .then(follow)
      .then((d) => { if (!gone) setCurrent(d); }, (e) => { if (!gone) setError(e); })
      .finally(() => { if (!gone) { setOpening(false); setPct(null); } });
    return () => { gone = true; };
  }, [params.id]);

  const go = async (e) => {
    e.preventDefault();
    setErrors(null); setError(null);
    if (!role.trim() && !jd.trim()) {
      setErrors({ target_role: [t('iv.needOne')], job_description: [t('iv.either')] });
      return;
    }
    setCurrent(null);
    setBusy(true); setPct(0);
    try {
      const body = { resume_id: resume, count: Number(count) };
      if (role.trim()) body.target_role = role.trim();
      if (jd.trim()) body.job_description = jd.trim();
      const a = await api('POST', '/api/v1/interview-prep/ai-generate', body);
      const d = await follow(a);
      setPct(100);
      setCurrent(d);
      history.replaceState(null, '', '/interview/' + d.id);
      hist.reload();
      requestAnimationFrame(() => {
        const el = document.querySelector('[data-interview]');
        if (el) el.scrollIntoView({ behavior: 'smooth', block: 'start' });
      });
    } catch (err) {
      if (err.fields) setErrors(err.fields);
      setError(err);
      setPct(null);
    } finally { setBusy(false); }
  };
  return (
    <div class="page">
      <div class="page-head"><h1>{t('iv.title')}</h1><p class="muted">{t('iv.sub')}</p></div>
      <section class="card">
        <form onSubmit={go} data-form="interview" novalidate>
          <div class="grid-2 tight">
            <ResumePicker value={resume} onChange={setResume} errors={errors} />
            <Field label={t('iv.role')} name="target_role" errors={errors}>
              <input name="target_role" placeholder={t('iv.rolePh')} value={role} maxLength={200} onInput={(e) => setRole(e.currentTarget.value)} />
            </Field>
          </div>
          <Field label={t('iv.jd')} name="job_description" errors={errors} hint={t('iv.either')}>
            <textarea name="job_description" rows={4} placeholder={t('iv.jdPh')} value={jd} onInput={(e) => setJd(e.currentTarget.value)} />
          </Field>
          {error && !(error.fields && Object.keys(error.fields).length) && <ErrorBox error={error} />}
          {pct !== null && <Progress value={pct} label={t('iv.progress')} />}
          <div class="row-end iv-actions">
            <label class="inline-field">
              <span class="field-label">{t('iv.count')}</span>
              <select name="count" value={count} onChange={(e) => setCount(e.currentTarget.value)}>
                {COUNTS.map((n) => <option value={n}>{t('iv.countN', { n })}</option>)}
              </select>
            </label>
            <button class="btn btn-primary" type="submit" disabled={busy || !resume}>{busy && <Spinner />}{t('iv.submit')}</button>
          </div>
          {errors && errors.count && <span class="field-error" data-field-error="count">{[].concat(errors.count).join('；')}</span>}
        </form>
      </section>
      {opening && !current && <section class="card"><Loading /></section>}
      {current && <Questions key={current.id} d={current} />}
      <HistoryCard title={t('iv.history')} state={hist} activeId={current && current.id} listProps={{ 'data-interview-history': true }}
        onOpen={(d) => { if (!current || current.id !== d.id) { setCurrent(null); navigate('/interview/' + d.id); } }}
        pill={(d) => <span class="score-pill count-pill">{d.count != null ? t('iv.countShort', { n: d.count }) : '…'}</span>}
        itemTitle={titleOf} />
    </div>
  );
}
