import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api, upload } from '../api.js';
import { Link, navigate } from '../router.js';
import { Alert, Empty, ErrorBox, Field, Loading, Modal, Progress, Spinner, StatusBadge, fmtSize, fmtTime, useAsync } from '../ui.jsx';

export const MAX_FILE = 10 * 1024 * 1024;
const EXTS = ['pdf', 'docx', 'txt', 'md'];

/* null when the file may be sent, else the message */
export function checkFile(file) {
  if (!file) return t('err.required');
  const ext = (file.name.split('.').pop() || '').toLowerCase();
  if (!file.name.includes('.') || !EXTS.includes(ext)) return t('resumes.badType');
  if (file.size > MAX_FILE) return t('resumes.tooLarge');
  return null;
}

function UploadCard({ onDone }) {
  const [file, setFile] = useState(null);
  const [name, setName] = useState('');
  const [errors, setErrors] = useState(null);
  const [error, setError] = useState(null);
  const [pct, setPct] = useState(null);
  const [ok, setOk] = useState(false);
  const input = useRef();
  const pick = (e) => {
    const f = e.currentTarget.files[0] || null;
    setFile(f); setOk(false); setError(null);
    const why = f && checkFile(f);
    setErrors(why ? { file: [why] } : null);
  };
  const go = async (e) => {
    e.preventDefault();
    setOk(false); setError(null);
    const why = checkFile(file);
    if (why) { setErrors({ file: [why] }); return; }
    setErrors(null);
    const form = new FormData();
    form.append('file', file);
    if (name.trim()) form.append('name', name.trim());
    setPct(0);
    try {
      const r = await upload('/api/resumes', form, setPct);
      setOk(true); setFile(null); setName('');
      if (input.current) input.current.value = '';
      onDone(r);
    } catch (err) {
      if (err.fields) setErrors(err.fields);
      setError(err);
    } finally { setPct(null); }
  };
  return (
    <section class="card">
      <h2>{t('resumes.upload')}</h2>
      <form onSubmit={go} class="upload-form" data-form="upload" novalidate>
        <Field label={t('resumes.file')} name="file" errors={errors} hint={t('resumes.fileHint')}>
          <div class="file-pick">
            <input ref={input} type="file" name="file" accept=".pdf,.docx,.txt,.md" onChange={pick} />
            <span class="btn btn-ghost">{t('resumes.choose')}</span>
            <span class="file-name">{file ? file.name + ' · ' + fmtSize(file.size) : t('resumes.noFile')}</span>
          </div>
        </Field>
        <Field label={t('resumes.name')} name="name" errors={errors}>
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={255} />
        </Field>
        {pct !== null && <Progress value={pct} label={t('resumes.uploading', { pct: '' }).replace(/\s*%$/, '')} />}
        {error && !(error.fields && Object.keys(error.fields).length) && <ErrorBox error={error} />}
        {ok && <Alert kind="success">{t('resumes.uploaded')}</Alert>}
        <div class="row-end">
          <button class="btn btn-primary" type="submit" disabled={pct !== null}>{pct !== null && <Spinner />}{t('resumes.upload')}</button>
        </div>
      </form>
    </section>
  );
}

export function Resumes() {
  const list = useAsync(() => api('GET', '/api/resumes?page_size=100'));
  const items = (list.data && list.data.items) || [];
  return (
    <div class="page">
      <div class="page-head"><h1>{t('resumes.title')}</h1><p class="muted">{t('resumes.sub')}</p></div>
      <div class="grid-2">
        <UploadCard onDone={() => list.reload()} />
        <section class="card">
          <h2>{t('resumes.list')}</h2>
          {list.loading && !list.data ? <Loading /> : list.error ? <ErrorBox error={list.error} onRetry={list.reload} />
            : !items.length ? <Empty>{t('resumes.empty')}</Empty> : (
              <ul class="item-list" data-resume-list>
                {items.map((r) => (
                  <li><Link class="item" href={'/resumes/' + r.id} data-resume={r.name}>
                    <span class="item-icon">{(r.name || '?').slice(0, 1)}</span>
                    <span class="item-main"><b>{r.name}</b>
                      <span class="muted small">{t('resumes.versions', { n: r.version_count })} · {t('resumes.updated', { t: fmtTime(r.updated_at) })}</span></span>
                    <span class="chev">›</span>
                  </Link></li>
                ))}
              </ul>
            )}
        </section>
      </div>
    </div>
  );
}

const PENDING = ['pending', 'processing', 'running', 'queued'];

