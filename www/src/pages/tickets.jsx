/* 意见反馈 and 工单 (issue 17 items 2, 3), with the admins' review and queue: loaded on demand (main.jsx) */
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, upload } from '../api.js';
import { useLive } from '../live.js';
import { Link, navigate } from '../router.js';
import { Alert, Empty, ErrorBox, Field, Loading, Spinner, fmtTime, useAsync, useForm } from '../ui.jsx';

const PAGE_SIZE = 20;
const FB_CATS = ['suggestion', 'bug', 'content', 'other'];
const TK_CATS = ['account', 'payment', 'technical', 'other'];
const STATES = ['open', 'in_progress', 'waiting_user', 'resolved', 'closed'];
const PRIOS = ['low', 'normal', 'high', 'urgent'];
const MAX = 10000;

function Pager({ page, total, go }) {
  const pages = Math.max(1, Math.ceil((total || 0) / PAGE_SIZE));
  if (pages <= 1) return null;
  return (
    <div class="pager" data-pager>
      <button class="btn btn-small btn-ghost" disabled={page <= 1} onClick={() => go(page - 1)}>{t('common.prev')}</button>
      <span class="muted small">{page} / {pages}</span>
      <button class="btn btn-small btn-ghost" disabled={page >= pages} onClick={() => go(page + 1)}>{t('common.next')}</button>
    </div>
  );
}

/* POST fields as JSON, or as multipart with files under field (the upload machinery) when there are any */
const FILE_MAX = 2 * 1024 * 1024, FILES_MAX = 3;
function postForm(path, fields, field, files) {
  if (!files || !files.length) return api('POST', path, fields);
  const fd = new FormData();
  Object.entries(fields).forEach(([k, v]) => { if (v != null) fd.append(k, v); });
  files.forEach((x) => fd.append(field, x, x.name));
  return upload(path, fd);
}

/* a file behind the bearer token: fetched as a blob, saved under its name */
async function saveFile(path, name) {
  const blob = await api('GET', path, undefined, { blob: true });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url; a.download = name || 'file';
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/* a file input keeping its File objects; checks the cap and count before sending (the server checks again) */
function FilePick({ accept, multiple, files, setFiles, label, hint, data }) {
  const [err, setErr] = useState(null);
  const pick = (e) => {
    const list = Array.from(e.currentTarget.files || []);
    if (list.length > (multiple ? FILES_MAX : 1)) { setErr(t('tk.tooMany', { n: FILES_MAX })); setFiles([]); return; }
    if (list.some((x) => x.size > FILE_MAX)) { setErr(t('tk.tooBig', { n: 2 })); setFiles([]); return; }
    setErr(null); setFiles(list);
  };
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <input type="file" accept={accept} multiple={multiple} onChange={pick} {...{ [data]: true }} />
      {err ? <span class="field-error">{err}</span> : <span class="field-hint">{hint}{files.length ? ' · ' + files.map((x) => x.name).join('、') : ''}</span>}
    </label>
  );
}

function Files({ ticket, items }) {
  const [err, setErr] = useState(null);
  if (!items.length) return null;
  return (
    <div class="small" data-attachments>
      {items.map((a) => (
        <button type="button" class="btn btn-small btn-ghost" data-attachment={a.id}
          onClick={() => saveFile('/api/v1/tickets/' + ticket + '/attachments/' + a.id, a.name).catch((e) => setErr(e.message))}>
          📎 {a.name}</button>
      ))}
      {err && <span class="text-bad">{err}</span>}
    </div>
  );
}

const IMAGES = 'image/png,image/jpeg,image/webp';
const ATTACH = IMAGES + ',application/pdf,text/plain';

const qs = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== '' && v != null)).toString();

/* ---- 意见反馈 ---- */

function FbStatus({ s }) {
  return <span class={'chip' + (s === 'adopted' ? ' chip-tip' : '')} data-fb-status={s}>{t('fb.st.' + s)}</span>;
}

