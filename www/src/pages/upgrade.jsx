/* 充值升级: membership levels and benefits, packages, recharge with a WeChat Native QR code
 * (支付成功 over the live channel, polling the order while the stream is down), the points
 * balance and history, and 推广 (invite link and stats). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { api } from '../api.js';
import { useLive } from '../live.js';
import { Alert, Empty, ErrorBox, Loading, Progress, Spinner, fmtTime, markReady, useAsync } from '../ui.jsx';

const LEVELS = ['normal', 'bronze', 'silver', 'gold'];
const RANK = { normal: 0, bronze: 1, silver: 2, gold: 3, platinum: 4, diamond: 5 };
const HISTORY_SIZE = 10;

const yuan = (fen) => '¥' + (Number(fen || 0) / 100).toFixed(2);
/* a translated name for a server code, else the server's (Chinese) label */
const tr = (key, fallback) => { const s = t(key); return s === key ? (fallback || key) : s; };
const levelName = (code, label) => tr('up.level.' + code, label);

/* the benefits a level has: every benefit whose level is at or below it */
function levelBenefits(benefits, code, downloadPrice) {
  const r = RANK[code] ?? 0;
  return benefits.filter((b) => (RANK[b.level] ?? 0) <= r && (r === 0 || b.code !== 'basic')).map((b) => {
    let s = tr('up.benefit.' + b.code, b.label);
    if (b.code === 'report_download') s += r <= RANK.bronze ? t('up.downloadCost', { n: downloadPrice }) : t('up.downloadFree');
    return { code: b.code, text: s };
  });
}

function Levels({ sub }) {
  const cur = sub.level.code;
  const dl = (sub.benefits.find((b) => b.code === 'report_download' && b.price_points > 0) || {}).price_points || 2;
  const levels = (sub.levels && sub.levels.length ? sub.levels : LEVELS.map((c, i) => ({ code: c, rank: i, threshold_fen: 0 })))
    .filter((l) => LEVELS.includes(l.code));
  return (
    <div class="levels" data-levels>
      {levels.map((l, i) => {
        const next = levels[i + 1];
        const range = next ? `${yuan(l.threshold_fen)} – ${yuan(next.threshold_fen)}` : `${yuan(l.threshold_fen)}+`;
        return (
          <div class={'level-card' + (l.code === cur ? ' current' : '')} data-level={l.code} data-current={l.code === cur ? '1' : undefined}>
            <div class="row-between">
              <strong>{levelName(l.code, l.label)}</strong>
              {l.code === cur && <span class="badge badge-good" data-current-badge>{t('up.current')}</span>}
            </div>
            <span class="muted small">{t('up.cumulative')} {range}</span>
            <ul class="bullets bullets-good" data-level-benefits>
              {levelBenefits(sub.benefits, l.code, dl).map((b) => <li data-benefit={b.code}>{b.text}</li>)}
            </ul>
          </div>
        );
      })}
    </div>
  );
}

function Summary({ sub }) {
  const nx = sub.next_level;
  const pkg = sub.package;
  return (
    <section class="card" data-subscription>
      <div class="stats">
        <div class="stat"><span class="muted small">{t('up.myLevel')}</span>
          <b data-my-level={sub.level.code}>{levelName(sub.level.code, sub.level.label)}</b></div>
        <div class="stat"><span class="muted small">{t('up.cumulativeRecharge')}</span><b data-cumulative>{yuan(sub.cumulative_recharge_fen)}</b></div>
        <div class="stat"><span class="muted small">{t('up.points')}</span><b data-points-balance>{sub.points}</b>
          {sub.expiring_points > 0 && <span class="muted small" data-expiring>
            {t('up.expiring', { n: sub.expiring_points, at: fmtTime(sub.next_expiry) })}</span>}</div>
        <div class="stat"><span class="muted small">{t('up.package')}</span>
          <b data-package={pkg ? pkg.code : ''}>{pkg ? tr('up.pkg.' + pkg.code, pkg.label) : t('up.noPackage')}</b>
          {pkg && sub.package_until && <span class="muted small">{t('up.until', { at: fmtTime(sub.package_until) })}</span>}</div>
      </div>
      <div class="level-progress" data-next-level={nx ? nx.code : 'max'}>
        {nx ? (
          <>
            <Progress value={nx.percent} label={t('up.toNext', { level: levelName(nx.code, nx.label) })} />
            <p class="muted small">{t('up.remaining', { amount: yuan(nx.remaining_fen), level: levelName(nx.code, nx.label) })}</p>
          </>
        ) : <p class="muted small">{t('up.topLevel')}</p>}
      </div>
    </section>
  );
}

