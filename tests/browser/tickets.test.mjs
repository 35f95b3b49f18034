// Issue 17 items 2 and 3 in real Chromium: a user sends 意见反馈 on /feedback and opens a 工单 on
// /tickets; an admin adopts the feedback on /admin/feedback, answers the ticket from the queue
// (/admin/tickets) and asks the user for more; the user's open thread shows the answer live (the
// message center's hint), their reply moves it back to 处理中.  The feedback carries a screenshot and
// the user's reply a file (multipart through the upload machinery); the thread lists it and the
// admin's view of the feedback offers the screenshot.  No uncaught error or console.error.
//
// Needs a running stack (ZM_VAR with $ZM_VAR/stack.env, as journey.test.mjs).
//   ZM_VAR=var tests/browser/run.sh tickets.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const VAR = process.env.ZM_VAR || '';
function stackEnv(key) {
  if (process.env[key]) return process.env[key];
  const env = path.join(VAR, 'stack.env');
  if (VAR && fs.existsSync(env)) {
    const m = fs.readFileSync(env, 'utf8').match(new RegExp('^(?:export\\s+)?' + key + '=["\']?([^"\'\\s]+)', 'm'));
    if (m) return m[1];
  }
  return '';
}
const URL_ = stackEnv('ZM_URL').replace(/\/$/, '');
const BUILD = stackEnv('ZM_BUILD');
const CONF = stackEnv('ZM_CONF');
const stamp = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const PW = `Zm-${stamp}-Tk17`;

let browser, user, admin;
const problems = [];

async function made(role) {
  const email = `tk-${role}-${stamp}@example.com`;
  const u = spawnSync(path.join(BUILD, 'zhimai-admin'), ['-c', CONF, 'create-user', '--email', email, '--role', role,
    '--password-stdin'], { input: PW + '\n', encoding: 'utf8', timeout: 60000 });
  assert.equal(u.status, 0, 'zhimai-admin create-user: ' + u.stderr);
  const r = await fetch(URL_ + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PW }) });
  assert.equal(r.status, 200, 'login ' + email);
  return (await r.json()).data;
}

async function pageAs(tok, label) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  await ctx.addInitScript((t) => localStorage.setItem('zm.tokens', JSON.stringify(t)), { access: tok.access, refresh: tok.refresh });
  const p = await ctx.newPage();
  p.setDefaultTimeout(15000);
  p.on('pageerror', (e) => problems.push(`[${label}] uncaught ${e.name}: ${e.message}`));
  p.on('console', (m) => { if (m.type() === 'error') problems.push(`[${label}] console.error: ${m.text()}`); });
  return p;
}

before(async () => {
  assert.ok(URL_ && BUILD && CONF, 'ZM_VAR with stack.env (ZM_URL, ZM_BUILD, ZM_CONF)');
  const a = await made('admin'), s = await made('seeker');
  browser = await chromium.launch({
    executablePath: process.env.ZM_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  user = await pageAs(s, 'user');
  admin = await pageAs(a, 'admin');
});

after(async () => {
  if (browser) await browser.close();
});

// a 1x1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

test('feedback and a ticket, user and staff', async () => {
  const text = `希望增加夜间模式 ${stamp}`;
  await user.goto(URL_ + '/feedback');
  await user.fill('[data-form=feedback] textarea', text);
  await user.setInputFiles('[data-fb-screenshot]', { name: 'shot.png', mimeType: 'image/png', buffer: PNG });
  await user.click('[data-form=feedback] button[type=submit]');
  await user.locator('[data-fb-list] [data-fb-id]', { hasText: text }).waitFor();

  await user.goto(URL_ + '/tickets');
  await user.click('[data-new-ticket]');
  await user.fill('[data-form=ticket] input[name=subject]', `简历上传失败 ${stamp}`);
  await user.fill('[data-form=ticket] textarea', '上传 PDF 报错');
  await user.click('[data-form=ticket] button[type=submit]');
  await user.waitForSelector('[data-ticket-thread]');
  const tid = await user.getAttribute('[data-ticket-thread]', 'data-ticket-thread');
  assert.match(user.url(), new RegExp('/tickets/' + tid + '$'));

  await admin.goto(URL_ + '/admin/feedback');
  const item = admin.locator('[data-fb-id]', { hasText: text });
  await item.locator('[data-fb-shot]').waitFor();
  await item.locator('[data-fb-adopt]').click();
  await item.locator('[data-fb-status=adopted]').waitFor();

  await admin.goto(URL_ + '/admin/tickets');
  await admin.click(`[data-ticket-id="${tid}"] a`);
  await admin.waitForSelector('[data-ticket-admin]');
  await admin.fill('[data-form=reply] textarea', '请提供截图');
  await admin.click('[data-form=reply] button[type=submit]');
  await admin.waitForSelector('[data-reply-from=staff]');
  // the user's open thread shows the answer without a reload
  await user.locator('[data-reply-from=staff]').waitFor();
  await admin.selectOption('[data-ticket-admin] select >> nth=0', 'waiting_user');
  await admin.waitForSelector('[data-ticket-status=waiting_user]');
  await user.locator('[data-ticket-status=waiting_user]').waitFor();

  await user.fill('[data-form=reply] textarea', '截图已附');
  await user.setInputFiles('[data-reply-files]', { name: 'screen.png', mimeType: 'image/png', buffer: PNG });
  await user.click('[data-form=reply] button[type=submit]');
  await user.waitForSelector('[data-ticket-status=in_progress]');
  await user.locator('[data-reply-from=user] [data-attachment]', { hasText: 'screen.png' }).waitFor();
  assert.equal(await user.locator('[data-reply-from]').count(), 2);
  assert.deepEqual(problems, []);
});
