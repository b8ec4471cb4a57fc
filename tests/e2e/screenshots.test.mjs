// The screenshots the docs show, taken from the release build by the harness so they are
// regenerated, never hand-made: the page reconciling the fixture log, light, 1440 px wide.
import { test } from 'node:test';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { repoRoot, inApp, expectText } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const fixtures = path.join(repoRoot, 'tests/fixtures');
const out = path.join(repoRoot, 'docs/screenshots');
const shared = sharedBrowser();

test('screenshots for the docs', async () => {
  mkdirSync(out, { recursive: true });
  await inApp(shared.browser, shared.server, async (page) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-log-page.json'));
    await expectText(page, '[data-testid="total-expected"]', '0.1606');
    const results = page.locator('section', { has: page.locator('[data-testid="total-expected"]') });
    await results.screenshot({ path: path.join(out, 'results-light-1440.png') });
  }, { contextOptions: { viewport: { width: 1440, height: 900 }, colorScheme: 'light' } });
});
