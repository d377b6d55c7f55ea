/**
 * Bundles the Worker offline (`wrangler deploy --dry-run`) and fails when the gzipped script exceeds
 * Workers' limit (3 MiB on the free plan, the stricter one).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT_BYTES = 3 * 1024 * 1024;
const outdir = '.cache/worker-bundle';
rmSync(outdir, { recursive: true, force: true });
const res = spawnSync('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--outdir', outdir], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});
if (res.status !== 0) {
  console.error(res.stdout);
  process.exit(1);
}
let raw = 0;
let gzipped = 0;
for (const file of readdirSync(outdir)) {
  if (!/\.(m?js|wasm)$/.test(file)) continue;
  const bytes = readFileSync(join(outdir, file));
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`Worker bundle: ${kib(raw)} raw, ${kib(gzipped)} gzipped (limit ${kib(LIMIT_BYTES)} gzipped)`);
if (gzipped > LIMIT_BYTES) {
  console.error('the Worker bundle is over the limit');
  process.exit(1);
}
