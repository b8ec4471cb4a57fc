// End-to-end check of the expected-side choice: with "what the client saw" chosen, the
// client's requests are joined to the gateway's charges by request id, a request charged
// twice is its own bridge step, and the record states the choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { TIMEOUT, inApp, expectText, fixtures } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const shared = sharedBrowser();

test('what the client saw as the expected side names a retry charged twice', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    // Client: 3 requests (req_0001, req_0002, one without an id); gateway: req_0001
    // charged twice, req_0002 once, one row without an id, each 7,500 quota = $0.015.
    await page.setInputFiles('[data-testid="file-input"]', ['client', 'gateway']
      .map((side) => path.join(fixtures, `causes/capture/retry-${side}.jsonl`)));
    // The default: the gateway's rows price the expected charge and give the recorded
    // figure, so the two agree and no capture step can appear.
    await expectText(page, '[data-testid="headline-expected"]', '0.06');
    await expectText(page, '[data-testid="headline-recorded"]', '0.06');
    assert.equal(await page.locator('[data-testid="request-join"]').count(), 0);

    await page.selectOption('[data-testid="expected-side"]', 'client_requests');
    // 3 × 0.015 expected from what the client saw; 4 × 0.015 charged.
    await expectText(page, '[data-testid="headline-expected"]', '0.045');
    await expectText(page, '[data-testid="headline-recorded"]', '0.06');
    const bridge = page.locator('[data-testid="bridge"] li').filter({ hasText: 'retry duplication' });
    await bridge.waitFor({ timeout: TIMEOUT });
    assert.equal(await bridge.locator('[data-testid="bridge-step-amount"]').getAttribute('data-exact'), '0.015');
    assert.match(await bridge.textContent(), /1 gateway charge beyond the client's attempts of the same request id \(gpt-4o\)/);
    await expectText(page, '[data-testid="request-join"]', /2 tied; not tied, without a request id: 1 client request and 1 gateway row\.$/);

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-record"]'),
    ]);
    const record = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(record.settings.expected_side, 'client_requests');
    const retry = record.variance_bridge.steps.find((s) => s.cause === 'retry_duplication');
    assert.equal(retry.amount, '0.015');
    assert.equal(retry.class, 'usage_capture_gap');
    const text = JSON.stringify(record);
    assert.doesNotMatch(text, /req_0001|prod-bot/, 'no request id or key name in the record');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  }, { contextOptions: { acceptDownloads: true } });
});
