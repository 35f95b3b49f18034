// Issue 18 item 3 in real Chromium: the interviewer's voice.  POST /api/v1/tts/stream (espeak-ng)
// from the SPA's origin, under its Content-Security-Policy (media-src 'self' blob:): the streamed WAV
// (RIFF and data sizes 0xFFFFFFFF, the length unknown while it is made) and the cached one (real
// sizes) both play to their end in an <audio>, with the same duration.
//
// Needs a running stack (ZM_VAR with $ZM_VAR/stack.env, as journey.test.mjs).
//   ZM_VAR=var tests/browser/run.sh speech.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
const stamp = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const PW = `Zm-${stamp}-Sp18`;

let browser, token;

before(async () => {
  const email = `sp-${stamp}@example.com`;
  let r = await fetch(URL_ + '/api/v1/auth/register', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PW }) });
  assert.equal(r.status, 201, 'register');
  r = await fetch(URL_ + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PW }) });
  token = (await r.json()).data.access;
  browser = await chromium.launch({
    executablePath: process.env.ZM_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
});

after(async () => {
  if (browser) await browser.close();
});

test('TTS audio plays to its end in Chromium, streamed and cached', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(URL_ + '/');
  const text = '你好，请介绍一下你最近做过的一个项目。' + stamp;
  const out = await page.evaluate(async ([token, text]) => {
    const res = [];
    for (let i = 0; i < 2; i++) {
      const r = await fetch('/api/v1/tts/stream', { method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify({ text, lang: 'zh' }) });
      const b = await r.blob();
      const a = new Audio(URL.createObjectURL(b));
      a.playbackRate = 16; // the whole clip, quickly
      const how = await new Promise((done) => {
        a.onended = () => done('ended');
        a.onerror = () => done('error ' + (a.error && a.error.code));
        setTimeout(() => done('timeout'), 20000);
        a.play().catch((e) => done('play: ' + e));
      });
      res.push({ cache: r.headers.get('X-Cache'), type: b.type, bytes: b.size, how, duration: a.duration,
        at: a.currentTime });
    }
    return res;
  }, [token, text]);
  const [cold, hit] = out;
  assert.equal(cold.cache, 'miss', JSON.stringify(out));
  assert.equal(hit.cache, 'hit', JSON.stringify(out));
  for (const o of out) {
    assert.equal(o.how, 'ended', 'played to the end: ' + JSON.stringify(o));
    assert.ok(o.duration > 2 && o.duration < 30, 'a plausible duration: ' + JSON.stringify(o));
    assert.ok(Math.abs(o.at - o.duration) < 0.05, 'the position reached the end: ' + JSON.stringify(o));
  }
  assert.ok(Math.abs(cold.duration - hit.duration) < 0.01, 'the same audio: ' + JSON.stringify(out));
  assert.deepEqual(errors, []);
});
