// End-to-end check of per-image and per-second prices: a new-api log whose image and
// video rows state their counts in other.other_ratios is priced per image and per second,
// and a video whose size factor raises its price names its price per second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { inApp, expectText, fixtures } from './harness.mjs';
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