function Packages({ sub, onBuy, busy }) {
  const pk = sub.packages || [];
  return (
    <div>
      <div class="packages" data-packages>
        {pk.map((p) => (
          <div class="package-card" data-pkg={p.code}>
            <strong>{tr('up.pkg.' + p.code, p.label)}</strong>
            <span class="price" data-price>{yuan(p.price_fen)}</span>
            <span class="muted small">{t('up.pkgDesc', { days: p.days, level: levelName(p.level, p.level_label), n: p.points })}</span>
            <button class="btn btn-primary btn-small" disabled={!!busy} data-buy={p.code}
              onClick={() => onBuy({ kind: 'package', package: p.code })}>{busy === p.code && <Spinner />}{t('up.buy')}</button>
          </div>))}
      </div>
      <p class="muted small">{t('up.noStack')}</p>
    </div>
  );
}

function Recharge({ sub, onBuy, busy }) {
  /* the limits are the server's (points.min_recharge_fen, points.max_recharge_fen), checked here
   * before asking and again by the order endpoint */
  const minYuan = Math.ceil(sub.min_recharge_fen / 100);
  const maxYuan = Math.floor(sub.max_recharge_fen / 100);
  const [v, setV] = useState(String(minYuan));
  const [err, setErr] = useState(null);
  const check = (s) => {
    const x = s.trim();
    if (!/^\d+$/.test(x)) return t('up.amountInt');
    const n = Number(x);
    if (n < minYuan) return t('up.amountMin', { n: minYuan });
    if (n > maxYuan) return t('up.amountMax', { n: maxYuan });
    return null;
  };
  const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : 0;
  const go = (e) => {
    e.preventDefault();
    const bad = check(v);
    setErr(bad);
    if (!bad) onBuy({ kind: 'recharge', amount_fen: n * 100 }, (fields) => setErr([].concat(fields.amount_fen || fields.amount || []).join('；') || null));
  };
  return (
    <form onSubmit={go} data-form="recharge" novalidate>
      <label class={'field' + (err ? ' has-error' : '')}>
        <span class="field-label">{t('up.amount')}</span>
        <div class="amount-row">
          <span class="muted">¥</span>
          <input name="amount" inputMode="numeric" value={v} onInput={(e) => { setV(e.currentTarget.value); setErr(null); }} />
          <button class="btn btn-primary" disabled={!!busy} data-recharge>{busy === 'recharge' && <Spinner />}{t('up.rechargeBtn')}</button>
        </div>
        {err ? <span class="field-error" data-field-error="amount">{err}</span>
          : <span class="field-hint">{t('up.amountHint', { min: minYuan, per: sub.points_per_yuan || 2, n: n * (sub.points_per_yuan || 2) })}</span>}
      </label>
      <div class="chips">
        {[10, 60, 200].filter((x) => x >= minYuan).map((x) => (
          <button type="button" class="chip" data-quick={x} onClick={() => { setV(String(x)); setErr(null); }}>¥{x}</button>))}
      </div>
    </form>
  );
}

function left(expires) {
  const ms = Date.parse(expires) - Date.now();
  return isNaN(ms) ? null : Math.max(0, Math.floor(ms / 1000));
}