export function Feedback() {
  const [page, setPage] = useState(1);
  const list = useAsync(() => api('GET', '/api/v1/feedback?' + qs({ page, page_size: PAGE_SIZE })), [page]);
  const [sent, setSent] = useState(false);
  const f = useForm({ category: 'suggestion', body: '' });
  const [shot, setShot] = useState([]);
  const [key, setKey] = useState(0); /* a new file input after a send */
  const send = f.submit(async (v) => {
    await postForm('/api/v1/feedback', { category: v.category, body: v.body.trim() }, 'screenshot', shot);
    f.setValues({ category: v.category, body: '' });
    setShot([]); setKey(key + 1);
    setSent(true);
    if (page === 1) list.reload(); else setPage(1);
  });
  const d = list.data;
  return (
    <div class="page" data-feedback-page>
      <div class="page-head"><h1>{t('fb.title')}</h1><p class="muted">{t('fb.sub')}</p></div>
      <form class="card" onSubmit={send} data-form="feedback">
        {f.error && !f.errors && <ErrorBox error={f.error} />}
        {sent && <Alert kind="success">{t('fb.sent')}</Alert>}
        <Field label={t('fb.category')} name="category" errors={f.errors}>
          <select {...f.bind('category')} onChange={(e) => f.setValues((x) => ({ ...x, category: e.currentTarget.value }))}>
            {FB_CATS.map((c) => <option value={c}>{t('fb.cat.' + c)}</option>)}
          </select>
        </Field>
        <Field label={t('fb.body')} name="body" errors={f.errors} hint={t('pub.bodyHint', { n: f.values.body.length, max: MAX })}>
          <textarea {...f.bind('body')} maxLength={MAX} rows={5} required />
        </Field>
        <FilePick key={key} accept={IMAGES} files={shot} setFiles={setShot} label={t('fb.screenshot')} hint={t('fb.screenshotHint')} data="data-fb-screenshot" />
        <div class="row-end"><button class="btn btn-primary" type="submit" disabled={f.busy}>{f.busy && <Spinner />}{t('fb.submit')}</button></div>
      </form>
      <section class="card">
        <h2>{t('fb.mine')}</h2>
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !d.items.length ? <Empty>{t('fb.none')}</Empty> : (
            <ul class="msg-list" data-fb-list>
              {d.items.map((x) => (
                <li class="msg-item" data-fb-id={x.id}>
                  <div class="msg-head"><span class="chip">{t('fb.cat.' + x.category)}</span><FbStatus s={x.status} />
                    <span class="muted small nowrap">{fmtTime(x.created_at)}</span>
                    {x.points_awarded > 0 && <span class="chip chip-tip">+{x.points_awarded} {t('fb.points')}</span>}</div>
                  <p class="pre-wrap">{x.body}</p>
                  <Shot x={x} />
                  {x.reply && <p class="muted"><b>{t('fb.reply')}：</b>{x.reply}</p>}
                </li>
              ))}
            </ul>
          )}
        <Pager page={page} total={d && d.total} go={setPage} />
      </section>
    </div>
  );
}

function Shot({ x }) {
  const [err, setErr] = useState(null);
  if (!x.screenshot) return null;
  return (
    <p class="small"><button type="button" class="btn btn-small btn-ghost" data-fb-shot={x.id}
      onClick={() => saveFile('/api/v1/feedback/' + x.id + '/screenshot', 'screenshot-' + x.id).catch((e) => setErr(e.message))}>
      🖼 {t('fb.screenshot')}</button>{err && <span class="text-bad">{err}</span>}</p>
  );
}

