// Accessibility of the release build: axe-core finds nothing on the empty page, the page
// with a file loaded and the results (light and dark, wide and phone-sized); every rate
// field is announced with its model and dimension; and a keyboard alone (Tab, Shift+Tab,
// Enter, Space) goes from the file picker to the downloaded record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { inApp, axeViolations, reconcileFixture, figuresShown, fixtures, TIMEOUT } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const shared = sharedBrowser();
const wide = { viewport: { width: 1280, height: 900 } };

test('axe finds no violation on the empty page, a loaded file and the results', async () => {
  await inApp(shared.browser, shared.server, async (page) => {
    assert.deepEqual(await axeViolations(page), [], 'empty page');
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-log-page.json'));
    await page.locator('[data-testid="file-summary"]').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-testid="rate-row"]').first().waitFor({ timeout: TIMEOUT });
    assert.deepEqual(await axeViolations(page), [], 'a file loaded, no settings yet');
    await reconcileFixture(page);
    // Every fold open, so what it holds is checked too.
    await page.locator('details:not([open]) > summary').evaluateAll((all) => all.forEach((s) => s.parentElement.open = true));
    assert.deepEqual(await axeViolations(page), [], 'the results, every fold open');
  }, { contextOptions: wide });
});

for (const [name, options] of [
  ['dark', { ...wide, colorScheme: 'dark' }],
  ['390 px wide', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
]) {
  test(`axe finds no violation on the results, ${name}`, async () => {
    await inApp(shared.browser, shared.server, async (page) => {
      assert.deepEqual(await axeViolations(page), [], 'empty page');
      await reconcileFixture(page);
      assert.deepEqual(await axeViolations(page), [], 'the results');
    }, { contextOptions: options });
  });
}

test('each rate field is announced with its model and dimension', async () => {
  await inApp(shared.browser, shared.server, async (page) => {
    await reconcileFixture(page);
    const row = (model) => `[data-testid="rate-row"][data-model="${model}"]`;
    const named = async (name, selector) => {
      const field = page.getByLabel(name, { exact: true });
      assert.equal(await field.count(), 1, `one field is named ${JSON.stringify(name)}`);
      assert.ok(await field.evaluate((el, sel) => el.matches(sel), selector), `${JSON.stringify(name)} is ${selector}`);
    };
    await named('Model of gpt-4o', `${row('gpt-4o')} [data-testid="rate-model"]`);
    await named('Input price for gpt-4o', `${row('gpt-4o')} [data-testid="rate-input"]`);
    await named('Cached input price for claude-sonnet-4-5-20250929', `${row('claude-sonnet-4-5-20250929')} [data-testid="rate-cached-input"]`);
    await named('Output price for gpt-4o', `${row('gpt-4o')} [data-testid="rate-output"]`);
    await named('Per call price for mj_imagine', `${row('mj_imagine')} [data-testid="rate-per-call"]`);
    await named('Pricing page URL for gpt-4o', `${row('gpt-4o')} [data-testid="rate-source-url"]`);
    await named('How sure the prices of gpt-4o are', `${row('gpt-4o')} [data-testid="rate-label"]`);
    const details = (model) => `[data-testid="rate-details"][data-model="${model}"]`;
    await named('Currency (USD if empty) for gpt-4o', `${details('gpt-4o')} [data-testid="rate-currency"]`);
    await named('new-api model ratio for mj_imagine', `${details('mj_imagine')} [data-testid="rate-model-ratio"]`);
    await named('Audio output of gpt-4o', `${details('gpt-4o')} [data-testid="rate-audio-output"]`);
    // Every field of every entry has a name of its own: no two fields share one.
    const names = await page.locator('[data-testid="rate-row"] input, [data-testid="rate-row"] select, [data-testid="rate-details"] input')
      .evaluateAll((fields) => fields.map((f) => f.getAttribute('aria-label') ?? f.closest('label')?.textContent.trim()));
    assert.ok(names.every(Boolean), 'every rate field has a name');
    assert.equal(new Set(names).size, names.length, `rate fields share a name: ${names.filter((n, i) => names.indexOf(n) !== i)}`);
  }, { contextOptions: wide });
});

// Presses `key` until the focused element has data-testid `testid`; fails after `limit`
// presses, naming where focus went (a trap or a control that cannot be reached).
async function focus(page, key, testid, limit) {
  const path = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press(key);
    const at = await page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
    path.push(at);
    if (at === testid) {
      // Where focus is can be seen (styles/app.css draws a ring for keyboard focus).
      const ring = await page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el.closest('.import') ?? el);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      });
      assert.ok(ring, `${testid} shows a focus ring`);
      return;
    }
  }
  assert.fail(`${key} ×${limit} never reached ${testid}: ${path.join(' → ')}`);
}

test('keyboard only: pick the log, import the settings, download the record', async () => {
  await inApp(shared.browser, shared.server, async (page) => {
    await focus(page, 'Tab', 'file-input', 5);
    const [log] = await Promise.all([page.waitForEvent('filechooser', { timeout: TIMEOUT }), page.keyboard.press('Space')]);
    await log.setFiles(path.join(fixtures, 'cometapi-log-page.json'));
    await page.locator('[data-testid="file-summary"]').waitFor({ timeout: TIMEOUT });

    await focus(page, 'Tab', 'import-settings', 200);
    const [settings] = await Promise.all([page.waitForEvent('filechooser', { timeout: TIMEOUT }), page.keyboard.press('Enter')]);
    await settings.setFiles(path.join(fixtures, 'settings.json'));
    await figuresShown(page);

    await focus(page, 'Shift+Tab', 'download-record', 10);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.keyboard.press('Enter')]);
    assert.equal(await download.failure(), null);
    const record = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(record.computed_charge?.expected_amount, '0.1606');
    assert.equal(record.computed_charge?.provider_reported_amount, '0.1556');
    assert.equal(record.incident_window_utc?.start, '2026-01-01T00:00:00Z');
  }, {
    contextOptions: { ...wide, acceptDownloads: true },
    // Playwright intercepts file choosers only once a listener exists, and turning that
    // on races the key press that opens one: a listener from the start settles it.
    before: (page) => page.on('filechooser', () => {}),
  });
});
