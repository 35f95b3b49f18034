/*
 * 模拟面试 (issue 18): set up (role or a job, type, difficulty, length, language, a resume and a
 * JD or notes), the live conversation (the interviewer's turns stream over the session's channel
 * /api/v1/events/interviews/{id}; answers typed or spoken), the timer and points meter, and the
 * report with per-question scores.  /mock-interview/{id} is the session: a reload rejoins it from
 * GET /api/v1/mock-interview/sessions/{id}; an ended one shows its report.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, getLang } from '../i18n/index.js';
import { api, upload, watchTask } from '../api.js';
import { useChannel } from '../live.js';
import { Link, navigate, useLocation } from '../router.js';
import { Alert, Empty, Field, Gauge, List, Loading, Spinner, fmtTime, markReady, useAsync } from '../ui.jsx';
import { useMic, useSpeaker } from '../voice.js';
import { applyTurn, Bubble, chargedOf, clientKey, ordered, EndButton, Failure, isEnded, MicButton, Partial, PointsMeter, Thinking, Timer, turnsOf, useElapsed } from './live.jsx';

const BASE = '/api/v1/mock-interview/';
const TYPES = ['technical', 'behavioral', 'hr', 'mixed'];
const LEVELS = ['easy', 'medium', 'hard'];
const QUESTIONS = [3, 5, 8, 10];
const MINUTES = [5, 10, 15, 20, 30];
const MAX_ANSWER = 4000;

/* ---- set up ---- */

