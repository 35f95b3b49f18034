// The browser journey: register -> verify mail -> log in -> upload -> text ->
// suggestion -> diagnosis -> change password -> log out -> log in again, plus
// error cases and screenshots of every page at desktop and phone widths.
//
// Needs a running stack: ZM_VAR (its state dir; $ZM_VAR/stack.env names
// ZM_URL) or ZM_URL directly.  Chromium: ZM_CHROMIUM or /usr/bin/chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const VAR = process.env.ZM_VAR || '';
function stackUrl() {
  if (process.env.ZM_URL) return process.env.ZM_URL.replace(/\/$/, '');
  const env = path.join(VAR, 'stack.env');
  if (VAR && fs.existsSync(env)) {
    const m = fs.readFileSync(env, 'utf8').match(/^(?:export\s+)?ZM_URL=["']?([^"'\s]+)/m);
    if (m) return m[1].replace(/\/$/, '');
  }
  throw new Error('set ZM_URL or ZM_VAR (with $ZM_VAR/stack.env)');
}
const URL_ = stackUrl();
const MAIL = path.join(VAR, 'mail');
const SHOTS = path.join(VAR || os.tmpdir(), 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });

const stamp = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const EMAIL = `journey-${stamp}@example.com`;
const PW1 = `Zm-${stamp}-Start9`;
const PW2 = `Zm-${stamp}-Next7!`;

let browser, page, tmp;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zm-files-'));
  browser = await chromium.launch({
    executablePath: process.env.ZM_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    /* playwright refuses --user-data-dir in launch(): it gives every launch a fresh temp profile itself */
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true });
  page = await ctx.newPage();
  page.setDefaultTimeout(15000);
});

after(async () => {
  if (browser) await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/* run a step; on failure save a screenshot named after it */
async function step(t, name, fn) {
  await t.test(name, async () => {
    try { await fn(); } catch (e) {
      const f = path.join(SHOTS, `FAIL-${name.replace(/[^\w-]+/g, '_')}.png`);
      try { await page.screenshot({ path: f, fullPage: true }); console.error('screenshot:', f); } catch { /* closed */ }
      throw e;
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

async function login(email, pw) {
  await page.goto(URL_ + '/login');
  await page.fill('form[data-form=login] input[name=email]', email);
  await page.fill('form[data-form=login] input[name=password]', pw);
  await page.click('form[data-form=login] button[type=submit]');
}

test('journey', async (t) => {
  let resumeUrl;

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
    await page.click('[data-logout]');
    await page.waitForURL(/\/login/);
    await login(EMAIL, PW1);
    await page.locator('form[data-form=login] [role=alert]').waitFor();
    await login(EMAIL, PW2);
    await page.waitForURL(/\/resumes$/);
  });

  await step(t, 'screenshots of each page', async () => {
    const pages = [['resumes', '/resumes'], ['resume', new URL(resumeUrl).pathname], ['suggestions', '/suggestions'],
      ['diagnosis', '/diagnosis'], ['settings', '/settings']];
    for (const [w, h, tag] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width: w, height: h });
      for (const [name, p] of pages) {
        await page.goto(URL_ + p);
        await page.waitForSelector('main .card');
        await page.waitForLoadState('networkidle');
        if (name === 'suggestions') { await page.click('.item-list .item'); await page.waitForSelector('[data-suggestion]'); }
        if (name === 'diagnosis') { await page.click('.item-list .item'); await page.waitForSelector('[data-report]'); }
        await page.screenshot({ path: path.join(SHOTS, `${tag}-${name}.png`), fullPage: true });
      }
      if (tag === 'phone') {
        await page.click('.nav-toggle');
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(SHOTS, 'phone-nav.png') });
      }
      const ctx = await browser.newContext({ viewport: { width: w, height: h }, locale: 'zh-CN' });
      const anon = await ctx.newPage();
      for (const p of ['login', 'register', 'forgot-password', 'reset-password?token=x']) {
        await anon.goto(URL_ + '/' + p);
        await anon.waitForSelector('.auth-card');
        await anon.screenshot({ path: path.join(SHOTS, `${tag}-${p.replace(/\?.*/, '')}.png`), fullPage: true });
      }
      await ctx.close();
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
