// Builds the single-file offline copy from a release build: one HTML file that opens
// from file:// with no server (a browser refuses module scripts, workers and WebAssembly
// fetched from a file origin, so nothing here is fetched).
//
//   node tools/single-file.mjs [DIST_DIR] [OUT_FILE]
//   (defaults: dist, dist-offline/spend-reconciler.html)
//
// Inside: the stylesheet in a <style>; the WebAssembly (one module for the page and its
// workers) as a base64 data block (<script type="application/octet-stream">, never run
// as script); one inline module script holding the app's wasm-bindgen JS and a starter
// that starts the app from bytes and makes the worker a blob: URL: this same script
// (its own text) with the WebAssembly's base64 before it, started as a module worker. The Content-Security-Policy stays strict: the one script and the
// one style are allowed by their SHA-256, WebAssembly by 'wasm-unsafe-eval', workers from
// blob: only, and no connection at all ('connect-src' 'none').
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const dist = resolve(process.argv[2] || 'dist');
const out = resolve(process.argv[3] || 'dist-offline/spend-reconciler.html');

function fail(message) {
  console.error(`single-file: ${message}`);
  process.exit(1);
}
const read = (name) => readFileSync(join(dist, name));
const text = (name) => read(name).toString('utf8');
const match = (source, pattern, what) => source.match(pattern)?.[1] ?? fail(`cannot find ${what}`);
const sha256 = (body) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;

// What the release build is made of (tools/post-build.mjs names them).
const index = text('index.html');
const cssName = match(index, /<link rel="stylesheet" href="\.\/([^"]+\.css)"/, 'the stylesheet in index.html');
const startName = match(index, /<script type="module" src="\.\/([^"]+\.js)"><\/script>/, 'the start script in index.html');
const start = text(startName);
const appJsName = match(start, /from '\.\/([^']+\.js)'/, 'the app JS in the start script');
const appWasmName = match(start, /module_or_path: '\.\/([^']+\.wasm)'/, 'the app WebAssembly in the start script');
const loaderName = match(index, /<meta name="spend-reconciler-worker" content="\.\/([^"]+)"/, 'the worker loader in index.html');
const loader = text(loaderName);
if (match(loader, /from "\.\/([^"]+\.js)"/, 'the app JS in the worker loader') !== appJsName ||
    match(loader, /module_or_path: "\.\/([^"]+\.wasm)"/, 'the WebAssembly in the worker loader') !== appWasmName) {
  fail(`${loaderName} does not start the app's own module; update this script`);
}
const note = /(<p class="boot-note"[^>]*>)[\s\S]*?(<\/p>)/;
const body = match(index, /<body>([\s\S]*)<\/body>/, 'the body of index.html').replace(note,
  '$1Starting Spend Reconciler… If this message stays, this browser could not start it: it needs JavaScript and WebAssembly.$2');

// The app's JS is an ES module whose only export line names its init functions: as
// part of the inline module below it needs no export.
const exportLine = /^export \{ initSync, __wbg_init as default \};$/m;
const appJs = text(appJsName);
if (!exportLine.test(appJs)) fail(`${appJsName}: wasm-bindgen's export line changed; update this script`);
if (/^\s*import\b/m.test(appJs)) fail(`${appJsName} imports other files (snippets?); inline them first`);

// The starter is a classic script too (no top-level await, no import.meta), so the
// same text runs as the page's inline module and as a classic worker: a browser does not
// start a module worker from a blob: URL of a page opened from a file.
const starter = `
// The single-file copy starts here. In the page: the app from bytes, and the worker from
// a blob: URL holding this same script after the WebAssembly's base64, started as a
// classic worker. In that worker (no document): the same module from those bytes; it
// starts the worker's mailbox.
const bytes = (base64) => {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
};
if (typeof document === 'undefined') {
  __wbg_init({ module_or_path: bytes(self.spendReconcilerWasm) });
} else {
  const failed = (error) => {
    const panic = document.getElementById('panic');
    panic.textContent = 'Spend Reconciler could not start in this browser (it needs JavaScript and WebAssembly): ' + error;
    panic.hidden = false;
  };
  try {
    const wasm = document.getElementById('app-wasm').textContent.replace(/\\s+/g, '');
    const script = document.querySelector('script[type="module"]').textContent;
    const workerSource = 'self.spendReconcilerWasm = "' + wasm + '";\\n' + script;
    const loader = document.querySelector('meta[name="spend-reconciler-worker"]');
    loader.content = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    loader.dataset.workerType = 'classic';
    __wbg_init({ module_or_path: bytes(wasm) }).catch(failed);
  } catch (error) {
    failed(error);
  }
}
`;
// wasm-bindgen names import.meta.url only as the default place of the WebAssembly, which
// the starter never uses (it passes the bytes); self.location.href is the same URL in the
// page and lets the text run as a classic script in the worker.
const importMeta = /\bimport\.meta\.url\b/g;
if ((appJs.match(importMeta) ?? []).length !== 1) fail(`${appJsName}: expected import.meta.url once (wasm-bindgen's default path); update this script`);
const script = appJs.replace(exportLine, '').replace(importMeta, 'self.location.href') + starter;
const css = text(cssName);
for (const [what, source] of [['script', script], ['style', css]]) {
  if (new RegExp(`</${what}`, 'i').test(source)) fail(`the inline ${what} contains </${what}`);
}

const policy = [
  "default-src 'none'",
  `script-src 'wasm-unsafe-eval' ${sha256(script)}`,
  `style-src ${sha256(css)}`,
  'img-src data: blob:',
  'worker-src blob:',
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');

const data = (id, bytes) => `<script type="application/octet-stream" id="${id}">\n${bytes.toString('base64').replace(/.{1,120}/g, '$&\n')}</script>`;
const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <!-- Spend Reconciler, the single-file offline copy: everything it runs is in this
         file; nothing is fetched and no connection is allowed. -->
    <meta http-equiv="Content-Security-Policy" content="${policy}" />
    <meta name="referrer" content="no-referrer" />
    <meta name="spend-reconciler-worker" content="" />
    <title>Spend Reconciler</title>
    <link rel="icon" href="data:," />
    <style>${css}</style>
    ${data('app-wasm', read(appWasmName))}
    <script type="module">${script}</script>
  </head>
  <body>${body}</body>
</html>
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, html);
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`single-file: ${out}: ${kb(Buffer.byteLength(html))} ` +
  `(wasm, page and workers, ${kb(read(appWasmName).length)}, app JS ${kb(appJs.length)}, CSS ${kb(css.length)})`);
