/* 仪表盘: this month's numbers and the last 7 months, from one GET /api/v1/monthly-stats.
 * DashboardStats is the block; Dashboard the page (the records, news and events join it). */
import { useMemo } from 'preact/hooks';
import { getLang, t } from '../i18n/index.js';
import { api } from '../api.js';
import { Chart, daySec } from '../chart.jsx';
import { ErrorBox, Loading, useAsync } from '../ui.jsx';

export const MONTHLY = ['job_searches', 'effective_searches', 'diagnoses', 'interview_predictions', 'mock_interviews', 'applications'];

export function DashboardStats() {
  const st = useAsync(() => api('GET', '/api/v1/monthly-stats'), []);
  const d = st.data;
  const lang = getLang();
  const plot = useMemo(() => (d ? {
    x: d.months.map((m) => daySec(m.month)),
    series: MONTHLY.map((k) => ({ label: t('dash.' + k), values: d.months.map((m) => m[k]) })),
  } : null), [d, lang]);
  if (st.error) return <ErrorBox error={st.error} onRetry={st.reload} />;
  if (!d) return <Loading />;
  const last = d.months[d.months.length - 2] || {};
  return (
    <>
      <div class="stat-cards" data-monthly-cards>
        {MONTHLY.map((k) => {
          const diff = d.this_month[k] - (last[k] || 0);
          return (
            <div class="stat-card" data-monthly={k}>
              <span class="muted small">{t('dash.' + k)}</span><b>{d.this_month[k]}</b>
              <span class={'delta' + (diff > 0 ? ' up' : diff < 0 ? ' down' : '')}>
                {t('dash.vsLast', { n: (diff > 0 ? '+' : '') + diff })}</span>
            </div>
          );
        })}
      </div>
      <section class="card" data-monthly-chart>
        <h2>{t('dash.monthly')}</h2>
        <Chart name="monthly" monthly x={plot.x} series={plot.series} />
      </section>
    </>
  );
}

export function Dashboard() {
  return (
    <div class="page" data-page="dashboard">
      <div class="page-head"><h1>{t('dash.title')}</h1><p class="muted">{t('dash.sub')}</p></div>
      <DashboardStats />
    </div>
  );
}
