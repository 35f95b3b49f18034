/* 模拟面试伙伴 (MockPal): my profile, today's cards, invitations, matched partners with contacts. */
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { Alert, Chips, Empty, ErrorBox, Field, Loading, Spinner, markReady, useAsync, useForm } from '../ui.jsx';

const EXPS = ['应届', '1-3年', '3-5年', '5年以上'];
const JOBS = ['DA', 'DS', 'DE', 'BA'];
const PRACTICE = ['technical', 'behavioral', 'case', 'statistics'];

const practiceLabels = (xs) => (xs || []).map((x) => t('partners.practice.' + x));

function toForm(p) {
  return {
    experience_level: p ? p.experience_level : '',
    job_type: p ? p.job_type : '',
    practice: p ? p.practice : [],
    email: (p && p.contacts.email) || '',
    wechat: (p && p.contacts.wechat) || '',
    linkedin: (p && p.contacts.linkedin) || '',
    target_companies: p ? p.target_companies.join('，') : '',
    industry: (p && p.industry) || '',
    school: (p && p.school) || '',
    intro: (p && p.intro) || '',
    is_active: p ? p.is_active : true,
  };
}

function ProfileEditor({ profile, onSaved }) {
  const f = useForm(toForm(profile));
  const [saved, setSaved] = useState(false);
  const v = f.values;
  const toggle = (k) => f.setValues((s) => ({ ...s, practice: s.practice.includes(k) ? s.practice.filter((x) => x !== k) : [...s.practice, k] }));
  const save = f.submit(async (vals) => {
    setSaved(false);
    const body = {
      experience_level: vals.experience_level, job_type: vals.job_type, practice: vals.practice,
      contacts: { email: vals.email, wechat: vals.wechat, linkedin: vals.linkedin },
      target_companies: vals.target_companies.split(/[,，、]/).map((s) => s.trim()).filter(Boolean),
      industry: vals.industry, school: vals.school, intro: vals.intro, is_active: vals.is_active,
    };
    onSaved(await api('PUT', '/api/v1/partners/profile', body));
    setSaved(true);
  });
  const errs = f.errors || {};
  return (
    <form onSubmit={save} data-form="partner-profile" novalidate>
      {f.error && !f.errors && <ErrorBox error={f.error} />}
      <div class="grid-2 tight">
        <Field label={t('partners.experience')} name="experience_level" errors={errs}>
          <select {...f.bind('experience_level')} onChange={(e) => f.setValues((s) => ({ ...s, experience_level: e.currentTarget.value }))}>
            <option value="">{t('partners.choose')}</option>
            {EXPS.map((x) => <option value={x}>{x}</option>)}
          </select></Field>
        <Field label={t('partners.jobType')} name="job_type" errors={errs}>
          <select {...f.bind('job_type')} onChange={(e) => f.setValues((s) => ({ ...s, job_type: e.currentTarget.value }))}>
            <option value="">{t('partners.choose')}</option>
            {JOBS.map((x) => <option value={x}>{x} · {t('partners.job.' + x)}</option>)}
          </select></Field>
      </div>
      <Field label={t('partners.practiceLabel')} name="practice" errors={errs}>
        <div class="chips" role="group">
          {PRACTICE.map((k) => (
            <button type="button" class={'chip' + (v.practice.includes(k) ? ' chip-good' : '')} aria-pressed={v.practice.includes(k)}
              data-practice={k} onClick={() => toggle(k)}>{t('partners.practice.' + k)}</button>))}
        </div></Field>
      <div class="grid-2 tight">
        <Field label={t('partners.wechat')} name="contacts.wechat" errors={errs}><input {...f.bind('wechat')} autocomplete="off" /></Field>
        <Field label={t('partners.email')} name="contacts.email" errors={errs}><input type="email" {...f.bind('email')} /></Field>
      </div>
      <Field label="LinkedIn" name="contacts.linkedin" errors={errs} hint={errs.contacts ? null : t('partners.contactsHint')}>
        <input {...f.bind('linkedin')} placeholder="https://www.linkedin.com/in/…" /></Field>
      {errs.contacts && <span class="field-error" data-field-error="contacts">{errs.contacts.join('；')}</span>}
      <Field label={t('partners.companies')} name="target_companies" errors={errs}><input {...f.bind('target_companies')} /></Field>
      <div class="grid-2 tight">
        <Field label={t('partners.industry')} name="industry" errors={errs}><input {...f.bind('industry')} /></Field>
        <Field label={t('partners.school')} name="school" errors={errs}><input {...f.bind('school')} /></Field>
      </div>
      <Field label={t('partners.intro')} name="intro" errors={errs}><textarea rows="2" maxLength={500} {...f.bind('intro')} /></Field>
      <label class="inline-field"><input type="checkbox" checked={v.is_active}
        onChange={(e) => f.setValues((s) => ({ ...s, is_active: e.currentTarget.checked }))} /> {t('partners.active')}</label>
      {saved && <Alert kind="success">{t('common.saved')}</Alert>}
      <div class="row-end"><button class="btn btn-primary" disabled={f.busy}>{f.busy && <Spinner />}{t('common.save')}</button></div>
    </form>
  );
}

function PersonLine({ p }) {
  return (
    <div class="item-main">
      <strong>{p.experience_level} · {p.job_type}</strong>
      <Chips items={practiceLabels(p.practice)} />
      {(p.school || p.industry) && <span class="muted small">{[p.school, p.industry].filter(Boolean).join(' · ')}</span>}
      {p.intro && <p class="small">{p.intro}</p>}
    </div>
  );
}

