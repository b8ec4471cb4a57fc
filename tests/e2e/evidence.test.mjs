// End-to-end check of the other evidence streams in the built page: a client request log
// beside the gateway log (cross-checked model by model), a column mapping saved for an
// export we do not know (the file read again through it), and "Read as".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  repoRoot, TIMEOUT, originOf, inApp, expectText,
} from './harness.mjs';
import { sharedBrowser } from './suite.mjs';

const fixtures = path.join(repoRoot, 'tests/fixtures');
const shared = sharedBrowser();

// Waits until the element holds `part` somewhere in its text.
const expectPart = (page, selector, part) =>
  page.locator(selector, { hasText: part }).waitFor({ timeout: TIMEOUT });

const summary = (name) => `[data-testid="file-summary"][data-file="${name}"]`;

test('client logs, billing and mapped exports are read as their own streams', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', [
      path.join(fixtures, 'cometapi-logs.csv'),
      path.join(fixtures, 'evidence/client-openai-chat.jsonl'),
    ]);
    await expectText(page, `${summary('client-openai-chat.jsonl')} [data-testid="file-format"]`,
      'client request log (OpenAI chat completions usage)');
    // The gateway log alone decides the expected and recorded figures.
    await expectText(page, '[data-testid="total-expected"]', '0.1606');
    await expectPart(page, '[data-testid="figure-sources"]', 'Expected charge priced from the gateway usage log');
    const check = '[data-testid="cross-check"][data-check="ClientPricedVsGatewayPriced"]';
    await expectText(page, `${check} [data-testid="cross-check-difference"]`, '0.1319');
    const text = await page.locator(check).textContent();
    assert.match(text, /gpt-4o: 0\.0287 vs 0\.0285 \(2 vs 3 requests\): output: 620 vs 600/);
    assert.match(text, /2 request\(s\) in the client request log have no usage figures/);

    // An export we do not know: one sentence, then Map columns reads it again.
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'evidence/custom-requests.csv'));
    const custom = summary('custom-requests.csv');
    await expectPart(page, `${custom} [data-testid="file-problem"]`, 'expected the header of an export we know');
    const form = `${custom} [data-testid="mapping-form"]`;
    for (const [role, column] of [['timestamp', 'When'], ['model', 'Engine'], ['status', 'HTTP'],
      ['input_tokens', 'In'], ['cached_input_tokens', 'Cached'], ['output_tokens', 'Out']]) {
      await page.selectOption(`${form} [data-testid="map-${role}"]`, column);
    }
    await page.click(`${form} [data-testid="map-save"]`);
    await expectText(page, `${custom} [data-testid="file-format"]`, 'client request log (columns as you mapped them)');
    await expectText(page, `${custom} [data-testid="ledger-accepted"]`, '3');
    await expectText(page, `${custom} [data-testid="ledger-rejected"]`, '2');

    // Read as: the detected client log read as a gateway log instead, then back.
    const client = summary('client-openai-chat.jsonl');
    await page.selectOption(`${client} [data-testid="read-as"]`, 'new_api_json_lines');
    await expectText(page, `${client} [data-testid="file-format"]`, 'CometAPI / new-api usage log (JSON lines)');
    await page.selectOption(`${client} [data-testid="read-as"]`, '');
    await expectText(page, `${client} [data-testid="file-format"]`, 'client request log (OpenAI chat completions usage)');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
    const origin = originOf(shared.server);
    assert.deepEqual(seen.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:')), [],
      'no request left the page origin');
  });
});

