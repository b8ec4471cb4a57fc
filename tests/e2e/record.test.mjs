// End-to-end check of the built page (Trunk release output) in headless Chromium:
// upload the fixture, enter settings and rates, read the totals, download the record,
// and confirm the native CLI produces the same bytes from the page's exported settings.
// Run: DIST_DIR=dist CLI_BIN=path/to/spend-reconciler node --test tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  repoRoot, TIMEOUT, serveDist, listen, originOf, closeServer, launch, watch, openApp, expectText,
} from './harness.mjs';

const cliBin = process.env.CLI_BIN || '';
const fixture = path.join(repoRoot, 'tests/fixtures/cometapi-log-page.json');

// A second origin that WOULD answer a cross-origin fetch (CORS open), so a 'blocked' result
// can only come from the page's CSP, not from a refused connection.
let canaryHits = 0;
function serveCanary(req, res) {
  canaryHits += 1;
  res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' }).end('leak');
}

let server, canary, browser, tmp;
before(async () => {
  server = await listen(serveDist);
  canary = await listen(serveCanary);
  tmp = mkdtempSync(path.join(tmpdir(), 'spend-e2e-'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await closeServer(server);
  await closeServer(canary);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), page.click(selector)]);
  assert.equal(await dl.failure(), null, `download from ${selector} failed`);
  return dl;
}

const rates = {
  'claude-sonnet-4-5-20250929': { 'rate-input': '3', 'rate-cached-input': '0.30', 'rate-cache-write': '3.75', 'rate-output': '15' },
  'gpt-4o': { 'rate-input': '2.50', 'rate-cached-input': '1.25', 'rate-output': '10' },
  'mj_imagine': { 'rate-per-call': '0.1' },
};
const provenance = {
  'rate-source-url': 'https://apidoc.cometapi.com/about-pricing-873788m0',
  'rate-captured-at': '2026-01-02T09:00:00Z',
};

