// End-to-end check of the web worker on a large generated log: progress is shown while it
// reads, the ledger of 200,000 rows is exact, Cancel stops a second file, and the page stays
// usable meanwhile; then the worker prices the rows: a rate edit updates the totals to
// hand-computed figures while typing still lands in the page. The file's SHA-256 comes
// from a second worker that only hashes; it must be the file's own. A smaller log, which
// the reader reads alone, is priced from the groups it filed as it read it. Awaits the
// page's state; never sleeps.
// Run: DIST_DIR=dist node --test tests/e2e/worker.test.mjs
import { test, before, after } from 'node:test';
import { allowOneWorker } from '../../scripts/bench-one-worker.mjs';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, createWriteStream, copyFileSync, readFileSync, statSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TIMEOUT, serveDist, listen, originOf, closeServer, launch, inApp, expectText,
} from './harness.mjs';

const ROWS = 200_000;
const MODELS = ['gpt-4o', 'claude-sonnet-4-5-20250929', 'deepseek-chat'];

// A deterministic CometAPI log as JSON lines: every 50th row a top-up (excluded as not
// usage), every 50th an error row (kept: failures are "unknown" under the default policy),
// and every 20,000th a fractional token count (rejected). Returns the expected ledger and,
// per model, the tokens of the accepted consume rows: uncached input (prompt less cache, as
// new-api counts cache inside prompt), cached input and output.
async function generate(file, rows) {
  const out = createWriteStream(file);
  const ledger = { read: rows, excluded: 0, rejected: 0, tokens: {} };
  let batch = '';
  for (let i = 0; i < rows; i += 1) {
    const type = i % 50 === 7 ? 4 : i % 50 === 13 ? 5 : 2;
    const bad = i % 20_000 === 11;
    if (bad) ledger.rejected += 1;
    else if (type === 4) ledger.excluded += 1;
    const prompt = 1000 + (i % 7919);
    const cache = i % 3 === 0 ? 0 : prompt >> 2;
    const completion = 100 + (i % 400);
    const model = MODELS[i % MODELS.length];
    if (type === 2 && !bad) {
      const t = (ledger.tokens[model] ??= { input: 0n, cached: 0n, output: 0n });
      t.input += BigInt(prompt - cache);
      t.cached += BigInt(cache);
      t.output += BigInt(completion);
    }
    const other = JSON.stringify({ model_ratio: 1.25, completion_ratio: 4, cache_tokens: cache,
      cache_ratio: 0.5, group_ratio: 1, model_price: -1, frt: i % 1000 });
    batch += JSON.stringify({ id: i % 1024, created_at: 1767225600 + i, type, content: '', token_name: 'prod-bot',
      model_name: model, quota: type === 2 ? prompt + 400 : 0, prompt_tokens: bad ? 1.5 : prompt,
      completion_tokens: completion, use_time: 2, is_stream: i % 2 === 0, group: 'default', other }) + '\n';
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return ledger;
}

let server, browser, tmp, file, second, long, expected, small, expectedSmall;
before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'spend-worker-'));
  file = path.join(tmp, 'big-log.jsonl');
  second = path.join(tmp, 'second-log.jsonl');
  expected = await generate(file, ROWS);
  copyFileSync(file, second);
  // Below the size both workers read (16 MiB): the reader reads it alone.
  small = path.join(tmp, 'small-log.jsonl');
  expectedSmall = await generate(small, 20_000);
  // The file to cancel: the log four times over (~290 MB), so that it is still being
  // read when the click lands (the 73 MB log is read in well under a second).
  long = path.join(tmp, 'long-log.jsonl');
  const bytes = readFileSync(file);
  for (let i = 0; i < 4; i += 1) appendFileSync(long, bytes);
  server = await listen(serveDist);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await closeServer(server);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const summary = (name) => `[data-testid="file-summary"][data-file="${name}"]`;

// A counter each live worker keeps on its global scope (`joinedTails`, `joinedGroups`),
// sorted; a worker let go while it is asked answers nothing and is left out.
async function counted(page, name) {
  const all = await Promise.all(page.workers().map((w) => w.evaluate((n) => globalThis[n] ?? 0, name)
    .catch(() => null)));
  return all.filter((n) => n !== null).sort((a, b) => a - b);
}

