// The static server and the headless browser one test file's tests share: started before
// its first test and stopped after its last (kept apart from harness.mjs, which the
// benchmark script imports outside the test runner).
import { before, after } from 'node:test';
import { serveDist, listen, closeServer, launch } from './harness.mjs';

export function sharedBrowser() {
  const shared = { server: null, browser: null };
  before(async () => {
    shared.server = await listen(serveDist);
    shared.browser = await launch();
  });
  after(async () => {
    await shared.browser?.close();
    await closeServer(shared.server);
  });
  return shared;
}
