// The page for a finance reader: a guided start with the bundled sample, the answer
// first in the record's words, money as money with the exact figure kept, which price
// differs, settings problems beside their fields with the last good figures kept, and
// downloads that say why they wait and carry the run id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { TIMEOUT, inApp, expectText } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const shared = sharedBrowser();

test('the sample data, the answer first, and which price differs', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    // Before anything: the window is missing and said so, downloads say why they wait.
    await page.locator('[data-testid="window-missing"]').waitFor({ timeout: TIMEOUT });
    await expectText(page, '[data-testid="downloads-why"]', 'Load a file the page can read first: there is nothing to download yet.');
    assert.ok(await page.locator('[data-testid="download-record"]').isDisabled());

    await page.click('[data-testid="try-sample"]');
    await expectText(page, '[data-testid="headline-expected"]', '0.16924');
    await expectText(page, '[data-testid="headline-recorded"]', '0.169834');
    await expectText(page, '[data-testid="headline-difference"]', '0.000594');
    assert.equal(await page.locator('[data-testid="window-missing"]').count(), 0);
    // Money as money, the exact figure on hover.
    const difference = page.locator('[data-testid="headline-difference"]');
    assert.equal((await difference.textContent()).trim(), '+$0.0006 (billed more than expected)');
    assert.equal(await difference.getAttribute('title'), 'exactly 0.000594 USD');
    await expectText(page, '[data-testid="summary-status"]', 'Outside tolerance, explained by the causes found');
    const answer = await page.locator('[data-testid="summary-answer"]').textContent();
    assert.equal(answer, 'Between 08:00 and 10:00 UTC on 2026-05-11, expected CometAPI spend was $0.1692; the provider recorded $0.1698; the $0.0006 difference (billed more than expected) is explained by prices that differ from the verified rates ($0.0056) and credits or adjustments (refunds) (−$0.0050); nothing is left unexplained.');
    // Each amount stays on one line: "−$0.0050" never breaks after its sign.
    const amounts = page.locator('[data-testid="summary-answer"] .amount');
    assert.deepEqual(await amounts.allTextContents(), ['$0.1692', '$0.1698', '$0.0006', '$0.0056', '−$0.0050']);
    assert.equal(await amounts.first().evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap');
    // The record says the same, with exact amounts.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-record"]'),
    ]);
    assert.equal(download.suggestedFilename(), 'reconciliation-record-rec_2026-05-11_sample.json');
    const record = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(record.status, 'explained');
    assert.match(record.answer, /^Between 08:00 and 10:00 UTC on 2026-05-11, expected CometAPI spend was 0.16924 USD;/);
    // Which price differs: the vip group's 1.1 against the card, per dimension.
    const rows = page.locator('[data-testid="rate-difference"]');
    assert.equal(await rows.count(), 3);
    const output = await rows.filter({ hasText: 'output' }).textContent();
    assert.match(output, /gpt-4o.*output.*\$10\.0000 per 1M tokens.*\$11\.0000 per 1M tokens.*1\.25 × 4 × 1\.1/);
    // CSVs carry the run id in their names, in the style chosen (remembered in the settings).
    await page.selectOption('[data-testid="csv-style"]', 'semicolon');
    const [csv] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-reconciliation-csv"]'),
    ]);
    assert.equal(csv.suggestedFilename(), 'reconciliation-rec_2026-05-11_sample.csv');
    const text = await readFile(await csv.path(), 'utf8');
    assert.match(text, /^Model;Expected;/);
    assert.match(text, /\r\nTOTAL;0,16924;true;0,169834;0,000594;/);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  }, { contextOptions: { acceptDownloads: true } });
});

// The answer is laid out and painted on its own, the long parts (charts, the dual
// ledger, cross-checks, the incident review) in a task after that frame: a frame counter shows
// at least one frame between the answer's appearing and theirs.
test('the answer is painted first, the long parts of the review a frame later', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.evaluate(() => {
      window.__frames = 0;
      const tick = () => { window.__frames += 1; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      window.__appeared = {};
      const watched = ['summary', 'charts', 'dual-ledger', 'incident-checklist'];
      new MutationObserver(() => {
        for (const id of watched) {
          if (!(id in window.__appeared) && document.querySelector(`[data-testid="${id}"]`)) {
            window.__appeared[id] = window.__frames;
          }
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.click('[data-testid="try-sample"]');
    await page.locator('[data-testid="incident-checklist"]').waitFor({ timeout: TIMEOUT });
    const appeared = await page.evaluate(() => window.__appeared);
    for (const id of ['charts', 'dual-ledger', 'incident-checklist']) {
      assert.ok(appeared[id] > appeared.summary, `${id} after a frame: ${JSON.stringify(appeared)}`);
    }
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});

test('a settings problem sits beside its field, and the last good figures stay', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.click('[data-testid="try-sample"]');
    await expectText(page, '[data-testid="headline-expected"]', '0.16924');
    await page.fill('[data-testid="window-end"]', '2026-05-11T07:00:00Z');
    await expectText(page, '[data-testid="window-end-error"]',
      'expected an end after the start (2026-05-11T08:00:00Z), but found 2026-05-11T07:00:00Z');
    assert.equal(await page.getAttribute('[data-testid="window-end"]', 'aria-invalid'), 'true');
    await page.locator('[data-testid="settings-have-errors"]').waitFor({ timeout: TIMEOUT });
    await expectText(page, '[data-testid="headline-expected"]', '0.16924');
    await expectText(page, '[data-testid="downloads-why"]', 'Fix the settings problems marked above: a record is made only from valid settings.');
    // A new rate entry is unverified until it says where and when its prices were read.
    await page.click('[data-testid="add-rate"]');
    const fresh = page.locator('[data-testid="rate-row"]').last();
    assert.equal(await fresh.locator('[data-testid="rate-label"]').inputValue(), '');
    await fresh.locator('[data-testid="rate-source-url"]').fill('https://example.com/pricing');
    await fresh.locator('[data-testid="rate-captured-at"]').fill('2026-05-11T11:08:00Z');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="rate-label"]')].at(-1)?.value === 'verified',
      null, { timeout: TIMEOUT });
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});
