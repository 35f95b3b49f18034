import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, getTokens } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { login, loadUser } from '../session.js';
import { Alert, ErrorBox, Field, Loading, Spinner, markReady, useForm } from '../ui.jsx';

function Card({ title, sub, children, foot }) {
  return (
    <div class="auth-card card">
      <h1>{title}</h1>
      {sub && <p class="muted">{sub}</p>}
      {children}
      {foot && <div class="auth-foot">{foot}</div>}
    </div>
  );
}

function Submit({ busy, children }) {
  return <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{busy && <Spinner />}{children}</button>;
}

/* show the form-level message only when no field carries it */
function FormError({ f }) {
  if (!f.error || (f.errors && Object.keys(f.errors).length)) return null;
  return <ErrorBox error={f.error} />;
}

export function Login() {
  const { query } = useLocation();
  const f = useForm({ email: '', password: '' });
  const next = query.get('next');
  const expired = query.get('expired') === '1';
  /* the first page is usable: the browser tests measure navigation start -> here */
  useEffect(() => { markReady('login'); }, []);
  const go = f.submit(async (v) => {
    await login(v.email.trim(), v.password);
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/resumes', true);
  });
  return (
    <Card title={t('auth.loginTitle')} sub={t('auth.loginSub')}
      foot={<>{t('auth.noAccount')} <Link href="/register">{t('auth.register')}</Link></>}>
      <form onSubmit={go} novalidate data-form="login">
        {expired && !f.error && <Alert kind="warn"><span data-session-expired>{t('auth.expired')}</span></Alert>}
        <FormError f={f} />
        <Field label={t('auth.email')} name="email" errors={f.errors}>
          <input type="email" autocomplete="email" required {...f.bind('email')} />
        </Field>
        <Field label={t('auth.password')} name="password" errors={f.errors}>
          <input type="password" autocomplete="current-password" required {...f.bind('password')} />
        </Field>
        <div class="row-end"><Link href="/forgot-password" class="small">{t('auth.forgot')}</Link></div>
        <Submit busy={f.busy}>{t('auth.login')}</Submit>
      </form>
    </Card>
  );
}

export function Register() {
  /* a share link (/register?invite_code=…, fcgi/referrals) fills the invite code in */
  const invite = (new URLSearchParams(location.search).get('invite_code') || '').trim().slice(0, 64);
  const f = useForm({ email: '', password: '', username: '', invite_code: invite });
  const [done, setDone] = useState(null);
  const [resent, setResent] = useState(null);
  const go = f.submit(async (v) => {
    const body = { email: v.email.trim(), password: v.password };
    if (v.username.trim()) body.username = v.username.trim();
    if (v.invite_code.trim()) body.invite_code = v.invite_code.trim();
    // the answer is the same whether or not the address has an account; the mail says which
    const d = await api('POST', '/api/v1/auth/register', body, { auth: false });
    setDone(d.email || body.email);
  });
  const resend = async () => {
    try { const d = await api('POST', '/api/v1/auth/resend-verification', { email: done }, { auth: false }); setResent({ ok: d.detail }); }
    catch (e) { setResent({ err: e }); }
  };
  if (done) {
    return (
      <Card title={t('auth.registerTitle')}>
        <Alert kind="success"><span data-registered>{t('auth.registered', { email: done })}</span></Alert>
        {resent && resent.ok && <Alert>{resent.ok}</Alert>}
        <ErrorBox error={resent && resent.err} />
        <div class="stack">
          <Link class="btn btn-primary btn-block" href="/login">{t('auth.toLogin')}</Link>
          <button class="btn btn-ghost btn-block" onClick={resend}>{t('auth.resend')}</button>
        </div>
      </Card>
    );
  }
  return (
    <Card title={t('auth.registerTitle')} sub={t('auth.registerSub')}
      foot={<>{t('auth.haveAccount')} <Link href="/login">{t('auth.login')}</Link></>}>
      <form onSubmit={go} novalidate data-form="register">
        <FormError f={f} />
        <Field label={t('auth.email')} name="email" errors={f.errors}>
          <input type="email" autocomplete="email" required {...f.bind('email')} />
        </Field>
        <Field label={t('auth.password')} name="password" errors={f.errors} hint={t('auth.passwordHint')}>
          <input type="password" autocomplete="new-password" required {...f.bind('password')} />
        </Field>
        <Field label={t('auth.username')} name="username" errors={f.errors}>
          <input autocomplete="username" {...f.bind('username')} />
        </Field>
        <Field label={t('auth.invite')} name="invite_code" errors={f.errors}>
          <input {...f.bind('invite_code')} />
        </Field>
        <Submit busy={f.busy}>{t('auth.register')}</Submit>
      </form>
    </Card>
  );
}

