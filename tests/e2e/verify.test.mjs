// End-to-end check of "Verify a record" in the built page: the record downloaded from the
// page, checked on the page against the file it was made from (identical), against the
// file with one byte changed (the file named first), and with a setting edited inside it
// (the settings' digest and the field the setting moves named); the CLI agreeing.
// Run: DIST_DIR=dist CLI_BIN=path/to/spend-reconciler node --test tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TIMEOUT, inApp, fixtures, reconcileFixture } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const cliBin = process.env.CLI_BIN || '';
const fixture = path.join(fixtures, 'cometapi-log-page.json');
const shared = sharedBrowser();

let tmp;
before(() => { tmp = mkdtempSync(path.join(tmpdir(), 'spend-e2e-verify-')); });
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

// Checks `record` against `files` on the page and returns the verdict and findings once
// the answer is `verdict` with a first finding matching `first` (so the answer read is
// this check's, not the one still shown from the check before).
async function verifyOnPage(page, record, files, verdict, first = /^/) {
  await page.setInputFiles('[data-testid="verify-record"]', record);
  await page.setInputFiles('[data-testid="verify-files"]', files);
  await page.click('[data-testid="verify-run"]');
  await page.waitForFunction(([verdict, source]) => {
    const result = document.querySelector('[data-testid="verify-result"]');
    const item = document.querySelector('[data-testid="verify-findings"] li');
    return result?.dataset.verdict === verdict && new RegExp(source).test(item?.textContent ?? '');
  }, [verdict, first.source], { timeout: TIMEOUT });
  return page.locator('[data-testid="verify-findings"] li').allTextContents();
}

test('a record downloaded from the page verifies on the page and from the CLI', async (t) => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await reconcileFixture(page);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-record"]'),
    ]);
    const recordText = await readFile(await download.path(), 'utf8');
    const record = JSON.parse(recordText);
    assert.equal(record.schema_version, 3);
    assert.match(record.settings_sha256, /^[0-9a-f]{64}$/);
    assert.equal(record.settings.tolerance.absolute, '0.001', 'the record carries its settings');
    const recordFile = path.join(tmp, 'record.json');
    writeFileSync(recordFile, recordText);

    // The record and its own file: identical, nothing listed.
    assert.deepEqual(await verifyOnPage(page, recordFile, fixture, 'identical'), []);

    // One byte of the file changed (row 417's quota 12500 → 12501), under the same name:
    // the file is named first, with both digests.
    const changed = path.join(tmp, 'cometapi-log-page.json');
    writeFileSync(changed, readFileSync(fixture, 'utf8').replace('"quota": 12500', '"quota": 12501'));
    await verifyOnPage(page, recordFile, changed, 'different',
      /^input_files\[0\] cometapi-log-page\.json: expected SHA-256 [0-9a-f]{12}…, but found [0-9a-f]{12}…/);

    // A setting edited inside the record (tolerance 0.001 → 0.01): its digest no longer
    // matches, and the field it moves is named with both values.
    const edited = structuredClone(record);
    edited.settings.tolerance.absolute = '0.01';
    const editedFile = path.join(tmp, 'record-edited.json');
    writeFileSync(editedFile, JSON.stringify(edited));
    const bySetting = await verifyOnPage(page, editedFile, fixture, 'different',
      /^settings_sha256: expected the digest of the record's settings/);
    assert.ok(
      bySetting.includes('computed_charge.tolerance.absolute: expected "0.001" (the record), but found "0.01" (the re-run)'),
      bySetting.join('\n'),
    );

    // Not a record at all: the reason, no verdict.
    const junk = path.join(tmp, 'junk.json');
    writeFileSync(junk, '{"schema_version": 2}');
    await page.setInputFiles('[data-testid="verify-record"]', junk);
    await page.click('[data-testid="verify-run"]');
    const problem = page.locator('[data-testid="verify-result"]:not([data-verdict])');
    await problem.waitFor({ timeout: TIMEOUT });
    assert.match(await problem.textContent(), /schema_version: expected a record of schema version 3/);

    await t.test('the CLI finds the page record identical', { skip: !cliBin && 'CLI_BIN is not set' }, () => {
      const out = execFileSync(cliBin, ['verify', recordFile, fixture]).toString('utf8');
      assert.equal(out, 'identical\n');
    });
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  }, { contextOptions: { acceptDownloads: true } });
});
