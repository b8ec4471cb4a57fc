// Where each web worker's time goes while a file is read and its figures computed (a
// profile, not a test): the DevTools CPU profiler of each worker, attached through the
// page's CDP session (worker targets, messages routed by session), sampled every
// 0.5 ms from the pick until the figures are shown; prints each worker's busy time and
// its functions by self time. Function names need a build that keeps them
// (docs/benchmarks.md, "Profiling the workers").
// Run: DIST_DIR=… node scripts/profile-workers.mjs FILE [SETTINGS] [TOP]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDist, listen, originOf, closeServer, launch, watch, openApp } from '../tests/e2e/harness.mjs';

const [file, settingsArg, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/profile-workers.mjs FILE [SETTINGS] [TOP]');
  process.exit(2);
}
const settings = settingsArg
  ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-settings.json');
const top = Number(topArg || 25);

const server = await listen(serveDist);
const browser = await launch();
const context = await browser.newContext();
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
const workers = [];
let bothAttached;
const attached = new Promise((resolve) => { bothAttached = resolve; });
const answers = new Map();
let nextId = 1;
cdp.on('Target.attachedToTarget', (e) => {
  if (e.targetInfo.type !== 'worker') return;
  workers.push(e.sessionId);
  if (workers.length === 2) bothAttached();
});
// The page lets the second worker go once its part of a large file is in: its profile
// goes with it, so only the workers still there at the end are reported.
const gone = new Set();
cdp.on('Target.detachedFromTarget', (e) => gone.add(e.sessionId));
cdp.on('Target.receivedMessageFromTarget', (e) => {
  const message = JSON.parse(e.message);
  answers.get(message.id)?.(message.result);
  answers.delete(message.id);
});
const send = (sessionId, method, params = {}) => new Promise((resolve) => {
  const id = nextId++;
  answers.set(id, resolve);
  cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
});
await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
await openApp(page, originOf(server), watch(page));
await page.setInputFiles('[data-testid="import-settings"]', settings);
await page.locator('[data-testid="rate-row"]').first().waitFor();
// The page starts both workers before the first file.
await attached;
for (const worker of workers) {
  await send(worker, 'Profiler.enable');
  await send(worker, 'Profiler.setSamplingInterval', { interval: 500 });
  await send(worker, 'Profiler.start');
}
await page.setInputFiles('[data-testid="file-input"]', file);
await page.locator('#results:not([aria-busy])').waitFor({ timeout: 300_000 });
await page.locator('[data-testid="summary-answer"]').waitFor({ timeout: 300_000 });
for (const [i, worker] of workers.entries()) {
  if (gone.has(worker)) {
    console.log(`worker ${i}: let go by the page before the end (its profile went with it)`);
    continue;
  }
  const { profile } = await send(worker, 'Profiler.stop');
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let busy = 0;
  profile.samples.forEach((id, k) => {
    const name = nodes.get(id).callFrame.functionName || '(anonymous)';
    const us = profile.timeDeltas[k + 1] ?? 0;
    if (name === '(idle)') return;
    busy += us;
    self.set(name, (self.get(name) ?? 0) + us);
  });
  console.log(`worker ${i}: busy ${(busy / 1e6).toFixed(2)} s`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${(100 * us / busy).toFixed(1).padStart(5)}%  ${name.slice(0, 140)}`);
  }
}
await browser.close();
await closeServer(server);
