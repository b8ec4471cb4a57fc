// Trunk post_build hook: makes every file but index.html content-hashed, so a host can
// cache them for a year and an upgrade never mixes an old worker with a new page.
//
// - One WebAssembly module serves the page and its workers (src/bin/app.rs starts the
//   mailbox when it runs in a worker). The page starts each worker from a small module
//   script that imports the app's own wasm-bindgen JS and initialises the same _bg.wasm
//   URL, so the browser fetches and compiles one file. That loader is written here,
//   named by its hash, and the page learns its name from
//   <meta name="spend-reconciler-worker">, which the app reads when it starts a worker
//   (src/web/browser.rs).
// - Trunk's inline module script (the loader of the app) moves to a hashed file, so
//   the Content-Security-Policy needs no hash and a server can send the same policy as
//   a header (deploy/nginx/) without knowing the build.
// Fails the build when Trunk's output is not what this expects, so a page that would
// not start never ships.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
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

// The app's loader: out of the page, into a hashed file.
const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  .filter(([, attributes]) => !/\bsrc\s*=/.test(attributes));
if (inline.length !== 1 || !/type="module"/.test(inline[0][1])) {
  fail(`expected Trunk's one inline module script, found ${inline.length} inline script(s)`);
}
const [tag, , body] = inline[0];

// The workers' loader: the app's JS and WebAssembly, as Trunk's start script names them.
const appJs = body.match(/from '\.\/([^']+\.js)'/)?.[1] ?? fail("cannot find the app's JS in Trunk's start script");
const appWasm = body.match(/module_or_path: '\.\/([^']+\.wasm)'/)?.[1] ?? fail("cannot find the app's WebAssembly in Trunk's start script");
for (const name of [appJs, appWasm]) if (!existsSync(at(name))) fail(`Trunk's start script names ${name}, which is not in the build`);
const loader = `import init from "./${appJs}";\nawait init({ module_or_path: "./${appWasm}" });\n`;
const loaderName = `worker_loader-${hashOf(loader)}.js`;
writeFileSync(at(loaderName), loader);
const workerMeta = /(<meta name="spend-reconciler-worker" content=")[^"]*(")/;
if (!workerMeta.test(html)) fail('index.html has no <meta name="spend-reconciler-worker" content="…">');
html = html.replace(workerMeta, `$1./${loaderName}$2`);
const startName = `start-${hashOf(body)}.js`;
writeFileSync(at(startName), body.trim() + '\n');
html = html.replace(tag, `<script type="module" src="./${startName}"></script>`);

if (/'sha256-|'unsafe-inline'|'nonce-/.test(html)) fail('the page policy must allow scripts by origin only');
writeFileSync(indexFile, html);
console.log(`post-build: ${loaderName} (starts ${appJs} and ${appWasm} in a worker), ${startName}`);
