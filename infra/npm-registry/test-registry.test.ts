import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcpOpen } from '../stack/wait.ts';
import { startTestRegistry } from './test-registry.ts';
import type { TestRegistry } from './test-registry.ts';

/** GET over HTTPS trusting only `ca` (or Node's own list when it is undefined). */
function fetchBytes(url: string, ca: string | undefined): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ...(ca ? { ca } : {}), timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<
    string,
    { dependencies?: Record<string, string>; dist: { tarball: string; integrity: string } }
  >;
}

let registry: TestRegistry;
let ca: string;
beforeAll(async () => {
  registry = await startTestRegistry({ host: '127.0.0.1', packages: ['fill-range@7.1.1'] });
  ca = readFileSync(registry.caCertFile, 'utf8');
}, 120_000);
afterAll(() => registry?.stop());

describe('the test registry', () => {
  it('serves a package and its dependencies, over HTTPS signed by its own CA', async () => {
    expect(registry.served.map((p) => `${p.name}@${p.version}`)).toEqual([
      'fill-range@7.1.1',
      'is-number@7.0.0',
      'to-regex-range@5.0.1',
    ]);
    const res = await fetchBytes(`${registry.url}fill-range`, ca);
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body.toString()) as Packument;
    expect(doc['dist-tags'].latest).toBe('7.1.1');
    const version = doc.versions['7.1.1']!;
    expect(version.dependencies).toEqual({ 'to-regex-range': '^5.0.1' });
    // the tarball is served at the registry's own address and matches its integrity
    expect(version.dist.tarball).toBe(`${registry.url}fill-range/-/fill-range-7.1.1.tgz`);
    const tarball = await fetchBytes(version.dist.tarball, ca);
    expect(tarball.status).toBe(200);
    expect(`sha512-${createHash('sha512').update(tarball.body).digest('base64')}`).toBe(
      version.dist.integrity,
    );
  });

  it('answers 404 for anything else: it has no uplink', async () => {
    expect((await fetchBytes(`${registry.url}left-pad`, ca)).status).toBe(404);
  });

  it('is trusted by no client that lacks its CA', async () => {
    await expect(fetchBytes(`${registry.url}fill-range`, undefined)).rejects.toMatchObject({
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
  });

  it('stops, and stopping again is harmless', async () => {
    const other = await startTestRegistry({ host: '127.0.0.1', packages: ['is-number@7.0.0'] });
    expect(await tcpOpen('127.0.0.1', other.port)).toBe(true);
    await other.stop();
    await other.stop();
    expect(await tcpOpen('127.0.0.1', other.port)).toBe(false);
  });
});