function Cards({ rec, onAct, busy }) {
  if (rec.limit_reached) return <Alert kind="warn"><span data-partners-limit>{rec.message}</span></Alert>;
  if (!rec.items.length) return <Empty>{t('partners.noCards')}</Empty>;
  return (
    <div class="item-list" data-partner-cards>
      {rec.items.map((c) => (
        <div class="card" data-partner-card={c.user_id}>
          <div class="row-between">
            <span class={'badge' + (c.tier <= 2 ? ' badge-good' : '')} data-tier={c.tier}>{t('partners.tier', { n: c.tier })}</span>
            {c.invited && <span class="badge badge-wait">{t('partners.invitedYou')}</span>}
          </div>
          <p data-reason>{c.reason}</p>
          {c.overlap.length > 0 && <Chips kind="good" items={practiceLabels(c.overlap)} />}
          <PersonLine p={c} />
          <div class="row-end">
            <button class="btn btn-ghost" disabled={busy} data-skip onClick={() => onAct(c.user_id, 'dislike')}>{t('partners.skip')}</button>
            <button class="btn btn-primary" disabled={busy} data-like onClick={() => onAct(c.user_id, 'like')}>{t('partners.like')}</button>
          </div>
        </div>))}
    </div>
  );
}

function Copy({ text }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try { await navigator.clipboard.writeText(text); setDone(true); setTimeout(() => setDone(false), 1500); } catch { /* no clipboard */ }
  };
  return <button type="button" class="btn btn-small btn-ghost" data-copy={text} onClick={copy}>{done ? t('partners.copied') : t('partners.copy')}</button>;
}

function Matches({ m, onAct, busy }) {
  return (
    <div class="stack">
      <section class="card" data-partners-received>
        <h2>{t('partners.received')}</h2>
        {m.received.length ? m.received.map((p) => (
          <div class="item static" data-invitation={p.user_id}>
            <PersonLine p={p} />
            <div class="row-end">
              <button class="btn btn-small btn-ghost" disabled={busy} data-reject onClick={() => onAct(p.user_id, 'reject')}>{t('partners.reject')}</button>
              <button class="btn btn-small btn-primary" disabled={busy} data-accept onClick={() => onAct(p.user_id, 'accept')}>{t('partners.accept')}</button>
            </div>
          </div>)) : <p class="muted">—</p>}
      </section>
      <section class="card" data-partners-accepted>
        <h2>{t('partners.matched')}</h2>
        {m.accepted.length ? m.accepted.map((p) => (
          <div class="item static" data-matched={p.user_id}>
            <PersonLine p={p} />
            <div class="facts">
              {['wechat', 'email', 'linkedin'].filter((k) => p.contacts[k]).map((k) => (
                <div class="email-line" data-contact={k}><span class="muted">{t('partners.' + k)}</span> <span>{p.contacts[k]}</span> <Copy text={p.contacts[k]} /></div>))}
            </div>
          </div>)) : <p class="muted">—</p>}
      </section>
      <section class="card" data-partners-sent>
        <h2>{t('partners.sent')}</h2>
        {m.sent.length ? m.sent.map((p) => (
          <div class="item static" data-sent={p.user_id}>
            <PersonLine p={p} />
            <div class="row-end"><button class="btn btn-small btn-ghost" disabled={busy} data-cancel onClick={() => onAct(p.user_id, 'cancel')}>{t('partners.cancel')}</button></div>
          </div>)) : <p class="muted">—</p>}
      </section>
    </div>
  );
}

export function Partners() {
  const prof = useAsync(() => api('GET', '/api/v1/partners/profile').catch((e) => { if (e.status === 404) return null; throw e; }), []);
  const rec = useAsync(() => (prof.data ? api('GET', '/api/v1/partners/recommendations') : Promise.resolve(null)), [prof.data]);
  const mat = useAsync(() => (prof.data ? api('GET', '/api/v1/partners/matches') : Promise.resolve(null)), [prof.data]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  if (!prof.loading && !rec.loading && !mat.loading) markReady('partners');
  const onAct = async (id, what) => {
    setBusy(true); setError(null);
    try { await api('POST', `/api/v1/partners/${id}/${what}`); } catch (e) { setError(e); }
    setBusy(false);
    rec.reload(); mat.reload();
  };
  if (prof.loading) return <Loading />;
  if (prof.error) return <ErrorBox error={prof.error} onRetry={prof.reload} />;
  const r = rec.data;
  return (
    <div class="page" data-page="partners">
      <div class="page-head">
        <h1>{t('partners.title')}</h1>
        {r && <p class="muted"><span data-today-count>{t('partners.today', { n: r.today_count, limit: r.limit })}</span> · <span data-round={r.round}>{t('partners.round', { n: r.round })}</span></p>}
      </div>
      <ErrorBox error={error} />
      {!prof.data || editing ? (
        <section class="card">
          <h2>{prof.data ? t('partners.editProfile') : t('partners.createProfile')}</h2>
          {!prof.data && <p class="muted">{t('partners.intro1')}</p>}
          <ProfileEditor profile={prof.data} onSaved={(p) => { setEditing(false); prof.setData(p); }} />
        </section>
      ) : (
        <div class="grid-2">
          <section>
            <div class="row-between"><h2>{t('partners.todayCards')}</h2>
              <button class="btn btn-small btn-ghost" data-edit-profile onClick={() => setEditing(true)}>{t('partners.editProfile')}</button></div>
            {rec.loading && !r ? <Loading /> : rec.error ? <ErrorBox error={rec.error} onRetry={rec.reload} /> : r && <Cards rec={r} onAct={onAct} busy={busy} />}
          </section>
          {mat.error ? <ErrorBox error={mat.error} onRetry={mat.reload} /> : mat.data ? <Matches m={mat.data} onAct={onAct} busy={busy} /> : <Loading />}
        </div>
      )}
    </div>
  );
}