export function AdminFeedback() {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState('pending');
  const list = useAsync(() => api('GET', '/api/v1/admin/feedback?' + qs({ page, page_size: PAGE_SIZE, status })), [page, status]);
  const [replies, setReplies] = useState({});
  const [busy, setBusy] = useState(null);
  const [err, setErr] = useState(null);
  const d = list.data;
  const act = async (x, what) => {
    setBusy(x.id); setErr(null);
    try {
      const out = await api('POST', '/api/v1/admin/feedback/' + x.id + '/' + what, { reply: (replies[x.id] || '').trim() });
      list.setData({ ...d, items: d.items.map((y) => (y.id === x.id ? out : y)) });
    } catch (e) { setErr(e.message || t('err.generic')); list.reload(); } finally { setBusy(null); }
  };
  return (
    <div class="page" data-admin-feedback-page>
      <div class="page-head"><h1>{t('fb.adminTitle')}</h1></div>
      <section class="card">
        <div class="tabs chips" role="tablist">
          {['pending', 'adopted', 'declined', ''].map((s) => (
            <button type="button" role="tab" aria-selected={status === s} class={'chip' + (status === s ? ' chip-tip' : '')}
              onClick={() => { setStatus(s); setPage(1); }}>{s ? t('fb.st.' + s) : t('msg.all')}</button>
          ))}
        </div>
        {err && <Alert kind="error">{err}</Alert>}
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !d.items.length ? <Empty>{t('fb.none')}</Empty> : (
            <ul class="msg-list">
              {d.items.map((x) => (
                <li class="msg-item" data-fb-id={x.id}>
                  <div class="msg-head"><span class="chip">{t('fb.cat.' + x.category)}</span><FbStatus s={x.status} />
                    <span class="small">{x.user_email}</span><span class="muted small nowrap">{fmtTime(x.created_at)}</span></div>
                  <p class="pre-wrap">{x.body}</p>
                  <Shot x={x} />
                  {x.status === 'pending' ? (
                    <div>
                      <textarea rows={2} maxLength={MAX} placeholder={t('fb.replyPh')} value={replies[x.id] || ''}
                        onInput={(e) => setReplies({ ...replies, [x.id]: e.currentTarget.value })} />
                      <div class="row-end">
                        <button class="btn btn-small btn-ghost" disabled={busy === x.id} onClick={() => act(x, 'decline')} data-fb-decline>{t('fb.decline')}</button>
                        <button class="btn btn-small btn-primary" disabled={busy === x.id} onClick={() => act(x, 'adopt')} data-fb-adopt>{busy === x.id && <Spinner />}{t('fb.adopt')}</button>
                      </div>
                    </div>
                  ) : x.reply && <p class="muted"><b>{t('fb.reply')}：</b>{x.reply}</p>}
                </li>
              ))}
            </ul>
          )}
        <Pager page={page} total={d && d.total} go={setPage} />
      </section>
    </div>
  );
}

/* ---- 工单 ---- */

function StateChip({ s }) {
  return <span class={'chip' + (s === 'waiting_user' ? ' chip-tip' : '')} data-ticket-status={s}>{t('tk.st.' + s)}</span>;
}

function NewTicket({ onDone, onCancel }) {
  const f = useForm({ category: 'technical', subject: '', description: '', priority: 'normal' });
  const [files, setFiles] = useState([]);
  const save = f.submit(async (v) => {
    onDone(await postForm('/api/v1/tickets', { category: v.category, subject: v.subject.trim(), description: v.description.trim(), priority: v.priority },
      'attachments', files));
  });
  const sel = (name, list, prefix) => (
    <select {...f.bind(name)} onChange={(e) => f.setValues((x) => ({ ...x, [name]: e.currentTarget.value }))}>
      {list.map((c) => <option value={c}>{t(prefix + c)}</option>)}
    </select>
  );
  return (
    <form class="card" onSubmit={save} data-form="ticket">
      <h3>{t('tk.new')}</h3>
      {f.error && !f.errors && <ErrorBox error={f.error} />}
      <Field label={t('tk.category')} name="category" errors={f.errors}>{sel('category', TK_CATS, 'tk.cat.')}</Field>
      <Field label={t('tk.priority')} name="priority" errors={f.errors}>{sel('priority', PRIOS, 'tk.pr.')}</Field>
      <Field label={t('tk.subject')} name="subject" errors={f.errors}><input {...f.bind('subject')} maxLength={200} required /></Field>
      <Field label={t('tk.description')} name="description" errors={f.errors}><textarea {...f.bind('description')} maxLength={MAX} rows={5} required /></Field>
      <FilePick accept={ATTACH} multiple files={files} setFiles={setFiles} label={t('tk.attachments')} hint={t('tk.attachHint', { n: FILES_MAX })} data="data-ticket-files" />
      <div class="row-end">
        <button type="button" class="btn btn-ghost" onClick={onCancel}>{t('common.cancel')}</button>
        <button class="btn btn-primary" type="submit" disabled={f.busy}>{f.busy && <Spinner />}{t('tk.submit')}</button>
      </div>
    </form>
  );
}

function TicketRows({ items, base, staff }) {
  return (
    <div class="table-wrap"><table class="data-table" data-ticket-list>
      <thead><tr><th>#</th><th>{t('tk.subject')}</th><th>{t('tk.status')}</th><th>{t('tk.priority')}</th>
        {staff && <th>{t('tk.assignee')}</th>}{staff && <th>{t('tk.due')}</th>}<th>{t('tk.updated')}</th></tr></thead>
      <tbody>
        {items.map((x) => (
          <tr data-ticket-id={x.id}>
            <td>{x.id}</td><td><Link href={base + x.id}>{x.subject}</Link></td><td><StateChip s={x.status} /></td>
            <td>{t('tk.pr.' + x.priority)}</td>
            {staff && <td class="small">{x.assignee_email || '—'}</td>}
            {staff && <td class={'small' + (x.sla_breached ? ' text-bad' : '')}>{x.first_response_at ? t('tk.answered') : fmtTime(x.first_response_due)}{x.sla_breached && ' ⚠'}</td>}
            <td class="muted small nowrap">{fmtTime(x.updated_at)}</td>
          </tr>
        ))}
      </tbody>
    </table></div>
  );
}

