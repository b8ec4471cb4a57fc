// Trunk post_build hook: makes every file but index.html content-hashed, so a host can
// cache them for a year and an upgrade never mixes an old worker with a new page.
//
// - The file reader (src/bin/reader.rs) is its own WebAssembly module, which the page
//   fetches only when the first file is given. Trunk hashes the app's JS, WebAssembly
//   and CSS, but names a worker's files after its binary (reader.js, reader_bg.wasm),
//   because a worker's URL is named at run time. Here they get the hash of their
//   contents, and the workers' loader (a classic script: importScripts, then the
//   reader's init with the compiled module the page posts it) is written, named by its
//   hash; the page learns its name and the reader's wasm from
//   <meta name="spend-reconciler-worker" data-wasm>, which the app reads when it starts
//   the workers (src/web/browser.rs).
// - Trunk's inline module script (the loader of the app) moves to a hashed file, so
//   the Content-Security-Policy needs no hash and a server can send the same policy as
//   a header (deploy/nginx/) without knowing the build.
// Fails the build when Trunk's output is not what this expects, so a page that would
// not start never ships.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) fail('TRUNK_STAGING_DIR is not set (run me from a Trunk hook)');

function fail(message) {
  console.error(`post-build: ${message}`);
  process.exit(1);
}

const hashOf = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
};

const at = (name) => join(staging, name);
const indexFile = at('index.html');
let html = readFileSync(indexFile, 'utf8');

// The reader: hashed names, and a loader that names them.
for (const name of ['reader.js', 'reader_bg.wasm']) {
  if (!existsSync(at(name))) fail(`Trunk did not emit ${name}; did the reader's link in index.html change?`);
}
const readerJs = readFileSync(at('reader.js'));
const readerWasm = readFileSync(at('reader_bg.wasm'));
const reader = `reader-${hashOf(readerJs, readerWasm)}`;
renameSync(at('reader.js'), at(`${reader}.js`));
renameSync(at('reader_bg.wasm'), at(`${reader}_bg.wasm`));
// The page fetches and compiles the reader's module once and posts it to each worker it
// starts, as its first message (src/web/worker/loader/spawn.rs).
const loader = `importScripts("./${reader}.js");\n` +
  'self.onmessage = (event) => { self.onmessage = null; wasm_bindgen({ module_or_path: event.data }); };\n';
const loaderName = `worker_loader-${hashOf(loader)}.js`;
writeFileSync(at(loaderName), loader);
const workerMeta = /(<meta name="spend-reconciler-worker" content=")[^"]*(")/;
if (!workerMeta.test(html)) fail('index.html has no <meta name="spend-reconciler-worker" content="…">');
html = html.replace(workerMeta, `$1./${loaderName}$2 data-wasm="./${reader}_bg.wasm"`);

// The app's loader: out of the page, into a hashed file.
const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  .filter(([, attributes]) => !/\bsrc\s*=/.test(attributes));
if (inline.length !== 1 || !/type="module"/.test(inline[0][1])) {
  fail(`expected Trunk's one inline module script, found ${inline.length} inline script(s)`);
}
const [tag, , body] = inline[0];
const startName = `start-${hashOf(body)}.js`;
writeFileSync(at(startName), body.trim() + '\n');
html = html.replace(tag, `<script type="module" src="./${startName}"></script>`);

if (/'sha256-|'unsafe-inline'|'nonce-/.test(html)) fail('the page policy must allow scripts by origin only');
writeFileSync(indexFile, html);
console.log(`post-build: ${reader}.js, ${reader}_bg.wasm, ${loaderName}, ${startName}`);