function Setup() {
  const { query } = useLocation();
  const [v, setV] = useState({
    role: '', job_id: query.get('job') || '', type: 'mixed', difficulty: 'medium', unit: 'questions',
    questions: 5, minutes: 10, language: getLang(), resume_id: '', notes: '',
  });
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [errors, setErrors] = useState(null);
  const resumes = useAsync(() => api('GET', '/api/resumes?page_size=100').catch(() => ({ items: [] })));
  /* from a job's page (?job=): the job's name as the role's hint */
  const job = useAsync(() => (v.job_id ? api('GET', '/jobs/api/job/' + encodeURIComponent(v.job_id) + '/').catch(() => null) : Promise.resolve(null)), [v.job_id]);
  const set = (k) => (e) => { const x = e.currentTarget.value; setV((o) => ({ ...o, [k]: x })); };

  const go = async (e) => {
    e.preventDefault();
    setError(null); setErrors(null);
    if (!v.role.trim() && !v.job_id) { setErrors({ role: [t('mi.needRole')] }); return; }
    setBusy(true);
    try {
      /* a file becomes one of the user's resumes (upload-resume, multipart), read once its text is out */
      let resumeId = v.resume_id;
      if (file) {
        const fd = new FormData();
        fd.append('file', file);
        const up = await upload(BASE + 'upload-resume', fd);
        resumeId = up.id || up.resume_id;
        for (let i = 0; i < 60; i++) {
          const st = await api('POST', BASE + 'upload-resume', { resume_id: resumeId });
          if (st.ready || st.status === 'failed') break;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      const materials = [];
      if (v.notes.trim()) {
        const m = await api('POST', '/api/v1/custom-interview/upload-materials', { kind: 'jd', text: v.notes.trim() });
        materials.push(m.id);
      }
      const body = { type: v.type, difficulty: v.difficulty, language: v.language };
      if (materials.length) body.material_ids = materials;
      if (resumeId) body.resume_id = resumeId;
      if (v.job_id) body.job_id = v.job_id;
      if (v.role.trim()) body.role = v.role.trim();
      /* by minutes: as many questions as the time allows */
      if (v.unit === 'minutes') { body.minutes = Number(v.minutes); body.questions = 20; } else body.questions = Number(v.questions);
      const d = await api('POST', BASE + 'generate', body);
      navigate('/mock-interview/' + (d.session_id || d.id));
    } catch (err) {
      if (err.fields) setErrors(err.fields);
      setError(err);
    } finally { setBusy(false); }
  };
  const items = (resumes.data && resumes.data.items) || [];
  return (
    <section class="card">
      <h2>{t('mi.setup')}</h2>
      <form onSubmit={go} data-form="mock-setup" novalidate>
        <div class="grid-2 tight">
          <Field label={t('mi.role')} name="role" errors={errors} hint={v.job_id ? t('mi.forJob', { id: (job.data && job.data.name) || '#' + v.job_id }) : null}>
            <input name="role" value={v.role} maxLength={100} placeholder={t('mi.rolePh')} onInput={set('role')} />
          </Field>
          <Field label={t('mi.language')} name="language" errors={errors}>
            <select name="language" value={v.language} onChange={set('language')}>
              <option value="zh">中文</option><option value="en">English</option>
            </select>
          </Field>
          <Field label={t('mi.type')} name="type" errors={errors}>
            <select name="type" value={v.type} onChange={set('type')}>
              {TYPES.map((x) => <option value={x}>{t('mi.type.' + x)}</option>)}
            </select>
          </Field>
          <Field label={t('mi.difficulty')} name="difficulty" errors={errors}>
            <select name="difficulty" value={v.difficulty} onChange={set('difficulty')}>
              {LEVELS.map((x) => <option value={x}>{t('mi.diff.' + x)}</option>)}
            </select>
          </Field>
          <Field label={t('mi.length')} name={v.unit} errors={errors}>
            <div class="length-row">
              <select name="unit" value={v.unit} onChange={set('unit')} aria-label={t('mi.length')}>
                <option value="questions">{t('mi.byQuestions')}</option><option value="minutes">{t('mi.byMinutes')}</option>
              </select>
              {v.unit === 'minutes'
                ? <select name="minutes" value={v.minutes} onChange={set('minutes')}>{MINUTES.map((n) => <option value={n}>{t('mi.nMinutes', { n })}</option>)}</select>
                : <select name="questions" value={v.questions} onChange={set('questions')}>{QUESTIONS.map((n) => <option value={n}>{t('mi.nQuestions', { n })}</option>)}</select>}
            </div>
          </Field>
          <Field label={t('mi.resume')} name="resume_id" errors={errors} hint={file ? file.name : t('mi.resumeHint')}>
            <div class="length-row">
              <select name="resume_id" value={v.resume_id} onChange={set('resume_id')} disabled={!!file}>
                <option value="">{t('mi.noResume')}</option>
                {items.map((r) => <option value={r.id}>{r.name}</option>)}
              </select>
              <label class="btn btn-ghost btn-small mi-upload">{t('mi.uploadFile')}
                <input type="file" hidden accept=".pdf,.doc,.docx,.txt" onChange={(e) => setFile(e.currentTarget.files[0] || null)} /></label>
            </div>
          </Field>
        </div>
        <Field label={t('mi.notes')} name="text" errors={errors} hint={t('mi.notesHint')}>
          <textarea name="notes" rows={3} maxLength={20000} placeholder={t('mi.notesPh')} value={v.notes} onInput={set('notes')} />
        </Field>
        {error && !(error.fields && Object.keys(error.fields).length) && <Failure error={error} />}
        <div class="row-end">
          <button class="btn btn-primary" type="submit" disabled={busy} data-start>{busy && <Spinner />}{t('mi.start')}</button>
        </div>
      </form>
    </section>
  );
}

function Records({ activeId }) {
  const list = useAsync(() => api('GET', BASE + 'records?page_size=20'));
  const items = (list.data && (list.data.items || list.data)) || [];
  return (
    <section class="card">
      <h2>{t('mi.records')}</h2>
      {list.loading && !list.data ? <Loading /> : list.error ? <Failure error={list.error} onRetry={list.reload} />
        : !items.length ? <Empty>{t('mi.noRecords')}</Empty> : (
          <ul class="item-list" data-mock-records>
            {items.map((d) => {
              const sid = d.session_id ?? d.id;
              const score = d.overall_score;
              return (
                <li><button class={'item' + (activeId === String(sid) ? ' active' : '')} data-record-id={sid} onClick={() => navigate('/mock-interview/' + sid)}>
                  <span class="score-pill">{score != null ? Math.round(score) : '…'}</span>
                  <span class="item-main"><b class="ellipsis">{d.role || d.title || t('mi.title')}</b>
                    <span class="muted small">{fmtTime(d.started_at || d.created_at)}{d.type ? ' · ' + t('mi.type.' + d.type) : ''}</span></span>
                  {d.status === 'active' && <span class="badge badge-wait" data-status="active">{t('mi.active')}</span>}
                </button></li>
              );
            })}
          </ul>
        )}
    </section>
  );
}

/* ---- the report ---- */

function Reference({ sessionId, q, i }) {
  const [st, setSt] = useState({ text: q.reference || q.strong_answer || q.ai_reference || '', busy: false, error: null });
  const ask = async () => {
    setSt((s) => ({ ...s, busy: true, error: null }));
    try {
      const d = await api('POST', '/api/v1/interview/ai-reference', { session_id: Number(sessionId) || sessionId, question_index: q.index ?? i, question: q.question, answer: q.answer || '' });
      setSt({ text: d.reference || '', points: d.key_points, busy: !!d.task_id, error: null });
      /* with a model: the builtin reference now, the model's when its task is done */
      if (d.task_id) {
        watchTask(d.task_id).promise.then((task) => {
          const m = task.result && task.result.reference;
          setSt((x) => ({ ...x, text: m || x.text, busy: false }));
        }, () => setSt((x) => ({ ...x, busy: false })));
      }
    } catch (error) { setSt((s) => ({ ...s, busy: false, error })); }
  };
  const adds = q.missing;
  return (
    <div class="q-outline">
      {Array.isArray(adds) && adds.length > 0 && <><span class="q-label">{t('mi.wouldAdd')}</span><List items={adds} kind="tip" /></>}
      {st.text ? <><span class="q-label">{t('mi.reference')}{st.busy && <> <Spinner /></>}</span><p class="pre-wrap" data-reference>{st.text}</p>
        {Array.isArray(st.points) && st.points.length > 0 && <List items={st.points} />}</>
        : <button type="button" class="btn btn-ghost btn-small" onClick={ask} disabled={st.busy} data-ask-reference>
          {st.busy && <Spinner />}{t('mi.askReference')}</button>}
      {st.error && <Failure error={st.error} />}
    </div>
  );
}

/* the report's questions with their text (the plan's) and the candidate's answers (the turns') */
function reportQuestions(d, r) {
  const plan = Array.isArray(d.plan) ? d.plan : (d.plan && d.plan.questions) || [];
  const turns = turnsOf(d);
  return (r.questions || r.items || []).map((q, i) => {
    const k = q.index ?? i;
    const p = plan.find((x) => x.index === k) || plan[k] || {};
    const said = turns.filter((x) => x.who === 'me' && x.qi === k).map((x) => x.text).join('\n\n');
    return { ...q, index: k, question: q.question || p.question || '', answer: q.answer ?? said,
      missing: q.strong_answer_adds || q.missing || q.would_add || q.adds };
  });
}

function Report({ sessionId }) {
  const [tries, setTries] = useState(0);
  const rec = useAsync(() => api('GET', BASE + 'records/' + sessionId), [sessionId, tries]);
  const d = rec.data;
  const pending = d && (d.report == null || d.report_ready === false);
  /* the report is written after the end (zhimai-worker's interview.end): read again until it is there */
  useEffect(() => {
    if (!pending || tries > 200) return undefined;
    const h = setTimeout(() => setTries((n) => n + 1), 1500);
    return () => clearTimeout(h);
  }, [d]);
  if ((d && !pending) || rec.error) markReady('mock-report');
  if ((rec.loading && !d) || pending) {
    return <section class="card"><div class="state state-loading" role="status" data-report-pending><Spinner /> {t('mi.reportPending')}</div></section>;
  }
  if (rec.error) return <section class="card"><Failure error={rec.error} onRetry={rec.reload} /></section>;
  const r = d.report;
  const qs = reportQuestions(d, r);
  const overall = r.overall_score ?? d.overall_score ?? r.score;
  return (
    <section class="card result" data-report={sessionId}>
      <h2>{t('mi.report')}</h2>
      {['time', 'points', 'idle'].includes(d.end_reason) && (
        <Alert kind="warn"><span data-end-reason={d.end_reason}>{t('mi.endedBy.' + d.end_reason)}</span>
          {d.end_reason === 'points' && <> <Link href="/upgrade">{t('live.upgrade')} ›</Link></>}</Alert>
      )}
      <div class="result-top">
        <Gauge score={overall} label={t('mi.overall')} />
        <div class="result-summary">
          {r.summary && <p class="pre-wrap">{r.summary}</p>}
          <div class="grid-2 tight">
            <div><h3>{t('mi.strengths')}</h3><List items={r.strengths} kind="good" /></div>
            <div><h3>{t('mi.gaps')}</h3><List items={r.gaps || r.weaknesses} kind="bad" /></div>
          </div>
        </div>
      </div>
      <h3>{t('mi.perQuestion')}</h3>
      {!qs.length ? <Empty>{t('mi.noAnswers')}</Empty> : (
        <div class="questions" data-report-questions>
          {qs.map((q, i) => {
            const reasons = q.reasons || q.reason || q.comments || q.feedback;
            return (
              <details class="question" open={i === 0 || undefined} data-report-question={i} data-q-score={q.score}>
                <summary>
                  <span class="q-num">{i + 1}</span>
                  <span class="q-text">{q.question}</span>
                  <span class="score-pill" data-score-pill>{q.score != null ? Math.round(q.score) : '—'}</span>
                </summary>
                <div class="q-body">
                  <div><span class="q-label">{t('mi.yourAnswer')}</span><p class="pre-wrap">{q.answer || t('mi.noAnswer')}</p></div>
                  {reasons && <div><span class="q-label">{t('mi.reasons')}</span>
                    {Array.isArray(reasons) ? <List items={reasons} /> : <p class="pre-wrap">{reasons}</p>}</div>}
                  <Reference sessionId={sessionId} q={q} i={i} />
                </div>
              </details>
            );
          })}
        </div>
      )}
      <div class="row-end"><button class="btn btn-primary" onClick={() => navigate('/mock-interview')} data-again>{t('mi.again')}</button></div>
    </section>
  );
}

/* ---- the live session ---- */

function Live({ session, onEnded }) {
  const id = String(session.id || session.session_id);
  const cfg = session.config || session;
  const lang = cfg.language || getLang();
  const [turns, setTurns] = useState(() => turnsOf(session));
  const [text, setText] = useState('');
  const [key, setKey] = useState(clientKey);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState(null);
  const [charged, setCharged] = useState(chargedOf(session));
  const [autoSpeak, setAutoSpeak] = useState(() => localStorage.getItem('zm.autospeak') === '1');
  const seen = useRef(turns);
  seen.current = turns;
  const list = useRef(null);
  const speaker = useSpeaker();
  const mic = useMic({ lang, onFinal: (s) => setText((x) => (x ? x.trim() + ' ' : '') + s) });
  const [base, setBase] = useState(session.elapsed_seconds);
  const elapsed = useElapsed(base, true);
  const ended = useRef(false);

  const reread = () => api('GET', BASE + 'sessions/' + id).then((s) => {
    if (isEnded(s)) { finish(); return; }
    const fresh = turnsOf(s);
    setTurns((old) => {
      /* the server's turns, but what the stream has here already wins over an older read: a turn
       * further along, and turns newer than the read */
      const byId = new Map(old.map((x) => [x.id, x]));
      const top = Math.max(-1, ...fresh.map((x) => Number(x.seq) || 0));
      const out = fresh.map((x) => {
        const o = byId.get(x.id);
        return o && x.state !== 'done' && (o.state === 'done' || o.text.length > x.text.length) ? o : x;
      });
      const ids = new Set(out.map((x) => x.id));
      return ordered(out.concat(old.filter((x) => !ids.has(x.id) && !(Number(x.seq) <= top))));
    });
    if (chargedOf(s) != null) setCharged(chargedOf(s));
    setBase(s.elapsed_seconds);
  }, () => {});
  const finish = () => { if (!ended.current) { ended.current = true; onEnded(); } };

  const connected = useChannel('/api/v1/events/interviews/' + id, (ev) => {
    if (!ev || !ev.type) return;
    if (ev.type === 'session.ended') { finish(); return; }
    if (ev.points_charged != null) setCharged(ev.points_charged);
    if (!ev.type.startsWith('turn.')) return;
    setTurns((old) => applyTurn(old, ev));
    if (ev.type === 'turn.done' || ev.type === 'turn.failed') {
      if (ev.type === 'turn.done' && ev.text == null) reread();
      /* read aloud a turn that has just finished (not one the channel replays) */
      const before = seen.current.find((x) => x.id === String(ev.turn_id));
      if (ev.type === 'turn.done' && autoSpeak && speaker.tts && ev.text && !(before && before.state === 'done')) {
        speaker.speak(String(ev.turn_id), ev.text, lang);
      }
    }
  });

  /* the interviewer is due to speak: no turn yet, the candidate's last, or one not finished */
  const last = turns.slice(-1)[0];
  const waiting = !last || last.who === 'me' || last.state === 'pending' || last.state === 'streaming';
  const streaming = last && last.state === 'streaming';
  /* the interviewer said goodbye: the report is being written (session.ended follows) */
  const closing = !!last && last.kind === 'closing' && last.state === 'done';
  /* no stream (or not yet): read the session while the interviewer is due to speak */
  useEffect(() => {
    if ((!waiting && !closing) || connected) return undefined;
    const h = setInterval(reread, 1500);
    return () => clearInterval(h);
  }, [waiting, closing, connected]);
  /* the stream may have opened after the turn began: read once when it connects */
  useEffect(() => { if (connected) reread(); }, [connected]);
  useEffect(() => { markReady('mock-live'); }, []);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [turns, waiting]);
  /* time up: the server ends the session; look again */
  const minutes = cfg.minutes || null;
  useEffect(() => { if (minutes && elapsed >= minutes * 60 && elapsed % 5 === 0) reread(); }, [elapsed]);

  const send = async (e) => {
    if (e) e.preventDefault();
    const s = text.trim();
    if (!s || sending) return;
    setSending(true); setError(null);
    try {
      const d = await api('POST', BASE + 'chat/stream', { session_id: Number(id) || id, text: s, client_key: key });
      setTurns((old) => {
        const me = String(d.turn_id ?? 'me-' + key), reply = d.reply_turn_id != null ? String(d.reply_turn_id) : null;
        let out = old.some((x) => x.id === me) ? old : [...old, { id: me, seq: d.seq, who: 'me', text: s, state: 'done' }];
        if (reply && !out.some((x) => x.id === reply)) out = [...out, { id: reply, seq: d.reply_seq, who: 'them', text: '', state: 'pending' }];
        return ordered(out);
      });
      setText('');
      setKey(clientKey());
    } catch (err) {
      if (err.status === 409 && err.code && /ended|closed/.test(err.code)) finish();
      setError(err);
    } finally { setSending(false); }
  };
  const end = async () => {
    try { await api('POST', BASE + 'sessions/' + id + '/end', {}); finish(); } catch (err) { setError(err); }
  };
  return (
    <section class="card live" data-live-session={id}>
      <div class="live-head">
        <div class="live-title">
          <h2>{cfg.role || cfg.job_title || t('mi.title')}</h2>
          <p class="muted small">{[cfg.type && t('mi.type.' + cfg.type), cfg.difficulty && t('mi.diff.' + cfg.difficulty)].filter(Boolean).join(' · ')}
            {' '}<span class={'live-dot' + (connected ? ' on' : '')} data-live={connected ? 'on' : 'off'}>{connected ? t('live.on') : t('live.off')}</span></p>
        </div>
        <div class="live-stats">
          <Timer elapsed={elapsed} minutes={minutes} />
          <PointsMeter live charged={charged} perMinute={session.price_per_minute} elapsed={elapsed} />
        </div>
      </div>
      <ol class="chat" ref={list} data-chat aria-live="polite">
        {turns.map((x) => (
          <Bubble turn={x} label={x.who === 'me' ? t('mi.me') : x.kind === 'followup' ? t('mi.interviewer') + ' · ' + t('mi.followup') : t('mi.interviewer')}>
            {x.who === 'them' && x.state === 'done' && speaker.tts && x.text && (
              <button type="button" class="btn btn-ghost btn-small play" data-play={x.id}
                onClick={() => (speaker.playing === x.id ? speaker.stop() : speaker.speak(x.id, x.text, lang))}>
                {speaker.playing === x.id ? t('live.stopPlay') : t('live.play')}</button>
            )}
          </Bubble>
        ))}
        {waiting && !streaming && !(last && last.who === 'them' && last.state === 'pending') && <Thinking />}
      </ol>
      {speaker.error && <Failure error={speaker.error} />}
      {closing ? <Alert>{t('mi.closing')}</Alert>
        : minutes && elapsed >= minutes * 60 && <Alert kind="warn">{t('mi.timeUp')}</Alert>}
      <form class="answer" onSubmit={send} data-form="answer">
        <Partial mic={mic} />
        <textarea name="answer" rows={3} maxLength={MAX_ANSWER} value={text} data-answer placeholder={t('mi.answerPh')}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); }} />
        {error && <Failure error={error} />}
        <div class="answer-bar">
          <MicButton mic={mic} />
          {speaker.tts && <label class="check small"><input type="checkbox" checked={autoSpeak} onChange={(e) => { const on = e.currentTarget.checked; setAutoSpeak(on); localStorage.setItem('zm.autospeak', on ? '1' : '0'); }} data-autospeak /> {t('live.autoSpeak')}</label>}
          <span class="grow" />
          <EndButton onEnd={end} label={t('mi.end')} confirm={t('mi.endConfirm')} />
          <button class="btn btn-primary" type="submit" disabled={sending || waiting || closing || !text.trim() || mic.recording} data-send>
            {sending && <Spinner />}{t('mi.send')}</button>
        </div>
      </form>
    </section>
  );
}

function Session({ id }) {
  const [over, setOver] = useState(false);
  const s = useAsync(() => api('GET', BASE + 'sessions/' + id), [id]);
  if (s.loading && !s.data) return <section class="card"><Loading /></section>;
  if (s.error) return <section class="card"><Failure error={s.error} onRetry={s.reload} /></section>;
  if (over || isEnded(s.data)) return <Report sessionId={id} />;
  return <Live key={id} session={s.data} onEnded={() => setOver(true)} />;
}

export function MockInterview({ params }) {
  return (
    <div class="page" data-page="mock-interview">
      <div class="page-head"><h1>{t('mi.title')}</h1><p class="muted">{t('mi.sub')}</p></div>
      {params.id ? <Session id={params.id} /> : <Setup />}
      {!params.id && <Records />}
    </div>
  );
}
