// The dashboard page's API calls for one load, in real Chromium (dashboard_bench.py runs it):
//   node tests/bench/dashboard_page.mjs URL ACCESS REFRESH
// Opens URL/dashboard signed in, waits for every section, prints JSON {calls: [{method, path, status,
// ms}], load_ms} of the requests to /api/ the page made (playwright-core from tests/browser/node_modules).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'browser', 'package.json'));
const { chromium } = require('playwright-core');
const [url, access, refresh] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.ZM_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
try {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  await ctx.addInitScript((t) => localStorage.setItem('zm.tokens', JSON.stringify(t)), { access, refresh });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20000);
  const calls = [];
  const started = new Map();
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) started.set(r, Date.now()); });
  page.on('requestfinished', async (r) => {
    if (!started.has(r)) return;
    const t = r.timing();
    const resp = await r.response();
    const u = new URL(r.url());
    calls.push({ method: r.method(), path: u.pathname + u.search, status: resp ? resp.status() : 0,
      ms: t.responseEnd >= 0 ? t.responseEnd - Math.max(t.requestStart, 0) : Date.now() - started.get(r) });
  });
  const t0 = Date.now();
  await page.goto(url.replace(/\/$/, '') + '/dashboard');
  await page.waitForSelector('[data-monthly-cards]');
  await page.waitForSelector('[data-dash-events]');
  const loadMs = Date.now() - t0;
  await page.waitForTimeout(500); // anything late still counts
  console.log(JSON.stringify({ calls, load_ms: loadMs }));
} finally {
  await browser.close();
}
