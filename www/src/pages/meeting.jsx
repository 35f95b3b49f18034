/*
 * 会议助手 (issue 18, 白银 and above): start a meeting (topic, my role, language), feed it the live
 * transcript (spoken through the microphone or pasted), and read the running summary, the
 * questions addressed to me with suggested replies, and the action items as they stream in on
 * the session's channel; end → the stored record.  /meeting/{id} rejoins a session after a reload.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, getLang } from '../i18n/index.js';
import { api } from '../api.js';
import { useChannel } from '../live.js';
import { navigate } from '../router.js';
import { Empty, Field, List, Loading, Spinner, fmtTime, markReady, useAsync } from '../ui.jsx';
import { useMic } from '../voice.js';
import { applyTurn, chargedOf, clientKey, EndButton, Failure, isEnded, MicButton, ordered, Partial, PointsMeter, Timer, turnsOf, useElapsed } from './live.jsx';

const BASE = '/api/v1/meeting-assistant/';
const MAX_LINE = 4000;

/* a meeting's transcript lines: its turns said by the room (role transcript), in order */
function linesOf(s) {
  return turnsOf(s).filter((x) => x.role === 'transcript').map((x) => ({ id: x.id, seq: x.seq, text: x.text }));
}
/* the running notes: the session's plan while live, its report once ended */
const notesOf = (s) => (s && (s.report || s.plan)) || {};
function repliesOf(n) {
  return (n.questions || []).map((x) => (typeof x === 'string' ? { question: '', reply: x } : { question: x.question || '', reply: x.suggested_reply || x.reply || '' }));
}
const actionsOf = (n) => (n.action_items || []).map((x) => (typeof x === 'string' ? x : x.text || ''));
const summaryOf = (n) => (typeof n.summary === 'string' ? n.summary : '');

