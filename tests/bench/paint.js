// Time to personalised greeting in headless Chromium, from navigation start to the greeting in
// the DOM: Ashna on a first visit (cold cache, no profile) and a repeat visit (wasm cached,
// profile and last greeting stored), against a baseline page that fetches a server-rendered
// greeting from the same server. Medians of N runs; prints a Markdown table.
'use strict';
const path = require('node:path');
const { startServer, launch } = require('../browser/harness');

const N = Number(process.env.ASHNA_PAINT_RUNS || 15);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// Resolves in the page with performance.now() when `selector` first matches.
const WATCH = `window.__painted = new Promise((resolve) => {
  const check = () => { if (document.querySelector(window.__sel)) { resolve(performance.now()); return true; } return false; };
  new MutationObserver(() => check()).observe(document, { subtree: true, childList: true, attributes: true });
});`;

async function timeTo(page, url, selector) {
  await page.addInitScript(`window.__sel = ${JSON.stringify(selector)}; ${WATCH}`);
  await page.goto(url);
  return page.evaluate(() => window.__painted);
}

(async () => {
  const server = await startServer([path.join(__dirname, 'pages')]);
  const rows = {};
  try {
    // First visit: a fresh browser profile every run (nothing cached, no consent, generic greeting).
    rows.first = [];
    for (let i = 0; i < N; i++) {
      const b = await launch();
      const p = await b.context.newPage();
      rows.first.push(await timeTo(p, server.base + '/', '[data-ashna="greeting"][data-ashna-kind]'));
      await b.close();
    }
    // Repeat visit: one browser that accepted and browsed; each run is a new page load.
    const b = await launch();
    const warm = await b.context.newPage();
    await warm.goto(server.base + '/products/ethiopian-yirgacheffe.html');
    await warm.waitForSelector('[data-ashna-kind]');
    await warm.click('[data-ashna-consent="accept-all"]');
    await warm.close();
    rows.repeat = [];
    rows.baseline = [];
    for (let i = 0; i < N; i++) {
      const p1 = await b.context.newPage();
      rows.repeat.push(await timeTo(p1, server.base + '/', '[data-ashna="greeting"][data-ashna-kind]'));
      await p1.close();
      const p2 = await b.context.newPage();
      rows.baseline.push(await timeTo(p2, server.base + '/baseline.html', '[data-greeting][data-done]'));
      await p2.close();
    }
    await b.close();
  } finally {
    await server.stop();
  }
  const base = median(rows.baseline);
  console.log(`### Time to greeting in headless Chromium (ms from navigation start, median of ${N})\n`);
  console.log('| page | median ms | vs baseline |');
  console.log('|---|---:|---:|');
  console.log(`| baseline: plain JS fetches a server-rendered greeting (warm cache) | ${base.toFixed(1)} | 1.00 |`);
  console.log(`| Ashna repeat visit (wasm cached, greeting painted from storage, then recomputed) | ${median(rows.repeat).toFixed(1)} | ${(median(rows.repeat) / base).toFixed(2)} |`);
  console.log(`| Ashna first visit (cold cache, wasm compiled, generic greeting) | ${median(rows.first).toFixed(1)} | ${(median(rows.first) / base).toFixed(2)} |`);
})().catch((e) => { console.error(e); process.exit(1); });