// The workers start when the user starts to give a file: a drag over the drop zone
// here, as a user dragging a file in. Waits for both, and for their warm-up to end (each
// sets `warmed` on its global scope, re-checked every 10 ms in the worker).
async function startWorkers(page) {
  await page.locator('label.drop').dispatchEvent('dragenter');
  for (let waited = 0; page.workers().length < 2; waited += 1) {
    assert.ok(waited < TIMEOUT / 1000, 'the page started two workers');
    await page.waitForEvent('worker', { timeout: 1000 }).catch(() => {});
  }
  await Promise.all(page.workers().map((w) => w.evaluate(() => new Promise((warm) => {
    const check = () => (globalThis.warmed ? warm() : setTimeout(check, 10));
    check();
  }))));
}

test('the page fetches its file reader only when a file is given', async () => {
  await inApp(browser, server, async (page, seen) => {
    await page.locator('[data-testid="file-input"]').waitFor();
    const reader = (u) => /reader-[0-9a-f]+(_bg\.wasm|\.js)$/.test(u);
    assert.deepEqual(seen.requests.filter(reader), [], 'the page loaded without the reader');
    assert.equal(page.workers().length, 0, 'no worker before a file is given');
    await startWorkers(page);
    assert.equal(seen.requests.filter((u) => /reader-[0-9a-f]+_bg\.wasm$/.test(u)).length, 1,
      'a drag over the drop zone fetched the reader once, for both workers');
    // A file picked with no drag first (the workers already running here) reads as ever.
    await page.setInputFiles('[data-testid="file-input"]', small);
    await expectText(page, `${summary('small-log.jsonl')} [data-testid="ledger-read"]`, String(expectedSmall.read), 90_000);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
  });
});

test('a file picked before the reader has started waits for it, not for its whole warm-up', async () => {
  await inApp(browser, server, async (page, seen) => {
    await page.setInputFiles('[data-testid="file-input"]', small);
    await expectText(page, `${summary('small-log.jsonl')} [data-testid="ledger-read"]`, String(expectedSmall.read), 90_000);
    // The reader stopped warming up for the file: it never reached the warm-up's end.
    const warmed = await counted(page, 'warmed');
    assert.ok(warmed.length >= 1 && warmed.every((n) => n === 0), `the workers gave the file their core: ${warmed}`);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
  });
});