test('log pages that overlap count their shared rows once', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-logs.csv'));
    await expectText(page, '[data-testid="total-expected"]', '0.1606');
    // The log page holds the same rows as the CSV export: adding it changes no figure.
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'cometapi-log-page.json'));
    const logPage = summary('cometapi-log-page.json');
    const hint = page.locator(`${logPage} [data-testid="file-repeated-rows"]`);
    await hint.waitFor({ timeout: TIMEOUT });
    assert.match(await hint.textContent(), /^6 of its rows are also in another file/);
    // The page shows the ledger the record lists: those 6 excluded, beside 1 outside the window.
    await expectText(page, `${logPage} [data-testid="ledger-accepted"]`, '0');
    await expectText(page, `${logPage} [data-testid="ledger-excluded"]`, '7');
    await expectText(page, `${summary('cometapi-logs.csv')} [data-testid="ledger-accepted"]`, '6');
    await expectText(page, '[data-testid="total-expected"]', '0.1606');
    assert.equal(await page.locator(`${summary('cometapi-logs.csv')} [data-testid="file-repeated-rows"]`).count(), 0);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});

test('a billing export alone shows the expected charge as not computed, never as zero', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'evidence/focus.csv'));
    // The fixture window is an hour and the FOCUS buckets are days: nothing billed counts.
    await expectText(page, '[data-testid="total-provider"]', 'not computed');
    // Over the whole day the bill is the provider-side figure.
    await page.fill('[data-testid="window-end"]', '2026-01-02T00:00:00Z');
    await expectText(page, '[data-testid="total-expected"]', 'not computed');
    await expectText(page, '[data-testid="total-variance"]', 'not computed');
    await expectText(page, '[data-testid="total-status"]', 'not computed: no usage evidence');
    await expectPart(page, '[data-testid="charge-lines-absent"]', 'Not computed: no usage evidence');
    await expectPart(page, '[data-testid="figure-sources"]', 'Expected charge not computed');
    // The billed total is a figure once the file is read again under the new window.
    await page.locator('[data-testid="total-provider"][data-exact]').waitFor({ timeout: TIMEOUT });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-record"]'),
    ]);
    const record = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(record.computed_charge.expected_amount, null);
    assert.equal(record.computed_charge.within_tolerance, null);
    assert.equal(record.expected_priced_from, null);
    assert.equal(record.provider_recorded_from, 'billing');
    assert.match(record.not_computed.expected_amount, /^not computed: no usage evidence/);
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});

test('files none of which can be read are not a review', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', {
      name: 'export.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\x03\x04 not a log', 'latin1'),
    });
    await expectPart(page, `${summary('export.zip')} [data-testid="file-problem"]`, 'zip');
    await expectPart(page, '[data-testid="nothing-read"]', 'None of the files gave a row that could be read');
    assert.equal(await page.locator('[data-testid="total-expected"]').count(), 0, 'no figures, not zeros');
    assert.ok(await page.locator('[data-testid="download-record"]').isDisabled(), 'no record to download');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});

test('Anthropic Messages carry no time: rejected by default, counted on purpose', async () => {
  await inApp(shared.browser, shared.server, async (page, seen) => {
    await page.setInputFiles('[data-testid="import-settings"]', path.join(fixtures, 'settings.json'));
    await page.setInputFiles('[data-testid="file-input"]', path.join(fixtures, 'evidence/anthropic-messages.jsonl'));
    const messages = summary('anthropic-messages.jsonl');
    await expectText(page, `${messages} [data-testid="ledger-rejected"]`, '4');
    const group = page.locator(`${messages} [data-testid="rejection-group"]`).first();
    assert.match(await group.textContent(), /^3 rows \(lines 1, 2, 4\): expected a time for the request, but found none: an Anthropic Message carries no time/);
    await page.selectOption('[data-testid="untimed-requests"]', 'count');
    // Read again: three counted without a time, the one whose cache split disagrees rejected.
    await expectText(page, `${messages} [data-testid="ledger-accepted"]`, '3');
    await expectText(page, `${messages} [data-testid="ledger-rejected"]`, '1');
    await expectPart(page, `${messages} [data-testid="ledger-untimed"]`, '3 of the accepted rows state no time');
    assert.deepEqual(seen.pageErrors, [], 'no uncaught page errors');
  });
});
