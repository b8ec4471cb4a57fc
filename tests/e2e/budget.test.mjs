// End-to-end check of the Budget review step: settings with a mapping table imported,
// the gateway log read, spend by owner with the unallocated remainder and its 60/40
// split, the mapping table edited, exported and imported back, unit cost per each kind
// of unit, the retries, the bucket budgets against their thresholds, the budget review
// document downloaded (sanitized, and byte for byte what the CLI writes), and the review
// log: a row refused without a unit metric, rows added with planted secrets, the log
// imported, downloaded as CSV and JSON and read back identical (and as the CLI writes it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, TIMEOUT, inApp, expectText, shoot } from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const fixtures = path.join(repoRoot, 'tests/fixtures/budget');
const log = path.join(fixtures, 'gateway-tokens.jsonl');
const cliBin = process.env.CLI_BIN || '';
const shared = sharedBrowser();

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click(selector)]);
  assert.equal(await dl.failure(), null, `download from ${selector} failed`);
  return dl;
}

const owner = (name) => name === null
  ? '[data-testid="budget-by-owner"] [data-testid="budget-line"][data-unallocated="true"]'
  : `[data-testid="budget-by-owner"] [data-testid="budget-line"][data-name="${name}"]`;

test('the budget review allocates, edits and round-trips its mapping table, and downloads', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'spend-budget-'));
  try {
    await inApp(shared.browser, shared.server, async (page, seen) => {
      await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings-allocation.json'));
      await page.setInputFiles('[data-testid="file-input"]', log);
      // Hand-computed in src/budget/tests.rs: search 0.0105 + 60 % of 0.003, data 0.014 +
      // 40 %, and the unallocated 0.003 shown, then given away.
      await expectText(page, '[data-testid="budget-total-expected"]', '0.0275');
      await expectText(page, `${owner('search')} [data-testid="allocated"]`, '0.0123');
      await expectText(page, `${owner('data')} [data-testid="allocated"]`, '0.0152');
      await expectText(page, `${owner(null)} [data-testid="expected"]`, '0.003');
      await expectText(page, `${owner(null)} [data-testid="shared"]`, '-0.003');
      const text = await page.locator('[data-testid="budget-review"]').textContent();
      for (const secret of ['sk-live', 'prod-search', 'batch-etl', 'alice', '203.0.113']) {
        assert.ok(!text.includes(secret), `the view must not show ${secret}`);
      }

      // Export the table, empty it, import it back: the same figures.
      const csv = path.join(tmp, 'mapping.csv');
      await (await download(page, '[data-testid="budget-mapping-csv"]')).saveAs(csv);
      for (let i = 0; i < 4; i += 1) await page.click('[data-testid="budget-rule-0-remove"]');
      assert.equal(await page.locator('[data-testid^="budget-rule-"][data-testid$="-field"]').count(), 0);
      await expectText(page, `${owner(null)} [data-testid="expected"]`, '0.0275');
      await page.setInputFiles('[data-testid="budget-mapping-import"]', csv);
      await expectText(page, `${owner('search')} [data-testid="allocated"]`, '0.0123');

      // An edit lands at once; a problem shows beside its field.
      await page.fill('[data-testid="budget-rule-0-owner"]', 'search-team');
      await page.fill('[data-testid="budget-share-0-owner"]', 'search-team');
      await expectText(page, `${owner('search-team')} [data-testid="allocated"]`, '0.0123');
      await page.fill('[data-testid="budget-share-0-percent"]', '50');
      await expectText(page, '[data-testid="budget-shares-error"]', 'expected percentages that add up to 100, but found 90');
      await page.fill('[data-testid="budget-share-0-percent"]', '60');
      await expectText(page, `${owner(null)} [data-testid="shared"]`, '-0.003');

      // Unit cost (src/budget/tests.rs): per successful request search-team's 0.0105 ÷ 2;
      // per 1K tokens ÷ 3.3, ten places; per seat the reviewer counts, ÷ 4.
      const unit = '[data-testid="budget-unit-cost"] [data-testid="budget-unit-line"][data-group="search-team"][data-model=""] [data-testid="per-unit"]';
      await expectText(page, unit, '0.00525');
      await page.selectOption('[data-testid="budget-unit-metric"]', '1k_tokens');
      await expectText(page, unit, '0.0031818182');
      await page.selectOption('[data-testid="budget-unit-metric"]', 'business_unit');
      await page.fill('[data-testid="budget-business-unit"]', 'seat');
      await page.click('[data-testid="budget-unit-count-add"]');
      await page.fill('[data-testid="budget-unit-count-0-owner"]', 'search-team');
      await page.fill('[data-testid="budget-unit-count-0-count"]', '4');
      await expectText(page, unit, '0.002625');
      // The fixture's five requests succeeded at the first attempt.
      await expectText(page, '[data-testid="budget-retries"]', /^5 attempts for 5 logical requests: 0 extra, 1 attempts per request\.$/);

      const file = path.join(tmp, 'budget-review.json');
      await (await download(page, '[data-testid="download-budget-review"]')).saveAs(file);
      const documentText = await readFile(file, 'utf8');
      const document = JSON.parse(documentText);
      assert.equal(document.kind, 'budget_review');
      assert.equal(document.totals.expected, '0.0275');
      const owners = document.allocation.by_owner.map((l) => [l.name, l.expected, l.allocated]);
      assert.deepEqual(owners, [['data', '0.014', '0.0152'], ['search-team', '0.0105', '0.0123'], [null, '0.003', '0']]);
      for (const secret of ['sk-live', 'prod-search', 'batch-etl', 'alice', '203.0.113']) {
        assert.ok(!documentText.includes(secret), `the document must not contain ${secret}`);
      }

      if (cliBin) {
        const settings = path.join(tmp, 'settings.json');
        await (await download(page, '[data-testid="download-settings"]')).saveAs(settings);
        const out = path.join(tmp, 'cli-budget.json');
        execFileSync(cliBin, ['--settings', settings, '--generated-at', document.generated_at, '--budget-review', out, log]);
        assert.equal(await readFile(out, 'utf8'), documentText, 'the CLI writes the same budget review');
      }
      // Bucket budgets (src/budget/tests.rs): data-batch's 0.014 of 0.015 is 93.33 %,
      // 90 % crossed; 100 % unknown while the unallocated 0.003 may be its.
      const bucket = '[data-testid="budget-thresholds"] [data-testid="budget-threshold-line"][data-bucket="data-batch"]';
      await expectText(page, `${bucket} [data-testid="used"]`, '93.33 %');
      await expectText(page, `${bucket} [data-testid="level"][data-percent="90"]`, '90 %: crossed');
      await expectText(page, `${bucket} [data-testid="level"][data-percent="100"]`, '100 %: unknown');
      const budgets = document.budgets.map((b) => [b.bucket, b.used_percent, b.highest_crossed]);
      assert.deepEqual(budgets, [['search-prod', '52.5', '50'], ['data-batch', '93.33', '90'], ['vip-pool', '0', null]]);

      // The review log: last week's imported, this week's row refused without a unit
      // metric (seed 003's reason), then added; the planted secrets never kept.
      await page.setInputFiles('[data-testid="budget-log-import"]', path.join(fixtures, 'review-log.csv'));
      await expectText(page, '[data-testid="budget-log-table"] caption', 'Review log: 1 rows');
      const fill = async (key, value) => page.fill(`[data-testid="budget-log-${key}"]`, value);
      await fill('review_date', '2026-07-09');
      await fill('operator', 'Alice Smith');
      await fill('owner_group', 'data');
      await fill('request_class', 'batch');
      await page.selectOption('[data-testid="budget-log-result_category"]', 'fail');
      await page.selectOption('[data-testid="budget-log-next_action"]', 'escalate-review');
      await fill('trace_marker', 'req-203.0.113.7');
      await fill('retry_decision', 'cap retries at 2 with key sk-live-4f9a8b7c6d5e4f3a2b1c');
      await fill('notes', 'balance 1234.56 USD; ask alice@example.com; prompt: Summarize the contract');
      await page.click('[data-testid="budget-log-add"]');
      await expectText(page, '[data-testid="budget-log-unit_metric-error"]', 'expected a unit metric, but found nothing: do not approve a token budget change yet');
      await expectText(page, '[data-testid="budget-log-table"] caption', 'Review log: 1 rows');
      await fill('unit_metric', 'workflow step');
      await page.click('[data-testid="budget-log-add"]');
      await expectText(page, '[data-testid="budget-log-table"] caption', 'Review log: 2 rows');
      await expectText(page, '[data-testid="budget-log-row"]:nth-child(2) [data-testid="notes"]', /^balance \[amount removed\] USD; ask \[redacted-[0-9a-f]+\] \[prompt removed\]$/);
      const planted = ['sk-live', 'alice', 'Alice', '203.0.113', '1234.56', 'Summarize'];
      const logText = await page.locator('[data-testid="budget-log-table"]').textContent();
      for (const secret of planted) assert.ok(!logText.includes(secret), `the log must not show ${secret}`);

      // Downloaded as CSV and JSON, emptied, imported back: identical.
      const logCsv = path.join(tmp, 'review-log.csv');
      const logJson = path.join(tmp, 'review-log.json');
      await (await download(page, '[data-testid="budget-log-csv"]')).saveAs(logCsv);
      await (await download(page, '[data-testid="budget-log-json"]')).saveAs(logJson);
      const csvText = await readFile(logCsv, 'utf8');
      const jsonText = await readFile(logJson, 'utf8');
      assert.ok(csvText.startsWith(await readFile(path.join(fixtures, 'review-log.csv'), 'utf8')), 'last week\'s rows first, as imported');
      for (const secret of planted) {
        assert.ok(!csvText.includes(secret) && !jsonText.includes(secret), `the downloaded log must not contain ${secret}`);
      }
      assert.equal(JSON.parse(jsonText).review_log[1].trace_marker, 'redacted');
      await page.click('[data-testid="budget-log-1-remove"]');
      await page.click('[data-testid="budget-log-0-remove"]');
      assert.equal(await page.locator('[data-testid="budget-log-row"]').count(), 0);
      await page.setInputFiles('[data-testid="budget-log-import"]', logJson);
      await expectText(page, '[data-testid="budget-log-table"] caption', 'Review log: 2 rows');
      const again = path.join(tmp, 'review-log-again.csv');
      await (await download(page, '[data-testid="budget-log-csv"]')).saveAs(again);
      assert.equal(await readFile(again, 'utf8'), csvText, 'CSV → JSON → CSV gives the same bytes');
      if (cliBin) {
        const out = path.join(tmp, 'cli-log.csv');
        execFileSync(cliBin, ['--budget-log', logJson, '--budget-log-out', out, log]);
        assert.equal(await readFile(out, 'utf8'), csvText, 'the CLI writes the same log');
      }
      assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the budget review measures a baseline, projects a planned window against its stop condition, and checks readiness', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'spend-budget-plan-'));
  try {
    await inApp(shared.browser, shared.server, async (page, seen) => {
      await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings-allocation.json'));
      await page.setInputFiles('[data-testid="file-input"]', log);
      await expectText(page, '[data-testid="budget-total-expected"]', '0.0275');
      // Hand-computed in src/budget/plan_tests.rs: five requests in five minutes, p95
      // of 5 values is the maximum (4,000 input tokens), 0.0055 to 0.014 per request.
      await page.fill('[data-testid="budget-reference-start"]', '2026-01-01T00:00');
      await page.fill('[data-testid="budget-reference-end"]', '2026-01-01T00:05');
      const all = '[data-testid="budget-baseline"] [data-testid="budget-baseline-line"]:not([data-model])';
      await expectText(page, `${all} [data-testid="input"]`, '1600 / 4000');
      await expectText(page, '[data-testid="budget-baseline-method"]', /p95 of 5 values is the maximum/);
      // 60 minutes at 200 %: 120 requests, 0.66 to 1.68 against a limit of 1 + 20 %.
      const plan = async (key, value) => page.fill(`[data-testid="budget-plan-${key}"]`, value);
      await plan('start', '2026-01-02T14:00');
      await plan('end', '2026-01-02T15:00');
      await plan('traffic_share', '200');
      await plan('rollback_budget', '1');
      await plan('stop_over_percent', '20');
      await expectText(page, '[data-testid="budget-verdict"]', /^Fail: projected spend \$0\.6600 to \$1\.6800 \(estimate, mean to p95\) exceeds the stop limit \$1\.2000 .* the knob that drives it: tokens/);
      await plan('rollback_budget', '2');
      await expectText(page, '[data-testid="budget-verdict"]', /^Pass: projected spend \$0\.6600 to \$1\.6800/);
      // An empty reference period: no baseline, with the reason, never zeros.
      await page.fill('[data-testid="budget-reference-start"]', '2026-01-01T02:00');
      await page.fill('[data-testid="budget-reference-end"]', '2026-01-01T03:00');
      await expectText(page, '[data-testid="budget-baseline-absent"]', /^No baseline: expected requests between/);
      await page.fill('[data-testid="budget-reference-start"]', '2026-01-01T00:00');
      await page.fill('[data-testid="budget-reference-end"]', '2026-01-01T00:05');
      await expectText(page, '[data-testid="budget-projection"][data-result="pass"] [data-testid="budget-verdict"]', /^Pass/);

      // Readiness: owner and kill switch typed, a planted key in a note; the rest missing.
      const ready = async (key, value) => page.fill(`[data-testid="budget-readiness-${key}"]`, value);
      await ready('owner', 'platform-ops');
      await ready('billing_observer', 'finops-oncall');
      await ready('kill_switch_who', 'sre-oncall');
      await ready('kill_switch_where', 'gateway weights, admin key sk-live-4f9a8b7c6d5e4f3a2b1c');
      await ready('kill_switch_time_to_effect', 'under 2 minutes');
      await ready('kill_switch_reverse', 'restore the weight');
      await expectText(page, '[data-testid="budget-readiness-missing"]', 'The readiness form is missing: how to verify the kill switch worked; whether the drill request was traced end to end; whether the kill switch was tested.');
      await expectText(page, '[data-testid="budget-phase"][data-phase="A"][data-result="hold"]', /missing how to verify the kill switch worked/);
      await ready('kill_switch_verify', 'request rate drops to 0');
      await page.selectOption('[data-testid="budget-readiness-drill_traced"]', 'yes');
      await page.selectOption('[data-testid="budget-readiness-kill_switch_tested"]', 'yes');
      await expectText(page, '[data-testid="budget-readiness-complete"]', 'The readiness form is complete.');
      await expectText(page, '[data-testid="budget-phase"][data-phase="D"][data-result="pass"]', /the projected spend is within the stop limit/);

      const file = path.join(tmp, 'budget-review.json');
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('[data-testid="download-budget-review"]')]);
      await dl.saveAs(file);
      const documentText = await readFile(file, 'utf8');
      const document = JSON.parse(documentText);
      assert.equal(document.schema_version, 2);
      assert.equal(document.projection.figures.result, 'pass');
      assert.equal(document.projection.figures.label, 'estimate');
      assert.deepEqual(document.readiness.phases.map((p) => p.result), ['pass', 'pass', 'pass', 'pass']);
      assert.ok(!documentText.includes('sk-live'), 'the document must not contain the planted key');
      if (cliBin) {
        const settings = path.join(tmp, 'settings.json');
        const [s] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click('[data-testid="download-settings"]')]);
        await s.saveAs(settings);
        const out = path.join(tmp, 'cli-budget.json');
        execFileSync(cliBin, ['--settings', settings, '--generated-at', document.generated_at, '--budget-review', out, log], { stdio: ['ignore', 'ignore', 'ignore'] });
        assert.equal(await readFile(out, 'utf8'), documentText, 'the CLI writes the same budget review');
      }
      assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the baseline, the verdict and the phases fit a 390 px phone in dark mode, and their tables scroll by keyboard', async () => {
  await inApp(shared.browser, shared.server, async (page) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings-allocation.json'));
    await page.setInputFiles('[data-testid="file-input"]', log);
    await expectText(page, '[data-testid="budget-total-expected"]', '0.0275');
    const fill = async (testid, value) => page.fill(`[data-testid="${testid}"]`, value);
    await fill('budget-reference-start', '2026-01-01T00:00');
    await fill('budget-reference-end', '2026-01-01T00:05');
    await fill('budget-plan-start', '2026-01-02T14:00');
    await fill('budget-plan-end', '2026-01-02T15:00');
    await fill('budget-plan-traffic_share', '200');
    await fill('budget-plan-rollback_budget', '1');
    await fill('budget-plan-stop_over_percent', '20');
    await fill('budget-readiness-owner', 'platform-ops');
    await expectText(page, '[data-testid="budget-projection"][data-result="fail"] [data-testid="budget-verdict"]', /^Fail/);
    await page.locator('[data-testid="budget-phase"][data-phase="D"]').waitFor({ timeout: TIMEOUT });
    // The docs' picture of the verdict on a phone, regenerated by every run.
    await shoot(page.locator('[data-testid="budget-plan"]'), {
      path: path.join(repoRoot, 'docs/screenshots/budget-plan-dark-390.png'), animations: 'disabled',
    });
    const layout = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const scope = [...document.querySelectorAll('[data-testid="budget-plan"] *, [data-testid="budget-plan-form"] *')];
      const out = scope
        .filter((el) => !el.closest('.scroll') && el.getBoundingClientRect().right > width + 0.5)
        .map((el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}`);
      const regions = ['Baseline', 'Rollback phases'].map((name) => document.querySelector(`.scroll[aria-label="${name}"]`)?.tabIndex);
      const background = getComputedStyle(document.querySelector('[data-testid="budget-projection"]')).backgroundColor;
      return { out, regions, background, scrollWidth: document.documentElement.scrollWidth, width };
    });
    assert.deepEqual(layout.out, [], 'nothing of the plan reaches past the page\'s right edge');
    assert.ok(layout.scrollWidth <= layout.width, `the page is ${layout.scrollWidth} px wide in ${layout.width} px`);
    assert.deepEqual(layout.regions, [0, 0], 'the baseline and phase tables scroll by keyboard');
    const [r, g, b] = layout.background.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 3 * 110, `the fail verdict is dark in dark mode (${layout.background})`);
  }, { contextOptions: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark' } });
});