test('offline when the first file is given: nothing is read, the page says why, and the next file is', async () => {
  await inApp(browser, server, async (page, seen) => {
    // The connection gone after the page loaded: the reader's files cannot be fetched.
    const offline = (route) => route.abort('internetdisconnected');
    await page.context().route(/reader-[0-9a-f]+(_bg\.wasm|\.js)$/, offline);
    await page.setInputFiles('[data-testid="file-input"]', small);
    await expectText(page, '[data-testid="notice"]',
      /^The file reader \(reader-[0-9a-f]+_bg\.wasm\) could not be loaded, so nothing was read\./);
    assert.equal(await page.locator(summary('small-log.jsonl')).count(), 0, 'the file was not read');
    assert.equal(await page.locator('[data-testid="load-progress"]').count(), 0, 'no reading is shown as going on');
    // Back online: the same file, given again, is read.
    await page.context().unroute(/reader-[0-9a-f]+(_bg\.wasm|\.js)$/, offline);
    await page.setInputFiles('[data-testid="file-input"]', small);
    await expectText(page, `${summary('small-log.jsonl')} [data-testid="ledger-read"]`, String(expectedSmall.read), 90_000);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});

// The second worker is let go once its part of a large file is in (the tab's peak
// memory is then lower): wait for its close, one second at a time, re-checking.
async function secondLetGo(page) {
  for (let waited = 0; page.workers().length > 1; waited += 1) {
    assert.ok(waited < TIMEOUT / 1000, 'the second worker was let go after its part');
    await page.workers().at(-1).waitForEvent('close', { timeout: 1000 }).catch(() => {});
  }
}

test('the worker reads a 200,000-row log with progress, and Cancel stops the next one', async () => {
  const origin = originOf(server);
  await inApp(browser, server, async (page, seen) => {
    // Started and warm before the file comes, as when the user drags it in.
    await startWorkers(page);
    // Every distinct progress text the page shows, in order (the worker posts one a chunk).
    await page.evaluate(() => {
      window.statuses = [];
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="load-status"]')?.textContent;
        if (text && window.statuses.at(-1) !== text) window.statuses.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    await page.setInputFiles('[data-testid="file-input"]', file);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read), 90_000);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-accepted"]`,
      String(expected.read - expected.excluded - expected.rejected));
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-excluded"]`, String(expected.excluded));
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-rejected"]`, String(expected.rejected));
    await page.locator('[data-testid="load-progress"]').waitFor({ state: 'detached', timeout: TIMEOUT });
    // Hashed apart from the reading: one worker reads, a second one reads the rows after
    // the cut (halfway), which the reader joined once. The second worker is then let go,
    // and the reader hashes the File once the figures are shown.
    await secondLetGo(page);
    assert.deepEqual(await counted(page, 'joinedTails'), [1], 'the file was read in two parts and joined');
    // Before the file came, the reader ran the end of a two-part read on made-up rows
    // (the join, the groups, the figures from them), twice, so these ran optimized.
    assert.deepEqual(await counted(page, 'warmedInTwo'), [2], 'the reader warmed up the two-part path');
    // The rejected rows (a fractional count every 20,000th row), those after the cut
    // too, are listed at their own lines and rows of the file.
    const rejections = await page.locator(`${summary('big-log.jsonl')} [data-testid="rejection"]`).allTextContents();
    const lines = rejections.map((r) => r.match(/line (\d+), row (\d+)/)?.slice(1).map(Number));
    assert.deepEqual(lines, Array.from({ length: ROWS / 20_000 }, (_, k) => [k * 20_000 + 12, k * 20_000 + 12]),
      JSON.stringify(rejections.slice(0, 2)));
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    await expectText(page, `${summary('big-log.jsonl')} .fingerprint`,
      `SHA-256 ${digest} · ${statSync(file).size} bytes`);

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
    // Each worker filed the rows it read as it read them, and the figures joined the two
    // parts (the rows of the new models did not change how the rows are filed).
    await page.locator('#results:not([aria-busy])').waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await counted(page, 'joinedGroups'), [1], 'the figures priced the rows filed in two parts');

    // A second file: cancel it as soon as it is being read. The page answers at once
    // (typing works while the worker reads), and the file is not added.
    await page.evaluate(() => { window.statuses = []; });
    await page.setInputFiles('[data-testid="file-input"]', long);
    await page.locator('[data-testid="load-cancel"]').waitFor({ timeout: TIMEOUT });
    await page.fill('[data-testid="run-id"]', 'while-reading');
    await page.click('[data-testid="load-cancel"]');
    await page.locator('[data-testid="load-progress"]').waitFor({ state: 'detached', timeout: TIMEOUT });
    await expectText(page, '[data-testid="notice"]', 'Reading cancelled: long-log.jsonl not read.');
    assert.equal(await page.locator(summary('long-log.jsonl')).count(), 0, 'the cancelled file is not listed');
    // The first file's copy is kept in this browser (written once its figures showed);
    // the cancelled one never is.
    await expectText(page, '[data-testid="kept-storage"]', /^1 file is kept /, 30_000);
    const cancelled = await page.evaluate(() => window.statuses);
    const last = cancelled.at(-1)?.match(/([\d.]+) MB of ([\d.]+) MB/);
    assert.ok(last && Number(last[1]) < Number(last[2]), `cancelled part-way: ${JSON.stringify(cancelled)}`);
    assert.equal(await page.inputValue('[data-testid="run-id"]'), 'while-reading');
    // The first file is untouched.
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read));

    // Read again under a new outcome policy (its 4,000 error rows excluded): the digest
    // known from the first read is reused, and still the file's own. (The cancelled file
    // may or may not have reached its join before the cancel: count from here.)
    const joinedBefore = Math.max(...await counted(page, 'joinedTails'));
    await page.selectOption('[data-testid="policy-failed-unspecified"]', 'not_billable');
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-excluded"]`,
      String(expected.excluded + ROWS / 50), 90_000);
    await expectText(page, `${summary('big-log.jsonl')} .fingerprint`,
      `SHA-256 ${digest} · ${statSync(file).size} bytes`);
    // Read in two parts again (the digest is known: the second worker only reads its part).
    await secondLetGo(page);
    assert.deepEqual(await counted(page, 'joinedTails'), [joinedBefore + 1], 'the second read was joined too');
    // And filed as it was read, under the new policy the page sent with the file.
    await page.locator('#results:not([aria-busy])').waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await counted(page, 'joinedGroups'), [2], 'the figures of the second read priced its parts');

    const foreign = seen.requests.filter((u) => !u.startsWith(origin + '/') && !/^(blob|data):/.test(u));
    assert.deepEqual(foreign, [], 'nothing requested outside the page origin');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
    assert.deepEqual(seen.badResponses, [], 'every resource was served');
  });
});

