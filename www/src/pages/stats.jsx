/* 管理后台 · 数据: loaded on demand (main.jsx), admins only.  One overview request; each trend is
 * asked once per (metric, days) and kept, so switching tabs back never asks again. */
import { useMemo, useRef, useState } from 'preact/hooks';
import { getLang, t } from '../i18n/index.js';
import { api } from '../api.js';
import { Chart, daySec } from '../chart.jsx';
import { ErrorBox, Loading, useAsync } from '../ui.jsx';

const METRICS = ['new_users', 'revenue', 'paying_users', 'usage', 'active', 'retention', 'conversion', 'session_length'];
const FEATURES = ['diagnosis', 'interview', 'job_search', 'resumes', 'suggestions', 'mock_interview'];
const mins = (sec) => (sec == null ? '—' : (Number(sec) / 60).toFixed(1) + ' min');
const DAYS = [7, 30, 90, 365];
export const USAGE = ['search', 'search_effective', 'diagnosis', 'interview', 'mock_interview', 'application'];
const yuan = (fen) => '¥' + (Number(fen || 0) / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const yuan0 = (fen) => '¥' + Math.round(Number(fen || 0) / 100).toLocaleString();
const pct = (v) => v + '%';

/* which series a trend draws, with labels and the value format */
function plotOf(metric, s) {
  const one = (k, label) => ({ label: label || t('stats.s.' + k), values: s[k] });
  switch (metric) {
    case 'new_users': return { series: [one('new_users'), one('invited_users')] };
    case 'revenue': return { series: [{ label: t('stats.s.revenue'), values: s.revenue_fen }], fmt: yuan0, bars: true };
    case 'paying_users': return { series: [one('paying_users'), one('paying_users_total')] };
    case 'usage': return { series: USAGE.map((k) => ({ label: t('stats.u.' + k), values: s[k] })) };
    case 'active': return { series: [one('active_users'), one('avg_active_minutes')], decimals: true };
    case 'retention': return { series: ['d1', 'd7', 'd30'].map((k) => one(k)), fmt: pct, decimals: true };
    case 'conversion': return { series: [one('conversion_pct')], fmt: pct, decimals: true };
    case 'session_length': return { series: FEATURES.map((k) => ({ label: t('stats.f.' + k), values: s[k] })), fmt: mins, decimals: true };
    default: return { series: [] };
  }
}

function Card({ label, value, name }) {
  return <div class="stat-card" data-stat={name}><span class="muted small">{label}</span><b>{value}</b></div>;
}

function Trend() {
  const [metric, setMetric] = useState('new_users');
  const [days, setDays] = useState(90);
  const cache = useRef(new Map());
  const key = metric + ':' + days;
  const tr = useAsync(() => {
    if (!cache.current.has(key)) {
      const p = api('GET', '/api/v1/admin/stats/trends?' + new URLSearchParams({ metric, days: String(days) }));
      cache.current.set(key, p);
      p.catch(() => cache.current.delete(key));
    }
    return cache.current.get(key);
  }, [key]);
  const d = tr.data && tr.data.metric === metric && tr.data.days === days ? tr.data : null;
  const lang = getLang();
  const plot = useMemo(() => (d ? { x: d.dates.map(daySec), ...plotOf(metric, d.series) } : null), [d, metric, lang]);
  return (
    <section class="card" data-stats-trend={metric}>
      <div class="card-head wrap"><h2>{t('stats.trend')}</h2>
        <div class="seg" role="group">
          {DAYS.map((n) => <button type="button" class={'chip' + (n === days ? ' chip-good' : '')} aria-pressed={n === days}
            data-days={n} onClick={() => setDays(n)}>{t('stats.days', { n })}</button>)}
        </div>
      </div>
      <div class="chips tabs" role="tablist">
        {METRICS.map((m) => <button type="button" role="tab" aria-selected={m === metric} data-metric={m}
          class={'chip' + (m === metric ? ' chip-good' : '')} onClick={() => setMetric(m)}>{t('stats.m.' + m)}</button>)}
      </div>
      <p class="muted small">{t('stats.h.' + metric)}</p>
      {tr.error ? <ErrorBox error={tr.error} onRetry={tr.reload} /> : !plot ? <Loading />
        : <Chart name={metric} x={plot.x} series={plot.series} fmt={plot.fmt} decimals={plot.decimals} bars={plot.bars && days <= 90} />}
    </section>
  );
}

export function AdminStats({ user }) {
  const ov = useAsync(() => api('GET', '/api/v1/admin/stats/overview'), []);
  if (user.role !== 'admin') {
    return <div class="page"><section class="card narrow center"><h2>{t('admin.noPermTitle')}</h2><p class="muted">{t('admin.noPerm')}</p></section></div>;
  }
  const o = ov.data;
  return (
    <div class="page" data-page="admin-stats">
      <div class="page-head"><h1>{t('stats.title')}</h1><p class="muted">{t('stats.sub')}</p></div>
      {ov.error ? <ErrorBox error={ov.error} onRetry={ov.reload} /> : !o ? <Loading /> : (
        <>
          <div class="stat-cards" data-stats-overview>
            <Card name="online_now" label={t('stats.online')} value={o.online_now} />
            <Card name="registered_total" label={t('stats.registered')} value={o.registered_total} />
            <Card name="registered_invited" label={t('stats.invited')} value={o.registered_invited} />
            <Card name="paying_users" label={t('stats.paying')} value={o.paying_users} />
            <Card name="revenue_fen" label={t('stats.revenue')} value={yuan(o.revenue_fen)} />
            <Card name="today_new" label={t('stats.todayNew')} value={o.today.new_users} />
            <Card name="today_active" label={t('stats.todayActive')} value={o.today.active_users} />
          </div>
          <section class="card" data-stats-usage>
            <h2>{t('stats.todayUsage', { date: o.today.date })}</h2>
            <div class="stats">
              {USAGE.map((k) => <div class="stat" data-usage={k}><span class="muted small">{t('stats.u.' + k)}</span><b>{o.today.usage[k]}</b></div>)}
            </div>
          </section>
        </>
      )}
      <Trend />
    </div>
  );
}
