// End-to-end check of the rate card in the built page: settings imported from a file,
// a named factor, a long-context tier, the new-api ratio equivalent, the outcome policy
// re-reading the file, and the CSV and rate-card exports agreeing with the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  repoRoot, TIMEOUT, inApp, expectText,
} from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const fixtures = path.join(repoRoot, 'tests/fixtures');
const shared = sharedBrowser();

async function downloadText(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click(selector)]);
  return readFile(await download.path(), 'utf8');
}

test('factors, tiers, policy and exports work in the page', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-log-page.json'));
    await expectText(page, '[data-testid="total-expected"]', '0.1606');

    // A 0.8 discount on every line: 0.1606 × 0.8. The gateway's own ratios still price at
    // the full rate, so the bridge names a pricing-source mismatch of 0.1606 × 0.2.
    await page.click('[data-testid="add-factor"]');
    await page.fill('[data-testid="factor-name"]', 'CometAPI discount');
    await page.fill('[data-testid="factor-value"]', '0.8');
    await expectText(page, '[data-testid="total-expected"]', '0.12848');
    const mismatch = page.locator('[data-testid="bridge"] li', { hasText: 'pricing-source mismatch' });
    assert.equal(await mismatch.count(), 1);
    assert.equal(await mismatch.locator('[data-testid="bridge-step-amount"]').getAttribute('data-exact'), '0.03212');

    // gpt-4o above 10,000 input tokens: input at $5. Row 417 (12,000 prompt) is repriced
    // whole: 4,000 × 5 + 8,000 × 1.25 + 500 × 10 per 1M = 0.035; row 423 stays 0.0035.
    // (0.035 + 0.0035) × 0.8 + 0.0321 × 0.8 + 0.1 × 0.8 = 0.13648.
    const details = '[data-testid="rate-details"][data-model="gpt-4o"]';
    await page.locator(`${details} summary`).click();
    await expectText(page, `${details} [data-testid="rate-ratios"]`, 'new-api equivalent: model ratio 1.25, completion 4, cache 0.5');
    await page.fill(`${details} [data-testid="rate-long-context-above"]`, '10000');
    await page.fill(`${details} [data-testid="rate-long-context-input"]`, '5');
    await expectText(page, '[data-testid="total-expected"]', '0.13648');
    const tiers = await page.locator('[data-testid="charge-line"][data-model="gpt-4o"]').allTextContents();
    assert.ok(tiers.some((t) => t.includes('(long context)')), `a long-context line for gpt-4o: ${tiers}`);

    // Failed requests not billable: the error row is excluded, after the worker re-reads.
    await page.selectOption('[data-testid="policy-failed-unspecified"]', 'not_billable');
    await expectText(page, '[data-testid="ledger-excluded"]', '2');
    await expectText(page, '[data-testid="ledger-accepted"]', '5');

    // The CSV lines add up to the total on the page; the rate card carries the factor.
    const csv = await downloadText(page, '[data-testid="download-lines-csv"]');
    const [header, ...rows] = csv.trim().split('\r\n');
    assert.equal(header, 'Model,Dimension,Long context,Status,Quantity,Rate,Unit,Factor,Factors,Amount,Currency,Label,Source URL,Run id,Window start (UTC),Window end (UTC),Rate card SHA-256');
    // Amounts are exact decimals: sum them as scaled integers, never as floats.
    const scale = 10n ** 12n;
    const toUnits = (text) => {
      const [whole, frac = ''] = text.split('.');
      return BigInt(whole) * scale + BigInt((frac + '0'.repeat(12)).slice(0, 12));
    };
    const total = rows.map((r) => toUnits(r.split(',')[9])).reduce((a, b) => a + b, 0n);
    assert.equal(total, toUnits('0.13648'), 'the charge lines add up to the expected total');
    const card = JSON.parse(await downloadText(page, '[data-testid="download-rate-card"]'));
    assert.equal(card.factors[0].value, '0.8');
    assert.equal(card.rates.find((r) => r.model === 'gpt-4o').long_context_above, '10000');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  }, { contextOptions: { acceptDownloads: true } });
});
