/* 管理后台 · 巡检记录 (issue 16): zhimai-inspect's runs and findings; acknowledge a finding with a note;
   queue an on-demand run (a task) and follow it.  Loaded on demand (main.jsx): only admins need it. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { Alert, Empty, ErrorBox, Loading, Spinner, fmtTime, useAsync } from '../ui.jsx';

const PAGE_SIZE = 20;
const TONE = { clean: 'good', anomalies: 'bad', failed: 'bad', running: 'wait', open: 'bad', repaired: 'good', acknowledged: 'wait' };

function NoPermission() {
  return (
    <div class="page">
      <section class="card narrow center no-perm" data-no-permission>
        <div class="no-perm-icon" aria-hidden="true">!</div>
        <h2>{t('admin.noPermTitle')}</h2>
        <p class="muted">{t('admin.noPerm')}</p>
        <Link class="btn btn-primary" href="/resumes">{t('notfound.back')}</Link>
      </section>
    </div>
  );
}

function why(err) {
  const f = err && err.fields;
  const msgs = f ? Object.values(f).flat().filter(Boolean) : [];
  return msgs.length ? msgs.join('；') : (err && err.message) || t('err.generic');
}

const badge = (s, label) => <span class={'badge badge-' + (TONE[s] || 'wait')} data-state={s}>{label || t('insp.st.' + s)}</span>;
const yuan = (fen) => (fen === null || fen === undefined ? '—' : (fen / 100).toFixed(2));

/* the button: queue a run, follow its task until it is done */
function RunNow({ onDone }) {
  const [repair, setRepair] = useState(false);
  const [task, setTask] = useState(null);
  const [err, setErr] = useState(null);
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  const follow = (id) => {
    api('GET', '/api/v1/tasks/' + id).then((tk) => {
      setTask(tk);
      if (tk.state === 'done' || tk.state === 'failed') onDone(tk);
      else timer.current = setTimeout(() => follow(id), 1000);
    }, (e) => setErr(why(e)));
  };
  const start = async () => {
    setErr(null); setTask({ state: 'queued' });
    try {
      const d = await api('POST', '/api/v1/admin/inspections', { repair });
      follow(d.task_id);
    } catch (e) { setErr(why(e)); setTask(null); }
  };
  const busy = task && task.state !== 'done' && task.state !== 'failed';
  const res = task && task.result;
  return (
    <div class="insp-run" data-run-now>
      <label class="check"><input type="checkbox" checked={repair} disabled={busy} onChange={(e) => setRepair(e.currentTarget.checked)} /> {t('insp.repair')}</label>
      <button class="btn btn-primary" type="button" disabled={busy} onClick={start} data-run-button>{busy ? <><Spinner /> {t('insp.running')}</> : t('insp.runNow')}</button>
      {task && <span class="muted small" data-task-state={task.state}>{t('insp.task', { state: t('insp.task.' + task.state) })}</span>}
      {res && res.run_id ? <Link href={'/admin/inspections/' + res.run_id} data-task-run>{t('insp.openRun', { id: res.run_id })}</Link> : null}
      {task && task.state === 'failed' && <Alert kind="error">{(task.error && task.error.reason) || t('err.generic')}</Alert>}
      {err && <Alert kind="error">{err}</Alert>}
    </div>
  );
}

