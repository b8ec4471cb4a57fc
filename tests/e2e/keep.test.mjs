// Nothing lost: files kept in this browser come back after a reload with the same
// figures and record; Forget removes them; a full store is a sentence, not a lost review;
// IndexedDB stands in where the origin-private file system cannot be written; and after
// a crash the message shows and a reload restores the review.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, TIMEOUT, inApp, expectText, openApp, originOf } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const shared = sharedBrowser();
const fixtures = path.join(repoRoot, 'tests/fixtures');
const log = path.join(fixtures, 'cometapi-log-page.json');
const client = path.join(fixtures, 'evidence/client-openai-chat.jsonl');

// The record without the moment it was generated (a new download is a new moment).
async function record(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: TIMEOUT }),
    page.click('[data-testid="download-record"]'),
  ]);
  const value = JSON.parse(await readFile(await download.path(), 'utf8'));
  delete value.generated_at;
  return value;
}

// Loads the two files, imports the settings and edits one rate: part of a review.
async function startReview(page) {
  await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
  await page.setInputFiles('[data-testid="file-input"]', [log, client]);
  await expectText(page, '[data-testid="total-expected"]', '0.1606');
  // mj_imagine's one call at 0.3 instead of 0.1.
  await page.fill('[data-testid="rate-row"][data-model="mj_imagine"] [data-testid="rate-per-call"]', '0.3');
  await expectText(page, '[data-testid="total-expected"]', '0.3606');
  await expectText(page, '[data-testid="kept-storage"]', /^2 files are kept/);
}

async function reloaded(page, seen) {
  await openApp(page, page.url().replace(/\/$/, ''), seen);
  await page.locator('[data-testid="file-summary"]').nth(1).waitFor({ timeout: TIMEOUT });
}

test('kept files come back after a reload with the same figures and record', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await expectText(page, '[data-testid="kept-storage"]', /^No file is kept in this browser's private file storage/);
    assert.ok(await page.locator('[data-testid="keep-files"]').isChecked(), 'keeping is on by default');
    await startReview(page);
    const before = await record(page);
    await reloaded(page, seen);
    await expectText(page, '[data-testid="total-expected"]', '0.3606');
    const names = await page.locator('[data-testid="file-summary"]').evaluateAll((files) => files.map((f) => f.dataset.file));
    assert.deepEqual(names, ['cometapi-log-page.json', 'client-openai-chat.jsonl']);
    assert.deepEqual(await record(page), before, 'the same record after the reload');
    assert.equal(await page.locator('[data-testid="keep-problem"]').count(), 0);
    assert.ok(seen.requests.every((u) => u.startsWith(originOf(shared.server))), 'nothing left the origin');
    assert.deepEqual(seen.pageErrors, []);
  }, { contextOptions: { acceptDownloads: true } });
});

test('Forget files removes the kept copies; turning keeping off keeps nothing', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await startReview(page);
    await page.click('[data-testid="forget-files"]');
    await expectText(page, '[data-testid="kept-storage"]', /^No file is kept/);
    // The files stay loaded until the page closes.
    await expectText(page, '[data-testid="total-expected"]', '0.3606');
    await openApp(page, originOf(shared.server), seen);
    // The status the reload's restore reads names the store: before it, the page's
    // default status says "No file is kept" too, and a click could race the restore.
    await expectText(page, '[data-testid="kept-storage"]', /^No file is kept in /);
    assert.equal(await page.locator('[data-testid="file-summary"]').count(), 0);
    // Off: a file loaded is not kept, and the choice survives the reload.
    await page.uncheck('[data-testid="keep-files"]');
    await page.setInputFiles('[data-testid="file-input"]', log);
    await page.locator('[data-testid="file-summary"]').waitFor({ timeout: TIMEOUT });
    await openApp(page, originOf(shared.server), seen);
    assert.equal(await page.locator('[data-testid="keep-files"]').isChecked(), false);
    assert.equal(await page.locator('[data-testid="file-summary"]').count(), 0);
    assert.deepEqual(seen.pageErrors, []);
  });
});

test('a full store is a sentence, and the review goes on', async () => {
  // The browser refuses to write: the error a full origin quota raises.
  const full = () => {
    FileSystemWritableFileStream.prototype.write = () =>
      Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
  };
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', log);
    await expectText(page, '[data-testid="total-expected"]', '0.1606');
    await expectText(page, '[data-testid="keep-problem"]',
      'cometapi-log-page.json (0.0 MB) could not be kept: this browser has no room left for this page. It stays loaded for now, but after a reload it must be dropped again. Forget files you no longer need, or turn keeping off.');
    await expectText(page, '[data-testid="kept-storage"]', /^No file is kept/);
    assert.deepEqual(seen.pageErrors, []);
  }, { before: (page) => page.addInitScript(full) });
});

test('where the file storage cannot be written, IndexedDB keeps the files', async () => {
  const noOpfs = () => { delete StorageManager.prototype.getDirectory; };
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await expectText(page, '[data-testid="kept-storage"]', /^No file is kept in this browser's private database for this page \(IndexedDB\)/);
    await startReview(page);
    await reloaded(page, seen);
    await expectText(page, '[data-testid="total-expected"]', '0.3606');
    await page.click('[data-testid="forget-files"]');
    await expectText(page, '[data-testid="kept-storage"]', /^No file is kept/);
    assert.deepEqual(seen.pageErrors, []);
  }, { before: (page) => page.addInitScript(noOpfs) });
});

test('after a crash the message shows, and a reload restores the review', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await startReview(page);
    await page.evaluate(() => window.dispatchEvent(new Event('spend-reconciler-test-panic')));
    const message = page.locator('[data-testid="panic-message"]');
    await message.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await message.textContent(), /^Something went wrong inside the calculator and it stopped: .*a panic forced by the crash-recovery test.*Your settings and the files you loaded are kept in this browser; reload the page to continue\.$/s);
    await reloaded(page, seen);
    await expectText(page, '[data-testid="total-expected"]', '0.3606');
    assert.equal(await page.locator('[data-testid="panic-message"]').isVisible(), false);
  });
});