test('page reconciles the fixture offline and its record matches the CLI', async (t) => {
  const origin = originOf(server);
  const probeUrl = `${originOf(canary)}/x`;
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const seen = watch(page);
  const { requests, consoleErrors, pageErrors, badResponses } = seen;

  try {
    await openApp(page, origin, seen);

    // CSP: declared in the page, and enforced (the canary would answer if it were not).
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp, 'page must carry a <meta http-equiv="Content-Security-Policy">');
    assert.match(csp, /connect-src '(self|none)'/, `CSP must restrict connect-src: ${csp}`);
    for (const d of ["object-src 'none'", "base-uri 'none'", "form-action 'none'"]) {
      assert.ok(csp.includes(d), `CSP must include ${d}: ${csp}`);
    }
    assert.ok(!csp.includes('unsafe-inline'), `CSP must not allow unsafe-inline: ${csp}`);
    const probe = await page.evaluate(async (url) => {
      try { await fetch(url); return 'fetched'; } catch { return 'blocked'; }
    }, probeUrl);
    assert.equal(probe, 'blocked', 'a fetch to another origin must be refused by the CSP');
    assert.equal(canaryHits, 0, 'the other origin must never be contacted');

    // Upload; before any window is set every row is accepted (the error row too: the default
    // outcome policy calls failures unknown, so they are priced as at risk, not excluded).
    await page.setInputFiles('[data-testid="file-input"]', fixture);
    await page.locator('[data-testid="file-summary"]').waitFor({ timeout: TIMEOUT });
    await expectText(page, '[data-testid="ledger-accepted"]', '7');
    await expectText(page, '[data-testid="ledger-excluded"]', '0');
    await expectText(page, '[data-testid="ledger-rejected"]', '0');

    await page.fill('[data-testid="window-start"]', '2026-01-01T00:00:00Z');
    await page.fill('[data-testid="window-end"]', '2026-01-01T01:00:00Z');
    await page.fill('[data-testid="tolerance-absolute"]', '0.001');
    await page.fill('[data-testid="tolerance-percent"]', '1');
    // Row 422 (01:03:20Z) now falls outside the window.
    await expectText(page, '[data-testid="ledger-accepted"]', '6');
    await expectText(page, '[data-testid="ledger-excluded"]', '1');
    await expectText(page, '[data-testid="ledger-rejected"]', '0');

    const rowOf = (model) => page.locator(`[data-testid="rate-row"][data-model="${model}"]`);
    for (const model of Object.keys(rates)) await rowOf(model).waitFor({ timeout: TIMEOUT });
    const models = await page.locator('[data-testid="rate-row"]').evaluateAll((rows) => rows.map((r) => r.dataset.model).sort());
    assert.deepEqual(models, Object.keys(rates).sort(), 'exactly one rate row per model seen in the file');
    for (const [model, fields] of Object.entries(rates)) {
      const row = rowOf(model);
      for (const [testid, value] of Object.entries({ ...fields, ...provenance })) {
        await row.locator(`[data-testid="${testid}"]`).fill(value);
      }
      assert.equal(await row.locator('[data-testid="rate-label"]').inputValue(), 'verified', `${model} label default`);
    }

    await expectText(page, '[data-testid="total-expected"]', '0.1606');
    await expectText(page, '[data-testid="total-provider"]', '0.1556');
    await expectText(page, '[data-testid="total-variance"]', '-0.005');
    await expectText(page, '[data-testid="total-variance-percent"]', '-3.1133');
    const gpt = '[data-testid="result-row"][data-model="gpt-4o"]';
    await expectText(page, `${gpt} [data-testid="expected"]`, '0.0285');
    await expectText(page, `${gpt} [data-testid="provider"]`, '0.0235');
    await expectText(page, `${gpt} [data-testid="variance"]`, '-0.005');

    const recordText = await readFile(await (await download(page, '[data-testid="download-record"]')).path(), 'utf8');
    const record = JSON.parse(recordText);
    assert.equal(record.schema_version, 3);
    assert.equal(record.settings?.incident_window_utc?.start, '2026-01-01T00:00:00Z', 'the record carries its settings');
    assert.match(record.settings_sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(record.not_computed, {}, "every figure computed");
    assert.equal(record.computed_charge?.expected_amount, '0.1606');
    assert.equal(record.computed_charge?.provider_reported_amount, '0.1556');
    assert.equal(record.computed_charge?.variance_amount, '-0.005');
    assert.equal(record.computed_charge?.variance_percent, '-3.1133');
    assert.equal(record.incident_window_utc?.start, '2026-01-01T00:00:00Z');
    assert.equal(record.usage_rollup?.request_count, 5);
    assert.equal(record.usage_rollup?.failed_request_count, 1);
    const fixtureSha = createHash('sha256').update(readFileSync(fixture)).digest('hex');
    assert.equal(record.input_files?.[0]?.sha256, fixtureSha, 'record must fingerprint the uploaded bytes');
    assert.equal(record.input_files?.[0]?.rows_read, 7);
    // Secrets and identities from the fixture must never reach the record.
    for (const secret of ['prod-bot', 'alice@example.com', 'sk-live', '203.0.113.7', 'Ignore previous instructions']) {
      assert.ok(!recordText.includes(secret), `record must not contain ${JSON.stringify(secret)}`);
    }
    // Money stays decimal strings; a JSON number would mean float rounding somewhere.
    assert.doesNotMatch(recordText, /"(expected_amount|provider_reported_amount|variance_amount)":\s*-?\d/);

    const settingsFile = path.join(tmp, 'settings.json');
    await (await download(page, '[data-testid="download-settings"]')).saveAs(settingsFile);

    await t.test('CLI reproduces the page record byte for byte', { skip: !cliBin && 'CLI_BIN is not set' }, () => {
      const out = execFileSync(cliBin, ['--settings', settingsFile, '--generated-at', record.generated_at, fixture]);
      if (!out.equals(Buffer.from(recordText))) {
        assert.equal(out.toString('utf8'), recordText, 'CLI stdout must equal the downloaded record');
        assert.fail('CLI stdout differs from the downloaded record in its bytes');
      }
    });

    // Only the test's own origin was ever requested (downloads use blob: URLs). The CSP probe
    // is excluded by exact URL: Chromium may report a CSP-blocked request as a request event.
    const foreign = requests.filter((u) => u !== probeUrl && !u.startsWith(origin + '/') && !/^(blob|data):/.test(u));
    assert.deepEqual(foreign, [], 'the page must request nothing outside its own origin');
    // The probe's own CSP refusal is logged as a console error; anything else is a real fault.
    const cspErrors = consoleErrors.filter((m) => /Content Security Policy|Refused to/.test(m) && !m.includes(probeUrl));
    assert.deepEqual(cspErrors, [], 'no CSP violations besides the deliberate probe');
    assert.deepEqual(pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(badResponses, [], 'every resource the page loaded was served');
  } finally {
    await context.close();
  }
});
