// End-to-end check that the page never overstates: a rate marked inferred splits the
// expected amount into verified and estimated and keeps the review from a plain close;
// the provider-side figure is the stream the reviewer chooses, and the page says which
// rule stood; a per-image price with no image count is named, not applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { TIMEOUT, inApp, expectText, reconcileFixture } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const shared = sharedBrowser();

test('an inferred rate is estimated, and the provider-side figure is the one chosen', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await reconcileFixture(page);
    await expectText(page, '[data-testid="summary-status"]', 'Outside tolerance, explained by the causes found');
    assert.equal(await page.locator('[data-testid="headline-split"]').count(), 0, 'nothing estimated, no split');
    const sources = page.locator('[data-testid="figure-sources"]');
    assert.match(await sources.textContent(), /follows the default rule: the gateway log's own quota, else a billing export, else account totals/);
    assert.match(await sources.textContent(), /priced from the gateway usage log \(usage verified_from_server_log\)/);

    // gpt-4o's rate inferred: its 0.0285 (rows 417 and 423) is estimated, the other
    // 0.1321 verified; 0.1556 recorded against 0.1321 is outside tolerance, and though
    // the refund explains the difference the review is not closed.
    const gpt = '[data-testid="rate-row"][data-model="gpt-4o"]';
    await page.selectOption(`${gpt} [data-testid="rate-label"]`, 'inferred');
    await page.locator('[data-testid="summary-status"][data-status="estimated"]').waitFor({ timeout: TIMEOUT });
    await expectText(page, '[data-testid="headline-expected"]', '0.1606');
    await expectText(page, '[data-testid="headline-expected-verified"]', '0.1321');
    await expectText(page, '[data-testid="headline-expected-estimated"]', '0.0285');
    assert.match(await page.locator('[data-testid="summary-next"]').textContent(), /^Next: confirm the estimated part before closing/);
    await expectText(page, '[data-testid="expected-verified"]', '0.1321');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-record"]'),
    ]);
    const record = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(record.status, 'estimated');
    assert.equal(record.computed_charge.within_tolerance, false);
    assert.deepEqual(
      [record.totals.expected_verified_amount, record.totals.expected_estimated_amount],
      ['0.1321', '0.0285'],
    );
    assert.equal(record.confidence.within_tolerance_basis, 'verified_figures_only');
    assert.equal(record.confidence.usage_by_stream[0].usage, 'verified_from_server_log');

    // Account totals chosen, none loaded: no provider-side figure, and no other stream
    // stands in its place.
    await page.selectOption('[data-testid="provider-side"]', 'account_totals');
    await page.waitForFunction(() => /because you chose it/.test(document.querySelector('[data-testid="figure-sources"]')?.textContent ?? ''), null, { timeout: TIMEOUT });
    await expectText(page, '[data-testid="headline-recorded"]', 'not computed');
    await page.selectOption('[data-testid="provider-side"]', '');
    await expectText(page, '[data-testid="headline-recorded"]', '0.1556');

    // A per-image price on mj_imagine, which the log charges per call with no image
    // count: never applied, and named as such.
    assert.equal(await page.locator('[data-testid="prices-without-quantities"]').count(), 0);
    const mj = '[data-testid="rate-details"][data-model="mj_imagine"]';
    await page.locator(`${mj} summary`).click();
    await page.fill(`${mj} [data-testid="rate-per-image"]`, '0.05');
    await expectText(page, '[data-testid="prices-without-quantities"]', /^mj_imagine \(images\): priced on the card, but the usage states no such quantity/);
    await expectText(page, '[data-testid="headline-expected"]', '0.1606');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  }, { contextOptions: { acceptDownloads: true } });
});