function TextPanel({ id }) {
  const [st, setSt] = useState({ loading: true });
  useEffect(() => {
    let alive = true, timer;
    const load = async () => {
      try {
        const d = await api('GET', '/api/resumes/' + id + '/text');
        if (!alive) return;
        setSt({ data: d });
        if (PENDING.includes(d.status)) timer = setTimeout(load, 1000);
      } catch (e) { if (alive) setSt({ error: e }); }
    };
    load();
    return () => { alive = false; clearTimeout(timer); };
  }, [id]);
  const d = st.data;
  return (
    <section class="card">
      <div class="card-head"><h2>{t('resume.text')}</h2>{d && <StatusBadge status={d.status} />}</div>
      {st.loading ? <Loading /> : st.error ? <ErrorBox error={st.error} /> : (
        <>
          {d.error && <Alert kind="error">{typeof d.error === 'string' ? d.error : d.error.message}</Alert>}
          {d.status === 'done' && (d.text ? <><p class="muted small">{t('resume.chars', { n: d.chars })}</p>
            <pre class="resume-text" data-resume-text>{d.text}</pre></> : <Empty>{t('resume.textEmpty')}</Empty>)}
          {PENDING.includes(d.status) && <div class="state"><Spinner /> {t('status.' + d.status)}</div>}
        </>
      )}
    </section>
  );
}

export function ResumeDetail({ params }) {
  const res = useAsync(() => api('GET', '/api/resumes/' + params.id), [params.id]);
  const [confirm, setConfirm] = useState(false);
  const [err, setErr] = useState(null);
  const [dl, setDl] = useState(null);
  const r = res.data;
  const download = async (v) => {
    setErr(null); setDl(v.id);
    try {
      const blob = await api('GET', v.download_url || '/api/files/' + v.id, undefined, { blob: true });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url; a.download = v.original_name || v.file_name || 'resume';
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 5000);
    } catch (e) { setErr(e); } finally { setDl(null); }
  };
  const del = async () => {
    setConfirm(false);
    try { await api('DELETE', '/api/resumes/' + params.id); navigate('/resumes'); } catch (e) { setErr(e); }
  };
  if (res.loading && !r) return <Loading />;
  if (res.error) return <div class="page"><Link href="/resumes" class="back">‹ {t('common.back')}</Link><ErrorBox error={res.error} onRetry={res.reload} /></div>;
  return (
    <div class="page">
      <Link href="/resumes" class="back">‹ {t('resumes.title')}</Link>
      <div class="page-head row-between">
        <div><h1 data-resume-title>{r.name}</h1><p class="muted">{t('resumes.updated', { t: fmtTime(r.updated_at) })}</p></div>
        <button class="btn btn-danger-ghost" onClick={() => setConfirm(true)} data-delete-resume>{t('resume.delete')}</button>
      </div>
      <ErrorBox error={err} />
      <section class="card">
        <h2>{t('resume.versions')}</h2>
        <ul class="item-list">
          {(r.versions || []).map((v, i) => (
            <li class="item static">
              <span class="item-icon small">{((v.original_name || v.file_name || '').split('.').pop() || '').toUpperCase().slice(0, 4)}</span>
              <span class="item-main"><b>{v.original_name || v.file_name}</b>
                <span class="muted small">{fmtSize(v.file_size)} · {fmtTime(v.created_at)}</span></span>
              <StatusBadge status={v.text_status} />
              <button class="btn btn-small btn-ghost" disabled={dl === v.id} onClick={() => download(v)} data-download>
                {dl === v.id && <Spinner />}{t('resume.download')}</button>
            </li>
          ))}
        </ul>
      </section>
      <TextPanel id={params.id} />
      {confirm && <Modal title={t('resume.delete')} danger confirmLabel={t('common.delete')} onCancel={() => setConfirm(false)} onConfirm={del}>
        {t('resume.deleteConfirm', { name: r.name })}</Modal>}
    </div>
  );
}

/* a <select> of the user's resumes, shared by suggestions and diagnosis */
export function ResumePicker({ value, onChange, errors }) {
  const list = useAsync(() => api('GET', '/api/resumes?page_size=100'));
  const items = (list.data && list.data.items) || [];
  useEffect(() => { if (!value && items.length) onChange(items[0].id); }, [list.data]);
  if (list.loading && !list.data) return <Loading />;
  if (list.error) return <ErrorBox error={list.error} onRetry={list.reload} />;
  if (!items.length) return <Alert>{t('sugg.noResume')} <Link href="/resumes">{t('resumes.upload')} ›</Link></Alert>;
  return (
    <Field label={t('sugg.resume')} name="resume_id" errors={errors}>
      <select name="resume_id" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {items.map((r) => <option value={r.id}>{r.name}</option>)}
      </select>
    </Field>
  );
}
