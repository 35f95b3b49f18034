/* 管理后台 · 用户, 消息发布: loaded on demand (main.jsx) -- only admins need it */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { displayName } from '../session.js';
import { Alert, Empty, ErrorBox, Field, Loading, Modal, Spinner, fmtTime, useAsync } from '../ui.jsx';
import { Markdown } from './messages.jsx';

const ROLES = ['seeker', 'hr', 'admin'];
const PAGE_SIZE = 20;

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

/* the server's reason: its per-field messages, else its message */
function why(err) {
  const f = err && err.fields;
  const msgs = f ? Object.values(f).flat().filter(Boolean) : [];
  return msgs.length ? msgs.join('；') : (err && err.message) || t('err.generic');
}

function Users({ me }) {
  const { query } = useLocation();
  const search = query.get('search') || '';
  const roleq = ROLES.includes(query.get('role')) ? query.get('role') : '';
  const page = Math.max(1, parseInt(query.get('page'), 10) || 1);
  const [text, setText] = useState(search);
  useEffect(() => setText(search), [search]);
  const [notice, setNotice] = useState(null);
  const [rowErr, setRowErr] = useState({});
  const [busy, setBusy] = useState(null);
  const [ask, setAsk] = useState(null);
  const [rev, setRev] = useState(0);
  const list = useAsync(() => api('GET', '/api/v1/admin/users?' + new URLSearchParams(
    { search, role: roleq, page: String(page), page_size: String(PAGE_SIZE) })), [search, roleq, page]);

  const go = (s, p, role = roleq) => {
    const q = new URLSearchParams();
    if (s) q.set('search', s);
    if (role) q.set('role', role);
    if (p > 1) q.set('page', String(p));
    const qs = q.toString();
    setNotice(null); setRowErr({});
    navigate('/admin/users' + (qs ? '?' + qs : ''));
  };
  const submit = (e) => { e.preventDefault(); go(text.trim(), 1); };

  const apply = async (u, patch) => {
    setAsk(null); setBusy(u.id); setNotice(null);
    setRowErr((m) => ({ ...m, [u.id]: null }));
    try {
      const nu = await api('PATCH', '/api/v1/admin/users/' + u.id, patch);
      list.setData({ ...list.data, items: list.data.items.map((x) => (x.id === u.id ? { ...x, ...nu } : x)) });
      const msg = 'role' in patch ? t('admin.roleChanged', { email: u.email, role: t('role.' + nu.role) })
        : nu.is_active ? t('admin.activated', { email: u.email }) : t('admin.deactivated', { email: u.email });
      setNotice({ kind: 'success', text: msg });
    } catch (err) {
      const w = why(err);
      setRowErr((m) => ({ ...m, [u.id]: w }));
      setNotice({ kind: 'error', text: t('admin.refused', { email: u.email, why: w }) });
      setRev((n) => n + 1); /* put the refused choice back */
    } finally { setBusy(null); }
  };
  const change = (u, patch) => {
    if (patch.role === 'admin') {
      setAsk({ u, patch, title: t('admin.confirmAdmin', { email: u.email }), body: t('admin.confirmAdminBody') });
    } else if (patch.is_active === false) {
      setAsk({ u, patch, title: t('admin.confirmDeactivate', { email: u.email }), body: t('admin.confirmDeactivateBody'), danger: true });
    } else apply(u, patch);
  };
  const cancelAsk = () => { setAsk(null); setRev((n) => n + 1); };

  const d = list.data;
  const items = (d && d.items) || [];
  const total = (d && d.total) || 0;
  const pages = Math.max(1, Math.ceil(total / ((d && d.page_size) || PAGE_SIZE)));
  return (
    <div class="page">
      <div class="page-head"><h1>{t('admin.title')}</h1><p class="muted">{t('admin.sub')}</p></div>
      <section class="card">
        <form class="search-bar" onSubmit={submit} role="search" data-form="admin-search">
          <input type="search" name="search" value={text} maxLength={254} placeholder={t('admin.search')}
            aria-label={t('admin.search')} onInput={(e) => setText(e.currentTarget.value)} />
          <select name="role" class="role-filter" value={roleq} aria-label={t('admin.roleFilter')}
            onChange={(e) => go(text.trim(), 1, e.currentTarget.value)}>
            <option value="">{t('admin.allRoles')}</option>
            {ROLES.map((r) => <option value={r}>{t('role.' + r)}</option>)}
          </select>
          <button class="btn btn-primary" type="submit">{t('admin.searchBtn')}</button>
          {(search || roleq) && <button class="btn btn-ghost" type="button" onClick={() => { setText(''); go('', 1, ''); }}>{t('admin.clear')}</button>}
        </form>
        {notice && <div class="admin-notice" data-admin-notice={notice.kind}><Alert kind={notice.kind}>{notice.text}</Alert></div>}
        {list.loading && !d ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
          : !items.length ? <Empty>{t('admin.none')}</Empty> : (
            <>
              <p class="muted small table-meta">{t('admin.total', { n: total })}{list.loading && <> <Spinner /></>}</p>
              <div class={'table-wrap' + (list.loading ? ' is-loading' : '')}>
                <table class="data-table users-table" data-users-table>
                  <thead><tr>
                    <th>{t('admin.email')}</th><th>{t('admin.name')}</th><th>{t('admin.role')}</th>
                    <th>{t('admin.active')}</th><th>{t('admin.verified')}</th><th>{t('admin.joined')}</th>
                  </tr></thead>
                  <tbody>
                    {items.map((u) => {
                      const self = u.id === me.id, err = rowErr[u.id];
                      return (
                        <tr class={(err ? 'row-error' : '') + (u.is_active ? '' : ' row-inactive')} data-user-email={u.email} data-user-id={u.id}>
                          <td class="cell-email" data-label={t('admin.email')}>
                            <div class="email-line">
                              <span class="ellipsis" title={u.email}>{u.email}</span>
                              {self && <span class="chip chip-tip you">{t('admin.you')}</span>}
                            </div>
                          </td>
                          <td data-label={t('admin.name')}><span class="ellipsis">{displayName(u)}</span></td>
                          <td data-label={t('admin.role')}>
                            <div class="cell-control">
                              <select key={u.id + u.role + rev} name="role" value={u.role} disabled={busy === u.id}
                                aria-label={t('admin.role') + ' · ' + u.email} onChange={(e) => change(u, { role: e.currentTarget.value })}>
                                {ROLES.map((r) => <option value={r}>{t('role.' + r)}</option>)}
                              </select>
                              {busy === u.id && <Spinner />}
                            </div>
                            {err && <span class="field-error" role="alert" data-row-error>{err}</span>}
                          </td>
                          <td data-label={t('admin.active')}>
                            <div class="cell-control">
                              <span class={'badge ' + (u.is_active ? 'badge-good' : 'badge-bad')} data-active={String(!!u.is_active)}>
                                {u.is_active ? t('admin.isActive') : t('admin.isInactive')}</span>
                              <button type="button" class={'btn btn-small ' + (u.is_active ? 'btn-danger-ghost' : 'btn-ghost')}
                                disabled={busy === u.id} data-toggle-active onClick={() => change(u, { is_active: !u.is_active })}>
                                {u.is_active ? t('admin.deactivate') : t('admin.activate')}</button>
                            </div>
                          </td>
                          <td data-label={t('admin.verified')}>
                            <span class={'badge ' + (u.email_verified ? 'badge-good' : 'badge-wait')}>{u.email_verified ? t('admin.yes') : t('admin.no')}</span>
                          </td>
                          <td data-label={t('admin.joined')} class="nowrap muted">{fmtTime(u.date_joined)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              {pages > 1 && (
                <div class="pager">
                  <button class="btn btn-small btn-ghost" disabled={page <= 1 || list.loading} onClick={() => go(search, page - 1)} data-page-prev>{t('admin.prev')}</button>
                  <span class="muted small">{t('admin.page', { p: page, n: pages })}</span>
                  <button class="btn btn-small btn-ghost" disabled={page >= pages || list.loading} onClick={() => go(search, page + 1)} data-page-next>{t('admin.next')}</button>
                </div>
              )}
            </>
          )}
      </section>
      {ask && (
        <Modal title={ask.title} danger={ask.danger} onCancel={cancelAsk} onConfirm={() => apply(ask.u, ask.patch)}>
          <p class="muted">{ask.body}</p>
        </Modal>
      )}
    </div>
  );
}

export function AdminUsers({ user }) {
  return user && user.role === 'admin' ? <Users me={user} /> : <NoPermission />;
}

/* 消息发布: a message to one user, a role, or everyone (POST /api/v1/admin/messages) */
const AUDIENCES = ['all', 'role', 'user'];
const TITLE_MAX = 200, BODY_MAX = 20000;

function Publish() {
  const empty = { audience: 'all', role: 'seeker', user_id: '', title: '', body: '' };
  const [f, setF] = useState(empty);
  const [errors, setErrors] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState(false);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });

  const submit = async (e) => {
    e.preventDefault();
    const body = { title: f.title.trim(), body: f.body, audience: f.audience };
    if (f.audience === 'role') body.role = f.role;
    if (f.audience === 'user') {
      const id = Number(f.user_id);
      if (!Number.isInteger(id) || id <= 0) { setErrors({ user_id: [t('pub.badUser')] }); return; }
      body.user_id = id;
    }
    setBusy(true); setErrors(null); setNotice(null);
    try {
      const d = await api('POST', '/api/v1/admin/messages', body);
      setNotice({ kind: 'success', text: t('pub.sent', { id: d.id }) });
      setF({ ...empty, audience: f.audience, role: f.role });
      setPreview(false);
    } catch (err) {
      setErrors(err.fields || null);
      setNotice({ kind: 'error', text: why(err) });
    } finally { setBusy(false); }
  };

  return (
    <div class="page">
      <div class="page-head"><h1>{t('pub.title')}</h1><p class="muted">{t('pub.sub')}</p></div>
      <section class="card">
        <form class="form publish-form" onSubmit={submit} data-form="publish" noValidate>
          {notice && <div data-publish-notice={notice.kind}><Alert kind={notice.kind}>{notice.text}</Alert></div>}
          <Field label={t('pub.audience')} name="audience" errors={errors}>
            <select name="audience" value={f.audience} onChange={set('audience')}>
              {AUDIENCES.map((a) => <option value={a}>{t('pub.to.' + a)}</option>)}
            </select>
          </Field>
          {f.audience === 'role' && (
            <Field label={t('pub.role')} name="role" errors={errors}>
              <select name="role" value={f.role} onChange={set('role')}>
                {ROLES.map((r) => <option value={r}>{t('role.' + r)}</option>)}
              </select>
            </Field>
          )}
          {f.audience === 'user' && (
            <Field label={t('pub.userId')} name="user_id" errors={errors} hint={t('pub.userIdHint')}>
              <input name="user_id" inputMode="numeric" value={f.user_id} onInput={set('user_id')} required />
            </Field>
          )}
          <Field label={t('pub.msgTitle')} name="title" errors={errors}>
            <input name="title" value={f.title} maxLength={TITLE_MAX} onInput={set('title')} required />
          </Field>
          <Field label={t('pub.body')} name="body" errors={errors} hint={t('pub.bodyHint', { n: f.body.length, max: BODY_MAX })}>
            {preview ? <div class="md-preview" data-publish-preview><Markdown text={f.body} /></div>
              : <textarea name="body" rows={10} value={f.body} maxLength={BODY_MAX} onInput={set('body')} required />}
          </Field>
          <div class="form-actions">
            <button type="button" class="btn btn-ghost" onClick={() => setPreview(!preview)} data-publish-preview-toggle>
              {preview ? t('pub.edit') : t('pub.preview')}</button>
            <button type="submit" class="btn btn-primary" disabled={busy || !f.title.trim() || !f.body.trim()} data-publish-send>
              {busy && <Spinner />}{t('pub.send')}</button>
          </div>
        </form>
      </section>
    </div>
  );
}

export function AdminMessages({ user }) {
  return user && user.role === 'admin' ? <Publish /> : <NoPermission />;
}
