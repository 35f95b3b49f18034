// The browser journey: register -> verify mail -> log in -> upload -> text ->
// suggestion -> diagnosis -> interview questions -> change password -> log out
// -> log in again -> practice partners (profile, a card, a like, a match, the
// limit); jobs (an HR posts a job, the seeker finds it by a Chinese query and applies,
// HR invites them, and 我的申请 shows it without reloading; the sync dashboard); 充值升级
// (levels, benefits, a referral's points in the history, the invite link, ordering); 经典题库
// (filter, search, an outline), 职场动态 locked for a 普通会员, 日历事件 (add, edit, delete); an
// admin (made with zhimai-admin) finds the user and changes their role, a seeker is kept out of the admin page; an expired session lands
// on the login page; error cases; the time until the first page is usable
// (printed, and written to $ZM_VAR/screenshots/metrics.json); screenshots of
// every page at desktop and phone widths; and no console error on any page.
//
// Needs a running stack: ZM_VAR (its state dir; $ZM_VAR/stack.env names
// ZM_URL, ZM_BUILD and ZM_CONF) or ZM_URL directly (then the admin steps need
// ZM_BUILD and ZM_CONF in the environment).  Chromium: ZM_CHROMIUM or
// /usr/bin/chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const VAR = process.env.ZM_VAR || '';
/* KEY from the environment, else from $ZM_VAR/stack.env */
function stackEnv(key) {
  if (process.env[key]) return process.env[key];
  const env = path.join(VAR, 'stack.env');
  if (VAR && fs.existsSync(env)) {
    const m = fs.readFileSync(env, 'utf8').match(new RegExp('^(?:export\\s+)?' + key + '=["\']?([^"\'\\s]+)', 'm'));
    if (m) return m[1];
  }
  return '';
}
function stackUrl() {
  const u = stackEnv('ZM_URL');
  if (u) return u.replace(/\/$/, '');
  throw new Error('set ZM_URL or ZM_VAR (with $ZM_VAR/stack.env)');
}
const URL_ = stackUrl();
const MAIL = path.join(VAR, 'mail');
const SHOTS = path.join(VAR || os.tmpdir(), 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });
for (const f of fs.readdirSync(SHOTS)) if (/^FAIL-.*\.png$/.test(f)) fs.rmSync(path.join(SHOTS, f));

const stamp = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const EMAIL = `journey-${stamp}@example.com`;
const PW1 = `Zm-${stamp}-Start9`;
const PW2 = `Zm-${stamp}-Next7!`;
const ADMIN_EMAIL = `admin-${stamp}@example.com`;
const OTHER_EMAIL = `other-${stamp}@example.com`;
const ADMIN_PW = `Zm-${stamp}-Admin3`;

let browser, page, adminPage, tmp;

/*
 * Console errors and uncaught exceptions of every page, checked by the last test.
 * A step may expect failed requests (a wrong password is a 401): allowHttp(path, status)
 * lets Chromium's "Failed to load resource" line for exactly that path and status
 * pass, during that step only.
 */
const problems = [];
let allowed = [];
let stepName = '(setup)';
function allowHttp(pathRe, status) { allowed.push({ pathRe, status }); }
/*
 * waitForLoadState('networkidle') never comes now that every signed-in page holds the live
 * channel's EventSource open (the layout's unread badge, www/src/unread.js); settled(p) is the
 * same wait with the event streams left out: no other request in flight for 500 ms.
 */
