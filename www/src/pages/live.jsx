/*
 * What 模拟面试 and 会议助手 share (loaded with them, on demand): a session's streamed turns,
 * the timer, the points meter, the microphone button, the upgrade notice, the end confirmation.
 * Model output is text: every turn is rendered as text (pre-wrap), never as HTML.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { Link } from '../router.js';
import { Alert, ErrorBox, Spinner } from '../ui.jsx';

export const ENDED = ['ended', 'done', 'finished', 'completed', 'closed', 'failed', 'expired'];
export const isEnded = (s) => !!s && ENDED.includes(s.status || s.state);

/* the points a session has cost so far: its charged minutes at its price */
export const chargedOf = (s) => (s && s.charged_minutes != null && s.price_per_minute != null ? s.charged_minutes * s.price_per_minute : s && s.points_charged != null ? s.points_charged : null);

/* a new idempotency key for one thing the user sends (kept across its retries) */
export function clientKey() {
  if (typeof crypto !== 'undefined' && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
}

/* the API's error that means "not at your level" or "not enough points": a notice with the way up */
export function isUpgrade(e) {
  return !!e && (e.code === 'membership_required' || e.code === 'insufficient_points' || e.status === 402);
}
export function UpgradeNotice({ error }) {
  return (
    <div class="center" data-upgrade-needed={error.code}>
      <Alert kind="info">{error.message}</Alert>
      <Link class="btn btn-primary" href="/upgrade" data-upgrade-link>{t('live.upgrade')}</Link>
    </div>
  );
}
export function Failure({ error, onRetry }) {
  if (!error) return null;
  return isUpgrade(error) ? <UpgradeNotice error={error} /> : <ErrorBox error={error} onRetry={onRetry} />;
}

/* a session's turns, in whatever shape the API gives them, as [{id, who, text, state}] */
export function turnsOf(s) {
  const list = (s && (s.turns || s.transcript || s.messages)) || [];
  return list.map((x, i) => {
    const role = x.role || x.speaker || x.who || '';
    const who = ['candidate', 'user', 'me', 'human'].includes(role) ? 'me' : 'them';
    return { id: String(x.turn_id ?? x.id ?? 'i' + i), seq: x.seq, role, who, text: x.text ?? x.content ?? '', state: x.state || 'done',
      qi: x.question_index, kind: x.kind, error: x.error, parts: null };
  });
}

/*
 * Streamed turns (fcgi/interview/tasks.c): apply(turns, message) → the new turns for a channel message
 *   {type: turn.start, turn_id, seq, kind, question_index, attempt}   (a new attempt drops the text so far)
 *   {type: turn.delta, turn_id, seq, n, delta}                        (n: 0, 1, 2 … per attempt)
 *   {type: turn.done, turn_id, seq, text} / {type: turn.failed, turn_id, seq, error}
 * Deltas are kept by n, so a repeated or late one changes nothing; turn.done's text is the truth.
 */
export function applyTurn(turns, ev) {
  const id = ev.turn_id != null ? String(ev.turn_id) : null;
  if (!id || !ev.type || !ev.type.startsWith('turn.')) return turns;
  const i = turns.findIndex((x) => x.id === id);
  const old = i >= 0 ? turns[i] : { id, seq: ev.seq, who: 'them', text: '', state: 'pending', qi: ev.question_index, parts: {} };
  if ((old.state === 'done' || old.state === 'failed') && ev.type !== 'turn.done') return turns;
  let next;
  if (ev.type === 'turn.start') {
    next = { ...old, state: 'streaming', text: '', parts: {}, qi: ev.question_index ?? old.qi, kind: ev.kind || old.kind };
  } else if (ev.type === 'turn.delta') {
    const parts = { ...(old.parts || {}), [ev.n ?? Object.keys(old.parts || {}).length]: ev.delta ?? '' };
    const text = Object.keys(parts).map(Number).sort((a, b) => a - b).map((k) => parts[k]).join('');
    next = { ...old, state: 'streaming', parts, text };
  } else if (ev.type === 'turn.done') {
    next = { ...old, state: 'done', text: ev.text != null ? ev.text : old.text, kind: ev.kind || old.kind, parts: null };
  } else if (ev.type === 'turn.failed') {
    next = { ...old, state: 'failed', error: ev.error || null };
  } else return turns;
  const out = turns.slice();
  if (i >= 0) out[i] = next; else out.push(next);
  return ordered(out);
}

/* turns in the session's order (seq): a reply's first message may arrive before the answer's POST returns */
export function ordered(turns) {
  const k = (x) => (x.seq != null && !isNaN(Number(x.seq)) ? Number(x.seq) : Infinity);
  return turns.map((x, i) => [x, i]).sort((a, b) => k(a[0]) - k(b[0]) || a[1] - b[1]).map((x) => x[0]);
}

/* the session's seconds: the server's count when the page read it (elapsed_seconds, so the two
 * clocks need not agree), ticking every second while live */
export function useElapsed(base, live) {
  const [now, setNow] = useState(Date.now());
  const read = useRef({ at: Date.now(), base: Number(base) || 0 });
  if ((Number(base) || 0) !== read.current.base) read.current = { at: Date.now(), base: Number(base) || 0 };
  useEffect(() => {
    if (!live) return undefined;
    const h = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(h);
  }, [live]);
  return read.current.base + Math.max(0, Math.floor((now - read.current.at) / 1000));
}

export const clock = (s) => {
  s = Math.max(0, Math.floor(s));
  const m = Math.floor(s / 60), r = s % 60;
  return (m < 10 ? '0' : '') + m + ':' + (r < 10 ? '0' : '') + r;
};

/* the timer (counting down when the session has a length in minutes) */
export function Timer({ elapsed, minutes }) {
  const left = minutes ? minutes * 60 - elapsed : null;
  return (
    <div class="stat live-stat" data-timer={elapsed}>
      <span class="muted small">{left != null ? t('live.left') : t('live.elapsed')}</span>
      <b class={left != null && left <= 60 ? 'warn' : ''}>{clock(left != null ? left : elapsed)}</b>
    </div>
  );
}

/* the points meter: the balance (GET /api/v1/payment/subscription/, read again every minute while
 * live) and what this session has cost so far */
export function PointsMeter({ live, charged, perMinute, elapsed }) {
  const [sub, setSub] = useState(null);
  useEffect(() => {
    let gone = false;
    const read = () => api('GET', '/api/v1/payment/subscription/').then((d) => { if (!gone) setSub(d); }, () => {});
    read();
    if (!live) return () => { gone = true; };
    const h = setInterval(read, 60000);
    return () => { gone = true; clearInterval(h); };
  }, [live, charged]);
  const est = charged != null ? charged : perMinute ? Math.ceil(Math.max(1, elapsed) / 60) * perMinute : null;
  const low = sub && perMinute && sub.points < perMinute * 2;
  return (
    <div class="stat live-stat" data-points-meter>
      <span class="muted small">{t('live.points')}</span>
      <b class={low ? 'warn' : ''} data-points-left>{sub ? sub.points : '…'}</b>
      {est != null && <span class="muted small" data-points-used>{t('live.used', { n: est })}</span>}
      {perMinute ? <span class="muted small">{t('live.perMinute', { n: perMinute })}</span> : null}
    </div>
  );
}

/* the microphone button and the live partial transcript (voice.js useMic) */
export function MicButton({ mic }) {
  if (!mic.mode) return null;
  return (
    <button type="button" class={'btn mic' + (mic.recording ? ' recording' : '')} data-mic={mic.mode}
      aria-pressed={mic.recording} onClick={() => (mic.recording ? mic.stop() : mic.start())} disabled={mic.stopping}
      title={mic.recording ? t('live.micStop') : t('live.mic')}>
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor"
        d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z" /></svg>
      {mic.stopping && <Spinner />}
      <span>{mic.stopping ? t('live.recognizing') : mic.recording ? t('live.micStop') : t('live.mic')}</span>
    </button>
  );
}
export function Partial({ mic }) {
  if (!mic.recording && !mic.error) return null;
  return (
    <div class="partial" aria-live="polite" data-partial>
      {mic.recording && <span class="rec-dot" aria-hidden="true" />}
      <span class="pre-wrap">{mic.partial || (mic.recording ? t('live.listening') : '')}</span>
      {mic.error && <span class="text-bad small">{t('live.micError')} {mic.error.message}</span>}
    </div>
  );
}

/* one turn of the conversation, as text */
export function Bubble({ turn, label, children }) {
  if (turn.who === 'them' && (turn.state === 'pending' || turn.state === 'queued') && !turn.text) return <Thinking />;
  return (
    <li class={'bubble bubble-' + turn.who + (turn.state === 'streaming' ? ' streaming' : '')} data-turn={turn.id}
      data-who={turn.who} data-state={turn.state} data-kind={turn.kind}>
      <span class="bubble-who">{label}</span>
      <p class="pre-wrap" data-turn-text>{turn.text}{turn.state === 'streaming' && <span class="caret" aria-hidden="true" />}</p>
      {turn.state === 'failed' && <p class="text-bad small" data-turn-failed>{t('live.turnFailed')}{turn.error ? '：' + (turn.error.message || turn.error) : ''}</p>}
      {children}
    </li>
  );
}

export function Thinking() {
  return <li class="bubble bubble-them thinking" data-thinking><Spinner /> <span class="muted">{t('live.thinking')}</span></li>;
}

/* the end button with its confirmation */
export function EndButton({ onEnd, label, confirm }) {
  const [ask, setAsk] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!ask) return <button type="button" class="btn btn-danger-ghost btn-small" data-end onClick={() => setAsk(true)}>{label}</button>;
  return (
    <span class="end-confirm" data-end-confirm>
      <span class="small">{confirm}</span>
      <button type="button" class="btn btn-danger btn-small" data-end-yes disabled={busy}
        onClick={async () => { setBusy(true); try { await onEnd(); } finally { setBusy(false); setAsk(false); } }}>
        {busy && <Spinner />}{t('common.confirm')}</button>
      <button type="button" class="btn btn-ghost btn-small" onClick={() => setAsk(false)}>{t('common.cancel')}</button>
    </span>
  );
}
