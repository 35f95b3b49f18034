import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { t, getLang, setLang } from './i18n/index.js';

export function Spinner() { return <span class="spinner" aria-hidden="true" />; }

export function Loading() {
  return <div class="state state-loading" role="status"><Spinner /> {t('common.loading')}</div>;
}

export function Empty({ children }) {
  return <div class="state state-empty"><div class="state-icon" /><p>{children || t('common.empty')}</p></div>;
}

export function ErrorBox({ error, onRetry }) {
  if (!error) return null;
  return (
    <div class="alert alert-error" role="alert">
      <span>{error.message || String(error)}</span>
      {onRetry && <button class="btn btn-small btn-ghost" onClick={onRetry}>{t('common.retry')}</button>}
    </div>
  );
}

export function Alert({ kind = 'info', children }) {
  return <div class={'alert alert-' + kind} role={kind === 'error' ? 'alert' : 'status'}>{children}</div>;
}

/* a labelled input with the server's per-field errors (error.fields[name]) */
export function Field({ label, name, errors, hint, children }) {
  const errs = errors && errors[name];
  return (
    <label class={'field' + (errs ? ' has-error' : '')}>
      <span class="field-label">{label}</span>
      {children}
      {errs ? <span class="field-error" data-field-error={name}>{[].concat(errs).join('；')}</span>
        : hint ? <span class="field-hint">{hint}</span> : null}
    </label>
  );
}

export function Progress({ value, label }) {
  const v = Math.max(0, Math.min(100, Math.round(value || 0)));
  return (
    <div class="progress-wrap">
      <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow={v}>
        <div class="progress-bar" style={{ width: v + '%' }} />
      </div>
      <span class="progress-label">{label ? label + ' ' : ''}<b data-progress>{v}%</b></span>
    </div>
  );
}

export function Gauge({ score, label }) {
  const s = Math.max(0, Math.min(100, Math.round(Number(score) || 0)));
  const tone = s >= 75 ? 'good' : s >= 55 ? 'ok' : 'low';
  return (
    <div class={'gauge gauge-' + tone} style={{ '--p': s }} data-score={s}>
      <div class="gauge-inner"><b>{s}</b><span>{label}</span></div>
    </div>
  );
}

export function Chips({ items, kind }) {
  if (!items || !items.length) return <span class="muted">—</span>;
  return <div class="chips">{items.map((x) => <span class={'chip' + (kind ? ' chip-' + kind : '')}>{x}</span>)}</div>;
}

export function List({ items, kind }) {
  if (!items || !items.length) return <p class="muted">—</p>;
  return <ul class={'bullets' + (kind ? ' bullets-' + kind : '')}>{items.map((x) => <li>{x}</li>)}</ul>;
}

export function Modal({ title, children, onCancel, onConfirm, confirmLabel, danger }) {
  useEffect(() => {
    const k = (e) => { if (e.key === 'Escape') onCancel(); };
    addEventListener('keydown', k);
    return () => removeEventListener('keydown', k);
  }, []);
  return (
    <div class="modal-backdrop" onClick={(e) => { if (e.target === e.currentTarget) onCancel(); }}>
      <div class="modal" role="dialog" aria-modal="true" aria-label={title}>
        <h3>{title}</h3>
        <div class="modal-body">{children}</div>
        <div class="modal-actions">
          <button class="btn btn-ghost" onClick={onCancel}>{t('common.cancel')}</button>
          <button class={'btn ' + (danger ? 'btn-danger' : 'btn-primary')} onClick={onConfirm}>{confirmLabel || t('common.confirm')}</button>
        </div>
      </div>
    </div>
  );
}

export function StatusBadge({ status }) {
  const s = status || 'pending';
  const tone = s === 'done' ? 'good' : ['failed', 'error', 'unsupported'].includes(s) ? 'bad' : 'wait';
  return <span class={'badge badge-' + tone} data-status={s}>{tone === 'wait' && <Spinner />}{t('status.' + s)}</span>;
}

/* load data: {data, error, loading, reload, setData} */
export function useAsync(fn, deps = []) {
  const [st, setSt] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setSt((s) => ({ ...s, loading: true, error: null }));
    fn().then((data) => { if (n === seq.current) setSt({ data, error: null, loading: false }); },
      (error) => { if (n === seq.current) setSt({ data: null, error, loading: false }); });
  }, deps);
  useEffect(() => { run(); return () => { seq.current++; }; }, [run]);
  return { ...st, reload: run, setData: (data) => setSt({ data, error: null, loading: false }) };
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return d.toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function fmtSize(n) {
  if (n == null) return '';
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
  return (n / 1048576).toFixed(1) + ' MB';
}

/* form state with the server's field errors */
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const bind = (name) => ({
    name,
    value: values[name] ?? '',
    onInput: (e) => setValues((v) => ({ ...v, [name]: e.currentTarget.value })),
  });
  /* submit(async () => ...) : sets busy, catches ApiError into errors/error */
  const submit = (fn) => async (e) => {
    if (e) e.preventDefault();
    if (busy) return;
    setBusy(true); setErrors(null); setError(null);
    try { await fn(values); } catch (err) {
      if (err && err.fields) setErrors(err.fields);
      setError(err);
    } finally { setBusy(false); }
  };
  return { values, setValues, errors, setErrors, error, setError, busy, bind, submit };
}

export function LangSwitch() {
  return (
    <button type="button" class="btn btn-small btn-ghost lang-switch" data-lang-switch onClick={() => setLang(getLang() === 'zh' ? 'en' : 'zh')}>
      {t('lang.switch')}
    </button>
  );
}

/* a performance mark (and data-ready on <html>) once a page can be used; the first one counts */
export function markReady(name) {
  const el = document.documentElement;
  if (el.dataset.ready) return;
  el.dataset.ready = name;
  try { performance.mark('zm-ready'); } catch { /* old browsers */ }
}

/* A page's history card: loading, error with retry, empty, or the items as buttons.
 * pill(d) and title(d) draw an item; end(d) its right side (default: its status). */
export function HistoryCard({ title, state, activeId, onOpen, pill, itemTitle, end, listProps }) {
  const items = (state.data && state.data.items) || [];
  return (
    <section class="card">
      <h2>{title}</h2>
      {state.loading && !state.data ? <Loading /> : state.error ? <ErrorBox error={state.error} onRetry={state.reload} />
        : !items.length ? <Empty /> : (
          <ul class="item-list" {...listProps}>
            {items.map((d) => (
              <li><button class={'item' + (activeId === d.id ? ' active' : '')} data-history-id={d.id} onClick={() => onOpen(d)}>
                {pill(d)}
                <span class="item-main"><b class="ellipsis">{itemTitle(d)}</b><span class="muted small">{fmtTime(d.created_at)}</span></span>
                {end ? end(d) : <StatusBadge status={d.state} />}
              </button></li>
            ))}
          </ul>
        )}
    </section>
  );
}
