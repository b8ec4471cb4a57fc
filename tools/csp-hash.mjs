// Trunk post_build hook: replaces the placeholder 'sha256-TRUNK-INLINE-LOADER' in the
// page's Content-Security-Policy with the hashes of the inline scripts Trunk injected,
// so the policy needs neither 'unsafe-inline' nor a nonce. Fails the build if the
// placeholder is missing, so a policy that would block the app never ships.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('csp-hash: TRUNK_STAGING_DIR is not set (run me from a Trunk hook)');
  process.exit(1);
}
const file = join(staging, 'index.html');
const html = readFileSync(file, 'utf8');
const placeholder = "'sha256-TRUNK-INLINE-LOADER'";
if (!html.includes(placeholder)) {
  console.error(`csp-hash: ${file} has no ${placeholder} in its Content-Security-Policy`);
  process.exit(1);
}
const hashes = [];
for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
  const [, attributes, body] = match;
  if (/\bsrc\s*=/.test(attributes)) continue;
  hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
}
if (hashes.length === 0) {
  console.error('csp-hash: no inline script found; did Trunk change its loader?');
  process.exit(1);
}
writeFileSync(file, html.replace(placeholder, hashes.join(' ')));
console.log(`csp-hash: allowed ${hashes.length} inline script(s) by hash`);