/* the summary, the replies and the action items of a live meeting or a record */
function Insights({ s, streaming }) {
  const n = notesOf(s);
  const replies = repliesOf(n), actions = actionsOf(n), summary = summaryOf(n);
  return (
    <div class="insights">
      <section class="insight" data-summary>
        <h3>{t('mt.summary')}</h3>
        {streaming ? <p class="pre-wrap" data-summary-stream>{streaming}<span class="caret" aria-hidden="true" /></p>
          : summary ? <p class="pre-wrap">{summary}</p> : <p class="muted small">{t('mt.noSummary')}</p>}
      </section>
      <section class="insight" data-replies>
        <h3>{t('mt.replies')}</h3>
        {!replies.length ? <p class="muted small">{t('mt.noReplies')}</p> : (
          <ul class="replies">
            {replies.map((r) => (
              <li data-reply>
                {r.question && <p class="reply-q"><span class="q-label">{t('mt.askedYou')}</span>{r.question}</p>}
                <p class="pre-wrap reply-a"><span class="q-label">{t('mt.suggested')}</span>{r.reply}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="insight" data-actions>
        <h3>{t('mt.actions')}</h3>
        {!actions.length ? <p class="muted small">{t('mt.noActions')}</p> : <List items={actions} kind="tip" />}
      </section>
    </div>
  );
}

function Start() {
  const [v, setV] = useState({ topic: '', my_role: '', language: getLang() });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (k) => (e) => { const x = e.currentTarget.value; setV((o) => ({ ...o, [k]: x })); };
  const go = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const d = await api('POST', BASE + 'start', { topic: v.topic.trim(), my_role: v.my_role.trim(), language: v.language });
      navigate('/meeting/' + (d.session_id || d.id));
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  const errors = error && error.fields;
  return (
    <section class="card">
      <h2>{t('mt.start')}</h2>
      <form onSubmit={go} data-form="meeting-start" novalidate>
        <div class="grid-2 tight">
          <Field label={t('mt.topic')} name="topic" errors={errors}>
            <input name="topic" value={v.topic} maxLength={200} placeholder={t('mt.topicPh')} onInput={set('topic')} />
          </Field>
          <Field label={t('mt.myRole')} name="my_role" errors={errors}>
            <input name="my_role" value={v.my_role} maxLength={100} placeholder={t('mt.myRolePh')} onInput={set('my_role')} />
          </Field>
          <Field label={t('mi.language')} name="language" errors={errors}>
            <select name="language" value={v.language} onChange={set('language')}>
              <option value="zh">中文</option><option value="en">English</option>
            </select>
          </Field>
        </div>
        {error && !(errors && Object.keys(errors).length) && <Failure error={error} />}
        <div class="row-end"><button class="btn btn-primary" type="submit" disabled={busy || !v.topic.trim()} data-start>{busy && <Spinner />}{t('mt.begin')}</button></div>
      </form>
    </section>
  );
}

function Records() {
  const list = useAsync(() => api('GET', BASE + 'records?page_size=20'));
  const items = (list.data && (list.data.items || list.data)) || [];
  return (
    <section class="card">
      <h2>{t('mt.records')}</h2>
      {list.loading && !list.data ? <Loading /> : list.error ? <Failure error={list.error} onRetry={list.reload} />
        : !items.length ? <Empty>{t('mt.noRecords')}</Empty> : (
          <ul class="item-list" data-meeting-records>
            {items.map((d) => (
              <li><button class="item" data-record-id={d.session_id ?? d.id} onClick={() => navigate('/meeting/' + (d.session_id ?? d.id))}>
                <span class="item-main"><b class="ellipsis">{d.topic || t('mt.title')}</b>
                  <span class="muted small">{fmtTime(d.started_at || d.created_at)}</span></span>
                {d.status === 'active' && <span class="badge badge-wait" data-status="active">{t('mi.active')}</span>}
              </button></li>
            ))}
          </ul>
        )}
    </section>
  );
}

function Record({ id }) {
  const [tries, setTries] = useState(0);
  const rec = useAsync(() => api('GET', BASE + 'records/' + id), [id, tries]);
  const d = rec.data;
  const pending = d && d.report == null;
  /* the record is written after the end (zhimai-worker's interview.end): read again until it is there */
  useEffect(() => {
    if (!pending || tries > 200) return undefined;
    const h = setTimeout(() => setTries((n) => n + 1), 1500);
    return () => clearTimeout(h);
  }, [d]);
  if ((d && !pending) || rec.error) markReady('meeting-record');
  if ((rec.loading && !d) || pending) {
    return <section class="card"><div class="state state-loading" role="status" data-record-pending><Spinner /> {t('mt.recordPending')}</div></section>;
  }
  if (rec.error) return <section class="card"><Failure error={rec.error} onRetry={rec.reload} /></section>;
  const r = d;
  const lines = linesOf(r);
  return (
    <section class="card" data-meeting-record={id}>
      <h2>{(r.config && r.config.topic) || (r.report && r.report.topic) || t('mt.title')}</h2>
      <p class="muted small">{fmtTime(r.started_at)}</p>
      <Insights s={r} />
      <details class="question"><summary><span class="q-text">{t('mt.transcript')} · {lines.length}</span></summary>
        <div class="q-body">{lines.map((l) => <p class="pre-wrap">{l.text}</p>)}</div></details>
      <div class="row-end"><button class="btn btn-primary" onClick={() => navigate('/meeting')}>{t('mt.new')}</button></div>
    </section>
  );
}

function Live({ session, onEnded }) {
  const id = String(session.id || session.session_id);
  const cfg = session.config || session;
  const lang = cfg.language || getLang();
  const [state, setState] = useState(session);
  const [base, setBase] = useState(session.elapsed_seconds);
  const [lines, setLines] = useState(() => linesOf(session));
  const [stream, setStream] = useState([]);
  const [text, setText] = useState('');
  const [key, setKey] = useState(clientKey);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState(null);
  const box = useRef(null);
  const elapsed = useElapsed(base, true);
  const ended = useRef(false);
  const finish = () => { if (!ended.current) { ended.current = true; onEnded(); } };

  const reread = () => api('GET', BASE + 'sessions/' + id).then((s) => {
    if (isEnded(s)) { finish(); return; }
    setState(s);
    setBase(s.elapsed_seconds);
    setLines((old) => {
      const fresh = linesOf(s), ids = new Set(fresh.map((x) => x.id));
      return ordered(fresh.concat(old.filter((x) => !ids.has(x.id))));
    });
  }, () => {});
  /* a line goes in: POST .../transcript (the microphone's final text posts itself) */
  const post = async (s, k) => {
    setSending(true); setError(null);
    try {
      const d = await api('POST', BASE + 'sessions/' + id + '/transcript', { text: s, client_key: k });
      const lid = String(d.turn_id ?? 'me-' + k);
      setLines((old) => (old.some((x) => x.id === lid) ? old : ordered([...old, { id: lid, seq: d.seq, text: s }])));
      return true;
    } catch (err) { setError(err); return false; } finally { setSending(false); }
  };
  const mic = useMic({ lang, onFinal: (s) => post(s, clientKey()) });

  const connected = useChannel(session.events || '/api/v1/events/interviews/' + id, (ev) => {
    if (!ev || !ev.type) return;
    if (ev.type === 'session.ended') { finish(); return; }
    if (ev.type.startsWith('turn.')) {
      setStream((old) => applyTurn(old, ev));
      if (ev.type === 'turn.done' || ev.type === 'turn.failed') reread();
      return;
    }
    reread();
  });
  useEffect(() => { if (connected) reread(); }, [connected]);
  /* no stream: read the meeting every few seconds */
  useEffect(() => {
    if (connected) return undefined;
    const h = setInterval(reread, 3000);
    return () => clearInterval(h);
  }, [connected]);
  useEffect(() => { markReady('meeting-live'); }, []);
  useEffect(() => { const el = box.current; if (el) el.scrollTop = el.scrollHeight; }, [lines]);

  const send = async (e) => {
    if (e) e.preventDefault();
    const s = text.trim();
    if (!s || sending) return;
    if (await post(s, key)) { setText(''); setKey(clientKey()); }
  };
  const end = async () => {
    try { await api('POST', BASE + 'sessions/' + id + '/end', {}); finish(); } catch (err) { setError(err); }
  };
  const cur = stream.slice(-1)[0];
  return (
    <section class="card live" data-meeting-live={id}>
      <div class="live-head">
        <div class="live-title">
          <h2>{cfg.topic || t('mt.title')}</h2>
          <p class="muted small">{cfg.my_role}{' '}
            <span class={'live-dot' + (connected ? ' on' : '')} data-live={connected ? 'on' : 'off'}>{connected ? t('live.on') : t('live.off')}</span></p>
        </div>
        <div class="live-stats">
          <Timer elapsed={elapsed} />
          <PointsMeter live charged={chargedOf(state)} perMinute={session.price_per_minute} elapsed={elapsed} />
        </div>
      </div>
      <div class="meeting-grid">
        <div class="meeting-col">
          <h3>{t('mt.transcript')}</h3>
          <ol class="transcript" ref={box} data-transcript>
            {!lines.length ? <li class="muted small">{t('mt.noLines')}</li> : lines.map((l) => <li class="pre-wrap" data-line={l.id}>{l.text}</li>)}
          </ol>
          <form class="answer" onSubmit={send} data-form="transcript">
            <Partial mic={mic} />
            <textarea name="text" rows={3} maxLength={MAX_LINE} value={text} placeholder={t('mt.linePh')} data-line-input
              onInput={(e) => setText(e.currentTarget.value)}
              onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); }} />
            {error && <Failure error={error} />}
            <div class="answer-bar">
              <MicButton mic={mic} />
              <span class="grow" />
              <EndButton onEnd={end} label={t('mt.end')} confirm={t('mt.endConfirm')} />
              <button class="btn btn-primary" type="submit" disabled={sending || !text.trim()} data-send>{sending && <Spinner />}{t('mt.add')}</button>
            </div>
          </form>
        </div>
        <div class="meeting-col">
          <Insights s={state} streaming={cur && cur.state === 'streaming' ? cur.text : ''} />
        </div>
      </div>
    </section>
  );
}

function Session({ id }) {
  const [over, setOver] = useState(false);
  const s = useAsync(() => api('GET', BASE + 'sessions/' + id), [id]);
  if (s.loading && !s.data) return <section class="card"><Loading /></section>;
  if (s.error) return <section class="card"><Failure error={s.error} onRetry={s.reload} /></section>;
  if (over || isEnded(s.data)) return <Record id={id} />;
  return <Live key={id} session={s.data} onEnded={() => setOver(true)} />;
}

export function Meeting({ params }) {
  return (
    <div class="page" data-page="meeting">
      <div class="page-head"><h1>{t('mt.title')}</h1><p class="muted">{t('mt.sub')}</p></div>
      {params.id ? <Session id={params.id} /> : <><Start /><Records /></>}
    </div>
  );
}