/* the QR code of an order, its countdown and its outcome */
function OrderModal({ order, live, onClose, onPaid }) {
  const [o, setO] = useState(order);
  const [qr, setQr] = useState(null);
  const [qrErr, setQrErr] = useState(null);
  const [secs, setSecs] = useState(left(order.expires_at));
  const [paid, setPaid] = useState(order.status === 'paid' ? {} : null);
  const done = useRef(false);
  const finish = (info) => {
    if (done.current) return;
    done.current = true;
    setPaid(info || {});
    onPaid();
  };
  useLive((ev) => {
    if (ev.type === 'payment.paid' && ev.out_trade_no === order.out_trade_no) {
      setO((x) => ({ ...x, status: 'paid' }));
      finish(ev);
    }
  }, [order.out_trade_no]);
  /* the QR PNG needs the bearer token: a blob behind an object URL */
  useEffect(() => {
    let url = null, gone = false;
    api('GET', order.qr_url || `/api/v1/payment/orders/${order.out_trade_no}/qr.png`, undefined, { blob: true })
      .then((b) => { if (gone) return; url = URL.createObjectURL(b); setQr(url); }, (e) => { if (!gone) setQrErr(e); });
    return () => { gone = true; if (url) URL.revokeObjectURL(url); };
  }, [order.out_trade_no]);
  useEffect(() => {
    const id = setInterval(() => setSecs(left(order.expires_at)), 1000);
    return () => clearInterval(id);
  }, [order.expires_at]);
  /* no stream: ask the order every 2 s until it is settled; with one, now and then anyway
   * (a message is a hint, and one may be lost) */
  const settled = paid || ['paid', 'closed', 'failed'].includes(o.status);
  useEffect(() => {
    if (settled) return undefined;
    let gone = false;
    const id = setInterval(async () => {
      try {
        const d = await api('GET', '/api/v1/payment/orders/' + encodeURIComponent(order.out_trade_no));
        if (gone) return;
        setO(d);
        if (d.status === 'paid') finish(null);
      } catch { /* try again on the next tick */ }
    }, live ? 10000 : 2000);
    return () => { gone = true; clearInterval(id); };
  }, [live, settled]);
  useEffect(() => {
    const k = (e) => { if (e.key === 'Escape') onClose(); };
    addEventListener('keydown', k);
    return () => removeEventListener('keydown', k);
  }, []);
  const expired = !settled && secs === 0;
  const mm = secs == null ? '' : `${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
  const title = o.kind === 'package' ? tr('up.pkg.' + o.package, o.package) : t('up.recharge');
  return (
    <div class="modal-backdrop" onClick={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="modal pay-modal" role="dialog" aria-modal="true" aria-label={t('up.payTitle')} data-order={o.out_trade_no} data-order-status={paid ? 'paid' : o.status}>
        <h3>{t('up.payTitle')}</h3>
        <div class="modal-body">
          <p class="pay-amount"><span class="muted">{title}</span> <b data-order-amount>{yuan(o.amount_fen)}</b></p>
          {paid ? (
            <Alert kind="success"><span data-paid>{t('up.paid')}</span>
              {paid.points ? <span> {t('up.paidPoints', { n: paid.points })}</span> : null}
              {paid.level ? <span> {t('up.paidLevel', { level: levelName(paid.level, paid.level) })}</span> : null}</Alert>
          ) : o.status === 'closed' || o.status === 'failed' || expired ? (
            <Alert kind="warn"><span data-order-closed>{t('up.orderClosed')}</span></Alert>
          ) : (
            <>
              <div class="qr-box" data-qr>
                {qr ? <img src={qr} alt={t('up.qrAlt')} width="200" height="200" data-qr-img /> : qrErr ? <ErrorBox error={qrErr} /> : <Spinner />}
              </div>
              <p class="muted small center">{t('up.scan')}</p>
              <p class="small center">{t('up.expiresIn')} <b data-countdown>{mm}</b></p>
              <p class="small center"><span class={'live-dot' + (live ? ' on' : '')} data-live={live ? 'on' : 'off'}>
                {live ? t('up.waitingLive') : t('up.waitingPoll')}</span></p>
            </>
          )}
          <p class="muted small">{t('up.orderNo')} <span class="nowrap" data-order-no>{o.out_trade_no}</span></p>
        </div>
        <div class="modal-actions">
          <button class="btn btn-primary" onClick={onClose} data-close-order>{paid ? t('up.done') : t('common.close')}</button>
        </div>
      </div>
    </div>
  );
}

const REASONS = ['recharge', 'package', 'referral', 'feedback', 'diagnosis', 'interview', 'report_download',
  'mock_interview', 'meeting', 'expire', 'adjust'];

function History({ reloadKey }) {
  const [page, setPage] = useState(1);
  const h = useAsync(() => api('GET', `/api/v1/points/history/?page=${page}&page_size=${HISTORY_SIZE}`), [page, reloadKey]);
  const d = h.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / (d.page_size || HISTORY_SIZE))) : 1;
  if (h.loading && !d) return <Loading />;
  if (h.error) return <ErrorBox error={h.error} onRetry={h.reload} />;
  return (
    <>
      {!d.items.length ? <Empty>{t('up.noHistory')}</Empty> : (
        <ul class="item-list" data-points-history>
          {d.items.map((x) => (
            <li class="item static history-row" data-ledger={x.id} data-reason={x.reason}>
              <div class="item-main">
                <strong data-reason-text>{REASONS.includes(x.reason) ? t('up.reason.' + x.reason) : x.reason}</strong>
                <span class="muted small">{fmtTime(x.created_at)}{x.note ? ' · ' + x.note : ''}</span>
              </div>
              <div class="history-num">
                <b class={x.delta >= 0 ? 'good' : 'bad'} data-delta>{x.delta > 0 ? '+' + x.delta : x.delta}</b>
                <span class="muted small">{t('up.balanceAfter', { n: x.balance_after })}</span>
              </div>
            </li>))}
        </ul>)}
      {pages > 1 && (
        <div class="pager" data-history-pager>
          <button class="btn btn-small btn-ghost" disabled={page <= 1} onClick={() => setPage(page - 1)}>{t('common.prev')}</button>
          <span class="muted small">{page} / {pages}</span>
          <button class="btn btn-small btn-ghost" disabled={page >= pages} onClick={() => setPage(page + 1)}>{t('common.next')}</button>
        </div>)}
    </>
  );
}

function Invite() {
  const inv = useAsync(() => api('GET', '/api/v1/invite-code/'), []);
  const st = useAsync(() => api('GET', '/api/v1/referral/stats/'), []);
  const [copied, setCopied] = useState(false);
  const link = inv.data && inv.data.share_link;
  const copy = async () => {
    try { await navigator.clipboard.writeText(link); } catch {
      /* no clipboard permission: select the text for a manual copy */
      const el = document.querySelector('[data-share-link]');
      if (el) { el.focus(); el.select(); }
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <section class="card" data-referral>
      <h2>{t('up.invite')}</h2>
      {inv.loading ? <Loading /> : inv.error ? <ErrorBox error={inv.error} onRetry={inv.reload} /> : (
        <>
          <p class="muted small">{t('up.inviteHint', { n: inv.data.reward_points })}</p>
          <p class="small">{t('up.inviteCode')} <b data-invite-code>{inv.data.invite_code}</b></p>
          <div class="amount-row">
            <input readOnly value={link} data-share-link onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="btn btn-ghost" data-copy-link onClick={copy}>{copied ? t('up.copied') : t('up.copy')}</button>
          </div>
        </>)}
      {st.data && (
        <div class="stats" data-referral-stats>
          <div class="stat"><span class="muted small">{t('up.invited')}</span><b data-invited>{st.data.invited}</b></div>
          <div class="stat"><span class="muted small">{t('up.verified')}</span><b data-verified-count>{st.data.verified}</b></div>
          <div class="stat"><span class="muted small">{t('up.earned')}</span><b data-earned>{st.data.points_earned}</b></div>
        </div>)}
      {st.data && <p class="muted small">{t('up.cap', { n: st.data.reward_points, cap: st.data.daily_cap })}</p>}
      <ErrorBox error={st.error} onRetry={st.reload} />
    </section>
  );
}

export function Upgrade() {
  const sub = useAsync(() => api('GET', '/api/v1/payment/subscription/'), []);
  const [order, setOrder] = useState(null);
  const [busy, setBusy] = useState(null);
  const [err, setErr] = useState(null);
  const [histKey, setHistKey] = useState(0);
  /* a payment settled while no QR is open (another tab, a late callback): read again */
  const live = useLive((ev) => { if (ev.type === 'payment.paid') refresh(); }, []);
  if (sub.data) markReady('upgrade');
  const refresh = () => { sub.reload(); setHistKey((k) => k + 1); };
  const buy = async (body, onFields) => {
    setBusy(body.kind === 'package' ? body.package : 'recharge'); setErr(null);
    try {
      setOrder(await api('POST', '/api/v1/payment/orders', body));
    } catch (e) {
      if (e.fields && onFields) onFields(e.fields);
      setErr(e);
    }
    setBusy(null);
  };
  const unavailable = err && (err.code === 'payment_unavailable' || err.status === 503 || err.status === 404);
  if (sub.loading && !sub.data) return <Loading />;
  if (sub.error) return <ErrorBox error={sub.error} onRetry={sub.reload} />;
  const s = sub.data;
  return (
    <div class="page" data-page="upgrade">
      <div class="page-head"><h1>{t('up.title')}</h1><p class="muted">{t('up.sub')}</p></div>
      <Summary sub={s} />
      {err && (unavailable
        ? <Alert kind="warn"><span data-pay-unavailable={err.code}>{t('up.unavailable')}</span></Alert>
        : !err.fields && <ErrorBox error={err} />)}
      <section class="card">
        <h2>{t('up.levels')}</h2>
        <Levels sub={s} />
      </section>
      <div class="grid-2">
        <section class="card">
          <h2>{t('up.packages')}</h2>
          <Packages sub={s} onBuy={buy} busy={busy} />
        </section>
        <section class="card">
          <h2>{t('up.recharge')}</h2>
          <Recharge sub={s} onBuy={buy} busy={busy} />
          <ul class="bullets small muted">
            <li>{t('up.rule1', { per: s.points_per_yuan || 2 })}</li>
            <li>{t('up.rule2')}</li>
            <li>{t('up.rule3')}</li>
          </ul>
        </section>
      </div>
      <div class="grid-2">
        <section class="card" data-points>
          <div class="card-head"><h2>{t('up.history')}</h2><span class="muted small">{t('up.points')} <b data-points-now>{s.points}</b></span></div>
          <History reloadKey={histKey} />
        </section>
        <Invite />
      </div>
      {order && <OrderModal order={order} live={live} onClose={() => setOrder(null)} onPaid={refresh} />}
    </div>
  );
}
