// End-to-end check of the file reader (a web worker) on a large generated log: progress is
// shown while it reads, the ledger of 200,000 rows is exact, Cancel stops a second file,
// and the page stays usable meanwhile. Awaits the page's state; never sleeps.
// Run: DIST_DIR=dist node --test tests/e2e/worker.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, createWriteStream, copyFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TIMEOUT, serveDist, listen, originOf, closeServer, launch, watch, openApp, expectText,
} from './harness.mjs';

const ROWS = 200_000;
const MODELS = ['gpt-4o', 'claude-sonnet-4-5-20250929', 'deepseek-chat'];

// A deterministic CometAPI log as JSON lines: every 50th row a top-up (excluded as not
// usage), every 50th an error row (kept: failures are "unknown" under the default policy),
// and every 20,000th a fractional token count (rejected). Returns the expected ledger.
async function generate(file, rows) {
  const out = createWriteStream(file);
  const ledger = { read: rows, excluded: 0, rejected: 0 };
  let batch = '';
  for (let i = 0; i < rows; i += 1) {
    const type = i % 50 === 7 ? 4 : i % 50 === 13 ? 5 : 2;
    const bad = i % 20_000 === 11;
    if (bad) ledger.rejected += 1;
    else if (type === 4) ledger.excluded += 1;
    const prompt = 1000 + (i % 7919);
    const other = JSON.stringify({ model_ratio: 1.25, completion_ratio: 4, cache_tokens: i % 3 === 0 ? 0 : prompt >> 2,
      cache_ratio: 0.5, group_ratio: 1, model_price: -1, frt: i % 1000 });
    batch += JSON.stringify({ id: i % 1024, created_at: 1767225600 + i, type, content: '', token_name: 'prod-bot',
      model_name: MODELS[i % MODELS.length], quota: type === 2 ? prompt + 400 : 0, prompt_tokens: bad ? 1.5 : prompt,
      completion_tokens: 100 + (i % 400), use_time: 2, is_stream: i % 2 === 0, group: 'default', other }) + '\n';
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return ledger;
}

let server, browser, tmp, file, second, expected;
before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'spend-worker-'));
  file = path.join(tmp, 'big-log.jsonl');
  second = path.join(tmp, 'second-log.jsonl');
  expected = await generate(file, ROWS);
  copyFileSync(file, second);
  server = await listen(serveDist);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await closeServer(server);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const summary = (name) => `[data-testid="file-summary"][data-file="${name}"]`;

test('the worker reads a 200,000-row log with progress, and Cancel stops the next one', async () => {
  const origin = originOf(server);
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = watch(page);
  try {
    await openApp(page, origin, seen);
    // Every distinct progress text the page shows, in order (the worker posts one a chunk).
    await page.evaluate(() => {
      window.statuses = [];
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="load-status"]')?.textContent;
        if (text && window.statuses.at(-1) !== text) window.statuses.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    await page.setInputFiles('[data-testid="file-input"]', file);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read), 90_000);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-accepted"]`,
      String(expected.read - expected.excluded - expected.rejected));
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-excluded"]`, String(expected.excluded));
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-rejected"]`, String(expected.rejected));
    await page.locator('[data-testid="load-progress"]').waitFor({ state: 'detached', timeout: TIMEOUT });

    const statuses = await page.evaluate(() => window.statuses);
    assert.ok(statuses.length >= 3, `expected several progress updates, saw ${JSON.stringify(statuses)}`);
    const pattern = /^Reading big-log\.jsonl: ([\d.]+) MB of ([\d.]+) MB, (\d+) rows, (\d+) rows\/s$/;
    const parsed = statuses.map((s) => s.match(pattern));
    assert.ok(parsed.every(Boolean), `every status names bytes, rows and rows/s: ${JSON.stringify(statuses)}`);
    const rows = parsed.map((m) => Number(m[3]));
    assert.deepEqual(rows, [...rows].sort((a, b) => a - b), 'rows only go up');
    assert.equal(parsed.at(-1)[1], parsed.at(-1)[2], 'the last update is the whole file');
    assert.equal(rows.at(-1), expected.read);
    // The rate table is filled from the models the worker found.
    for (const model of MODELS) {
      await page.locator(`[data-testid="rate-row"][data-model="${model}"]`).waitFor({ timeout: TIMEOUT });
    }

    // A second file: cancel it as soon as it is being read. The page answers at once
    // (typing works while the worker reads), and the file is not added.
    await page.evaluate(() => { window.statuses = []; });
    await page.setInputFiles('[data-testid="file-input"]', second);
    await page.locator('[data-testid="load-cancel"]').waitFor({ timeout: TIMEOUT });
    await page.fill('[data-testid="run-id"]', 'while-reading');
    await page.click('[data-testid="load-cancel"]');
    await page.locator('[data-testid="load-progress"]').waitFor({ state: 'detached', timeout: TIMEOUT });
    await expectText(page, '[data-testid="notice"]', 'Reading cancelled: second-log.jsonl not read.');
    assert.equal(await page.locator(summary('second-log.jsonl')).count(), 0, 'the cancelled file is not listed');
    const cancelled = await page.evaluate(() => window.statuses);
    const last = cancelled.at(-1)?.match(/([\d.]+) MB of ([\d.]+) MB/);
    assert.ok(last && Number(last[1]) < Number(last[2]), `cancelled part-way: ${JSON.stringify(cancelled)}`);
    assert.equal(await page.inputValue('[data-testid="run-id"]'), 'while-reading');
    // The first file is untouched.
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read));

    const foreign = seen.requests.filter((u) => !u.startsWith(origin + '/') && !/^(blob|data):/.test(u));
    assert.deepEqual(foreign, [], 'nothing requested outside the page origin');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
    assert.deepEqual(seen.badResponses, [], 'every resource was served');
  } finally {
    await context.close();
  }
});
