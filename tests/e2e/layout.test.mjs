// Every size and theme of the release build: nothing scrolls sideways at 390 px (wide
// tables scroll inside their card, first column kept in view; the results become one
// card per model); the rate card fits its card at 1280 px; dark mode is dark; and print
// gives the report alone on A4 and Letter, every table inside the page (the Amount
// column whole).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { inApp, reconcileFixture, fixtures, TIMEOUT } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const shared = sharedBrowser();

// Elements reaching past the right edge of the page, outside the tables that scroll in
// their card (.scroll): what would make the page itself scroll sideways.
const spilling = (page) => page.evaluate(() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('body *')]
    .filter((el) => !el.closest('.scroll') && el.getBoundingClientRect().right > width + 0.5)
    .map((el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}.${el.className}`);
  return { scrollWidth: document.documentElement.scrollWidth, width, out };
});

test('390 px: the page never scrolls sideways; wide tables scroll in their card', async () => {
  await inApp(shared.browser, shared.server, async (page) => {
    const check = async (when) => {
      const { scrollWidth, width, out } = await spilling(page);
      assert.deepEqual(out, [], `${when}: nothing reaches past the page's right edge`);
      assert.ok(scrollWidth <= width, `${when}: the page is ${scrollWidth} px wide in a ${width} px window`);
    };
    await check('empty page');
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-log-page.json'));
    await page.locator('[data-testid="rate-row"]').first().waitFor({ timeout: TIMEOUT });
    await check('a file loaded');
    await reconcileFixture(page);
    await page.locator('details:not([open]) > summary').evaluateAll((all) => all.forEach((s) => s.parentElement.open = true));
    await check('the results, every fold open');

    // The tables wider than a phone scroll inside their card, first column in view.
    const tables = await page.locator('.scroll').evaluateAll((regions) => regions.map((r) => ({
      name: r.getAttribute('aria-label'),
      scrolls: r.scrollWidth > r.clientWidth,
      focusable: r.tabIndex === 0,
      sticky: [...r.querySelectorAll(':scope > table > * > tr > :first-child')]
        .every((cell) => cell.closest('.rate-details') || getComputedStyle(cell).position === 'sticky'),
    })));
    assert.ok(tables.some((t) => t.name === 'Rate card' && t.scrolls), 'the rate card scrolls in its card');
    assert.ok(tables.some((t) => t.name === 'Expected charge lines' && t.scrolls), 'the charge lines scroll in their card');
    // Expected versus recorded becomes one card per model: every figure in view.
    assert.ok(tables.some((t) => t.name === 'Expected versus recorded by model' && !t.scrolls), 'the results fit the card');
    for (const t of tables) {
      assert.ok(t.name, 'each table region is named');
      assert.ok(t.focusable, `${t.name}: reachable by keyboard, to scroll it`);
      assert.ok(!t.scrolls || t.sticky, `${t.name}: the first column stays in view`);
    }
  }, { contextOptions: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } });
});

test('1280 px: the rate card fits its card, every column in view', async () => {
  await inApp(shared.browser, shared.server, async (page) => {
    await reconcileFixture(page);
    const fit = await page.locator('.scroll:has(> table.rates)').evaluate((region) => ({
      scrollWidth: region.scrollWidth,
      clientWidth: region.clientWidth,
      headings: [...region.querySelectorAll('thead th')].map((th) => th.getBoundingClientRect().right <= region.getBoundingClientRect().right + 0.5),
    }));
    assert.ok(fit.scrollWidth <= fit.clientWidth, `the rate card is ${fit.scrollWidth} px in a ${fit.clientWidth} px card`);
    assert.ok(fit.headings.every(Boolean), 'every column heading is inside the card');
    assert.equal((await spilling(page)).out.length, 0);
  }, { contextOptions: { viewport: { width: 1280, height: 800 } } });
});

test('dark mode follows the system', async () => {
  const background = async (colorScheme) => inApp(shared.browser, shared.server, (page) =>
    page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.documentElement).backgroundColor.match(/\d+/g).map(Number);
      return (r + g + b) / 3;
    }), { contextOptions: { colorScheme } });
  assert.ok(await background('light') > 200, 'light: a light page');
  assert.ok(await background('dark') < 50, 'dark: a dark page');
  // Contrast in both is axe's color-contrast rule, in a11y.test.mjs.
});

// The printable width of A4 (210 mm) and Letter (8.5 in) less the page's 12 mm margins,
// in CSS pixels (96 per inch).
const mm = 96 / 25.4;
for (const [paper, width] of [['A4', 210 * mm], ['Letter', 8.5 * 96]]) {
  test(`print on ${paper}: the report alone, every table inside the page`, async () => {
    await inApp(shared.browser, shared.server, async (page) => {
      await reconcileFixture(page);
      await page.emulateMedia({ media: 'print' });
      const printed = await page.evaluate(() => {
        const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
        const pageRight = document.documentElement.clientWidth;
        return {
          controls: [...document.querySelectorAll('input, select, textarea, button, .drop, .downloads')]
            .filter(shown).map((el) => el.dataset.testid ?? el.tagName),
          settings: [...document.querySelectorAll('section.form-step')].filter(shown).length,
          report: ['charge-lines', 'total-expected', 'bridge', 'file-summary', 'figure-sources']
            .filter((id) => ![...document.querySelectorAll(`[data-testid="${id}"]`)].some(shown)),
          cut: [...document.querySelectorAll('table th, table td')]
            .filter((cell) => shown(cell) && cell.getBoundingClientRect().right > pageRight + 0.5)
            .map((cell) => cell.textContent.trim().slice(0, 40)),
          amount: [...document.querySelectorAll('[data-testid="line-amount"]')].filter(shown).length,
        };
      });
      assert.deepEqual(printed.controls, [], 'no field, button or picker is printed');
      assert.equal(printed.settings, 0, 'the settings forms are not printed');
      assert.deepEqual(printed.report, [], 'the report is printed: charges, totals, bridge, files, sources');
      assert.deepEqual(printed.cut, [], 'no table cell reaches past the page');
      assert.equal(printed.amount, 8, 'every charge line prints its amount');
    }, { contextOptions: { viewport: { width: Math.floor(width - 24 * mm), height: 1000 } } });
  });
}
