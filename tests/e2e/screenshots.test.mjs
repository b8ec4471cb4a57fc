// The screenshots the docs show, taken from the release build by the harness so they are
// regenerated, never hand-made: the page reconciling the fixture log and its settings:
// the answer, the results light and dark at 1440 px and on a phone (390 px), and the
// printed report (A4's width).
import { test } from 'node:test';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { repoRoot, inApp, reconcileFixture, shoot } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const out = path.join(repoRoot, 'docs/screenshots');
const shared = sharedBrowser();

// The answer at the top (the README's picture), and the results: the section holding
// the totals.
const answer = (page) => page.locator('[data-testid="summary"]');
const results = (page) => page.locator('section', { has: page.locator('[data-testid="total-expected"]') });

const shots = [
  // [file, context options, what to shoot]
  ['answer-light-1440.png', { viewport: { width: 1440, height: 900 }, colorScheme: 'light' }, answer],
  ['results-light-1440.png', { viewport: { width: 1440, height: 900 }, colorScheme: 'light' }, results],
  ['results-dark-1440.png', { viewport: { width: 1440, height: 900 }, colorScheme: 'dark' }, results],
  ['results-light-390.png', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'light' }, results],
  ['report-print-a4.png', { viewport: { width: 703, height: 1000 }, colorScheme: 'light' }, 'print'],
];

for (const [file, contextOptions, target] of shots) {
  test(`screenshot ${file}`, async () => {
    mkdirSync(out, { recursive: true });
    await inApp(shared.browser, shared.server, async (page) => {
      await reconcileFixture(page);
      const where = path.join(out, file);
      if (target === 'print') {
        // The printed report: print media at A4's printable width (186 mm).
        await page.emulateMedia({ media: 'print' });
        await page.screenshot({ path: where, fullPage: true, animations: 'disabled' });
      } else {
        await shoot(target(page), { path: where, animations: 'disabled' });
      }
    }, { contextOptions });
  });
}