test('the figures come before the fingerprint, and the record waits for it', async () => {
  await inApp(browser, server, async (page, seen) => {
    // Hold each worker's hashing until the test lets it go (`hashGate`, read by the
    // worker before a hash starts), so what the page shows meanwhile is not a race.
    await startWorkers(page);
    await Promise.all(page.workers().map((w) => w.evaluate(() => {
      globalThis.hashGate = new Promise((open) => { globalThis.openHashGate = open; });
    })));
    await page.setInputFiles('[data-testid="file-input"]', file);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read), 90_000);
    await page.locator('[data-testid="recomputing"]').waitFor({ state: 'detached', timeout: 30_000 });
    // Figures shown, the digest not yet computed: said, and the record held back.
    await page.locator('[data-testid="total-expected"]').waitFor({ timeout: TIMEOUT });
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="fingerprint-pending"]`,
      `SHA-256 being computed: 0% · ${statSync(file).size} bytes (the figures do not wait for it; the record does)`);
    await expectText(page, '[data-testid="record-why"]',
      "The record waits for each file's fingerprint (SHA-256), which names it in the record: 0% computed.");
    assert.equal(await page.isDisabled('[data-testid="download-record"]'), true, 'no record without its hashes');
    assert.equal(await page.isDisabled('[data-testid="download-lines-csv"]'), false, 'the CSVs do not wait');
    // The second worker was let go once its part was in; the reader hashes (held here).
    await secondLetGo(page);

    await Promise.all(page.workers().map((w) => w.evaluate(() => globalThis.openHashGate?.())));
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    await expectText(page, `${summary('big-log.jsonl')} .fingerprint`,
      `SHA-256 ${digest} · ${statSync(file).size} bytes`, 30_000);
    await page.locator('[data-testid="record-why"]').waitFor({ state: 'detached', timeout: TIMEOUT });
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-record"]')]);
    const record = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(record.input_files?.[0]?.sha256, digest, 'the record names the file by its own digest');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
  });
});

// Prices per 1M tokens, as typed into the rate table.
const RATES = {
  'gpt-4o': { input: '2.5', cached: '1.25', output: '10' },
  'claude-sonnet-4-5-20250929': { input: '3', cached: '0.3', output: '15' },
  'deepseek-chat': { input: '0.27', cached: '0.07', output: '1.1' },
};
const FIELDS = { input: 'rate-input', cached: 'rate-cached-input', output: 'rate-output' };

// Σ tokens × rate ÷ 1M over the consume rows, in exact decimal (BigInt at 10 decimal
// places, enough for rates of up to 4), as the page shows it: no trailing zeros.
function expectedTotal(tokens, rates) {
  const SCALE = 10_000n;
  const scaled = (text) => {
    const [whole, frac = ''] = text.split('.');
    return BigInt(whole) * SCALE + BigInt((frac + '0000').slice(0, 4));
  };
  let units = 0n;
  for (const [model, rate] of Object.entries(rates)) {
    for (const dim of Object.keys(FIELDS)) units += tokens[model][dim] * scaled(rate[dim]);
  }
  const digits = units.toString().padStart(11, '0');
  const whole = digits.slice(0, -10);
  const frac = digits.slice(-10).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

test('the worker prices the rows: a rate edit updates the totals while typing still lands', async () => {
  await inApp(browser, server, async (page, seen) => {
    await page.setInputFiles('[data-testid="file-input"]', file);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read), 90_000);
    for (const [model, rates] of Object.entries(RATES)) {
      const row = page.locator(`[data-testid="rate-row"][data-model="${model}"]`);
      for (const [dim, value] of Object.entries(rates)) await row.locator(`[data-testid="${FIELDS[dim]}"]`).fill(value);
      await row.locator('[data-testid="rate-source-url"]').fill('https://example.com/pricing');
      await row.locator('[data-testid="rate-captured-at"]').fill('2026-01-02T09:00:00Z');
    }
    await expectText(page, '[data-testid="total-expected"]', expectedTotal(expected.tokens, RATES), 30_000);
    await page.locator('[data-testid="recomputing"]').waitFor({ state: 'detached', timeout: 30_000 });

    // From here on, log in order: the page showing or hiding "recomputing", every total it
    // shows, and every keystroke that reaches the paste box (which starts no recompute).
    await page.locator('details.paste summary').click();
    await page.evaluate(() => {
      window.log = [];
      let busy = false;
      // The total's exact decimal (the page shows it as money).
      const exact = () => document.querySelector('[data-testid="total-expected"]')?.dataset.exact;
      let total = exact();
      new MutationObserver(() => {
        const now = Boolean(document.querySelector('[data-testid="recomputing"]'));
        if (now !== busy) window.log.push((busy = now) ? 'busy' : 'idle');
        const shown = exact();
        if (shown !== total) window.log.push(`total ${(total = shown)}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      document.querySelector('[data-testid="paste-rates"]')
        .addEventListener('input', () => window.log.push('typed'));
    });

    // gpt-4o's input price 2.5 → 12.5, one keystroke at a time (each one a new generation of
    // the settings), then typing elsewhere while the worker prices the 200,000 rows.
    const input = page.locator('[data-testid="rate-row"][data-model="gpt-4o"] [data-testid="rate-input"]');
    await input.selectText();
    await input.pressSequentially('12.5');
    const typed = 'typed while the worker recomputes';
    await page.locator('[data-testid="paste-rates"]').pressSequentially(typed);
    const changed = { ...RATES, 'gpt-4o': { ...RATES['gpt-4o'], input: '12.5' } };
    const want = expectedTotal(expected.tokens, changed);
    await expectText(page, '[data-testid="total-expected"]', want, 30_000);
    await page.locator('[data-testid="recomputing"]').waitFor({ state: 'detached', timeout: 30_000 });

    // Nothing typed was lost, and some of it landed while a recompute was in flight.
    assert.equal(await input.inputValue(), '12.5');
    assert.equal(await page.inputValue('[data-testid="paste-rates"]'), typed);
    const log = await page.evaluate(() => window.log);
    assert.equal(log.filter((e) => e === 'typed').length, typed.length, `every keystroke landed: ${log}`);
    // The state the page was in when the first keystroke landed: busy, not idle.
    const firstTyped = log.indexOf('typed');
    const stateThen = log.slice(0, firstTyped).filter((e) => e === 'busy' || e === 'idle').at(-1);
    assert.equal(stateThen, 'busy', `typing landed while the figures were being recomputed: ${log}`);
    // The last total shown is the one for the last settings: a stale answer never shows after it.
    const totals = log.filter((e) => e.startsWith('total '));
    assert.equal(totals.at(-1), `total ${want}`, `totals shown: ${totals}`);
    assert.equal(log.filter((e) => e === 'busy' || e === 'idle').at(-1), 'idle', `recomputing ended: ${log}`);
    await expectText(page, '[data-testid="result-row"][data-model="gpt-4o"] [data-testid="expected"]',
      expectedTotal(expected.tokens, { 'gpt-4o': changed['gpt-4o'] }));

    // The same file read again with these rates in place: both workers file its rows as
    // they read them, and the figures priced from the two parts joined are the
    // hand-computed ones, to the last decimal place. (The first read was filed in parts
    // too, before any rate was typed.)
    const groupsBefore = Math.max(...await counted(page, 'joinedGroups'));
    await page.setInputFiles('[data-testid="file-input"]', file);
    await page.locator('[data-testid="load-progress"]').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-testid="load-progress"]').waitFor({ state: 'detached', timeout: 90_000 });
    await page.locator('#results:not([aria-busy])').waitFor({ timeout: TIMEOUT });
    await expectText(page, '[data-testid="total-expected"]', want);
    await secondLetGo(page);
    assert.deepEqual(await counted(page, 'joinedGroups'), [groupsBefore + 1], 'the figures priced the rows filed in two parts');

    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
  });
});

