// Shared pieces of the end-to-end tests and the browser benchmark: serve the built dist/
// on loopback, launch headless Chromium offline, and await the page's state (never sleep).
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const distDir = path.resolve(repoRoot, process.env.DIST_DIR || 'dist');
export const TIMEOUT = 10_000;

// playwright-core is pinned in tools/ (not a root package), so import it by path.
const { chromium } = await import(path.join(repoRoot, 'tools/node_modules/playwright-core/index.mjs'));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

// Serves distDir only: known file types, no directory listings, nothing outside the root.
export function serveDist(req, res) {
  const fail = () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return fail();
  }
  if (rel === '/') rel = '/index.html';
  const file = path.resolve(distDir, '.' + rel);
  const type = MIME[path.extname(file)];
  if (!type || !file.startsWith(distDir + path.sep) || req.method !== 'GET') return fail();
  readFile(file).then(
    (body) => res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body),
    fail,
  );
}

export function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export const originOf = (server) => `http://127.0.0.1:${server.address().port}`;

export const closeServer = (server) => new Promise((r) => (server ? server.close(r) : r()));

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The background/sync/update flags stop Chromium's own calls to Google, which fail offline.
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // For profiling by hand (docs/benchmarks.md): e.g. CHROMIUM_EXTRA_ARGS=--js-flags=--prof
      ...(process.env.CHROMIUM_EXTRA_ARGS ?? '').split(' ').filter(Boolean)],
  });
}

// Records what went wrong on a page, so a failure can say why instead of only "timeout".
export function watch(page) {
  const seen = { requests: [], consoleErrors: [], pageErrors: [], badResponses: [] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('response', (r) => r.status() >= 400 && seen.badResponses.push(`${r.status()} ${r.url()}`));
  page.on('console', (m) => m.type() === 'error' && seen.consoleErrors.push(m.text()));
  page.on('pageerror', (e) => seen.pageErrors.push(String(e)));
  // Errors inside web workers come through the worker objects, not the page.
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && seen.consoleErrors.push(`worker: ${m.text()}`)));
  return seen;
}

// Opens the app and waits until the WebAssembly has mounted it.
export async function openApp(page, origin, seen) {
  await page.goto(origin + '/');
  await page.locator('[data-testid="app"]').waitFor({ state: 'attached', timeout: TIMEOUT }).catch((e) => {
    throw new Error(`app did not mount; failed loads ${JSON.stringify(seen.badResponses)}, ` +
      `page errors ${JSON.stringify(seen.pageErrors)}, console errors ${JSON.stringify(seen.consoleErrors)}`, { cause: e });
  });
}

// Polls the DOM until the selector's trimmed text equals `want`, then asserts with a readable
// message (the strict locator read also fails if the selector matches more than one element).
// An amount on the page shows as money ($0.1606) and keeps its exact decimal in
// data-exact (on the element or the one money inside it): a figure is compared by that.
// `want` is the text, or a RegExp the text must match.
export async function expectText(page, selector, want, timeout = TIMEOUT) {
  if (want instanceof RegExp) {
    const text = () => page.evaluate((sel) => document.querySelector(sel)?.textContent.trim(), selector);
    await page.waitForFunction(([sel, source, flags]) => {
      const el = document.querySelector(sel);
      return el !== null && new RegExp(source, flags).test(el.textContent.trim());
    }, [selector, want.source, want.flags], { timeout }).catch(() => {});
    const got = await text();
    assert.match(got ?? '', want, `${selector} should match ${want}`);
    return;
  }
  const read = ([sel]) => {
    const el = document.querySelector(sel);
    if (!el) return undefined;
    const exact = el.dataset.exact !== undefined ? el : el.querySelector('[data-exact]');
    return exact ? exact.dataset.exact : el.textContent.trim();
  };
  await page.waitForFunction(([sel, v]) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const exact = el.dataset.exact !== undefined ? el : el.querySelector('[data-exact]');
    return (exact ? exact.dataset.exact : el.textContent.trim()) === v;
  }, [selector, want], { timeout }).catch(() => {});
  const got = await page.evaluate(read, [selector]);
  assert.equal(got, want, `${selector} should read ${JSON.stringify(want)}`);
}

// Opens the app in a fresh browser context, runs `body(page, seen)` and closes the context,
// pass or fail. `server` is the test's server or an origin (http://host:port).
// `before(page)` runs before the app is opened (to stub a browser feature).
export async function inApp(browser, server, body, { contextOptions = {}, before } = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const seen = watch(page);
  try {
    await before?.(page);
    await openApp(page, typeof server === 'string' ? server : originOf(server), seen);
    return await body(page, seen);
  } finally {
    await context.close();
  }
}

// The review most page tests share: the fixture settings, then the fixture log.
export const fixtures = path.join(repoRoot, 'tests/fixtures');
export async function reconcileFixture(page) {
  await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
  await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-log-page.json'));
  await figuresShown(page);
  // The long parts (charts, ledgers, the incident review) follow the answer by a frame.
  await page.locator('[data-testid="incident-checklist"]').waitFor({ timeout: TIMEOUT });
}

// A picture of what `locator` finds, for the docs. Sections off the screen are laid out
// only when near it (content-visibility in styles/app.css), so the part is brought into
// view first and shot a frame later, when the sections around it have their own sizes
// rather than their placeholders' (shot at once, the picture was cut at the wrong place).
export async function shoot(locator, options) {
  await locator.scrollIntoViewIfNeeded();
  await locator.page().evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await locator.screenshot(options);
}

// Awaits the fixture's figures (an expected total of 0.1606, however the page formats
// it) with no recompute pending.
export async function figuresShown(page, timeout = TIMEOUT) {
  await page.waitForFunction(() => /0\.16/.test(document.querySelector('[data-testid="total-expected"]')?.textContent ?? '')
    && !document.querySelector('[data-testid="recomputing"]'), null, { timeout });
}

// axe-core (pinned in tools/package-lock.json): the violations of every rule it runs by
// default (WCAG 2.x A and AA, and best practices) on the page as it is now. The page's
// CSP refuses page.addScriptTag (an inline script, which the policy blocks), so the
// file's text is evaluated through the DevTools protocol, which the policy does not
// govern: the page under test keeps its policy.
const axeSource = readFileSync(path.join(repoRoot, 'tools/node_modules/axe-core/axe.min.js'), 'utf8');
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  // Every section laid out while axe looks: one off the screen is not (content-visibility
  // in styles/app.css), and its colours would be judged against no background.
  const { violations } = await page.evaluate(async () => {
    const sections = [...document.querySelectorAll('section.step')];
    sections.forEach((s) => { s.style.contentVisibility = 'visible'; });
    try {
      return await window.axe.run(document, { resultTypes: ['violations'] });
    } finally {
      sections.forEach((s) => { s.style.contentVisibility = ''; });
    }
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