function Runs() {
  const { query } = useLocation();
  const page = Math.max(1, parseInt(query.get('page'), 10) || 1);
  const list = useAsync(() => api('GET', '/api/v1/admin/inspections?' + new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) })), [page]);
  const d = list.data, items = (d && d.items) || [], total = (d && d.total) || 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const go = (p) => navigate('/admin/inspections' + (p > 1 ? '?page=' + p : ''));
  return (
    <div class="page">
      <div class="page-head"><h1>{t('insp.title')}</h1><p class="muted">{t('insp.sub')}</p></div>
      <section class="card"><RunNow onDone={() => list.reload()} /></section>
      <section class="card">
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !items.length ? <Empty>{t('insp.none')}</Empty> : (
            <>
              <div class="table-wrap">
                <table class="data-table" data-runs-table>
                  <thead><tr>
                    <th>#</th><th>{t('insp.started')}</th><th>{t('insp.billDate')}</th><th>{t('insp.origin')}</th>
                    <th>{t('insp.status')}</th><th>{t('insp.orders')}</th><th>{t('insp.findings')}</th><th>{t('insp.duration')}</th>
                  </tr></thead>
                  <tbody>
                    {items.map((r) => (
                      <tr data-run-id={r.id}>
                        <td><Link href={'/admin/inspections/' + r.id}>{r.id}</Link></td>
                        <td class="nowrap muted">{fmtTime(r.started_at)}</td>
                        <td>{r.bill_date || '—'}</td>
                        <td>{t('insp.origin.' + r.origin)}{r.repair ? ' · ' + t('insp.repairShort') : ''}</td>
                        <td>{badge(r.status)}</td>
                        <td>{r.orders_checked}</td>
                        <td>{r.findings}{r.open_findings ? <> · <span class="badge badge-bad">{t('insp.openN', { n: r.open_findings })}</span></> : null}</td>
                        <td class="muted">{r.duration_ms === null ? '—' : r.duration_ms + ' ms'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {pages > 1 && (
                <div class="pager">
                  <button class="btn btn-small btn-ghost" disabled={page <= 1} onClick={() => go(page - 1)}>{t('admin.prev')}</button>
                  <span class="muted small">{t('admin.page', { p: page, n: pages })}</span>
                  <button class="btn btn-small btn-ghost" disabled={page >= pages} onClick={() => go(page + 1)}>{t('admin.next')}</button>
                </div>
              )}
            </>
          )}
      </section>
    </div>
  );
}

function Finding({ f, onChange }) {
  const [note, setNote] = useState('');
  const [open, setOpen] = useState(false);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const ack = async (e) => {
    e.preventDefault(); setErr(null); setBusy(true);
    try { onChange(await api('POST', '/api/v1/admin/inspections/findings/' + f.id + '/acknowledge', { note: note.trim() })); setOpen(false); }
    catch (x) { setErr(why(x)); } finally { setBusy(false); }
  };
  return (
    <tr data-finding-id={f.id} data-kind={f.kind}>
      <td>{t('insp.kind.' + f.kind)}<div class="muted small">{f.kind}</div></td>
      <td class="ellipsis">{f.out_trade_no || '—'}</td>
      <td>{f.user_id || '—'}</td>
      <td class="nowrap">{yuan(f.order_fen)} / {yuan(f.wechat_fen)} / {yuan(f.ledger_fen)}</td>
      <td>{badge(f.state)}{f.note ? <div class="muted small" data-note>{f.note}</div> : null}</td>
      <td class="small">{(f.detail && f.detail.action) || ''}</td>
      <td>
        {f.state !== 'acknowledged' && !open && <button class="btn btn-small btn-ghost" type="button" onClick={() => setOpen(true)} data-ack>{t('insp.ack')}</button>}
        {open && (
          <form onSubmit={ack} class="ack-form">
            <input type="text" maxLength={500} required value={note} placeholder={t('insp.note')} aria-label={t('insp.note')} onInput={(e) => setNote(e.currentTarget.value)} />
            <button class="btn btn-small btn-primary" type="submit" disabled={busy || !note.trim()}>{t('insp.ackSave')}</button>
            <button class="btn btn-small btn-ghost" type="button" onClick={() => setOpen(false)}>{t('insp.cancel')}</button>
            {err && <span class="field-error" role="alert">{err}</span>}
          </form>
        )}
      </td>
    </tr>
  );
}

function Run({ id }) {
  const run = useAsync(() => api('GET', '/api/v1/admin/inspections/' + encodeURIComponent(id)), [id]);
  const r = run.data;
  if (run.loading && !r) return <Loading />;
  if (run.error) return <ErrorBox error={run.error} onRetry={run.reload} />;
  const change = (nf) => run.setData({ ...r, findings: r.findings.map((x) => (x.id === nf.id ? nf : x)) });
  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('insp.runTitle', { id: r.id })} {badge(r.status)}</h1>
        <p class="muted"><Link href="/admin/inspections">{t('insp.back')}</Link></p>
      </div>
      <section class="card" data-run>
        <p>{t('insp.window', { a: fmtTime(r.window_start), b: fmtTime(r.window_end) })} · {t('insp.billDate')} {r.bill_date || '—'} · {t('insp.origin.' + r.origin)}{r.repair ? ' · ' + t('insp.repairShort') : ''}</p>
        <p class="muted">{t('insp.summary', { orders: r.orders_checked, rows: r.bill_rows, queries: r.queries, findings: r.findings, repaired: r.repaired, ms: r.duration_ms ?? '—' })}</p>
        {r.error && <Alert kind="error">{r.error}</Alert>}
      </section>
      <section class="card">
        {!r.findings.length ? <Empty>{t('insp.noFindings')}</Empty> : (
          <div class="table-wrap">
            <table class="data-table" data-findings-table>
              <thead><tr>
                <th>{t('insp.kind')}</th><th>{t('insp.order')}</th><th>{t('insp.user')}</th><th>{t('insp.amounts')}</th>
                <th>{t('insp.state')}</th><th>{t('insp.action')}</th><th></th>
              </tr></thead>
              <tbody>{r.findings.map((f) => <Finding f={f} onChange={change} />)}</tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

export function AdminInspections({ user, params }) {
  if (!user || user.role !== 'admin') return <NoPermission />;
  return params && params.id ? <Run id={params.id} /> : <Runs />;
}
