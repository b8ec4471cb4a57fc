// The single-file offline copy (tools/single-file.mjs) opened from file:// with no
// server: it starts, reads a file in its worker, shows the figures and downloads the
// record, under its own strict policy, and asks for nothing but itself.
// OFFLINE_FILE names the copy (default: dist-offline/spend-reconciler.html).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { repoRoot, launch, watch, listen, originOf, closeServer, reconcileFixture, TIMEOUT } from './harness.mjs';

const offline = path.resolve(repoRoot, process.env.OFFLINE_FILE || 'dist-offline/spend-reconciler.html');

// Another origin that would answer, so a refused fetch can only be the policy's doing.
let canaryHits = 0;
let browser, canary;
before(async () => {
  canary = await listen((req, res) => {
    canaryHits += 1;
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end('leak');
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await closeServer(canary);
});

test('the single-file copy works from file:// with no server', async () => {
  assert.ok(existsSync(offline), `${offline} is missing: build it with node tools/single-file.mjs`);
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const seen = watch(page);
  try {
    const url = pathToFileURL(offline).href;
    await page.goto(url);
    await page.locator('[data-testid="app"]').waitFor({ state: 'attached', timeout: TIMEOUT }).catch((e) => {
      throw new Error(`app did not mount from file://: ${JSON.stringify(seen)}`, { cause: e });
    });
    assert.equal(await page.locator('[data-testid="boot-note"]').isVisible(), false, 'the start-up note is gone');

    // The policy: no inline code but what its hashes name, no connection at all.
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    for (const directive of ["default-src 'none'", "connect-src 'none'", "worker-src blob:", "object-src 'none'", "base-uri 'none'", "form-action 'none'"]) {
      assert.ok(csp.includes(directive), `the policy has ${directive}: ${csp}`);
    }
    assert.match(csp, /script-src 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+';/, 'scripts only by hash');
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*|https?:/, 'nothing looser');
    const probe = `${originOf(canary)}/x`;
    assert.equal(await page.evaluate(async (u) => fetch(u).then(() => 'fetched', () => 'blocked'), probe), 'blocked');
    assert.equal(canaryHits, 0, 'the other origin is never contacted');

    // A file in (read by the worker, itself from a blob: URL), the figures out.
    await reconcileFixture(page);
    assert.ok(seen.requests.some((u) => u.startsWith('blob:')), 'the worker started from a blob: URL');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid="download-record"]'),
    ]);
    assert.equal(await download.failure(), null);
    const record = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(record.computed_charge?.expected_amount, '0.1606');
    assert.equal(record.computed_charge?.provider_reported_amount, '0.1556');
    assert.equal(record.computed_charge?.variance_amount, '-0.005');
    assert.equal(record.input_files?.[0]?.rows_read, 7);

    // Nothing but the file itself and its own blobs was asked for.
    const foreign = seen.requests.filter((u) => u !== url && u !== probe && !/^(blob|data):/.test(u));
    assert.deepEqual(foreign, [], 'no request besides the file');
    const refused = seen.consoleErrors.filter((m) => !m.includes(probe));
    assert.deepEqual(refused, [], 'no console error (a policy refusal would be one)');
    assert.deepEqual(seen.pageErrors, []);
    console.log(`# single file: ${(statSync(offline).size / 1024).toFixed(0)} KiB`);
  } finally {
    await context.close();
  }
});
