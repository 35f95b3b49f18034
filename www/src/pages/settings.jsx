import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, setTokens } from '../api.js';
import { navigate } from '../router.js';
import { logout, setUser } from '../session.js';
import { Alert, ErrorBox, Field, Spinner, useForm } from '../ui.jsx';

function FormError({ f }) {
  if (!f.error || (f.errors && Object.keys(f.errors).length)) return null;
  return <ErrorBox error={f.error} />;
}

/* 求职状态: the matching module's four values; only the first three make a resume discoverable to HR */
const JOB_STATUSES = ['离职，正在找工作', '在职，急寻新工作', '在职，看看新机会', '在职，暂无跳槽打算'];

export function Settings({ user }) {
  const seeker = user.role === 'seeker';
  const p = useForm({ username: user.username || '', last_name: user.last_name || '', first_name: user.first_name || '', company: user.company || '',
    ...(seeker ? { job_status: user.job_status || JOB_STATUSES[3] } : {}) });
  const [saved, setSaved] = useState(false);
  const save = p.submit(async (v) => {
    setSaved(false);
    setUser(await api('PATCH', '/api/v1/auth/me', v));
    setSaved(true);
  });
  const pw = useForm({ old_password: '', new_password: '', confirm: '' });
  const [changed, setChanged] = useState(false);
  const change = pw.submit(async (v) => {
    setChanged(false);
    if (v.new_password !== v.confirm) throw Object.assign(new Error(t('auth.mismatch')), { fields: { confirm: [t('auth.mismatch')] } });
    const tk = await api('POST', '/api/v1/auth/password/change', { old_password: v.old_password, new_password: v.new_password });
    setTokens(tk);
    pw.setValues({ old_password: '', new_password: '', confirm: '' });
    setChanged(true);
  });
  const [leaving, setLeaving] = useState(false);
  const out = async () => { setLeaving(true); await logout(); navigate('/login'); };
  return (
    <div class="page">
      <div class="page-head"><h1>{t('settings.title')}</h1><p class="muted">{user.email}</p></div>
      <div class="grid-2">
        <section class="card">
          <h2>{t('settings.profile')}</h2>
          <form onSubmit={save} data-form="profile" novalidate>
            <FormError f={p} />
            <Field label={t('auth.email')} name="email"><input value={user.email} disabled /></Field>
            <Field label={t('settings.username')} name="username" errors={p.errors}><input {...p.bind('username')} /></Field>
            <div class="grid-2 tight">
              <Field label={t('settings.lastName')} name="last_name" errors={p.errors}><input {...p.bind('last_name')} /></Field>
              <Field label={t('settings.firstName')} name="first_name" errors={p.errors}><input {...p.bind('first_name')} /></Field>
            </div>
            <Field label={t('settings.company')} name="company" errors={p.errors}><input {...p.bind('company')} /></Field>
            <Field label={t('settings.role')} name="role"><input value={t('role.' + user.role)} disabled /></Field>
            {seeker && (
              <Field label={t('settings.jobStatus')} name="job_status" errors={p.errors} hint={t('settings.jobStatusHint')}>
                <select {...p.bind('job_status')} data-job-status-select>{JOB_STATUSES.map((v) => <option value={v}>{v}</option>)}</select>
              </Field>
            )}
            {!user.email_verified && <Alert kind="warn">{t('auth.unverified')}</Alert>}
            {saved && <Alert kind="success">{t('common.saved')}</Alert>}
            <div class="row-end"><button class="btn btn-primary" disabled={p.busy}>{p.busy && <Spinner />}{t('common.save')}</button></div>
          </form>
        </section>
        <div class="stack">
          <section class="card">
            <h2>{t('settings.password')}</h2>
            <form onSubmit={change} data-form="password" novalidate>
              <FormError f={pw} />
              <Field label={t('settings.oldPassword')} name="old_password" errors={pw.errors}>
                <input type="password" autocomplete="current-password" {...pw.bind('old_password')} /></Field>
              <Field label={t('auth.newPassword')} name="new_password" errors={pw.errors} hint={t('auth.passwordHint')}>
                <input type="password" autocomplete="new-password" {...pw.bind('new_password')} /></Field>
              <Field label={t('auth.confirmPassword')} name="confirm" errors={pw.errors}>
                <input type="password" autocomplete="new-password" {...pw.bind('confirm')} /></Field>
              {changed && <Alert kind="success"><span data-password-changed>{t('settings.pwChanged')}</span></Alert>}
              <div class="row-end"><button class="btn btn-primary" disabled={pw.busy}>{pw.busy && <Spinner />}{t('settings.changePw')}</button></div>
            </form>
          </section>
          <section class="card">
            <h2>{t('settings.session')}</h2>
            <p class="muted">{t('settings.logoutHint')}</p>
            <button class="btn btn-danger-ghost" onClick={out} disabled={leaving} data-logout-settings>{t('nav.logout')}</button>
          </section>
        </div>
      </div>
    </div>
  );
}
