// Browser benchmark (figures, not a test): loads a generated log into the built page in
// headless Chromium and reports the time from file selection to the ledger on screen,
// MB/s and rows/s, and memory: the page's JS heap (CDP) and the peak resident memory of
// the tab's renderer process, which also hosts the worker (from /proc).
// With --no-figures the settings are made invalid first (quota per USD "x"), so the page
// reads and shows the ledger but computes no figures: the memory of reading alone.
// With --one-worker the page cannot start its second (hashing) worker, so the reading
// worker hashes too, as before the page had one: the same build measured both ways.
// Unless --no-rates (or --no-figures), the bench rate card (scripts/bench-settings.json:
// every model of the generated log priced, the window all of January 2026; --settings
// FILE for another) is imported first, outside the timing, so the figures price every row.
// Besides file picked → ledger, each run then prints, by the page's own clock (stamped
// in the page as the DOM changes and as the workers' messages arrive): file picked →
// figures shown, the last byte read (the last progress a worker sent: every row parsed)
// → figures (and → painted: a task after the next frame, once the browser has laid out
// and painted them), when the SHA-256 arrived, and the recompute after one rate edit (the first
// rate row's input price typed anew → the new total shown), plus the page thread's
// longest task (a long one is a page that does not answer typing meanwhile).
// --no-keep switches "Keep files in this browser" off first (no copy written meanwhile).
// --timeline also prints when each worker's first and last message of each kind came
// (kind and worker: `tail2` is the second worker's rows after the cut), from the pick.
// --memory-timeline also prints when the tab's resident memory peaked, from the pick, with
// a sample every 100 ms (of one taken every 10 ms), and the page's WebAssembly memory at
// each change: where a peak is, before looking for what makes it.
// --cold picks the file with no drag over the drop zone first: the reader's module is
// fetched and started after the pick, and its time is in the figures'.
// Run: DIST_DIR=dist node scripts/bench-browser.mjs [--no-figures] [--no-rates] [--one-worker] [--timeline] [--memory-timeline] [--no-keep] [--cold]
//      [--settings FILE] FILE ROWS [RUNS]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowOneWorker } from './bench-one-worker.mjs';
import { serveDist, listen, originOf, closeServer, launch, watch, openApp } from '../tests/e2e/harness.mjs';

const argv = process.argv.slice(2);
const settingsAt = argv.indexOf('--settings');
const settingsFile = settingsAt >= 0 ? argv.splice(settingsAt, 2)[1]
  : path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-settings.json');
const switches = argv;
const noFigures = switches.includes('--no-figures');
const rates = !noFigures && !switches.includes('--no-rates');
const oneWorker = switches.includes('--one-worker');
const timeline = switches.includes('--timeline');
const memoryTimeline = switches.includes('--memory-timeline');
const noKeep = switches.includes('--no-keep');
const cold = switches.includes('--cold');
const [file, rowsText, runsText] = switches.filter((a) => !a.startsWith('--'));
if (!file || !rowsText) {
  console.error('usage: node scripts/bench-browser.mjs [--no-figures] [--no-rates] [--one-worker] [--timeline] [--memory-timeline] [--no-keep] [--cold] [--settings FILE] FILE ROWS [RUNS]');
  process.exit(2);
}
const rows = Number(rowsText);
const runs = Number(runsText || 3);
const bytes = statSync(file).size;

// Chromium's renderer processes (--type=renderer) started by this script.
function renderers(rootPid) {
  const parent = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited meanwhile */ }
  }
  const descends = (pid) => {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === rootPid) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    try {
      return descends(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
    } catch { return false; }
  });
}

function memoryMb(pid, field) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch { return 0; }
}


// CPU seconds so far of every thread of the Chromium processes this script started, by
// "process type/tid thread name" (from /proc; clock ticks of 10 ms).
function threadCpu(rootPid) {
  const parentOf = (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  };
  const out = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    try {
      let p = parentOf(pid);
      while (p > 1 && p !== rootPid) p = parentOf(p);
      if (p !== rootPid) continue;
      const type = (readFileSync(`/proc/${pid}/cmdline`, 'utf8').match(/--type=([a-z-]+)/) || [, 'browser'])[1];
      const seconds = (stat) => {
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(f[11]) + Number(f[12])) / 100;
      };
      // The process's own total also counts its threads that have ended (a worker the
      // page let go), which no longer have a task entry.
      out.set(`${type}/${pid}/all`, seconds(readFileSync(`/proc/${pid}/stat`, 'utf8')));
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        out.set(`${type}/${pid}/${tid} ${name}`, seconds(stat));
      }
    } catch { /* exited meanwhile */ }
  }
  return out;
}