test('where a File gives no byte stream, the workers read it in slices, to the same report', async () => {
  // The workers read into two reused buffers from `Blob.stream()`; a browser without it
  // (taken out of both workers here) gets each chunk as a slice of the File.
  await inApp(browser, server, async (page, seen) => {
    await startWorkers(page);
    await Promise.all(page.workers().map((w) => w.evaluate(() => { delete Blob.prototype.stream; })));
    assert.deepEqual(await Promise.all(page.workers().map((w) => w.evaluate(() => typeof new Blob([]).stream))),
      ['undefined', 'undefined']);
    await page.setInputFiles('[data-testid="file-input"]', file);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read), 90_000);
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-accepted"]`,
      String(expected.read - expected.excluded - expected.rejected));
    await expectText(page, `${summary('big-log.jsonl')} [data-testid="ledger-rejected"]`, String(expected.rejected));
    await secondLetGo(page);
    assert.deepEqual(await counted(page, 'joinedTails'), [1], 'read in two parts and joined');
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    await expectText(page, `${summary('big-log.jsonl')} .fingerprint`,
      `SHA-256 ${digest} · ${statSync(file).size} bytes`, 30_000);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
  });
});

test('without a second worker the reader hashes the file itself', async () => {
  // The browser refuses a second worker: the page must fall back to one.
  await inApp(browser, server, async (page, seen) => {
    await page.setInputFiles('[data-testid="file-input"]', second);
    await expectText(page, `${summary('second-log.jsonl')} [data-testid="ledger-read"]`, String(expected.read), 90_000);
    assert.equal(page.workers().length, 1, 'only the reading worker');
    const digest = createHash('sha256').update(readFileSync(second)).digest('hex');
    await expectText(page, `${summary('second-log.jsonl')} .fingerprint`,
      `SHA-256 ${digest} · ${statSync(second).size} bytes`);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  }, { before: allowOneWorker });
});