const inflight = new WeakMap();
async function settled(p, quietMs = 500, timeoutMs = 15000) {
  const set = inflight.get(p), t0 = Date.now();
  let since = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (set.size) since = Date.now();
    else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('requests still in flight: ' + [...set].map((r) => r.url()).join(', '));
}
function track(p, label) {
  const set = new Set();
  inflight.set(p, set);
  p.on('request', (r) => { if (!/\/api\/v1\/events\//.test(new URL(r.url()).pathname)) set.add(r); });
  p.on('requestfinished', (r) => set.delete(r));
  p.on('requestfailed', (r) => set.delete(r));
  /* a navigation ends the old document's requests, whether or not an event says so */
  p.on('framenavigated', (f) => { if (f === p.mainFrame()) set.clear(); });
  p.on('pageerror', (e) => problems.push(`[${label}] ${stepName}: uncaught ${e.name}: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    const st = text.match(/^Failed to load resource: the server responded with a status of (\d+)/);
    if (st) {
      let where = '';
      try { where = new URL(m.location().url).pathname; } catch { /* no url */ }
      if (allowed.some((a) => a.status === Number(st[1]) && a.pathRe.test(where))) return;
      problems.push(`[${label}] ${stepName}: ${text} (${m.location().url})`);
      return;
    }
    problems.push(`[${label}] ${stepName}: console.error: ${text}`);
  });
  return p;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zm-files-'));
  browser = await chromium.launch({
    executablePath: process.env.ZM_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    /* playwright refuses --user-data-dir in launch(): it gives every launch a fresh temp profile itself */
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true });
  page = track(await ctx.newPage(), 'user');
  page.setDefaultTimeout(15000);
});

after(async () => {
  if (browser) await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/* run a step; on failure save a screenshot (of `on`, the user's page unless told) named after it */
async function step(t, name, fn, on) {
  await t.test(name, async () => {
    stepName = name;
    allowed = [];
    try { await fn(); } catch (e) {
      const f = path.join(SHOTS, `FAIL-${name.replace(/[^\w-]+/g, '_')}.png`);
      try { await (on ? on() : page).screenshot({ path: f, fullPage: true }); console.error('screenshot:', f); } catch { /* closed */ }
      throw e;
    } finally {
      /* let late console lines of this step arrive while its allowances hold */
      await new Promise((r) => setTimeout(r, 50));
      allowed = [];
    }
  });
}

/* the newest mail to `to` whose decoded text contains `needle`; returns the link */
async function mailLink(to, pathPart) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(MAIL) ? fs.readdirSync(MAIL).filter((f) => f.endsWith('.eml')) : [];
    for (const f of files.sort().reverse()) {
      const raw = fs.readFileSync(path.join(MAIL, f), 'utf8').replace(/\r\n/g, '\n');
      if (!new RegExp('^To:.*' + to.replace(/[.+]/g, '\\$&'), 'mi').test(raw)) continue;
      const text = decodeText(raw);
      const m = text.match(new RegExp('https?://\\S*' + pathPart + '\\?token=[\\w.~%-]+'));
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail with ${pathPart} for ${to} in ${MAIL}`);
}

/* the text/plain part of a MIME message, base64 or not */
function decodeText(raw) {
  const parts = [];
  const boundary = raw.match(/boundary="?([^";\n]+)"?/i);
  if (boundary) {
    for (const p of raw.split('--' + boundary[1])) parts.push(p);
  } else parts.push(raw);
  for (const p of parts) {
    const i = p.indexOf('\n\n');
    if (i < 0) continue;
    const head = p.slice(0, i), body = p.slice(i + 2);
    if (!/content-type:\s*text\/plain/i.test(head) && boundary) continue;
    if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    return body;
  }
  return raw;
}

async function login(email, pw, p = page) {
  await p.goto(URL_ + '/login');
  await p.fill('form[data-form=login] input[name=email]', email);
  await p.fill('form[data-form=login] input[name=password]', pw);
  await p.click('form[data-form=login] button[type=submit]');
}

/* zhimai-admin create-user (a verified account); true when it worked */
function cliUser(email, role, pw) {
  const build = stackEnv('ZM_BUILD'), conf = stackEnv('ZM_CONF');
  if (!build || !conf) return false;
  const bin = path.join(build, 'zhimai-admin');
  if (!fs.existsSync(bin)) return false;
  const r = spawnSync(bin, ['-c', conf, 'create-user', '--email', email, '--role', role, '--password-stdin'],
    { input: pw + '\n', encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) console.error('zhimai-admin:', r.status, r.stderr);
  return r.status === 0;
}

/* the same through the API and SQL, when the CLI is not at hand */
async function sqlUser(email, role, pw) {
  const r = await fetch(URL_ + '/api/v1/auth/register', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: pw }),
  });
  const j = await r.json();
  if (!j.success) throw new Error('register ' + email + ': ' + JSON.stringify(j));
  // the answer does not name the account (it is the same for a registered address): find it by address
  const addr = `'${j.data.email.replace(/'/g, "''")}'`;
  const q = `UPDATE zm_user_profile p JOIN auth_user u ON u.id = p.user_id SET p.role = '${role}' WHERE u.email = ${addr}; `
    + `UPDATE auth_user SET is_staff = ${role === 'admin' ? 1 : 0}, is_superuser = ${role === 'admin' ? 1 : 0} WHERE email = ${addr};`;
  const m = spawnSync('mariadb', ['--defaults-file=' + path.join(VAR, 'client.cnf'), '-e', q], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error('mariadb: ' + m.stderr);
}

async function makeUser(email, role, pw) {
  if (!cliUser(email, role, pw)) await sqlUser(email, role, pw);
}

async function setTokensGarbage(p) {
  await p.evaluate(() => localStorage.setItem('zm.tokens', JSON.stringify({
    access: 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.expired', refresh: 'not-a-refresh-token',
  })));
}

test('journey', async (t) => {
  let resumeUrl, interviewId;

  await step(t, 'first page usable (fresh browser context)', async () => {
    const metrics = { url: URL_ + '/login', measured_at: new Date().toISOString(), runs: [] };
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const p = track(await ctx.newPage(), 'metrics');
    for (const cache of ['cold', 'warm']) {
      await p.goto(URL_ + '/login');
      await p.waitForSelector('html[data-ready]');
      assert.ok(await p.locator('form[data-form=login] button[type=submit]').isEnabled());
      const m = await p.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const ready = performance.getEntriesByName('zm-ready')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const js = performance.getEntriesByType('resource').filter((r) => /\.js(\?|$)/.test(r.name));
        /* usable: the form is rendered with its handlers (the app's mark) and painted */
        return {
          usable_ms: ready ? Math.round(Math.max(ready.startTime, fcp ? fcp.startTime : 0)) : null,
          ready_mark_ms: ready ? Math.round(ready.startTime) : null,
          first_contentful_paint_ms: fcp ? Math.round(fcp.startTime) : null,
          dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
          load_ms: Math.round(nav.loadEventEnd),
          js_files: js.length,
          js_transferred_bytes: js.reduce((n, r) => n + (r.encodedBodySize || 0), 0),
        };
      });
      metrics.runs.push({ cache, ...m });
      console.log(`first page usable (${cache} cache): ${m.usable_ms} ms; first contentful paint ${m.first_contentful_paint_ms} ms;`
        + ` ${m.js_files} script(s), ${m.js_transferred_bytes} bytes over the wire`);
      assert.ok(m.usable_ms > 0, 'the login page marks itself ready');
    }
    metrics.first_page_usable_ms = metrics.runs[0].usable_ms;
    fs.writeFileSync(path.join(SHOTS, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    await ctx.close();
  });

  await step(t, 'register', async () => {
    await page.goto(URL_ + '/register');
    await page.fill('form[data-form=register] input[name=email]', EMAIL);
    await page.fill('form[data-form=register] input[name=password]', PW1);
    await page.fill('form[data-form=register] input[name=username]', 'u' + stamp);
    await page.click('form[data-form=register] button[type=submit]');
    await page.waitForSelector('[data-registered]');
  });

  await step(t, 'verify email from the mail', async () => {
    const link = await mailLink(EMAIL, '/verify-email');
    const u = new URL(link);
    await page.goto(URL_ + u.pathname + u.search);
    await page.waitForSelector('[data-verified]');
  });

  await step(t, 'wrong password shows the error', async () => {
    allowHttp(/^\/api\/v1\/auth\/login$/, 401);
    await login(EMAIL, PW1 + 'x');
    const alert = page.locator('form[data-form=login] [role=alert]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /邮箱或密码错误/);
    assert.equal(new URL(page.url()).pathname, '/login');
  });

  await step(t, 'log in', async () => {
    await login(EMAIL, PW1);
    await page.waitForURL(/\/resumes$/);
    await page.waitForSelector('[data-user-name]');
    assert.match(await page.locator('.user-role').innerText(), /求职者/);
  });

  await step(t, 'a file over 10 MiB is refused before upload', async () => {
    const big = path.join(tmp, 'big.txt');
    fs.writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
    let posted = false;
    const spy = (req) => { if (req.method() === 'POST' && req.url().includes('/api/resumes')) posted = true; };
    page.on('request', spy);
    await page.setInputFiles('form[data-form=upload] input[type=file]', big);
    await page.click('form[data-form=upload] button[type=submit]');
    const err = page.locator('[data-field-error=file]');
    await err.waitFor();
    assert.match(await err.innerText(), /10 MB/);
    await page.waitForTimeout(300);
    page.off('request', spy);
    assert.equal(posted, false, 'the big file must not be sent');
  });

  await step(t, 'upload a text resume and see its text', async () => {
    const f = path.join(tmp, 'resume.txt');
    fs.writeFileSync(f, '李雷\n后端开发工程师 · 5 年经验\n技能：Python, Go, MySQL, Redis, Docker, Kubernetes\n'
      + '工作经历：2019-2024 某互联网公司，负责订单服务的开发，QPS 提升 40%。\n教育：浙江大学 计算机科学与技术 本科\n');
    await page.setInputFiles('form[data-form=upload] input[type=file]', f);
    await page.fill('form[data-form=upload] input[name=name]', '李雷的简历');
    await page.click('form[data-form=upload] button[type=submit]');
    await page.click('[data-resume-list] a[data-resume="李雷的简历"]');
    await page.waitForSelector('[data-resume-title]');
    resumeUrl = page.url();
    const text = page.locator('[data-resume-text]');
    await text.waitFor({ timeout: 30000 });
    assert.match(await text.innerText(), /浙江大学/);
  });

  await step(t, 'download the file', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-download]')]);
    const p = await dl.path();
    assert.match(fs.readFileSync(p, 'utf8'), /李雷/);
  });

  await step(t, 'get a suggestion for a job description', async () => {
    await page.click('.sidenav a[href="/suggestions"]');
    await page.waitForSelector('select[name=resume_id] option', { state: 'attached' });
    await page.fill('textarea[name=job_description]', '招聘高级后端工程师：熟悉 Go、Python、MySQL、Kafka，有微服务和高并发经验，本科及以上学历。');
    await page.click('form[data-form=suggest] button[type=submit]');
    const card = page.locator('[data-suggestion]');
    await card.waitFor({ timeout: 30000 });
    const score = Number(await card.locator('.gauge').getAttribute('data-score'));
    assert.ok(score >= 0 && score <= 100, 'score ' + score);
    assert.ok((await card.locator('[data-summary]').innerText()).length > 0);
    await card.locator('[data-helpful=yes]').click();
    await page.waitForSelector('[data-feedback-done]');
  });

  await step(t, 'run a diagnosis to 100% and see the report', async () => {
    await page.click('.sidenav a[href="/diagnosis"]');
    await page.waitForSelector('select[name=resume_id] option', { state: 'attached' });
    await page.fill('input[name=target_role]', '后端工程师');
    await page.click('form[data-form=diagnose] button[type=submit]');
    await page.waitForSelector('[role=progressbar]');
    await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 60000 });
    const report = page.locator('[data-report]');
    await report.waitFor({ timeout: 30000 });
    assert.ok(await report.locator('.section-card').count() > 0);
  });

  await step(t, 'interview questions: empty role and job description are refused in place', async () => {
    await page.click('.sidenav a[href="/interview"]');
    await page.waitForURL(/\/interview$/);
    await page.waitForSelector('select[name=resume_id] option', { state: 'attached' });
    let posted = false;
    const spy = (req) => { if (req.method() === 'POST' && req.url().includes('/interview-prep/')) posted = true; };
    page.on('request', spy);
    await page.click('form[data-form=interview] button[type=submit]');
    await page.locator('[data-field-error=target_role]').waitFor();
    page.off('request', spy);
    assert.equal(posted, false);
  });

  await step(t, 'interview questions: progress to 100%, grouped questions, history', async () => {
    await page.fill('form[data-form=interview] input[name=target_role]', '后端工程师');
    await page.fill('form[data-form=interview] textarea[name=job_description]', '负责订单与支付系统的后端开发，熟悉 Go、MySQL、Redis 和 Kafka，有高并发系统经验。');
    await page.selectOption('form[data-form=interview] select[name=count]', '10');
    await page.click('form[data-form=interview] button[type=submit]');
    await page.waitForSelector('[role=progressbar]');
    await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 60000 });
    const card = page.locator('[data-interview]');
    await card.waitFor({ timeout: 30000 });
    interviewId = await card.getAttribute('data-interview');
    assert.equal(new URL(page.url()).pathname, '/interview/' + interviewId);
    assert.equal(await card.locator('[data-question]').count(), 10);
    assert.match(await card.locator('[data-question-total]').innerText(), /10/);
    const cats = await card.locator('[data-category]').evaluateAll((els) => els.map((e) => e.getAttribute('data-category')));
    assert.ok(cats.length >= 2, 'grouped by category: ' + cats);
    assert.ok(cats.includes('technical'), 'a technical group: ' + cats);
    /* the first question is open with its reasoning and answer outline; the others open on click */
    const first = card.locator('[data-question]').first();
    assert.ok(await first.locator('[data-outline] li').count() > 0, 'answer outline');
    assert.ok((await first.locator('.q-why').innerText()).length > 0, 'why it may be asked');
    const second = card.locator('[data-question]').nth(1);
    await second.locator('summary').click();
    await second.locator('[data-outline]').waitFor();
    /* in the history, and it opens again from there */
    const item = page.locator(`[data-interview-history] [data-history-id="${interviewId}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /后端工程师/);
    await page.goto(URL_ + '/interview');
    await page.locator(`[data-interview-history] [data-history-id="${interviewId}"]`).click();
    await page.waitForURL(new RegExp('/interview/' + interviewId + '$'));
    await page.locator(`[data-interview="${interviewId}"] [data-question]`).first().waitFor();
    assert.equal(await page.locator('[data-question]').count(), 10);
  });

  await step(t, 'change the password', async () => {
    await page.click('.sidenav a[href="/settings"]');
    await page.fill('form[data-form=password] input[name=old_password]', PW1);
    await page.fill('form[data-form=password] input[name=new_password]', PW2);
    await page.fill('form[data-form=password] input[name=confirm]', PW2);
    await page.click('form[data-form=password] button');
    await page.waitForSelector('[data-password-changed]');
    /* the stored tokens still work */
    await page.click('.sidenav a[href="/resumes"]');
    await page.waitForSelector('[data-resume-list]');
  });

  await step(t, 'log out and log in with the new password', async () => {
    allowHttp(/^\/api\/v1\/auth\/login$/, 401);
    await page.click('[data-logout]');
    await page.waitForURL(/\/login/);
    await login(EMAIL, PW1);
    await page.locator('form[data-form=login] [role=alert]').waitFor();
    await login(EMAIL, PW2);
    await page.waitForURL(/\/resumes$/);
  });

  await step(t, 'a seeker is kept out of the admin page', async () => {
    await page.goto(URL_ + '/admin/users');
    await page.waitForSelector('[data-no-permission]');
    assert.equal(await page.locator('.sidenav a[href="/admin/users"]').count(), 0);
    assert.equal(await page.locator('[data-admin-nav]').count(), 0);
    assert.equal(await page.locator('[data-users-table]').count(), 0);
  });

  await step(t, 'an admin finds the user and changes their role', async () => {
    await makeUser(ADMIN_EMAIL, 'admin', ADMIN_PW);
    await makeUser(OTHER_EMAIL, 'seeker', ADMIN_PW);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    adminPage = track(await ctx.newPage(), 'admin');
    adminPage.setDefaultTimeout(15000);
    await login(ADMIN_EMAIL, ADMIN_PW, adminPage);
    await adminPage.waitForURL(/\/resumes$/);
    assert.match(await adminPage.locator('.user-role').innerText(), /管理员/);
    await adminPage.click('.sidenav a[href="/admin/users"]');
    await adminPage.waitForSelector('[data-users-table]');
    await adminPage.fill('form[data-form=admin-search] input[name=search]', EMAIL);
    await Promise.all([
      adminPage.waitForResponse((r) => r.url().includes('/api/v1/admin/users?') && r.url().includes('search=journey')),
      adminPage.click('form[data-form=admin-search] button[type=submit]'),
    ]);
    await adminPage.waitForURL(/search=/);
    await adminPage.waitForSelector('.table-wrap:not(.is-loading) [data-users-table]');
    const row = adminPage.locator(`tr[data-user-email="${EMAIL}"]`);
    await row.waitFor();
    assert.equal(await adminPage.locator('[data-users-table] tbody tr').count(), 1);
    assert.equal(await row.locator('select[name=role]').inputValue(), 'seeker');
    await row.locator('select[name=role]').selectOption('hr');
    await adminPage.waitForSelector('[data-admin-notice=success]');
    assert.equal(await row.locator('select[name=role]').inputValue(), 'hr');
    /* it sticks: after a reload, and for the user */
    await adminPage.reload();
    await adminPage.locator(`tr[data-user-email="${EMAIL}"]`).waitFor();
    assert.equal(await adminPage.locator(`tr[data-user-email="${EMAIL}"] select[name=role]`).inputValue(), 'hr');
    /* the role filter keeps the search and narrows by role */
    await adminPage.selectOption('form[data-form=admin-search] select[name=role]', 'admin');
    await adminPage.waitForURL(/role=admin/);
    await adminPage.waitForSelector('text=没有找到匹配的用户');
    await adminPage.selectOption('form[data-form=admin-search] select[name=role]', 'hr');
    await adminPage.waitForURL(/role=hr/);
    await adminPage.locator(`tr[data-user-email="${EMAIL}"]`).waitFor();
    assert.equal(await adminPage.locator('[data-users-table] tbody tr').count(), 1);
    await adminPage.selectOption('form[data-form=admin-search] select[name=role]', '');
    await adminPage.waitForURL((u) => !u.search.includes('role='));
    await page.goto(URL_ + '/resumes');
    await page.waitForSelector('[data-user-name]');
    assert.match(await page.locator('.user-role').innerText(), /招聘方/);
    /* and back */
    await adminPage.locator(`tr[data-user-email="${EMAIL}"] select[name=role]`).selectOption('seeker');
    await adminPage.waitForSelector('[data-admin-notice=success]');
    await adminPage.reload();
    assert.equal(await adminPage.locator(`tr[data-user-email="${EMAIL}"] select[name=role]`).inputValue(), 'seeker');
  }, () => adminPage || page);

  await step(t, 'the server refuses an admin demoting themselves', async () => {
    allowHttp(/^\/api\/v1\/admin\/users\/\d+$/, 400);
    await adminPage.goto(URL_ + '/admin/users?search=' + encodeURIComponent(ADMIN_EMAIL));
    const row = adminPage.locator(`tr[data-user-email="${ADMIN_EMAIL}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.you').count(), 1);
    await row.locator('select[name=role]').selectOption('seeker');
    const err = row.locator('[data-row-error]');
    await err.waitFor();
    assert.match(await err.innerText(), /不能停用自己或取消自己的管理员身份/);
    assert.match(await adminPage.locator('[data-admin-notice=error]').innerText(), new RegExp(ADMIN_EMAIL.replace(/[.]/g, '\\.')));
    assert.equal(await row.locator('select[name=role]').inputValue(), 'admin', 'the refused choice is put back');
    await adminPage.screenshot({ path: path.join(SHOTS, 'desktop-admin-refused.png') });
    await adminPage.reload();
    await row.waitFor();
    assert.equal(await row.locator('select[name=role]').inputValue(), 'admin');
    assert.match(await adminPage.locator('.user-role').innerText(), /管理员/);
  }, () => adminPage || page);

  await step(t, 'an admin deactivates and reactivates a user', async () => {
    await adminPage.goto(URL_ + '/admin/users?search=' + encodeURIComponent(OTHER_EMAIL));
    const row = adminPage.locator(`tr[data-user-email="${OTHER_EMAIL}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-active]').getAttribute('data-active'), 'true');
    await row.locator('[data-toggle-active]').click();
    await adminPage.locator('.modal .btn-danger').click();
    await adminPage.waitForSelector('[data-admin-notice=success]');
    await adminPage.reload();
    await row.waitFor();
    assert.equal(await row.locator('[data-active]').getAttribute('data-active'), 'false');
    await row.locator('[data-toggle-active]').click();
    await adminPage.waitForSelector('[data-admin-notice=success]');
    assert.equal(await row.locator('[data-active]').getAttribute('data-active'), 'true');
  }, () => adminPage || page);

  await step(t, 'an admin queues an inspection and follows it to its run (巡检记录)', async () => {
    await adminPage.click('.sidenav a[href="/admin/inspections"]');
    await adminPage.waitForURL(/\/admin\/inspections$/);
    await adminPage.locator('h1', { hasText: '巡检记录' }).waitFor();
    await adminPage.click('[data-run-button]');
    /* this stack has no merchant: the run is stored as failed, and says why */
    await adminPage.locator('[data-task-state=done]').waitFor({ timeout: 60000 });
    await adminPage.click('[data-task-run]');
    await adminPage.waitForURL(/\/admin\/inspections\/\d+$/);
    await adminPage.locator('[data-run]').waitFor();
    assert.match(await adminPage.locator('.page-head h1').innerText(), /巡检 #\d+/);
    assert.match(await adminPage.locator('[data-run]').innerText(), /merchant|商户|wechatpay/i);
    await adminPage.click('text=← 返回巡检记录');
    await adminPage.locator('[data-runs-table] tbody tr').first().waitFor();
  }, () => adminPage);

  await step(t, 'an expired session on an open page lands on the login page', async () => {
    allowHttp(/^\/api\//, 401);
    await page.goto(URL_ + '/resumes');
    await page.waitForSelector('[data-resume-list]');
    await setTokensGarbage(page);
    await page.click('.sidenav a[href="/diagnosis"]');
    await page.waitForURL(/\/login\?/);
    await page.waitForSelector('[data-session-expired]');
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('next'), '/diagnosis');
    assert.equal(await page.evaluate(() => localStorage.getItem('zm.tokens')), null, 'the bad tokens are dropped');
    /* logging in goes back where the user was */
    await page.fill('form[data-form=login] input[name=email]', EMAIL);
    await page.fill('form[data-form=login] input[name=password]', PW2);
    await page.click('form[data-form=login] button[type=submit]');
    await page.waitForURL(/\/diagnosis$/);
    await page.waitForSelector('form[data-form=diagnose]');
  });

  await step(t, 'an expired session on a fresh load lands on the login page', async () => {
    allowHttp(/^\/api\//, 401);
    /* the login form is tried enough already (5 a minute per email): keep the good tokens to put back */
    const good = await page.evaluate(() => localStorage.getItem('zm.tokens'));
    await setTokensGarbage(page);
    await page.goto(URL_ + '/interview/' + interviewId);
    await page.waitForURL(/\/login\?/);
    await page.waitForSelector('[data-session-expired]');
    await page.screenshot({ path: path.join(SHOTS, 'desktop-login-expired.png') });
    assert.equal(new URL(page.url()).searchParams.get('next'), '/interview/' + interviewId);
    assert.equal(await page.evaluate(() => localStorage.getItem('zm.tokens')), null, 'the bad tokens are dropped');
    await page.evaluate((tk) => localStorage.setItem('zm.tokens', tk), good);
    await page.goto(URL_ + '/interview/' + interviewId);
    await page.locator('[data-question]').first().waitFor();
  });

  await step(t, 'screenshots of each page', async () => {
    const pages = [['resumes', '/resumes'], ['resume', new URL(resumeUrl).pathname], ['suggestions', '/suggestions'],
      ['diagnosis', '/diagnosis'], ['interview', '/interview/' + interviewId], ['settings', '/settings'],
      ['admin-denied', '/admin/users']];
    for (const [w, h, tag] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width: w, height: h });
      for (const [name, p] of pages) {
        await page.goto(URL_ + p);
        await page.waitForSelector('main .card');
        await settled(page);
        if (name === 'suggestions') { await page.click('.item-list .item'); await page.waitForSelector('[data-suggestion]'); }
        if (name === 'diagnosis') { await page.click('.item-list .item'); await page.waitForSelector('[data-report]'); }
        if (name === 'interview') await page.locator('[data-question]').first().waitFor();
        await page.screenshot({ path: path.join(SHOTS, `${tag}-${name}.png`), fullPage: true });
      }
      if (tag === 'phone') {
        await page.click('.nav-toggle');
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(SHOTS, 'phone-nav.png') });
      }
      await adminPage.setViewportSize({ width: w, height: h });
      await adminPage.goto(URL_ + '/admin/users');
      await adminPage.waitForSelector('[data-users-table]');
      await settled(adminPage);
      await adminPage.screenshot({ path: path.join(SHOTS, `${tag}-admin-users.png`), fullPage: true });
      if (tag === 'phone') {
        await adminPage.click('.nav-toggle');
        await adminPage.waitForTimeout(300);
        await adminPage.screenshot({ path: path.join(SHOTS, 'phone-nav-admin.png') });
      }
      const ctx = await browser.newContext({ viewport: { width: w, height: h }, locale: 'zh-CN' });
      const anon = track(await ctx.newPage(), 'anonymous');
      for (const p of ['login', 'register', 'forgot-password', 'reset-password?token=x']) {
        await anon.goto(URL_ + '/' + p);
        await anon.waitForSelector('.auth-card');
        await anon.screenshot({ path: path.join(SHOTS, `${tag}-${p.replace(/\?.*/, '')}.png`), fullPage: true });
      }
      await ctx.close();
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step(t, 'the new pages speak English too', async () => {
    await page.goto(URL_ + '/interview/' + interviewId);
    await page.locator('[data-question]').first().waitFor();
    await page.click('[data-lang-switch]');
    assert.match(await page.locator('[data-category=technical] h3').innerText(), /Technical/);
    assert.match(await page.locator('main h1').innerText(), /Interview questions/);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-interview-en.png'), fullPage: true });
    await adminPage.setViewportSize({ width: 1280, height: 800 });
    await adminPage.goto(URL_ + '/admin/users?search=' + encodeURIComponent(ADMIN_EMAIL));
    await adminPage.locator(`tr[data-user-email="${ADMIN_EMAIL}"]`).waitFor();
    await adminPage.click('[data-lang-switch]');
    assert.match(await adminPage.locator('[data-users-table] thead').innerText(), /Role/);
    await adminPage.screenshot({ path: path.join(SHOTS, 'desktop-admin-users-en.png'), fullPage: true });
    await page.click('[data-lang-switch]');
    await adminPage.click('[data-lang-switch]');
    assert.match(await page.locator('main h1').innerText(), /面试押题/);
  });

  await step(t, 'practice partners at phone width: profile, a card, a like, a match with contacts, the limit', async () => {
    const call = async (method, p, token, body) => {
      const r = await fetch(URL_ + p, {
        method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const j = await r.json();
      if (!j.success) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(j)}`);
      return j.data;
    };
    /* a partner who practises case interviews too */
    const pEmail = `partner-${stamp}@example.com`;
    await call('POST', '/api/v1/auth/register', null, { email: pEmail, password: PW1 });
    const pLogin = await call('POST', '/api/v1/auth/login', null, { email: pEmail, password: PW1 });
    const partnerWechat = 'wxid_p' + stamp;
    await call('PUT', '/api/v1/partners/profile', pLogin.access,
      { experience_level: '应届', job_type: 'BA', practice: ['case'], contacts: { wechat: partnerWechat } });
    const partnerId = pLogin.user.id;

    await page.setViewportSize({ width: 390, height: 844 });
    allowHttp(/^\/api\/v1\/partners\/profile$/, 404);
    allowHttp(/^\/api\/v1\/partners\/profile$/, 400);
    await page.goto(URL_ + '/partners');
    const form = page.locator('form[data-form=partner-profile]');
    await form.waitFor();
    /* nothing chosen: the server's field errors show next to their fields */
    await form.locator('button.btn-primary').click();
    await page.locator('[data-field-error=experience_level]').waitFor();
    await page.locator('[data-field-error=practice]').waitFor();
    await page.locator('[data-field-error=contacts]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'phone-partners-profile-errors.png'), fullPage: true });
    await form.locator('select[name=experience_level]').selectOption('3-5年');
    await form.locator('select[name=job_type]').selectOption('DS');
    await form.locator('[data-practice=case]').click();
    await form.locator('[data-practice=technical]').click();
    await form.locator('input[name=wechat]').fill('wxid_j' + stamp);
    await form.locator('button.btn-primary').click();
    const card = page.locator(`[data-partner-card="${partnerId}"]`);
    await card.waitFor();
    assert.equal(await card.locator('[data-reason]').innerText(), '你们都选了案例分析');
    assert.equal(await card.locator('[data-tier]').getAttribute('data-tier'), '2');
    assert.match(await page.locator('[data-today-count]').innerText(), /0\/4/);
    assert.match(await page.locator('[data-round]').innerText(), /第 [12] 轮/);
    assert.equal(await page.locator('main').innerText().then((x) => x.includes(partnerWechat)), false, 'no contacts on a card');
    await page.screenshot({ path: path.join(SHOTS, 'phone-partners-cards.png'), fullPage: true });
    await card.locator('[data-like]').click();
    await page.locator(`[data-sent="${partnerId}"]`).waitFor();
    /* a locator, not waitForFunction: polling a predicate evaluates a string in the page, which the CSP refuses */
    await page.locator('[data-today-count]', { hasText: '1/4' }).waitFor();
    assert.equal(await card.count(), 0, 'a liked card goes');

    /* the partner likes back: a match, and now the contacts show, with a copy button */
    const me = await page.evaluate(async () => {
      const tk = JSON.parse(localStorage.getItem('zm.tokens'));
      const r = await fetch('/api/v1/partners/profile', { headers: { Authorization: 'Bearer ' + tk.access } });
      return { id: (await r.json()).data.user_id, access: tk.access };
    });
    const back = await call('POST', `/api/v1/partners/${me.id}/like`, pLogin.access);
    assert.equal(back.status, 'accepted');
    await page.reload();
    const matched = page.locator(`[data-matched="${partnerId}"]`);
    await matched.waitFor();
    assert.match(await matched.locator('[data-contact=wechat]').innerText(), new RegExp(partnerWechat));
    assert.equal(await matched.locator(`[data-copy="${partnerWechat}"]`).count(), 1);
    await page.screenshot({ path: path.join(SHOTS, 'phone-partners-matched.png'), fullPage: true });

    /* three more actions today (on users made with SQL): 4/4, the seed's message, no cards */
    const tag = 'pj' + stamp;
    const q = `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES `
      + [1, 2, 3].map((i) => `('!', 0, '${tag}-${i}', '', '', '', 0, 1, NOW(6))`).join(', ') + '; '
      + `INSERT INTO partners_profile (user_id, experience_level, job_type, technical_interview, behavioral_interview, case_analysis, `
      + `stats_questions, contact_email, contact_wechat, contact_linkedin, target_companies, industry, school, intro, is_active, `
      + `last_active_at, created_at, updated_at) SELECT id, '应届', 'BA', 0, 1, 0, 0, '', 'wxsecret', '', '[]', '', '', '', 1, `
      + `NOW(6), NOW(6), NOW(6) FROM auth_user WHERE username LIKE '${tag}-%'; `
      + `SELECT id FROM auth_user WHERE username LIKE '${tag}-%' ORDER BY id;`;
    const m = spawnSync('mariadb', ['--defaults-file=' + path.join(VAR, 'client.cnf'), '-N', '-B', '-e', q], { encoding: 'utf8' });
    assert.equal(m.status, 0, m.stderr);
    for (const id of m.stdout.trim().split('\n')) await call('POST', `/api/v1/partners/${id}/dislike`, me.access);
    await page.reload();
    await page.locator('[data-partners-limit]').waitFor();
    assert.equal(await page.locator('[data-partners-limit]').innerText(), '今日浏览次数已达上限，明天再来吧！');
    assert.match(await page.locator('[data-today-count]').innerText(), /4\/4/);
    await page.screenshot({ path: path.join(SHOTS, 'phone-partners-limit.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step(t, 'jobs: an HR posts a job, the seeker finds it in Chinese and applies, HR invites, the status arrives live', async () => {
    /* an HR user (zhimai-admin, else SQL), in a browser of their own */
    const HR_EMAIL = `hr-${stamp}@example.com`;
    await makeUser(HR_EMAIL, 'hr', ADMIN_PW);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const hrPage = track(await ctx.newPage(), 'hr');
    hrPage.setDefaultTimeout(15000);
    await login(HR_EMAIL, ADMIN_PW, hrPage);
    await hrPage.waitForURL(/\/resumes$/);
    await hrPage.click('.sidenav [data-hr-nav] a[href="/hr/jobs"]');
    await hrPage.locator('[data-page=hr-jobs]').waitFor();
    await hrPage.click('[data-new-job]');
    const form = hrPage.locator('form[data-form=job]');
    await form.locator('input[name=name]').fill('量子烘焙算法工程师');
    await form.locator('input[name=company]').fill('职麦测试' + stamp);
    await form.locator('input[name=city]').fill('杭州');
    await form.locator('input[name=salary]').fill('20k-35k');
    await form.locator('select[name=education]').selectOption('本科');
    await form.locator('select[name=years_of_working]').selectOption('3-5年');
    await form.locator('textarea[name=responsibilities]').fill('设计烘焙调度算法\n维护量子烤箱平台');
    await form.locator('textarea[name=requirements]').fill('熟悉 C 语言\n了解 nginx');
    await form.locator('button[type=submit]').click();
    await hrPage.waitForURL(/\/hr\/jobs\/\d+$/);
    const jobId = hrPage.url().match(/\/hr\/jobs\/(\d+)$/)[1];
    await hrPage.locator(`[data-hr-job-detail="${jobId}"] [data-job-status=open]`).waitFor();

    /* the seeker: once the seekers' read model has the job (the sync task, well under a second), a
     * Chinese query finds it */
    const seekerToken = await page.evaluate(() => JSON.parse(localStorage.getItem('zm.tokens')).access);
    const deadline = Date.now() + 10000;
    for (;;) {
      const r = await fetch(`${URL_}/jobs/api/job/${jobId}/`, { headers: { Authorization: 'Bearer ' + seekerToken } });
      if (r.status === 200) break;
      if (Date.now() > deadline) throw new Error('job ' + jobId + ' not in the seekers\' read model: ' + r.status);
      await new Promise((res) => setTimeout(res, 100));
    }
    await page.goto(URL_ + '/resumes');
    await page.click('.sidenav a[href="/jobs"]');
    const search = page.locator('form[data-form=job-search]');
    await search.waitFor();
    assert.equal(await page.locator('[data-hr-nav]').count(), 0, 'a seeker has no HR menu');
    await search.locator('input[name=q]').fill('量子烘焙');
    await search.locator('select[name=education]').selectOption('本科');
    await search.locator('button[type=submit]').click();
    await page.waitForURL(/q=/);
    const hit = page.locator(`[data-job-results] [data-job-id="${jobId}"]`);
    await hit.waitFor();
    assert.match(await hit.innerText(), /量子烘焙算法工程师/);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-jobs-search.png'), fullPage: true });
    await hit.click();
    await page.locator('[data-job-name]').waitFor();
    assert.equal(await page.locator('[data-job-name]').innerText(), '量子烘焙算法工程师');
    await page.locator('form[data-form=apply] select[name=resume_id] option').first().waitFor({ state: 'attached' });
    await page.click('form[data-form=apply] button.btn-primary');
    await page.locator('[data-applied] [data-app-status=submitted]').waitFor();

    /* 我的申请, at phone width: submitted, and the live channel connected */
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('.alert a[href="/applications"]');
    const row = page.locator('[data-applications] [data-application]').filter({ hasText: '量子烘焙算法工程师' });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'submitted');
    await page.locator('[data-live=on]').waitFor();
    await page.evaluate(() => { window.__zmNoReload = 1; });

    /* HR: the applicant is listed (the owner's live channel announces them; a reload would too) */
    const cand = hrPage.locator('[data-candidates] [data-candidate]').first();
    await cand.waitFor();
    await cand.locator('[data-snapshot]').click();
    await cand.locator('[data-snapshot-text]').waitFor();
    await hrPage.screenshot({ path: path.join(SHOTS, 'desktop-hr-candidates.png'), fullPage: true });
    await cand.locator('[data-move=interviewing]').click();
    await cand.locator('[data-app-status=interviewing]').waitFor();

    /* the seeker's open page shows 面试中 without reloading */
    await page.locator('[data-applications] [data-application][data-status=interviewing]').waitFor();
    assert.match(await row.locator('[data-app-status]').innerText(), /面试中/);
    assert.equal(await page.evaluate(() => window.__zmNoReload), 1, 'the page was not reloaded');
    await page.screenshot({ path: path.join(SHOTS, 'phone-applications-live.png'), fullPage: true });
    /* in English too */
    await page.click('[data-lang-switch]');
    assert.match(await page.locator('main h1').innerText(), /My applications/);
    assert.match(await row.locator('[data-app-status]').innerText(), /Interviewing/);
    await page.click('[data-lang-switch]');
    assert.match(await page.locator('main h1').innerText(), /我的申请/);
    await page.setViewportSize({ width: 1280, height: 800 });
    /* the sync dashboard is HR's and admins': a seeker gets the no-permission page, and no API call fails */
    await page.goto(URL_ + '/smartrecruit/hr/sync/dashboard');
    await page.locator('[data-no-permission]').waitFor();

    /* 同步管理 at the seed's path, a page of the SPA: true rates and the log */
    await hrPage.goto(URL_ + '/smartrecruit/hr/sync/dashboard');
    await hrPage.locator('[data-rate=jobs] [data-sync-rate]').waitFor();
    await hrPage.locator('[data-recent-events] [data-event]').first().waitFor();
    await hrPage.screenshot({ path: path.join(SHOTS, 'desktop-sync-dashboard.png'), fullPage: true });
    await hrPage.setViewportSize({ width: 390, height: 844 });
    await hrPage.screenshot({ path: path.join(SHOTS, 'phone-sync-dashboard.png'), fullPage: true });
    await ctx.close();
  });

  await step(t, '充值升级: levels and benefits, points history, the invite link, ordering', async () => {
    /* an invitee registers from the share link (the code prefilled) and verifies: +10 referral points */
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('zm.tokens')).access);
    const inv = (await (await fetch(URL_ + '/api/v1/invite-code/', { headers: { Authorization: 'Bearer ' + token } })).json()).data;
    const share = new URL(inv.share_link);
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const anon = track(await ctx.newPage(), 'invitee');
    const INVITEE = `invitee-${stamp}@example.com`;
    await anon.goto(URL_ + share.pathname + share.search);
    const reg = anon.locator('form[data-form=register]');
    assert.equal(await reg.locator('input[name=invite_code]').inputValue(), inv.invite_code, 'the share link fills the invite code in');
    await reg.locator('input[name=email]').fill(INVITEE);
    await reg.locator('input[name=password]').fill(PW1);
    await reg.locator('button[type=submit]').click();
    await anon.waitForSelector('[data-registered]');
    const v = new URL(await mailLink(INVITEE, '/verify-email'));
    await anon.goto(URL_ + v.pathname + v.search);
    await anon.waitForSelector('[data-verified]');
    await ctx.close();

    /* the page, from the menu: four levels, the current one marked, benefits per level */
    await page.goto(URL_ + '/resumes');
    await page.click('.sidenav a[href="/upgrade"]');
    await page.locator('[data-page=upgrade] [data-levels]').waitFor();
    assert.equal(await page.locator('[data-levels] [data-level]').count(), 4);
    assert.equal(await page.locator('[data-level=normal]').getAttribute('data-current'), '1');
    assert.match(await page.locator('[data-my-level]').innerText(), /普通会员/);
    assert.equal(await page.locator('[data-level=bronze] [data-benefit=meeting]').count(), 0);
    assert.match(await page.locator('[data-level=silver] [data-level-benefits]').innerText(), /会议助手/);
    assert.match(await page.locator('[data-level=gold] [data-level-benefits]').innerText(), /日历邮件提醒/);
    assert.match(await page.locator('[data-next-level=bronze]').innerText(), /青铜会员/);
    assert.equal(await page.locator('[data-packages] [data-pkg]').count(), 3);
    /* points: the referral reward in the history, in Chinese */
    const row = page.locator('[data-points-history] [data-reason=referral]').first();
    await row.waitFor();
    assert.equal(await row.locator('[data-reason-text]').innerText(), '邀请奖励');
    assert.equal(await row.locator('[data-delta]').innerText(), '+' + inv.reward_points);
    assert.equal(await page.locator('[data-points-balance]').innerText(), String(inv.reward_points));
    /* 推广: the link and the stats */
    assert.equal(await page.locator('[data-share-link]').inputValue(), inv.share_link);
    assert.equal(await page.locator('[data-invited]').innerText(), '1');
    assert.equal(await page.locator('[data-verified-count]').innerText(), '1');
    await page.click('[data-copy-link]');
    await page.locator('[data-copy-link]', { hasText: '已复制' }).waitFor();

    /* recharge: below the minimum is refused in place, with no request */
    const form = page.locator('form[data-form=recharge]');
    await form.locator('input[name=amount]').fill('5');
    await form.locator('[data-recharge]').click();
    assert.match(await form.locator('[data-field-error=amount]').innerText(), /最低充值 10 元/);
    await form.locator('input[name=amount]').fill('12.5');
    await form.locator('[data-recharge]').click();
    assert.match(await form.locator('[data-field-error=amount]').innerText(), /整数/);
    /* above the server's maximum (points.max_recharge_fen, from /payment/subscription/) */
    const sub = (await (await fetch(URL_ + '/api/v1/payment/subscription/', { headers: { Authorization: 'Bearer ' + token } })).json()).data;
    await form.locator('input[name=amount]').fill(String(sub.max_recharge_fen / 100 + 1));
    await form.locator('[data-recharge]').click();
    assert.match(await form.locator('[data-field-error=amount]').innerText(), new RegExp(`单次最多充值 ${sub.max_recharge_fen / 100} 元`));
    /* ordering 60 yuan: without a merchant 503 支付暂不可用; before payments lands 404 (skipped);
     * with payments and the fake (ZM_WECHATPAY_FAKE=1) the QR modal (extend here: pay, see 支付成功) */
    allowHttp(/^\/api\/v1\/payment\/orders$/, 503);
    allowHttp(/^\/api\/v1\/payment\/orders$/, 404);
    await form.locator('input[name=amount]').fill('60');
    const [resp] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/payment/orders' && r.request().method() === 'POST'),
      form.locator('[data-recharge]').click(),
    ]);
    if (resp.status() === 404) {
      console.log('充值升级: POST /api/v1/payment/orders answers 404 (payments not in this build): order step skipped');
      await page.locator('[data-pay-unavailable]').waitFor();
    } else if (resp.status() === 503) {
      await page.locator('[data-pay-unavailable=payment_unavailable]').waitFor();
      assert.match(await page.locator('[data-pay-unavailable]').innerText(), /支付暂不可用/);
    } else {
      assert.equal(resp.status(), 201);
      const modal = page.locator('.pay-modal[data-order]');
      await modal.locator('[data-qr-img]').waitFor();
      assert.equal(await modal.locator('[data-order-amount]').innerText(), '¥60.00');
      assert.match(await modal.locator('[data-countdown]').innerText(), /^\d\d:\d\d$/);
      await page.screenshot({ path: path.join(SHOTS, 'desktop-upgrade-qr.png'), fullPage: true });
      await modal.locator('[data-close-order]').click();
    }
    await page.screenshot({ path: path.join(SHOTS, 'desktop-upgrade.png'), fullPage: true });
    /* phone width, and in English */
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'phone-upgrade.png'), fullPage: true });
    await page.click('[data-lang-switch]');
    assert.match(await page.locator('main h1').innerText(), /Upgrade/);
    assert.equal(await row.locator('[data-reason-text]').innerText(), 'Referral reward');
    await page.screenshot({ path: path.join(SHOTS, 'phone-upgrade-en.png'), fullPage: true });
    await page.click('[data-lang-switch]');
    assert.match(await page.locator('main h1').innerText(), /充值升级/);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step(t, '经典题库, 职场动态 and 日历事件', async () => {
    /* 经典题库: the analyzer's bank (content.load_questions runs when the worker starts), filtered and searched */
    await page.goto(URL_ + '/question-bank');
    await page.locator('[data-question-list] li').first().waitFor({ timeout: 30000 });
    assert.match(await page.locator('main h1').innerText(), /经典题库/);
    await page.selectOption('form[data-form=cq-search] select[name=category]', 'hr');
    await page.waitForURL(/category=hr/);
    await page.fill('form[data-form=cq-search] input[name=q]', '职业规划');
    await page.click('form[data-form=cq-search] button[type=submit]');
    await page.waitForURL(/q=/);
    const first = page.locator('[data-question-list] li').first();
    await first.waitFor();
    assert.match(await first.innerText(), /职业规划/);
    for (const c of await page.locator('[data-question-list] .chip-tip').allInnerTexts()) assert.equal(c, 'HR 题');
    await first.locator('.cq-head').click();
    assert.ok((await first.locator('[data-question-outline] ol li').count()) > 0);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-question-bank.png'), fullPage: true });
    /* 职场动态: a 普通会员 sees what it takes, not the news */
    allowHttp(/^\/api\/v1\/workplace-news\/latest\/list$/, 403);
    await page.goto(URL_ + '/news');
    await page.locator('[data-news-locked]').waitFor();
    assert.match(await page.locator('[data-news-locked]').innerText(), /青铜会员/);
    /* 日历事件: add, edit, delete */
    await page.goto(URL_ + '/calendar');
    await page.locator('[data-add-event]').click();
    const form = page.locator('form[data-form=event]');
    await form.locator('input[name=title]').fill('字节跳动二面');
    await form.locator('input[name=starts_at]').fill('2031-03-10T14:00');
    await form.locator('select[name=remind]').selectOption('30');
    await form.locator('button[type=submit]').click();
    const ev = page.locator('[data-event-list] li').first();
    await ev.waitFor();
    assert.match(await ev.innerText(), /字节跳动二面/);
    assert.match(await ev.innerText(), /面试/);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-calendar.png'), fullPage: true });
    await ev.locator('button', { hasText: '编辑' }).click();
    await form.locator('input[name=title]').fill('字节跳动三面');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-event-list] li', { hasText: '字节跳动三面' }).waitFor();
    await page.locator('[data-event-list] li').first().locator('button', { hasText: '删除' }).click();
    await page.locator('.modal .btn-danger').click();
    await page.locator('[data-page=calendar] .state-empty').waitFor();
  });

  await step(t, '消息中心: an admin publishes, the badge rises live, Markdown without raw HTML, read and read all', async () => {
    const bearer = async (p) => ({ Authorization: 'Bearer ' + await p.evaluate(() => JSON.parse(localStorage.getItem('zm.tokens')).access) });
    const seekerAuth = await bearer(page), adminAuth = await bearer(adminPage);
    const me = (await (await fetch(URL_ + '/api/v1/auth/me', { headers: seekerAuth })).json()).data;
    /* start from nothing unread */
    assert.equal((await fetch(URL_ + '/api/v1/messages/read-all', { method: 'POST', headers: seekerAuth })).status, 200);
    await page.goto(URL_ + '/resumes');
    await page.locator('[data-bell]').waitFor();
    await page.evaluate(() => { window.__zmNoReload = 1; });
    assert.equal(await page.locator('[data-unread-badge]').count(), 0);

    /* 消息发布: hostile Markdown; the preview renders it without raw HTML */
    const HOSTILE = '**重要**：今晚 22:00 系统维护\n\n<script>window.__zmXss=1</script><img src=x onerror="window.__zmXss=2">\n\n'
      + '[点我](javascript:window.__zmXss=3) [帮助](https://example.com/help)\n\n<a href="javascript:void(0)" onclick="window.__zmXss=4">html</a>';
    await adminPage.setViewportSize({ width: 1280, height: 800 });
    await adminPage.goto(URL_ + '/admin/messages');
    const form = adminPage.locator('form[data-form=publish]');
    await form.locator('select[name=audience]').selectOption('user');
    await form.locator('input[name=user_id]').fill(String(me.id));
    await form.locator('input[name=title]').fill('系统维护通知' + stamp);
    await form.locator('textarea[name=body]').fill(HOSTILE);
    await adminPage.click('[data-publish-preview-toggle]');
    const preview = adminPage.locator('[data-publish-preview]');
    await preview.locator('strong').waitFor();
    assert.equal(await preview.locator('script, img, iframe, [onerror], [onclick], a[href^="javascript"]').count(), 0);
    await adminPage.screenshot({ path: path.join(SHOTS, 'desktop-admin-publish.png'), fullPage: true });
    await adminPage.click('[data-publish-send]');
    await adminPage.locator('[data-publish-notice=success]').waitFor();

    /* the seeker's open page: the badge rises without a reload or a poll */
    await page.locator('[data-unread-badge]').waitFor();
    assert.equal(await page.locator('[data-unread-badge]').innerText(), '1');
    assert.equal(await page.evaluate(() => window.__zmNoReload), 1, 'the page was not reloaded');
    await page.click('[data-bell]');
    await page.waitForURL(/\/messages$/);
    const item = page.locator('[data-msg-list] [data-msg-read=false]').first();
    await item.waitFor();
    assert.match(await item.innerText(), new RegExp('系统维护通知' + stamp));
    await item.locator('.msg-head').click();
    const body = page.locator('[data-msg-body]');
    await body.locator('strong').waitFor();
    assert.equal(await body.locator('script, img, iframe, [onerror], [onclick], a[href^="javascript"]').count(), 0);
    assert.match(await body.innerText(), /<script>window.__zmXss=1<\/script>/, 'raw HTML shows as text');
    assert.equal(await body.locator('a[href="https://example.com/help"][rel~=noopener]').count(), 1);
    assert.equal(await page.evaluate(() => window.__zmXss), undefined, 'nothing of the message ran');
    await page.locator('[data-unread-badge]').waitFor({ state: 'detached' });
    await page.screenshot({ path: path.join(SHOTS, 'desktop-messages.png'), fullPage: true });

    /* more arrive on the open page (one to the user, one to everyone); 全部标为已读 clears them */
    for (const b of [{ audience: 'user', user_id: me.id }, { audience: 'all' }]) {
      const r = await fetch(URL_ + '/api/v1/admin/messages', {
        method: 'POST', headers: { ...adminAuth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: '第二条' + stamp, body: '- 一\n- 二', ...b }),
      });
      assert.equal(r.status, 201);
    }
    await page.locator('[data-msg-list] [data-msg-read=false]').nth(1).waitFor();
    await page.locator('[data-unread-badge]', { hasText: '2' }).waitFor();
    await page.click('[data-msg-tab=unread]');
    await page.waitForURL(/unread=1/);
    await page.locator('[data-msg-list] [data-msg-read=false]').nth(1).waitFor();
    await page.click('[data-read-all]');
    await page.locator('[data-unread-badge]').waitFor({ state: 'detached' });
    await page.locator('[data-msg-list]').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => window.__zmNoReload), 1, 'the page was not reloaded');
    /* in English too */
    await page.click('[data-lang-switch]');
    assert.match(await page.locator('main h1').innerText(), /Messages/);
    await page.click('[data-msg-tab=all]');
    await page.locator('[data-msg-list] [data-msg-read=true]').first().waitFor();
    await page.click('[data-lang-switch]');
    assert.match(await page.locator('main h1').innerText(), /消息中心/);
  });

  await step(t, 'no console errors on any page', async () => {
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(problems, [], 'console errors or uncaught exceptions:\n' + problems.join('\n'));
  });
});
