/* 仪表盘: everything from ONE GET /api/v1/dashboard (the seed complained of 接口重复调用): this month's
 * numbers and the last 7 months, the newest diagnoses and interview predictions, 职场动态 (or what
 * membership unlocks it) and the coming calendar events.  DashboardStats draws the numbers it is given.
 * Mock-interview records join when that feature exists (its monthly count is already in the stats). */
import { useMemo } from 'preact/hooks';
import { getLang, t } from '../i18n/index.js';
import { api } from '../api.js';
import { Link } from '../router.js';
import { Chart, daySec } from '../chart.jsx';
import { Empty, ErrorBox, Loading, fmtTime, useAsync } from '../ui.jsx';

export const MONTHLY = ['job_searches', 'effective_searches', 'diagnoses', 'interview_predictions', 'mock_interviews', 'applications'];

export function DashboardStats({ d }) {
  const lang = getLang();
  const plot = useMemo(() => ({
    x: d.months.map((m) => daySec(m.month)),
    series: MONTHLY.map((k) => ({ label: t('dash.' + k), values: d.months.map((m) => m[k]) })),
  }), [d, lang]);
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

function Records({ title, items, href, all, data }) {
  return (
    <section class="card" {...{ [data]: true }}>
      <div class="row-between"><h2>{title}</h2><Link href={all} class="small">{t('dash.all')}</Link></div>
      {!items.length ? <Empty>{t('dash.noRecords')}</Empty> : (
        <ul class="item-list">
          {items.map((x) => (
            <li data-record-id={x.id}>
              <Link href={href + x.id}>{x.target_role || t('dash.noRole')}</Link>
              <span class="muted small"> · {t('dash.state.' + x.state) || x.state}
                {x.score != null && <> · {t('dash.score', { n: x.score })}</>}
                {x.count != null && <> · {t('dash.count', { n: x.count })}</>} · {fmtTime(x.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewsPart({ news }) {
  return (
    <section class="card" data-dash-news>
      <div class="row-between"><h2>{t('news.title')}</h2>{!news.locked && <Link href="/news" class="small">{t('dash.all')}</Link>}</div>
      {news.locked ? (
        <p data-news-locked>{t('dash.newsLocked', { level: news.required_level.label })} <Link href="/upgrade">{t('news.upgrade')}</Link></p>
      ) : !news.items.length ? <Empty>{t('news.none')}</Empty> : (
        <ul class="item-list news-list">
          {news.items.map((n) => (
            <li class="news-item" data-news-id={n.id}>
              <a href={n.url} target="_blank" rel="noopener noreferrer nofollow"><b>{n.title}</b></a>
              <span class="muted small">{[n.source, fmtTime(n.published_at)].filter(Boolean).join(' · ')}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Events({ items, total }) {
  return (
    <section class="card" data-dash-events>
      <div class="row-between"><h2>{t('dash.events')}</h2><Link href="/calendar" class="small">{t('dash.addEvent')}</Link></div>
      {!items.length ? <Empty>{t('dash.noEvents')}</Empty> : (
        <ul class="item-list">
          {items.map((e) => (
            <li data-event-id={e.id}><b>{e.title}</b> <span class="chip">{t('cal.kind.' + e.kind) || e.kind}</span>
              <span class="muted small"> {fmtTime(e.starts_at)}</span></li>
          ))}
        </ul>
      )}
      {total > items.length && <p class="muted small">{t('dash.moreEvents', { n: total - items.length })}</p>}
    </section>
  );
}

export function Dashboard() {
  const res = useAsync(() => api('GET', '/api/v1/dashboard'), []);
  const d = res.data;
  return (
    <div class="page" data-page="dashboard">
      <div class="page-head"><h1>{t('dash.title')}</h1><p class="muted">{t('dash.sub')}</p></div>
      {res.error ? <ErrorBox error={res.error} onRetry={res.reload} /> : !d ? <Loading /> : (
        <>
          <DashboardStats d={d.monthly} />
          <div class="grid-2">
            <Records title={t('dash.diagnoses')} items={d.diagnoses} href="/diagnosis/" all="/diagnosis" data="data-dash-diagnoses" />
            <Records title={t('dash.interview_predictions')} items={d.predictions} href="/interview/" all="/interview" data="data-dash-predictions" />
            <NewsPart news={d.news} />
            <Events items={d.events} total={d.events_total} />
          </div>
        </>
      )}
    </div>
  );
}