function Thread({ id, staff, back }) {
  const res = useAsync(() => api('GET', '/api/v1/tickets/' + id), [id]);
  const f = useForm({ body: '' });
  const [files, setFiles] = useState([]);
  const [key, setKey] = useState(0);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  /* the other side answered or moved it: its message's live hint (the message center) reloads the thread */
  useLive((ev) => { if (ev.type === 'message.new' && String(ev.kind || '').startsWith('ticket.')) res.reload(); }, [id]);
  const d = res.data;
  const reply = f.submit(async (v) => {
    const out = await postForm('/api/v1/tickets/' + id + '/replies', { body: v.body.trim() }, 'attachments', files);
    f.setValues({ body: '' });
    setFiles([]); setKey(key + 1);
    res.setData(out);
  });
  const update = async (body) => {
    setBusy(true); setErr(null);
    try { res.setData(await api('PATCH', '/api/v1/admin/tickets/' + id, body)); } catch (e) { setErr(e.message || t('err.generic')); } finally { setBusy(false); }
  };
  if (res.loading && !d) return <Loading />;
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />;
  const done = d.status === 'resolved' || d.status === 'closed';
  const canReply = staff ? !done : (!done || (d.reopen_until && new Date(d.reopen_until) > new Date()));
  return (
    <div data-ticket-thread={d.id}>
      <Link href={back}>← {t('tk.back')}</Link>
      <section class="card">
        <h2>#{d.id} {d.subject}</h2>
        <div class="msg-head"><StateChip s={d.status} /><span class="chip">{t('tk.cat.' + d.category)}</span>
          <span class="chip">{t('tk.pr.' + d.priority)}</span><span class="muted small">{fmtTime(d.created_at)}</span></div>
        {staff && <p class="small">{d.user_email} · {t('tk.due')}: <span class={d.sla_breached ? 'text-bad' : ''}>{fmtTime(d.first_response_due)}</span>
          {d.first_response_at && <> · {t('tk.answered')} {fmtTime(d.first_response_at)}</>}</p>}
        <p class="pre-wrap">{d.description}</p>
        <Files ticket={d.id} items={(d.attachments || []).filter((a) => !a.reply_id)} />
        {!staff && done && d.reopen_until && <p class="muted small">{t('tk.reopenUntil', { at: fmtTime(d.reopen_until) })}</p>}
      </section>
      {staff && (
        <section class="card tk-row" data-ticket-admin>
          {err && <Alert kind="error">{err}</Alert>}
          <label>{t('tk.status')} <select value={d.status} disabled={busy} onChange={(e) => update({ status: e.currentTarget.value })}>
            {STATES.map((s) => <option value={s}>{t('tk.st.' + s)}</option>)}</select></label>
          <label>{t('tk.priority')} <select value={d.priority} disabled={busy} onChange={(e) => update({ priority: e.currentTarget.value })}>
            {PRIOS.map((s) => <option value={s}>{t('tk.pr.' + s)}</option>)}</select></label>
          <span class="small">{t('tk.assignee')}: {d.assignee_email || '—'}</span>
          <button class="btn btn-small btn-ghost" disabled={busy} onClick={() => update({ assignee_id: staff.id })}>{t('tk.assignMe')}</button>
          {d.assignee_id && <button class="btn btn-small btn-ghost" disabled={busy} onClick={() => update({ assignee_id: null })}>{t('tk.unassign')}</button>}
        </section>
      )}
      <section class="card">
        <h3>{t('tk.thread')}</h3>
        {!d.replies.length ? <Empty>{t('tk.noReplies')}</Empty> : (
          <ul class="msg-list">
            {d.replies.map((r) => (
              <li class={'msg-item' + (r.from === 'staff' ? ' unread' : '')} data-reply-from={r.from}>
                <div class="msg-head"><b>{r.from === 'staff' ? t('tk.staff') : t('tk.user')}</b>
                  {staff && r.author_email && <span class="small">{r.author_email}</span>}
                  <span class="muted small nowrap">{fmtTime(r.created_at)}</span></div>
                <p class="pre-wrap">{r.body}</p>
                <Files ticket={d.id} items={(d.attachments || []).filter((a) => a.reply_id === r.id)} />
              </li>
            ))}
          </ul>
        )}
        {canReply ? (
          <form onSubmit={reply} data-form="reply">
            {f.error && !f.errors && <ErrorBox error={f.error} />}
            <Field label={done ? t('tk.reopenReply') : t('tk.reply')} name="body" errors={f.errors}>
              <textarea {...f.bind('body')} maxLength={MAX} rows={4} required /></Field>
            <FilePick key={key} accept={ATTACH} multiple files={files} setFiles={setFiles} label={t('tk.attachments')} hint={t('tk.attachHint', { n: FILES_MAX })} data="data-reply-files" />
            <div class="row-end"><button class="btn btn-primary" type="submit" disabled={f.busy}>{f.busy && <Spinner />}{t('tk.send')}</button></div>
          </form>
        ) : <p class="muted small">{staff ? t('tk.reopenFirst') : t('tk.closedForGood')}</p>}
      </section>
    </div>
  );
}