export function Forgot() {
  const f = useForm({ email: '' });
  const [sent, setSent] = useState(null);
  const go = f.submit(async (v) => {
    const d = await api('POST', '/api/v1/auth/password/reset', { email: v.email.trim() }, { auth: false });
    setSent(d.detail);
  });
  return (
    <Card title={t('auth.forgotTitle')} sub={t('auth.forgotSub')}
      foot={<Link href="/login">{t('common.back')}</Link>}>
      {sent ? <Alert kind="success">{sent}</Alert> : (
        <form onSubmit={go} novalidate data-form="forgot">
          <FormError f={f} />
          <Field label={t('auth.email')} name="email" errors={f.errors}>
            <input type="email" autocomplete="email" required {...f.bind('email')} />
          </Field>
          <Submit busy={f.busy}>{t('auth.sendLink')}</Submit>
        </form>
      )}
    </Card>
  );
}

export function Reset() {
  const { query } = useLocation();
  const token = query.get('token') || '';
  const f = useForm({ new_password: '', confirm: '' });
  const [done, setDone] = useState(null);
  const go = f.submit(async (v) => {
    if (v.new_password !== v.confirm) {
      f.setErrors({ confirm: [t('auth.mismatch')] });
      throw Object.assign(new Error(t('auth.mismatch')), { fields: { confirm: [t('auth.mismatch')] } });
    }
    const d = await api('POST', '/api/v1/auth/password/reset/confirm', { token, new_password: v.new_password }, { auth: false });
    setDone(d.detail || t('auth.resetDone'));
  });
  return (
    <Card title={t('auth.resetTitle')}>
      {!token ? <Alert kind="error">{t('auth.noToken')}</Alert> : done ? (
        <><Alert kind="success">{done}</Alert><Link class="btn btn-primary btn-block" href="/login">{t('auth.toLogin')}</Link></>
      ) : (
        <form onSubmit={go} novalidate data-form="reset">
          <FormError f={f} />
          <Field label={t('auth.newPassword')} name="new_password" errors={f.errors} hint={t('auth.passwordHint')}>
            <input type="password" autocomplete="new-password" required {...f.bind('new_password')} />
          </Field>
          <Field label={t('auth.confirmPassword')} name="confirm" errors={f.errors}>
            <input type="password" autocomplete="new-password" required {...f.bind('confirm')} />
          </Field>
          <Submit busy={f.busy}>{t('auth.resetTitle')}</Submit>
        </form>
      )}
    </Card>
  );
}

export function Verify() {
  const { query } = useLocation();
  const token = query.get('token') || '';
  const [st, setSt] = useState({ state: token ? 'busy' : 'notoken' });
  useEffect(() => {
    if (!token) return;
    api('POST', '/api/v1/auth/verify-email', { token }, { auth: false })
      .then(() => { setSt({ state: 'ok' }); if (getTokens()) loadUser(); }, (e) => setSt({ state: 'err', e }));
  }, [token]);
  return (
    <Card title={t('auth.verifyTitle')}>
      {st.state === 'busy' && <Loading />}
      {st.state === 'notoken' && <Alert kind="error">{t('auth.noToken')}</Alert>}
      {st.state === 'ok' && <Alert kind="success"><span data-verified>{t('auth.verified')}</span></Alert>}
      {st.state === 'err' && <ErrorBox error={st.e} />}
      {st.state !== 'busy' && <Link class="btn btn-primary btn-block" href={getTokens() ? '/resumes' : '/login'}>{getTokens() ? t('nav.resumes') : t('auth.toLogin')}</Link>}
    </Card>
  );
}
