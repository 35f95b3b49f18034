/* 同步管理 (seed 002's /smartrecruit/hr/sync/dashboard): true rates, the queue (pending, failed,
 * oldest pending, lag), recent activity and failures from the real event log, a retry for a
 * failed event, and the manual resyncs.  HR sees its own jobs' data, an admin everything. */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, watchTask } from '../api.js';
import { Alert, Empty, ErrorBox, Loading, Spinner, fmtTime, markReady, useAsync } from '../ui.jsx';
import { HrOnly, isHr } from './hr.jsx';

function Rate({ name, r }) {
  const pct = Number(r.sync_rate) || 0;
  return (
    <div class="stat" data-rate={name}>
      <span class="muted small">{t('sync.' + name)}</span>
      <b data-sync-rate>{Number(pct).toFixed(2)}%</b>
      <div class="progress thin"><div class="progress-bar" style={{ width: pct + '%' }} /></div>
      <span class="muted small">{t('sync.synced', { n: r.synced, total: r.total })}</span>
    </div>
  );
}

function Stat({ label, value, tone, attr }) {
  return <div class={'stat' + (tone ? ' stat-' + tone : '')} {...attr}><span class="muted small">{label}</span><b>{value}</b></div>;
}

const ms = (v) => (v == null ? '—' : v >= 1000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v) + ' ms');

function EventRow({ e, onRetry, busy }) {
  return (
    <li><div class="item static event" data-event={e.id} data-event-status={e.status}>
      <span class="item-main">
        <b>#{e.id} · {t('sync.entity.' + e.entity)} {e.entity_id} · {e.action}</b>
        <span class="muted small">{fmtTime(e.created_at)}{e.applied_at ? ' → ' + fmtTime(e.applied_at) : ''}
          {e.lag_ms != null ? ' · ' + ms(e.lag_ms) : ''} · {t('sync.attempts', { n: e.attempts })}</span>
        {e.error && <span class="small bad" data-event-error>{e.error}</span>}
      </span>
      <span class={'badge badge-' + (e.status === 'applied' ? 'good' : e.status === 'dead' ? 'bad' : 'wait')}>{t('sync.status.' + e.status)}</span>
      {e.status === 'dead' && onRetry && (
        <button class="btn btn-small btn-primary" disabled={busy} data-retry={e.id} onClick={() => onRetry(e)}>{t('sync.retry')}</button>)}
    </div></li>
  );
}

function Resync({ onDone }) {
  const [scope, setScope] = useState('job');
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState(null);
  const [err, setErr] = useState(null);
  const run = async (what, ident) => {
    setBusy(true); setErr(null); setMsg(null);
    try {
      const path = what === 'all' ? '/smartrecruit/hr/sync/force_sync' : `/smartrecruit/hr/sync/sync_${what}/${encodeURIComponent(ident)}`;
      const d = await api('POST', path);
      setMsg(t('sync.queued', { id: d.task_id }));
      const task = await watchTask(d.task_id).promise;
      const r = task.result || {};
      const n = Array.isArray(r.repaired_ids) ? r.repaired_ids.length : (r.repaired ?? null);
      setMsg(n != null ? t('sync.doneRepaired', { n }) : t('sync.done'));
      onDone();
    } catch (e) { setErr(e); }
    setBusy(false);
  };
  return (
    <section class="card" data-resync>
      <h2>{t('sync.manual')}</h2>
      <p class="muted small">{t('sync.manualHint')}</p>
      <div class="search-bar">
        <select value={scope} name="scope" onChange={(e) => setScope(e.currentTarget.value)}>
          {['job', 'application', 'user'].map((s) => <option value={s}>{t('sync.entity.' + s)}</option>)}
        </select>
        <input name="id" inputMode="numeric" value={id} placeholder={t('sync.idPlaceholder')} onInput={(e) => setId(e.currentTarget.value.trim())} />
        <button class="btn btn-ghost" disabled={busy || !/^\d+$/.test(id)} data-sync-one onClick={() => run(scope, id)}>{t('sync.syncOne')}</button>
        <button class="btn btn-primary" disabled={busy} data-force-sync onClick={() => run('all')}>{busy && <Spinner />}{t('sync.forceSync')}</button>
      </div>
      {msg && <Alert kind="success"><span data-resync-msg>{msg}</span></Alert>}
      <ErrorBox error={err} />
    </section>
  );
}

