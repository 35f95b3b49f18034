/* 经典题库, 职场动态, 日历事件 (issue 17): loaded on demand (main.jsx) */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { Alert, Empty, ErrorBox, Field, Loading, Modal, Spinner, fmtTime, markReady, useAsync, useForm } from '../ui.jsx';

const PAGE_SIZE = 20;

function Pager({ page, pages, go }) {
  if (pages <= 1) return null;
  return (
    <div class="pager" data-pager>
      <button class="btn btn-small btn-ghost" disabled={page <= 1} onClick={() => go(page - 1)}>{t('common.prev')}</button>
      <span class="muted small">{page} / {pages}</span>
      <button class="btn btn-small btn-ghost" disabled={page >= pages} onClick={() => go(page + 1)}>{t('common.next')}</button>
    </div>
  );
}

/* ---- 经典题库 ---- */

function QuestionItem({ q }) {
  const [open, setOpen] = useState(false);
  return (
    <li class="cq-item" data-question-id={q.id}>
      <button type="button" class="cq-head" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="chip chip-tip">{t('cq.cat.' + q.category)}</span>
        {q.tag && <span class="chip">{q.tag}</span>}
        <span class="cq-q">{q.question}</span>
        <span class="chev">{open ? '▾' : '›'}</span>
      </button>
      {open && (
        <div class="cq-body" data-question-outline>
          {q.why && <p class="muted small">{t('cq.why')}{q.why}</p>}
          <p class="small"><b>{t('cq.outline')}</b></p>
          <ol class="cq-outline">{q.outline.map((o) => <li>{o}</li>)}</ol>
        </div>
      )}
    </li>
  );
}

export function Questions() {
  const { query } = useLocation();
  const qs = query.toString();
  const category = query.get('category') || '';
  const tag = query.get('tag') || '';
  const q = query.get('q') || '';
  const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  /* the filters' choices once; the list on each change of the query */
  const facets = useAsync(() => api('GET', '/api/v1/classic-questions/facets'), []);
  const res = useAsync(() => {
    const p = new URLSearchParams(qs);
    p.set('page_size', PAGE_SIZE);
    return api('GET', '/api/v1/classic-questions?' + p);
  }, [qs]);
  const go = (patch) => {
    const p = new URLSearchParams(qs);
    Object.entries(patch).forEach(([k, v]) => (v ? p.set(k, v) : p.delete(k)));
    if (!('page' in patch)) p.delete('page');
    navigate('/question-bank' + (p.toString() ? '?' + p : ''));
  };
  const d = res.data;
  if (d) markReady('questions');
  const pages = d ? Math.max(1, Math.ceil(d.total / d.page_size)) : 1;
  const f = facets.data;
  return (
    <div class="page" data-page="question-bank">
      <div class="page-head"><h1>{t('cq.title')}</h1><p class="muted">{t('cq.sub')}</p></div>
      <section class="card">
        <form class="search-bar" role="search" data-form="cq-search" onSubmit={(e) => { e.preventDefault(); go({ q: text.trim() }); }}>
          <input type="search" name="q" value={text} maxLength={100} placeholder={t('cq.search')} aria-label={t('cq.search')}
            onInput={(e) => setText(e.currentTarget.value)} />
          <select name="category" class="role-filter" value={category} aria-label={t('cq.category')}
            onChange={(e) => go({ category: e.currentTarget.value })}>
            <option value="">{t('cq.allCats')}</option>
            {(f ? f.categories : []).map((c) => <option value={c.code}>{t('cq.cat.' + c.code)} ({c.count})</option>)}
          </select>
          <select name="tag" class="role-filter" value={tag} aria-label={t('cq.tag')} onChange={(e) => go({ tag: e.currentTarget.value })}>
            <option value="">{t('cq.allTags')}</option>
            {(f ? f.tags : []).map((x) => <option value={x.tag}>{x.tag} ({x.count})</option>)}
          </select>
          <button class="btn btn-primary" type="submit">{t('cq.searchBtn')}</button>
        </form>
        {res.loading && !d ? <Loading /> : res.error ? <ErrorBox error={res.error} onRetry={res.reload} /> : (
          <>
            <p class="muted small" data-question-total={d.total}>{t('cq.found', { n: d.total })}{res.loading && <> <Spinner /></>}</p>
            {!d.items.length ? <Empty>{t('cq.none')}</Empty>
              : <ul class="cq-list" data-question-list>{d.items.map((x) => <QuestionItem key={x.id} q={x} />)}</ul>}
            <Pager page={page} pages={pages} go={(n) => go({ page: String(n) })} />
          </>
        )}
      </section>
    </div>
  );
}

