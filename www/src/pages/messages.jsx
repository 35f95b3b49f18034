/* 消息中心: the user's messages (their own, their role's, everyone's), loaded on demand (main.jsx) */
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { useLive } from '../live.js';
import { renderMarkdown } from '../markdown.js';
import { navigate, useLocation } from '../router.js';
import { setUnread, unreadNow, unreadCapped, reloadUnread } from '../unread.js';
import { Alert, Empty, ErrorBox, Loading, Spinner, fmtTime, useAsync } from '../ui.jsx';

const PAGE_SIZE = 20;

/* a kind's label: "application.status" -> msg.kind.application.status, else the generic one */
function kindLabel(kind) {
  const k = 'msg.kind.' + kind, s = t(k);
  return s === k ? t('msg.kind.other') : s;
}

export function Markdown({ text, ...rest }) {
  return <div class="md" {...rest} dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

export function Messages() {
  const { query } = useLocation();
  const unreadOnly = query.get('unread') === '1';
  const page = Math.max(1, parseInt(query.get('page'), 10) || 1);
  const [open, setOpen] = useState(null);
  const [busy, setBusy] = useState(null);
  const [err, setErr] = useState(null);
  const list = useAsync(() => api('GET', '/api/v1/messages?' + new URLSearchParams(
    { page: String(page), page_size: String(PAGE_SIZE), ...(unreadOnly ? { unread: '1' } : {}) })), [unreadOnly, page]);
  /* a new message: the first page shows it at once (the badge counts it by itself, unread.js) */
  useLive((ev) => { if (ev.type === 'message.new' && page === 1) list.reload(); }, [page, unreadOnly]);

  const go = (unread, p) => {
    const q = new URLSearchParams();
    if (unread) q.set('unread', '1');
    if (p > 1) q.set('page', String(p));
    const qs = q.toString();
    setOpen(null); setErr(null);
    navigate('/messages' + (qs ? '?' + qs : ''));
  };
  const d = list.data;
  const items = (d && d.items) || [];
  const pages = Math.max(1, Math.ceil(((d && d.total) || 0) / PAGE_SIZE));

  const markRead = async (m) => {
    if (m.read) return;
    setBusy(m.id); setErr(null);
    try {
      await api('POST', '/api/v1/messages/' + m.id + '/read');
      list.setData({ ...d, items: items.map((x) => (x.id === m.id ? { ...x, read: true } : x)) });
      if (unreadNow() !== null && !unreadCapped()) setUnread(unreadNow() - 1); else reloadUnread();
    } catch (e) { setErr(e.message || t('err.generic')); } finally { setBusy(null); }
  };
  const toggle = (m) => {
    setOpen(open === m.id ? null : m.id);
    if (!m.read) markRead(m);
  };
  const readAll = async () => {
    setBusy('all'); setErr(null);
    try {
      await api('POST', '/api/v1/messages/read-all');
      setUnread(0);
      if (unreadOnly) list.reload();
      else list.setData({ ...d, items: items.map((x) => ({ ...x, read: true })) });
    } catch (e) { setErr(e.message || t('err.generic')); } finally { setBusy(null); }
  };

  return (
    <div class="page" data-messages-page>
      <div class="page-head"><h1>{t('msg.title')}</h1><p class="muted">{t('msg.sub')}</p></div>
      <section class="card">
        <div class="msg-toolbar">
          <div class="tabs chips" role="tablist">
            <button type="button" role="tab" aria-selected={!unreadOnly} class={'chip' + (!unreadOnly ? ' chip-tip' : '')}
              onClick={() => go(false, 1)} data-msg-tab="all">{t('msg.all')}</button>
            <button type="button" role="tab" aria-selected={unreadOnly} class={'chip' + (unreadOnly ? ' chip-tip' : '')}
              onClick={() => go(true, 1)} data-msg-tab="unread">{t('msg.unread')}</button>
          </div>
          <button type="button" class="btn btn-small btn-ghost" disabled={busy === 'all' || !items.length}
            onClick={readAll} data-read-all>{busy === 'all' && <Spinner />}{t('msg.readAll')}</button>
        </div>
        {err && <Alert kind="error">{err}</Alert>}
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !items.length ? <Empty>{unreadOnly ? t('msg.noneUnread') : t('msg.none')}</Empty> : (
            <ul class="msg-list" data-msg-list>
              {items.map((m) => (
                <li class={'msg-item' + (m.read ? '' : ' unread') + (open === m.id ? ' open' : '')} data-msg-id={m.id}
                  data-msg-read={String(m.read)}>
                  <button type="button" class="msg-head" aria-expanded={open === m.id} onClick={() => toggle(m)}>
                    {!m.read && <span class="msg-dot" aria-label={t('msg.unreadMark')} />}
                    <span class="msg-title">{m.title}</span>
                    <span class="chip msg-kind">{kindLabel(m.kind)}</span>
                    <span class="muted small nowrap">{fmtTime(m.created_at)}</span>
                    {busy === m.id && <Spinner />}
                  </button>
                  {open === m.id && <Markdown text={m.body} data-msg-body />}
                </li>
              ))}
            </ul>
          )}
        {pages > 1 && (
          <div class="pager">
            <button class="btn btn-small btn-ghost" disabled={page <= 1 || list.loading} onClick={() => go(unreadOnly, page - 1)}>{t('admin.prev')}</button>
            <span class="muted small">{t('admin.page', { p: page, n: pages })}</span>
            <button class="btn btn-small btn-ghost" disabled={page >= pages || list.loading} onClick={() => go(unreadOnly, page + 1)}>{t('admin.next')}</button>
          </div>
        )}
      </section>
    </div>
  );
}