function Dashboard() {
  const status = useAsync(() => api('GET', '/smartrecruit/hr/sync/status'), []);
  const recent = useAsync(() => api('GET', '/smartrecruit/hr/sync/logs?page_size=20'), []);
  const failed = useAsync(() => api('GET', '/smartrecruit/hr/sync/logs?status=dead&page_size=50'), []);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const reload = () => { status.reload(); recent.reload(); failed.reload(); };
  /* the numbers move while events are applied: read them again every 5 s while the page is open */
  useEffect(() => { const id = setInterval(reload, 5000); return () => clearInterval(id); }, []);
  const s = status.data;
  if (s && recent.data && failed.data) markReady('sync');
  const retry = async (e) => {
    setBusy(true); setErr(null);
    try { await api('POST', '/smartrecruit/hr/sync/retry/' + e.id); reload(); } catch (x) { setErr(x); }
    setBusy(false);
  };
  return (
    <div class="page" data-page="sync">
      <div class="page-head row-between">
        <div><h1>{t('sync.title')}</h1>
          <p class="muted small">{s ? t('sync.scope.' + s.scope) : ''}{s && s.last_sync ? ' · ' + t('sync.lastSync', { t: fmtTime(s.last_sync) }) : ''}</p></div>
        <button class="btn btn-small btn-ghost" onClick={reload}>{t('sync.refresh')}</button>
      </div>
      <ErrorBox error={err} />
      {status.loading && !s ? <Loading /> : status.error ? <ErrorBox error={status.error} onRetry={status.reload} /> : (
        <section class="card">
          <div class="stats">
            <Rate name="jobs" r={s.jobs} />
            <Rate name="applications" r={s.applications} />
            <Rate name="users" r={s.users} />
          </div>
          <div class="stats">
            <Stat label={t('sync.pending')} value={s.pending} attr={{ 'data-pending': s.pending }} />
            <Stat label={t('sync.failed')} value={s.failed} tone={s.failed ? 'bad' : ''} attr={{ 'data-failed': s.failed }} />
            <Stat label={t('sync.oldest')} value={s.oldest_pending_age_s != null ? s.oldest_pending_age_s + ' s' : '—'} />
            <Stat label={t('sync.lag')} value={ms(s.lag_p50_ms) + ' / ' + ms(s.lag_p95_ms)} />
            <Stat label={t('sync.lastHour')} value={s.applied_last_hour} />
          </div>
        </section>
      )}
      <Resync onDone={reload} />
      <div class="grid-2">
        <section class="card" data-failed-events>
          <h2>{t('sync.failures')}</h2>
          {failed.loading && !failed.data ? <Loading /> : failed.error ? <ErrorBox error={failed.error} onRetry={failed.reload} />
            : !failed.data.items.length ? <Empty>{t('sync.noFailures')}</Empty>
              : <ul class="item-list">{failed.data.items.map((e) => <EventRow e={e} onRetry={retry} busy={busy} />)}</ul>}
        </section>
        <section class="card" data-recent-events>
          <h2>{t('sync.recent')}</h2>
          {recent.loading && !recent.data ? <Loading /> : recent.error ? <ErrorBox error={recent.error} onRetry={recent.reload} />
            : !recent.data.items.length ? <Empty /> : <ul class="item-list">{recent.data.items.map((e) => <EventRow e={e} />)}</ul>}
        </section>
      </div>
    </div>
  );
}

export function SyncDashboard({ user }) { return isHr(user) ? <Dashboard /> : <HrOnly />; }
