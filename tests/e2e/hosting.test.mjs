// The hosted instance: Debian's nginx, started here on a free loopback port with
// deploy/nginx/spend-reconciler.conf (the file a host includes), serving the release
// build. Checks every header on the page, on each built file and on an error, that
// every file but the page is content-hashed (an upgrade never mixes an old worker with
// a new page), and that the app works through it under the header's policy.
// NGINX_BIN names the binary (default /usr/sbin/nginx; scripts/setup.sh installs it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch as watchDir, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { repoRoot, distDir, launch, inApp, reconcileFixture, TIMEOUT } from './harness.mjs';

const nginxBin = process.env.NGINX_BIN || '/usr/sbin/nginx';
const include = path.join(repoRoot, 'deploy/nginx/spend-reconciler.conf');

const freePort = () => new Promise((resolve, reject) => {
  const probe = net.createServer().once('error', reject);
  probe.listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

// nginx as a child of this test, in the foreground, everything it writes in a temp
// folder: no root, no system paths. Ready once its pid file exists (written after it
// has bound its socket); a failed start rejects with what it said.
async function startNginx() {
  assert.ok(existsSync(nginxBin), `${nginxBin} is missing: scripts/setup.sh installs Debian's nginx`);
  const prefix = mkdtempSync(path.join(tmpdir(), 'spend-nginx-'));
  const port = await freePort();
  const pid = path.join(prefix, 'nginx.pid');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${path.join(prefix, kind)};`).join('\n    ');
  writeFileSync(path.join(prefix, 'nginx.conf'), `
daemon off;
master_process off;
pid ${pid};
error_log stderr warn;
events { worker_connections 64; }
http {
    access_log off;
    ${temp}
    server {
        listen 127.0.0.1:${port};
        root ${distDir};
        include ${include};
    }
}
`);
  const child = spawn(nginxBin, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', 'stderr'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr.on('data', (d) => { said += d; });
  await new Promise((resolve, reject) => {
    const watcher = watchDir(prefix, () => existsSync(pid) && done(resolve));
    const done = (settle, value) => { watcher.close(); settle(value); };
    child.once('exit', (code) => done(reject, new Error(`nginx exited (${code}): ${said}`)));
    child.once('error', (e) => done(reject, e));
    if (existsSync(pid)) done(resolve);
  });
  return { child, prefix, origin: `http://127.0.0.1:${port}`, said: () => said };
}

let nginx, browser;
before(async () => {
  nginx = await startNginx();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (nginx) {
    const exited = new Promise((r) => nginx.child.once('exit', r));
    nginx.child.kill('SIGQUIT');
    await exited;
    rmSync(nginx.prefix, { recursive: true, force: true });
  }
});

// One GET with the headers as sent (no decompression), and the body's length.
const get = (url, headers = {}) => new Promise((resolve, reject) => {
  http.get(url, { headers }, (res) => {
    let bytes = 0;
    res.on('data', (c) => { bytes += c.length; });
    res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes }));
  }).on('error', reject);
});

const metaPolicy = () => readFileSync(path.join(distDir, 'index.html'), 'utf8')
  .match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/)[1];
const directives = (policy) => policy.split(';').map((d) => d.trim()).filter(Boolean);

function securityHeaders(res, what) {
  const csp = res.headers['content-security-policy'] ?? '';
  assert.ok(directives(csp).includes("frame-ancestors 'none'"), `${what}: CSP has frame-ancestors 'none': ${csp}`);
  for (const directive of directives(metaPolicy())) {
    assert.ok(directives(csp).includes(directive), `${what}: the header policy has the page's ${directive}`);
  }
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/, `${what}: no unsafe-inline or unsafe-eval`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', `${what}: no referrer`);
  assert.equal(res.headers['x-frame-options'], 'DENY', `${what}: no framing (older browsers)`);
  assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', `${what}: COOP`);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm' };
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/;

test('nginx serves the page uncached and every built file hashed, cached and compressed', async () => {
  for (const url of ['/', '/index.html']) {
    const res = await get(nginx.origin + url, { 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200, url);
    assert.equal(res.headers['content-type'], TYPES['.html'], `${url}: type`);
    assert.equal(res.headers['cache-control'], 'no-cache', `${url}: revalidated on every load`);
    assert.equal(res.headers['content-encoding'], 'gzip', `${url}: compressed`);
    securityHeaders(res, url);
  }
  const files = readdirSync(distDir).filter((f) => f !== 'index.html');
  assert.ok(files.some((f) => f.endsWith('.wasm')), 'the build has WebAssembly');
  for (const file of files) {
    assert.match(file, HASHED, `${file}: its name carries its content hash`);
    const plain = await get(`${nginx.origin}/${file}`);
    const res = await get(`${nginx.origin}/${file}`, { 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200, file);
    assert.equal(res.headers['content-type'], TYPES[path.extname(file)], `${file}: type`);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', `${file}: cached for good`);
    securityHeaders(res, file);
    if (plain.bytes >= 256) {
      assert.equal(res.headers['content-encoding'], 'gzip', `${file}: compressed`);
      assert.match(res.headers.vary ?? '', /Accept-Encoding/i, `${file}: Vary`);
      assert.ok(res.bytes < plain.bytes, `${file}: smaller compressed (${res.bytes} < ${plain.bytes})`);
    }
  }
  const missing = await get(`${nginx.origin}/worker_loader.js`);
  assert.equal(missing.status, 404, 'no unhashed worker loader is served');
  securityHeaders(missing, 'a 404');
  assert.equal((await get(`${nginx.origin}/.git/config`)).status, 404, 'no dot file');
});

test('the page names only hashed files: its worker is the one of its own build', () => {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href|content)="\.\/([^"]+)"/g)].map((m) => m[1]);
  const loader = html.match(/<meta name="spend-reconciler-worker" content="\.\/([^"]+)"/)?.[1];
  assert.ok(loader, 'the page names its worker loader');
  const loaderText = readFileSync(path.join(distDir, loader), 'utf8');
  named.push(...[...loaderText.matchAll(/"\.\/([^"]+)"/g)].map((m) => m[1]));
  assert.ok(named.length >= 6, `the page and loader name the app, its styles and the worker: ${named}`);
  for (const name of named) {
    assert.match(name, HASHED, `${name} is content-hashed`);
    assert.ok(existsSync(path.join(distDir, name)), `${name} is in the build`);
  }
});

test('the app works through nginx, under the header policy', async () => {
  await inApp(browser, nginx.origin, async (page, seen) => {
    await reconcileFixture(page);
    const refused = seen.consoleErrors.filter((m) => /Content Security Policy|Refused/.test(m));
    assert.deepEqual(refused, [], 'no policy refusal (page or worker)');
    assert.deepEqual(seen.badResponses, []);
    assert.deepEqual(seen.pageErrors, []);
    // The page's module, then, with the file, the workers' hashed loader and the reader's
    // module (fetched once by the page, handed to both workers).
    assert.ok(seen.requests.some((u) => /app-[0-9a-f]+_bg\.wasm$/.test(u)), "the page's hashed WebAssembly was loaded");
    assert.ok(seen.requests.some((u) => /worker_loader-[0-9a-f]+\.js$/.test(u)), 'the hashed worker loader was loaded');
    assert.equal(seen.requests.filter((u) => /reader-[0-9a-f]+_bg\.wasm$/.test(u)).length, 1,
      "the reader's hashed WebAssembly was loaded once");
  });
  assert.doesNotMatch(nginx.said(), /\[(emerg|alert|crit|error)\]/, `nginx logged no error: ${nginx.said()}`);
});