/* ---- 职场动态 ---- */

export function News() {
  const { query } = useLocation();
  const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
  const res = useAsync(() => api('GET', '/api/v1/workplace-news/latest/list?page_size=' + PAGE_SIZE + '&page=' + page), [page]);
  const d = res.data;
  if (d || res.error) markReady('news');
  const pages = d ? Math.max(1, Math.ceil(d.total / d.page_size)) : 1;
  const locked = res.error && res.error.code === 'membership_required';
  return (
    <div class="page" data-page="news">
      <div class="page-head"><h1>{t('news.title')}</h1><p class="muted">{t('news.sub')}</p></div>
      <section class="card">
        {res.loading && !d ? <Loading /> : locked ? (
          <div class="center" data-news-locked>
            <Alert kind="info">{res.error.message}</Alert>
            <Link class="btn btn-primary" href="/upgrade">{t('news.upgrade')}</Link>
          </div>
        ) : res.error ? <ErrorBox error={res.error} onRetry={res.reload} /> : !d.items.length ? <Empty>{t('news.none')}</Empty> : (
          <>
            <ul class="item-list news-list" data-news-list>
              {d.items.map((n) => (
                <li class="news-item" data-news-id={n.id}>
                  <a href={n.url} target="_blank" rel="noopener noreferrer nofollow"><b>{n.title}</b></a>
                  <span class="muted small">{[n.source, fmtTime(n.published_at)].filter(Boolean).join(' · ')}</span>
                  {n.summary && <p class="small">{n.summary}</p>}
                  {n.tags.length > 0 && <span class="chips">{n.tags.map((x) => <span class="chip">{x}</span>)}</span>}
                </li>
              ))}
            </ul>
            <Pager page={page} pages={pages} go={(n) => navigate('/news?page=' + n)} />
          </>
        )}
      </section>
    </div>
  );
}

/* ---- 日历事件 ---- */

const KINDS = ['interview', 'deadline', 'other'];
const LEADS = ['', '15', '30', '60', '180', '1440'];