// Where the CPU went between two `threadCpu` readings: each web worker, the rest of the
// tab (page, compositor, its I/O), the browser process (which reads the File for the
// tab), and the total; on 2 cores the total over the wall-clock time shows how busy both were.
function cpuSpent(before, after) {
  const spent = [...after].filter(([k]) => !k.endsWith('/all')).map(([k, v]) => [k, v - (before.get(k) ?? 0)]);
  // Threads that ended between the two readings: the rest of their process's total. In
  // the tab that is the second worker, let go once its part of a large file is in.
  for (const [k, v] of after) {
    if (!k.endsWith('/all')) continue;
    const process = k.slice(0, -'all'.length);
    const live = spent.filter(([t]) => t.startsWith(process)).reduce((a, [, x]) => a + x, 0);
    const ended = v - (before.get(k) ?? 0) - live;
    const what = process.startsWith('renderer/') ? 'DedicatedWorker (ended)' : 'ended threads';
    if (ended >= 0.05) spent.push([`${process}${what}`, ended]);
  }
  const sum = (keep) => spent.filter(([k]) => keep(k)).reduce((a, [, v]) => a + v, 0);
  const workers = spent.filter(([k]) => k.includes('DedicatedWorker')).map(([, v]) => v)
    .filter((v) => v >= 0.05).sort((a, b) => b - a);
  return {
    workers,
    tab: sum((k) => k.startsWith('renderer/') && !k.includes('DedicatedWorker')),
    browser: sum((k) => k.startsWith('browser/')),
    total: sum(() => true),
  };
}

// Stamps in the page, by performance.now(): the file input's change, the ledger showing
// every row, the figures shown (a total, nothing recomputing, after the ledger), and the
// arrival of each worker message kind (the last one of each); the page thread's tasks
// over 50 ms. A wrapper of Worker sees the messages as the page gets them.
function stamps(rows) {
  const B = window.__bench = { change: null, ledger: null, figures: null, painted: null, messages: {}, first: {}, longest: 0, long: 0 };
  const q = (id) => document.querySelector(`[data-testid="${id}"]`);
  const check = () => {
    if (B.mounted === undefined && q('app')) B.mounted = performance.now();
    if (B.change === null) return;
    const now = performance.now();
    if (B.ledger === null && q('ledger-read')?.textContent.trim() === rows) B.ledger = now;
    if (B.figures === null && B.ledger !== null && q('total-expected') && !q('recomputing')) {
      B.figures = now;
      // Painted: a task after the next frame (style, layout and paint of the figures done).
      requestAnimationFrame(() => setTimeout(() => { B.painted = performance.now(); }, 0));
    }
  };
  document.addEventListener('change', (e) => {
    if (e.target?.matches?.('[data-testid="file-input"]') && B.change === null) B.change = performance.now();
  }, true);
  addEventListener('DOMContentLoaded', () => new MutationObserver(check)
    .observe(document, { subtree: true, childList: true, characterData: true, attributes: true }));
  const Real = window.Worker;
  let started = 0;
  window.Worker = class extends Real {
    constructor(...args) {
      super(...args);
      const which = (started += 1);
      this.addEventListener('message', (e) => {
        const kind = e.data?.kind;
        if (!kind) return;
        B.messages[`${kind}${which}`] = performance.now();
        B.first[`${kind}${which}`] ??= performance.now();
      });
    }
  };
  try {
    new PerformanceObserver((list) => {
      for (const task of list.getEntries()) {
        if (B.change === null) continue;
        B.longest = Math.max(B.longest, task.duration);
        B.long += task.duration;
      }
    }).observe({ type: 'longtask', buffered: false });
  } catch { /* no long task timing */ }
}

