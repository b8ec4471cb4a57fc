// Builds the single-file offline copy from a release build: one HTML file that opens
// from file:// with no server (a browser refuses module scripts, workers and WebAssembly
// fetched from a file origin, so nothing here is fetched).
//
//   node tools/single-file.mjs [DIST_DIR] [OUT_FILE]
//   (defaults: dist, dist-offline/spend-reconciler.html)
//
// Inside: the stylesheet in a <style>; the two WebAssembly modules (the page's, and the
// file reader's that runs in the workers) and the reader's wasm-bindgen JS as base64
// data blocks (<script type="application/octet-stream">, never run as script); one
// inline module script holding the app's wasm-bindgen JS and a starter that starts the
// app from bytes and makes the worker a blob: URL: the reader's JS and its WebAssembly's
// base64, started as a classic worker (a browser does not start a module worker from a
// blob: URL of a page opened from a file). The Content-Security-Policy stays strict: the
// one script and the one style are allowed by their SHA-256, WebAssembly by
// 'wasm-unsafe-eval', workers from blob: only, and no connection at all
// ('connect-src' 'none').
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
const readerJsName = match(loader, /importScripts\("\.\/([^"]+\.js)"\)/, "the reader's JS in the worker loader");
const readerWasmName = match(index, /<meta name="spend-reconciler-worker" content="[^"]*" data-wasm="\.\/([^"]+\.wasm)"/, "the reader's WebAssembly in index.html");
const readerJs = text(readerJsName);
if (!/^let wasm_bindgen = /m.test(readerJs)) fail(`${readerJsName}: expected wasm-bindgen's no-modules output (let wasm_bindgen = …); update this script`);
const note = /(<p class="boot-note"[^>]*>)[\s\S]*?(<\/p>)/;
const body = match(index, /<body>([\s\S]*)<\/body>/, 'the body of index.html').replace(note,
  '$1Starting Spend Reconciler… If this message stays, this browser could not start it: it needs JavaScript and WebAssembly.$2');

// The app's JS is an ES module whose only export line names its init functions: as
// part of the inline module below it needs no export.
const exportLine = /^export \{ initSync, __wbg_init as default \};$/m;
const appJs = text(appJsName);
if (!exportLine.test(appJs)) fail(`${appJsName}: wasm-bindgen's export line changed; update this script`);
if (/^\s*import\b/m.test(appJs)) fail(`${appJsName} imports other files (snippets?); inline them first`);

// The starter: the app from bytes, and the worker's loader a blob: URL holding the
// reader's JS and a line that starts it from its WebAssembly's bytes.
const starter = `
// The single-file copy starts here: the app from bytes, and the file reader's worker
// from a blob: URL holding the reader's JS and its WebAssembly, started as a classic
// worker when the first file is given.
const bytes = (base64) => {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
};
const failed = (error) => {
  const panic = document.getElementById('panic');
  panic.textContent = 'Spend Reconciler could not start in this browser (it needs JavaScript and WebAssembly): ' + error;
  panic.hidden = false;
};
try {
  const block = (id) => document.getElementById(id).textContent.replace(/\\s+/g, '');
  const readerJs = new TextDecoder().decode(bytes(block('reader-js')));
  const workerSource = readerJs + '\\n;wasm_bindgen({ module_or_path: (' + bytes.toString() + ')("' +
    block('reader-wasm') + '") });\\n';
  const loader = document.querySelector('meta[name="spend-reconciler-worker"]');
  loader.content = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  __wbg_init({ module_or_path: bytes(block('app-wasm')) }).catch(failed);
} catch (error) {
  failed(error);
}
`;
const script = appJs.replace(exportLine, '') + starter;
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
    ${data('reader-wasm', read(readerWasmName))}
    ${data('reader-js', read(readerJsName))}
    <script type="module">${script}</script>
  </head>
  <body>${body}</body>
</html>
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, html);
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`single-file: ${out}: ${kb(Buffer.byteLength(html))} ` +
  `(the page's wasm ${kb(read(appWasmName).length)}, the reader's ${kb(read(readerWasmName).length)}, ` +
  `app JS ${kb(appJs.length)}, reader JS ${kb(readerJs.length)}, CSS ${kb(css.length)})`);
