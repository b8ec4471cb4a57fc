// End-to-end check of the charts in the built page: the fixture log draws its three
// charts as inline SVG, each named by its <title>, described by its <desc>, themed by the
// stylesheet, and followed by the same figures as a table behind "Show as a table".
// Also takes the docs' screenshot of the charts (docs/screenshots/charts-light-1440.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { repoRoot, inApp, expectText, shoot } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const fixtures = path.join(repoRoot, 'tests/fixtures');
const shared = sharedBrowser();

// What each chart must say for the fixture log under the fixture settings.
const CHARTS = {
  'chart-by-model': {
    title: 'Expected versus recorded by model',
    desc: 'Expected and provider-recorded charge in USD, a pair of bars per model (3 models).',
    columns: ['Model', 'Expected USD', 'Recorded USD'],
    rows: [
      ['claude-sonnet-4-5-20250929', '0.0321', '0.0321'],
      ['gpt-4o', '0.0285', '0.0235'],
      ['mj_imagine', '0.1', '0.1'],
    ],
  },
  'chart-bridge': {
    title: 'Variance bridge from expected to recorded',
    desc: 'From the expected 0.1606 USD to the recorded 0.1556 USD: 1 explained step and a residual of 0 USD left unexplained.',
    columns: ['Step', 'Amount USD', 'Running total USD'],
    rows: [
      ['Expected', '0.1606', '0.1606'],
      ['credit or adjustment (account-specific billing issue)', '-0.005', '0.1556'],
      ['Unexplained (residual)', '0', '0.1556'],
      ['Recorded by the provider', '0.1556', '0.1556'],
    ],
  },
  'chart-over-time': {
    title: 'Expected charge per UTC day',
    desc: 'Expected charge in USD per UTC day, 1 day with usage from 2026-01-01 to 2026-01-01; the incident window, 2026-01-01T00:00:00Z to 2026-01-01T01:00:00Z, is shaded.',
    columns: ['Day (UTC)', 'Expected USD', 'At risk USD', 'Unpriced usage'],
    rows: [['2026-01-01', '0.1606', '0', 'no']],
  },
};

test('the fixture log draws three charts with their titles and tables', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-log-page.json'));
    await expectText(page, '[data-testid="total-expected"]', '0.1606');
    await page.locator('[data-testid="chart-over-time"]').waitFor();
    const names = await page.locator('[data-testid="charts"] > figure')
      .evaluateAll((figures) => figures.map((f) => f.dataset.testid));
    assert.deepEqual(names, Object.keys(CHARTS), 'the three charts, in order');

    const out = path.join(repoRoot, 'docs/screenshots');
    mkdirSync(out, { recursive: true });
    await shoot(page.locator('[data-testid="charts"]'), { path: path.join(out, 'charts-light-1440.png') });

    for (const [testid, want] of Object.entries(CHARTS)) {
      const figure = page.locator(`[data-testid="${testid}"]`);
      const svg = figure.locator('svg');
      const drawn = await svg.evaluate((el) => ({
        namespace: el.namespaceURI,
        role: el.getAttribute('role'),
        title: document.getElementById(el.getAttribute('aria-labelledby'))?.textContent,
        desc: document.getElementById(el.getAttribute('aria-describedby'))?.textContent,
        width: el.getBoundingClientRect().width,
        values: [...el.querySelectorAll('text.value')].map((t) => t.textContent),
      }));
      assert.equal(drawn.namespace, 'http://www.w3.org/2000/svg', `${testid}: parsed as SVG`);
      assert.equal(drawn.role, 'img');
      assert.equal(drawn.title, want.title);
      assert.equal(drawn.desc, want.desc);
      assert.ok(drawn.width >= 600, `${testid}: drawn at ${drawn.width} px`);
      await expectText(page, `[data-testid="${testid}"] figcaption`, want.title);
      // Named by its title alone, as assistive technology computes it.
      assert.equal(await page.getByRole('img', { name: want.title, exact: true }).count(), 1, testid);

      // The fallback: folded, then opened by its summary, holding the same figures.
      const details = figure.locator('details');
      assert.equal(await details.evaluate((d) => d.open), false, `${testid}: folded`);
      await expectText(page, `[data-testid="${testid}"] summary`, 'Show as a table');
      await figure.locator('summary').click();
      assert.equal(await details.evaluate((d) => d.open), true, `${testid}: opened`);
      const table = figure.locator('[data-testid="chart-table"]');
      assert.equal(await table.locator('caption').textContent(), want.title);
      const columns = await table.locator('thead th').allTextContents();
      assert.deepEqual(columns, want.columns, testid);
      const rows = await table.locator('tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [...tr.children].map((cell) => cell.textContent.trim())));
      assert.deepEqual(rows, want.rows, testid);
      // Every amount written on the chart is a figure of its table, to the digit.
      const cells = new Set(rows.flat());
      for (const value of drawn.values) assert.ok(cells.has(value), `${testid}: ${value} in the table`);
    }

    // The stylesheet themes the marks by class; the text keeps the page's own colour.
    const look = await page.locator('[data-testid="chart-by-model"] svg').evaluate((svg) => ({
      expected: getComputedStyle(svg.querySelectorAll('rect.expected')[1]).fill,
      recorded: getComputedStyle(svg.querySelectorAll('rect.recorded')[1]).fill,
      text: getComputedStyle(svg.querySelector('text.label')).fill,
      ink: getComputedStyle(svg).color,
    }));
    assert.equal(look.expected, 'rgb(63, 127, 214)');
    assert.equal(look.recorded, 'rgb(199, 101, 28)');
    assert.equal(look.text, look.ink, 'labels are drawn in currentColor');
    assert.deepEqual(seen.consoleErrors, [], 'no console error (a CSP violation would be one)');
    assert.deepEqual(seen.pageErrors, []);
  }, { contextOptions: { viewport: { width: 1440, height: 900 }, colorScheme: 'light' } });
});
