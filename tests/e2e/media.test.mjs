// End-to-end checks of what a log or a bill states beyond tokens: a new-api log whose image
// and video rows state their counts in other.other_ratios is priced per image and per
// second (a video whose size factor raises its price names its price per second), and a
// bill by model compared with the gateway log names the usage each side lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { TIMEOUT, inApp, expectText, fixtures } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const shared = sharedBrowser();

test('images and seconds a log states are priced, and a size factor is named', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'causes/media-settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'causes/image-and-video-tasks.jsonl'));
    // 2 images × 0.04 + 10 seconds × 0.1 = 1.08 expected; 706,667 quota = 1.413334 charged.
    await expectText(page, '[data-testid="headline-expected"]', '1.08');
    await expectText(page, '[data-testid="headline-recorded"]', '1.413334');
    const line = (model) => page.locator(`[data-testid="charge-line"][data-model="${model}"]`);
    assert.match(await line('dall-e-3').textContent(), /images.*2.*0\.04.*per image/);
    assert.match(await line('sora-2').textContent(), /seconds.*10.*0\.1.*per second/);
    assert.equal(await page.locator('[data-testid="prices-without-quantities"]').count(), 0);
    // The second video's size factor: 0.1 × 1.666667 per second, 5 seconds, 0.3333335.
    const difference = page.locator('[data-testid="rate-difference"][data-model="sora-2"]');
    assert.match(await difference.textContent(), /price 0\.1 × multiplier 1\.666667 × group 1/);
    assert.match(await difference.textContent(), /5 in 1 row/);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});

test('a bill by model against the gateway log names the usage each side lacks', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    const doc = JSON.parse(await readFile(path.join(fixtures, 'settings.json'), 'utf8'));
    doc.incident_window_utc.end = '2026-01-03T00:00:00Z';
    doc.provider_side = 'billing';
    await page.setInputFiles('[data-testid="import-settings"]', {
      name: 'settings.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)),
    });
    await page.setInputFiles('[data-testid="file-input"]', ['by-model-log.jsonl', 'by-model-bill.csv']
      .map((f) => path.join(fixtures, 'causes', f)));
    // Bill 0.032 against 0.029 expected: +0.009 billed Claude on 1 Jan with no Claude row
    // that day, −0.006 for the 2 Jan Claude row with no Claude line that day.
    await expectText(page, '[data-testid="headline-recorded"]', '0.032');
    await expectText(page, '[data-testid="headline-expected"]', '0.029');
    const step = (words) => page.locator('[data-testid="bridge"] li').filter({ hasText: words });
    await step('billed, not in the gateway log').waitFor({ timeout: TIMEOUT });
    assert.equal(await step('billed, not in the gateway log').locator('[data-testid="bridge-step-amount"]').getAttribute('data-exact'), '0.009');
    assert.equal(await step('in the gateway log, not billed').locator('[data-testid="bridge-step-amount"]').getAttribute('data-exact'), '-0.006');
    assert.match(await page.locator('[data-testid="summary"]').textContent(), /billed usage the gateway log does not have/);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});