const server = await listen(serveDist);
const browser = await launch();
const results = [];
try {
  for (let run = 1; run <= runs; run += 1) {
    // A fresh context (and so renderer) per run, so no run inherits another's memory.
    const context = await browser.newContext();
    const page = await context.newPage();
    if (oneWorker) {
      await allowOneWorker(page);
    }
    await page.addInitScript(stamps, String(rows));
    if (memoryTimeline) {
      await page.addInitScript(() => {
        addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail.wasm.memory; });
        window.__pageMemory = [];
        setInterval(() => {
          const mib = window.__wasmMemory ? window.__wasmMemory.buffer.byteLength / 1048576 : null;
          if (mib !== null && mib !== window.__pageMemory.at(-1)?.[1]) window.__pageMemory.push([performance.now(), mib]);
        }, 20);
      });
    }
    const seen = watch(page);
    await openApp(page, originOf(server), seen);
    // Ready: the app mounted, by the page's clock from navigation (a fresh context:
    // nothing cached, every file fetched and compiled). The workers start when the user
    // starts to give a file: unless --cold, a drag is begun over the drop zone (as a user
    // dragging a file in does) and the bench waits for both workers' `ready` (the one,
    // with --one-worker), timed from that drag; with --cold the file is picked at once,
    // so its time includes fetching and starting the reader.
    await page.waitForFunction(() => window.__bench.mounted, null, { timeout: 60_000, polling: 10 });
    let intent = null;
    if (!cold) {
      intent = await page.evaluate(() => {
        const at = performance.now();
        document.querySelector('label.drop').dispatchEvent(new DragEvent('dragenter', { bubbles: true }));
        return at;
      });
      await page.waitForFunction((one) => window.__bench.first.ready1 && (one || window.__bench.first.ready2),
        oneWorker, { timeout: 60_000, polling: 10 });
      // And warm: each worker's warm-up ran to its end (src/web/worker/warm.rs).
      for (const worker of page.workers()) {
        await worker.evaluate(() => new Promise((resolve) => {
          const check = () => (globalThis.warmed || globalThis.warmedInTwo >= 2 ? resolve() : setTimeout(check, 10));
          check();
        }));
      }
    }
    const warmAt = intent === null ? null : await page.evaluate(() => performance.now());
    const ready = await page.evaluate(([intent, warm]) => [window.__bench.mounted / 1000,
      intent === null ? null : (Math.max(window.__bench.first.ready1, window.__bench.first.ready2 || 0) - intent) / 1000,
      intent === null ? null : (warm - intent) / 1000], [intent, warmAt]);
    if (noFigures) await page.fill('[data-testid="quota-per-usd"]', 'x');
    if (noKeep) await page.uncheck('[data-testid="keep-files"]');
    if (rates) {
      await page.setInputFiles('[data-testid="import-settings"]', settingsFile);
      const want = JSON.parse(readFileSync(settingsFile, 'utf8')).rates.length;
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="rate-row"]').length >= n,
        want, { timeout: 60_000, polling: 20 });
    }
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const idle = Math.max(...renderers(process.pid).map((pid) => memoryMb(pid, 'VmRSS')));
    // The worker's last progress line ("…: X MB of Y MB, N rows, R rows/s", by its own
    // clock): how fast the worker read, apart from the page computing the figures.
    await page.evaluate(() => {
      window.benchStatus = '';
      setInterval(() => {
        const text = document.querySelector('[data-testid="load-status"]')?.textContent;
        if (text) window.benchStatus = text;
      }, 20);
    });
    const cpuBefore = threadCpu(process.pid);
    const start = performance.now();
    const series = [];
    const sampler = memoryTimeline ? setInterval(() => {
      series.push([performance.now() - start, Math.max(...renderers(process.pid).map((pid) => memoryMb(pid, 'VmRSS')))]);
    }, 10) : null;
    await page.setInputFiles('[data-testid="file-input"]', file);
    await page.waitForFunction((want) => document.querySelector('[data-testid="ledger-read"]')?.textContent.trim() === want,
      String(rows), { timeout: 900_000, polling: 50 });
    // The worker computes the figures after the ledger shows; the time includes them.
    if (!noFigures) await page.waitForFunction(() => !document.querySelector('[data-testid="recomputing"]'),
      null, { timeout: 900_000, polling: 50 });
    const seconds = (performance.now() - start) / 1000;
    // One rate edit on the loaded review: the first row's input price typed anew, to the
    // new total on screen (by the page's clock, from the input event). Loaded means with
    // its SHA-256 and its kept copy: the second worker hashes a large file after the
    // figures are shown, and the copy is written then, so an edit typed at once competes
    // with both.
    let edit = null;
    if (!noFigures) {
      await page.waitForFunction(() => !document.querySelector('[data-testid="fingerprint-pending"]'),
        null, { timeout: 900_000, polling: 50 });
      // And with its copy kept in this browser (written after the figures too).
      if (!noKeep) await page.waitForFunction(() => /^\d+ files? (is|are) kept/.test(
        document.querySelector('[data-testid="kept-storage"]')?.textContent ?? ''), null, { timeout: 900_000, polling: 50 });
      const before = await page.evaluate(() => document.querySelector('[data-testid="total-expected"]')?.textContent.trim());
      const field = page.locator('[data-testid="rate-row"] [data-testid="rate-input"]').first();
      const old = await field.inputValue();
      await page.evaluate(() => {
        const B = window.__bench;
        B.edited = null;
        B.reshown = null;
        document.addEventListener('input', () => { if (B.edited === null) B.edited = performance.now(); }, { capture: true, once: true });
        new MutationObserver(() => {
          const total = document.querySelector('[data-testid="total-expected"]')?.textContent.trim();
          if (B.reshown === null && B.edited !== null && total !== B.totalBefore
            && !document.querySelector('[data-testid="recomputing"]')) B.reshown = performance.now();
        }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await page.evaluate((t) => { window.__bench.totalBefore = t; }, before);
      await field.fill(old === '' ? '1' : `${old}1`);
      await page.waitForFunction(() => window.__bench.reshown !== null, null, { timeout: 900_000, polling: 20 });
      edit = await page.evaluate(() => window.__bench.reshown - window.__bench.edited);
    }
    if (sampler) {
      clearInterval(sampler);
      const top = series.reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0]);
      const every = series.filter((_, i) => i % 10 === 0).map(([t, mb]) => `${(t / 1000).toFixed(2)}:${mb.toFixed(0)}`);
      console.log(`  resident memory: highest ${top[1].toFixed(1)} MB at ${(top[0] / 1000).toFixed(3)} s; s:MB ${every.join(' ')}`);
      const wasm = await page.evaluate(() => window.__pageMemory.map(([t, mib]) =>
        `${((t - window.__bench.change) / 1000).toFixed(2)}:${mib.toFixed(1)}`));
      console.log(`  the page's WebAssembly memory, s:MiB (before the pick: negative): ${wasm.join(' ')}`);
    }
    const B = await page.evaluate(() => window.__bench);
    const since = (t) => (t === null || t === undefined ? null : (t - B.change) / 1000);
    const progress = Object.entries(B.messages).filter(([k]) => k.startsWith('progress')).map(([, t]) => t);
    const lastRead = progress.length ? Math.max(...progress) : null;
    // From whichever worker hashed: the second one, or the reader when the second was let
    // go after its part of a large file.
    const digests = Object.entries(B.messages).filter(([k]) => k.startsWith('hashed')).map(([, t]) => t);
    const hashed = digests.length ? Math.max(...digests) : null;
    const inPage = {
      ledger: since(B.ledger),
      figures: since(B.figures),
      painted: since(B.painted ?? null),
      lastRead: since(lastRead),
      hashed: since(hashed),
      answered: since(B.first.figures1 ?? null),
      done: since(B.messages.done1 ?? null),
      readToFigures: B.figures !== null && lastRead !== null ? (B.figures - lastRead) / 1000 : null,
      edit: edit === null ? null : edit / 1000,
      longest: B.longest / 1000,
    };
    const status = (await page.evaluate(() => window.benchStatus)).match(/([\d.]+) MB of [\d.]+ MB, (\d+) rows, (\d+) rows\/s/);
    const worker = status ? ` (worker's last report: ${status[1]} MB at ${(Number(status[1]) * Number(status[3]) / Number(status[2])).toFixed(0)} MB/s)` : '';
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const tabs = renderers(process.pid);
    const peak = Math.max(...tabs.map((pid) => memoryMb(pid, 'VmHWM')));
    const now = Math.max(...tabs.map((pid) => memoryMb(pid, 'VmRSS')));
    const cpu = cpuSpent(cpuBefore, threadCpu(process.pid));
    const errors = [...seen.pageErrors, ...seen.consoleErrors];
    const result = { seconds, mbPerSecond: bytes / 1e6 / seconds, rowsPerSecond: rows / seconds, peak, inPage, cpu: cpu.total, ready };
    const s = (v) => (v === null ? '–' : `${v.toFixed(3)} s`);
    if (timeline) {
      const stamps = [...Object.entries(B.first).map(([k, t]) => [`first ${k}`, since(t)]),
        ...Object.entries(B.messages).map(([k, t]) => [`last ${k}`, since(t)])]
        .filter(([, t]) => t !== null && t >= 0).sort((a, b) => a[1] - b[1]);
      console.log(`  timeline: ${stamps.map(([k, t]) => `${k} ${t.toFixed(3)}`).join(', ')}`);
    }
    results.push(result);
    console.log(`run ${run}: ${(bytes / 1e6).toFixed(1)} MB, ${rows} rows in ${seconds.toFixed(2)} s = ` +
      `${result.mbPerSecond.toFixed(0)} MB/s, ${result.rowsPerSecond.toFixed(0)} rows/s; page JS heap ` +
      `${(metrics.JSHeapUsedSize / 1e6).toFixed(1)} MB${worker}; renderer (page + worker) peak RSS ${peak.toFixed(0)} MB, ` +
      `now ${now.toFixed(0)} MB (${idle.toFixed(0)} MB before the file)${noFigures ? ', no figures' : ''}; ` +
      `CPU s: workers ${cpu.workers.map((w) => w.toFixed(2)).join(' + ')}, rest of the tab ${cpu.tab.toFixed(2)}, ` +
      `browser ${cpu.browser.toFixed(2)}, all ${cpu.total.toFixed(2)}` +
      `${errors.length ? `; errors ${JSON.stringify(errors)}` : ''}`);
    console.log(`  ready: app mounted ${s(ready[0])} after navigation; after a drag began, both workers ready ${s(ready[1])}, warm ${s(ready[2])}${cold ? ' (--cold: no drag, the file picked at once)' : ''}`);
    console.log(`  in the page: picked → ledger ${s(inPage.ledger)}, → last byte read ${s(inPage.lastRead)}, ` +
      `→ SHA-256 ${s(inPage.hashed)}, → report sent ${s(inPage.done)}, → first figures sent ${s(inPage.answered)}, → figures shown ${s(inPage.figures)}, → painted ${s(inPage.painted)}; last byte read → figures ` +
      `${s(inPage.readToFigures)} (the worker's figures, report sent → figures sent: ` +
      `${s(inPage.answered != null && inPage.done != null ? inPage.answered - inPage.done : null)}); ` +
      `one rate edit → new total ${s(inPage.edit)}; page thread's longest task ` +
      `${s(inPage.longest)}${rates ? '' : ' (default settings, no rate card)'}`);
    await context.close();
  }
} finally {
  await browser.close();
  await closeServer(server);
}
results.sort((a, b) => a.mbPerSecond - b.mbPerSecond);
const median = results[Math.floor(results.length / 2)];
const medianOf = (f) => {
  const values = results.map(f).filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  return values.length ? values[Math.floor(values.length / 2)] : null;
};
const m = (v, unit = 's') => (v === null ? '–' : `${v.toFixed(unit === 's' ? 3 : 2)} ${unit}`);
console.log(`median: ${median.mbPerSecond.toFixed(0)} MB/s, ${median.rowsPerSecond.toFixed(0)} rows/s ` +
  `(${median.seconds.toFixed(2)} s from file selection to the ledger${noFigures ? '' : ' and figures'} on screen); ` +
  `highest renderer peak RSS ${Math.max(...results.map((r) => r.peak)).toFixed(0)} MB`);
console.log(`medians, by the page's clock: picked → figures ${m(medianOf((r) => r.inPage.figures))} ` +
  `(painted ${m(medianOf((r) => r.inPage.painted))}) ` +
  `(${m(medianOf((r) => r.inPage.figures && bytes / 1e6 / r.inPage.figures), 'MB/s')}), last byte read → figures ` +
  `${m(medianOf((r) => r.inPage.readToFigures))} (the worker's figures ` +
  `${m(medianOf((r) => (r.inPage.answered != null && r.inPage.done != null ? r.inPage.answered - r.inPage.done : null)))}), ` +
  `one rate edit ${m(medianOf((r) => r.inPage.edit))}, ` +
  `CPU ${m(medianOf((r) => r.cpu))}, renderer peak ${m(medianOf((r) => r.peak), 'MB')}, ` +
  `ready (app mounted / workers after a drag began / warm) ${m(medianOf((r) => r.ready[0]))} / ${m(medianOf((r) => r.ready[1]))} / ${m(medianOf((r) => r.ready[2]))}`);