export function Tickets({ params }) {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState('');
  const [creating, setCreating] = useState(false);
  const id = params && params.id;
  const list = useAsync(() => (id ? Promise.resolve(null) : api('GET', '/api/v1/tickets?' + qs({ page, page_size: PAGE_SIZE, status }))), [page, status, id]);
  if (id) return <div class="page" data-tickets-page><Thread id={id} back="/tickets" /></div>;
  const d = list.data;
  return (
    <div class="page" data-tickets-page>
      <div class="page-head"><h1>{t('tk.title')}</h1><p class="muted">{t('tk.sub')}</p></div>
      {creating ? <NewTicket onCancel={() => setCreating(false)} onDone={(x) => navigate('/tickets/' + x.id)} />
        : <div class="row-end"><button class="btn btn-primary" onClick={() => setCreating(true)} data-new-ticket>{t('tk.new')}</button></div>}
      <section class="card">
        <select value={status} onChange={(e) => { setStatus(e.currentTarget.value); setPage(1); }} aria-label={t('tk.status')}>
          <option value="">{t('tk.allStates')}</option>{STATES.map((s) => <option value={s}>{t('tk.st.' + s)}</option>)}
        </select>
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !d || !d.items.length ? <Empty>{t('tk.none')}</Empty> : <TicketRows items={d.items} base="/tickets/" />}
        <Pager page={page} total={d && d.total} go={setPage} />
      </section>
    </div>
  );
}

export function AdminTickets({ params, user }) {
  const [page, setPage] = useState(1);
  const [filter, setFilter] = useState({ status: '', priority: '', assignee_id: '' });
  const id = params && params.id;
  const list = useAsync(() => (id ? Promise.resolve(null) : api('GET', '/api/v1/admin/tickets?' + qs({ page, page_size: PAGE_SIZE, ...filter }))), [page, filter, id]);
  if (id) return <div class="page" data-admin-tickets-page><Thread id={id} staff={user} back="/admin/tickets" /></div>;
  const d = list.data;
  const set = (k) => (e) => { setFilter({ ...filter, [k]: e.currentTarget.value }); setPage(1); };
  return (
    <div class="page" data-admin-tickets-page>
      <div class="page-head"><h1>{t('tk.queue')}</h1></div>
      <section class="card">
        <div class="tk-row">
          <select value={filter.status} onChange={set('status')} aria-label={t('tk.status')}>
            <option value="">{t('tk.allStates')}</option>{STATES.map((s) => <option value={s}>{t('tk.st.' + s)}</option>)}</select>
          <select value={filter.priority} onChange={set('priority')} aria-label={t('tk.priority')}>
            <option value="">{t('tk.allPrios')}</option>{PRIOS.map((s) => <option value={s}>{t('tk.pr.' + s)}</option>)}</select>
          <select value={filter.assignee_id} onChange={set('assignee_id')} aria-label={t('tk.assignee')}>
            <option value="">{t('tk.anyone')}</option><option value="me">{t('tk.mine')}</option><option value="none">{t('tk.unassigned')}</option></select>
        </div>
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !d || !d.items.length ? <Empty>{t('tk.none')}</Empty> : <TicketRows items={d.items} base="/admin/tickets/" staff />}
        <Pager page={page} total={d && d.total} go={setPage} />
      </section>
    </div>
  );
}