/* an ISO time as the value of <input type=datetime-local> in the browser's zone, and back */
function toLocal(iso) {
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
function fromLocal(v) {
  const d = new Date(v);
  return isNaN(d) ? v : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function EventForm({ ev, onDone, onCancel }) {
  const f = useForm(ev ? {
    title: ev.title, kind: ev.kind, starts_at: toLocal(ev.starts_at), notes: ev.notes,
    remind: ev.remind_before_minutes == null ? '' : String(ev.remind_before_minutes),
  } : { title: '', kind: 'interview', starts_at: '', notes: '', remind: '60' });
  const save = f.submit(async (v) => {
    const body = { title: v.title.trim(), kind: v.kind, starts_at: v.starts_at ? fromLocal(v.starts_at) : '', notes: v.notes,
      remind_before_minutes: v.remind === '' ? null : parseInt(v.remind, 10) };
    const out = ev ? await api('PATCH', '/api/v1/calendar/events/' + ev.id, body) : await api('POST', '/api/v1/calendar/events', body);
    onDone(out);
  });
  return (
    <form class="card event-form" onSubmit={save} data-form="event">
      <h3>{ev ? t('cal.edit') : t('cal.add')}</h3>
      {f.error && !f.errors && <ErrorBox error={f.error} />}
      <Field label={t('cal.titleLabel')} name="title" errors={f.errors}><input {...f.bind('title')} maxLength={200} required /></Field>
      <Field label={t('cal.kind')} name="kind" errors={f.errors}>
        <select {...f.bind('kind')} onChange={(e) => f.setValues((x) => ({ ...x, kind: e.currentTarget.value }))}>
          {KINDS.map((k) => <option value={k}>{t('cal.kind.' + k)}</option>)}
        </select>
      </Field>
      <Field label={t('cal.startsAt')} name="starts_at" errors={f.errors}><input type="datetime-local" {...f.bind('starts_at')} required /></Field>
      <Field label={t('cal.remind')} name="remind_before_minutes" errors={f.errors} hint={t('cal.remindHint')}>
        <select {...f.bind('remind')} onChange={(e) => f.setValues((x) => ({ ...x, remind: e.currentTarget.value }))}>
          {LEADS.map((m) => <option value={m}>{m === '' ? t('cal.noRemind') : t('cal.before', { m })}</option>)}
        </select>
      </Field>
      <Field label={t('cal.notes')} name="notes" errors={f.errors}><textarea {...f.bind('notes')} maxLength={2000} rows={3} /></Field>
      <div class="row-end">
        {onCancel && <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('common.cancel')}</button>}
        <button class="btn btn-primary" type="submit" disabled={f.busy}>{f.busy && <Spinner />}{t('common.save')}</button>
      </div>
    </form>
  );
}

export function Calendar() {
  const { query } = useLocation();
  const page = Math.max(1, parseInt(query.get('page') || '1', 10) || 1);
  const res = useAsync(() => api('GET', '/api/v1/calendar/events?page_size=' + PAGE_SIZE + '&page=' + page), [page]);
  const [editing, setEditing] = useState(null);
  const [ask, setAsk] = useState(null);
  const [err, setErr] = useState(null);
  const d = res.data;
  if (d) markReady('calendar');
  const pages = d ? Math.max(1, Math.ceil(d.total / d.page_size)) : 1;
  const del = async (ev) => {
    setAsk(null); setErr(null);
    try { await api('DELETE', '/api/v1/calendar/events/' + ev.id); res.reload(); } catch (e) { setErr(e); }
  };
  return (
    <div class="page" data-page="calendar">
      <div class="page-head"><h1>{t('cal.title')}</h1><p class="muted">{t('cal.sub')}</p></div>
      {editing === null
        ? <button class="btn btn-primary" data-add-event onClick={() => setEditing('new')}>{t('cal.add')}</button>
        : <EventForm key={editing === 'new' ? 'new' : editing.id} ev={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)} onDone={() => { setEditing(null); res.reload(); }} />}
      {err && <ErrorBox error={err} />}
      <section class="card">
        {res.loading && !d ? <Loading /> : res.error ? <ErrorBox error={res.error} onRetry={res.reload} />
          : !d.items.length ? <Empty>{t('cal.none')}</Empty> : (
            <>
              <ul class="item-list" data-event-list>
                {d.items.map((ev) => (
                  <li class="event-item" data-event-id={ev.id}>
                    <span class="item-main">
                      <b>{ev.title}</b>
                      <span class="muted small">{t('cal.kind.' + ev.kind)} · {fmtTime(ev.starts_at)}
                        {ev.reminder && <> · {t('cal.reminder.' + ev.reminder.state, { at: fmtTime(ev.reminder.at) })}</>}</span>
                      {ev.notes && <span class="small pre">{ev.notes}</span>}
                    </span>
                    <span class="row-end">
                      <button class="btn btn-small btn-ghost" onClick={() => setEditing(ev)}>{t('cal.editBtn')}</button>
                      <button class="btn btn-small btn-ghost" onClick={() => setAsk(ev)}>{t('common.delete')}</button>
                    </span>
                  </li>
                ))}
              </ul>
              <Pager page={page} pages={pages} go={(n) => navigate('/calendar?page=' + n)} />
            </>
          )}
      </section>
      {ask && <Modal title={t('cal.confirmDelete', { title: ask.title })} danger onCancel={() => setAsk(null)} onConfirm={() => del(ask)}
        confirmLabel={t('common.delete')} />}
    </div>
  );
}

/* ---- 管理后台 · 内容: news (add, import a JSON feed, delete) and a new question ---- */