test('a file the reader reads alone is priced from the groups it filed as it read it', async () => {
  await inApp(browser, server, async (page, seen) => {
    assert.ok(statSync(small).size < 16 * 1024 * 1024, 'the reader reads it alone');
    await page.setInputFiles('[data-testid="file-input"]', small);
    await expectText(page, `${summary('small-log.jsonl')} [data-testid="ledger-read"]`, '20000', 30_000);
    for (const [model, rates] of Object.entries(RATES)) {
      const row = page.locator(`[data-testid="rate-row"][data-model="${model}"]`);
      for (const [dim, value] of Object.entries(rates)) await row.locator(`[data-testid="${FIELDS[dim]}"]`).fill(value);
    }
    const want = expectedTotal(expectedSmall.tokens, RATES);
    await expectText(page, '[data-testid="total-expected"]', want, 30_000);
    await page.locator('#results:not([aria-busy])').waitFor({ timeout: TIMEOUT });
    const counted = () => Promise.all(page.workers().map((w) => w.evaluate(() => globalThis.joinedGroups ?? 0)));
    const before = Math.max(...await counted());
    // Removed, then read again with the rates in place: the reader files each chunk's
    // rows as it stores them, under these settings, and the figures (no total shows
    // until they come) price those groups, not the rows.
    await page.getByRole('button', { name: 'Remove small-log.jsonl' }).click();
    await page.locator('[data-testid="total-expected"]').waitFor({ state: 'detached', timeout: TIMEOUT });
    await page.setInputFiles('[data-testid="file-input"]', small);
    await expectText(page, '[data-testid="total-expected"]', want, 30_000);
    assert.deepEqual((await counted()).sort(), [0, before + 1], 'the figures priced the groups filed as read');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(seen.consoleErrors, [], 'no console errors (page or worker)');
  });
});
