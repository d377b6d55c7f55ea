import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostPackageAccess, readNpmSettings } from './host-package-access.ts';

const dir = mkdtempSync(join(tmpdir(), 'samokoder-host-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, 'certificates\n', { mode });
  return path;
}

describe("the stack's runner gets the host's way to registries", () => {
  it("passes the host's extra CA file and npm registry", () => {
    const bundle = file('bundle.pem', 0o644);
    const registry = 'https://registry.samokoder.test/';
    expect(hostPackageAccess({ NODE_EXTRA_CA_CERTS: bundle }, { registry })).toEqual({
      SANDBOX_CA_CERTS: bundle,
      SANDBOX_NPM_REGISTRY: registry,
    });
    // npm's cafile when Node has no extra file
    expect(hostPackageAccess({}, { cafile: bundle })).toEqual({ SANDBOX_CA_CERTS: bundle });
  });

  it('leaves what the operator set alone', () => {
    const bundle = file('operator.pem', 0o644);
    const env = { SANDBOX_CA_CERTS: '/operator/ca.pem', SANDBOX_NPM_REGISTRY: 'https://npm.samokoder.test/' };
    expect(
      hostPackageAccess({ ...env, NODE_EXTRA_CA_CERTS: bundle }, { registry: 'https://x.test/' }),
    ).toEqual({});
  });

  it('leaves out, and says so, what a sandbox could not use', () => {
    const lines: string[] = [];
    const secret = file('secret.pem', 0o600);
    const vars = hostPackageAccess(
      { NODE_EXTRA_CA_CERTS: secret, HTTPS_PROXY: 'http://user:pw@127.0.0.1:3128' },
      {},
      (line) => lines.push(line),
    );
    expect(vars).toEqual({});
    expect(lines.join('\n')).toMatch(/not trusting .*secret\.pem .*chmod a\+r/);
    expect(lines.join('\n')).toMatch(
      /SANDBOX_HTTPS_PROXY left unset: http:\/\/127\.0\.0\.1:3128\/ is this host's loopback/,
    );
    expect(lines.join('\n')).not.toContain('pw');
  });

  it('passes a proxy with the hosts that bypass it', () => {
    expect(
      hostPackageAccess({ https_proxy: 'http://proxy.samokoder.test:3128', NO_PROXY: '.corp.test' }, {}),
    ).toEqual({ SANDBOX_HTTPS_PROXY: 'http://proxy.samokoder.test:3128', SANDBOX_NO_PROXY: '.corp.test' });
  });

  it("reads npm's settings from its config files", async () => {
    const npmrc = join(dir, 'npmrc');
    writeFileSync(
      npmrc,
      'registry=https://registry.samokoder.test/\nhttps-proxy=http://proxy.samokoder.test:3128\n',
    );
    const settings = await readNpmSettings({ ...process.env, npm_config_userconfig: npmrc });
    expect(settings).toMatchObject({
      registry: 'https://registry.samokoder.test/',
      'https-proxy': 'http://proxy.samokoder.test:3128',
    });
    expect(settings.proxy).toBeUndefined(); // npm prints "null" for unset keys
  });
});