export function AdminContent({ user }) {
  const [page, setPage] = useState(1);
  const list = useAsync(() => api('GET', '/api/v1/admin/workplace-news?page_size=' + PAGE_SIZE + '&page=' + page), [page]);
  const [notice, setNotice] = useState(null);
  const [feed, setFeed] = useState('');
  const [feedErr, setFeedErr] = useState(null);
  const news = useForm({ title: '', url: '', source: '', summary: '', tags: '' });
  const q = useForm({ category: 'technical', tag: '', question: '', why: '', outline: '' });
  if (user.role !== 'admin') return <div class="page"><Alert kind="error">{t('admin.noPerm')}</Alert></div>;
  const addNews = news.submit(async (v) => {
    const tags = v.tags.split(/[,，]/).map((x) => x.trim()).filter(Boolean);
    const n = await api('POST', '/api/v1/admin/workplace-news', { title: v.title, url: v.url, source: v.source, summary: v.summary, tags });
    news.setValues({ title: '', url: '', source: '', summary: '', tags: '' });
    setNotice(t('acontent.added', { title: n.title }));
    list.reload();
  });
  const importFeed = async (e) => {
    e.preventDefault(); setFeedErr(null); setNotice(null);
    let body;
    try { body = JSON.parse(feed); } catch { setFeedErr({ message: t('acontent.notJson') }); return; }
    try {
      const r = await api('POST', '/api/v1/admin/workplace-news/import', body);
      setNotice(t('acontent.imported', r)); setFeed(''); list.reload();
    } catch (err) { setFeedErr(err); }
  };
  const del = async (n) => {
    try { await api('DELETE', '/api/v1/admin/workplace-news/' + n.id); list.reload(); } catch (err) { setFeedErr(err); }
  };
  const addQ = q.submit(async (v) => {
    const outline = v.outline.split('\n').map((x) => x.trim()).filter(Boolean);
    const r = await api('POST', '/api/v1/admin/classic-questions', { category: v.category, tag: v.tag.trim(), question: v.question, why: v.why, outline });
    q.setValues({ category: v.category, tag: '', question: '', why: '', outline: '' });
    setNotice(t('acontent.qAdded', { id: r.id }));
  });
  const d = list.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / d.page_size)) : 1;
  return (
    <div class="page" data-page="admin-content">
      <div class="page-head"><h1>{t('acontent.title')}</h1><p class="muted">{t('acontent.sub')}</p></div>
      {notice && <Alert kind="success">{notice}</Alert>}
      <section class="card">
        <h3>{t('news.title')}</h3>
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : !d.items.length ? <Empty>{t('news.none')}</Empty> : (
          <>
            <ul class="item-list" data-admin-news>
              {d.items.map((n) => (
                <li class="event-item" data-news-id={n.id}>
                  <span class="item-main"><b>{n.title}</b><span class="muted small">{[n.source, fmtTime(n.published_at), n.url].filter(Boolean).join(' · ')}</span></span>
                  <button class="btn btn-small btn-ghost" onClick={() => del(n)}>{t('common.delete')}</button>
                </li>
              ))}
            </ul>
            <Pager page={page} pages={pages} go={setPage} />
          </>
        )}
      </section>
      <form class="card" onSubmit={addNews} data-form="admin-news">
        <h3>{t('acontent.addNews')}</h3>
        {news.error && !news.errors && <ErrorBox error={news.error} />}
        <Field label={t('acontent.newsTitle')} name="title" errors={news.errors}><input {...news.bind('title')} maxLength={300} required /></Field>
        <Field label="URL" name="url" errors={news.errors}><input {...news.bind('url')} type="url" maxLength={2048} required /></Field>
        <Field label={t('acontent.source')} name="source" errors={news.errors}><input {...news.bind('source')} maxLength={100} /></Field>
        <Field label={t('acontent.summary')} name="summary" errors={news.errors}><textarea {...news.bind('summary')} maxLength={2000} rows={2} /></Field>
        <Field label={t('acontent.tags')} name="tags" errors={news.errors}><input {...news.bind('tags')} /></Field>
        <div class="row-end"><button class="btn btn-primary" type="submit" disabled={news.busy}>{t('common.save')}</button></div>
      </form>
      <form class="card" onSubmit={importFeed} data-form="admin-import">
        <h3>{t('acontent.import')}</h3>
        <p class="muted small">{t('acontent.importHint')}</p>
        {feedErr && <ErrorBox error={feedErr} />}
        <textarea value={feed} rows={6} onInput={(e) => setFeed(e.currentTarget.value)} aria-label={t('acontent.import')} />
        <div class="row-end"><button class="btn btn-primary" type="submit" disabled={!feed.trim()}>{t('acontent.importBtn')}</button></div>
      </form>
      <form class="card" onSubmit={addQ} data-form="admin-question">
        <h3>{t('acontent.addQuestion')}</h3>
        {q.error && !q.errors && <ErrorBox error={q.error} />}
        <Field label={t('cq.category')} name="category" errors={q.errors}>
          <select {...q.bind('category')} onChange={(e) => q.setValues((x) => ({ ...x, category: e.currentTarget.value }))}>
            {['technical', 'project', 'behavioral', 'hr'].map((c) => <option value={c}>{t('cq.cat.' + c)}</option>)}
          </select>
        </Field>
        <Field label={t('cq.tag')} name="tag" errors={q.errors}><input {...q.bind('tag')} maxLength={64} /></Field>
        <Field label={t('acontent.question')} name="question" errors={q.errors}><textarea {...q.bind('question')} maxLength={1000} rows={2} required /></Field>
        <Field label={t('acontent.why')} name="why" errors={q.errors}><input {...q.bind('why')} maxLength={1000} /></Field>
        <Field label={t('cq.outline')} name="outline" errors={q.errors} hint={t('acontent.outlineHint')}><textarea {...q.bind('outline')} rows={4} required /></Field>
        <div class="row-end"><button class="btn btn-primary" type="submit" disabled={q.busy}>{t('common.save')}</button></div>
      </form>
    </div>
  );
}
