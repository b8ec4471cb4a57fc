// Trunk post_build hook: makes every file but index.html content-hashed, so a host can
// cache them for a year and an upgrade never mixes an old worker with a new page.
//
// - Trunk hashes the app's JS, WebAssembly and CSS, but names the worker's files
//   after the binary (worker.js, worker_bg.wasm, worker_loader.js) because a worker's
//   URL is named at run time. Here they get the hash of their contents, and the page
//   learns the loader's name from <meta name="spend-reconciler-worker">, which the app
//   reads when it starts a worker (src/web/browser.rs).
// - Trunk's inline module script (the loader of the app) moves to a hashed file, so
//   the Content-Security-Policy needs no hash and a server can send the same policy as
//   a header (deploy/nginx/) without knowing the build.
// Fails the build when Trunk's output is not what this expects, so a page that would
// not start never ships.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, rmSync, existsSync } from 'node:fs';
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

// The worker: hashed names, and a loader that names them.
for (const name of ['worker.js', 'worker_bg.wasm']) {
  if (!existsSync(at(name))) fail(`Trunk did not emit ${name}; did the worker's link in index.html change?`);
}
const workerJs = readFileSync(at('worker.js'));
const workerWasm = readFileSync(at('worker_bg.wasm'));
const worker = `worker-${hashOf(workerJs, workerWasm)}`;
renameSync(at('worker.js'), at(`${worker}.js`));
renameSync(at('worker_bg.wasm'), at(`${worker}_bg.wasm`));
rmSync(at('worker_loader.js'), { force: true });
const loader = `importScripts("./${worker}.js");wasm_bindgen({ module_or_path: "./${worker}_bg.wasm" });\n`;
const loaderName = `worker_loader-${hashOf(loader)}.js`;
writeFileSync(at(loaderName), loader);

const workerMeta = /(<meta name="spend-reconciler-worker" content=")[^"]*(")/;
if (!workerMeta.test(html)) fail('index.html has no <meta name="spend-reconciler-worker" content="…">');
html = html.replace(workerMeta, `$1./${loaderName}$2`);

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
console.log(`post-build: ${worker}.js, ${worker}_bg.wasm, ${loaderName}, ${startName}`);
