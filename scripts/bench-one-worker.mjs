// Makes a page unable to start more than one web worker, as a browser that refuses the
// second one would: the page then falls back to a single worker that reads and hashes.
// Used by bench-browser.mjs --one-worker (the before/after figure from one build) and by
// the end-to-end test of that fallback.
export async function allowOneWorker(page) {
  await page.addInitScript(() => {
    const Real = window.Worker;
    let started = 0;
    window.Worker = class extends Real {
      constructor(...args) {
        started += 1;
        if (started > 1) throw new Error('only one web worker may start');
        super(...args);
      }
    };
  });
}
