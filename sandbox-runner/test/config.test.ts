import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { packageAccessEnv } from '../src/sandbox/package-access.ts';

const dir = mkdtempSync(join(tmpdir(), 'samokoder-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a file into the test's folder and returns its path. */
function file(name: string, content: string, mode = 0o644): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  return path;
}

describe('config from the environment', () => {
  it('uses the local defaults outside production', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8788, secret: 'local-dev-runner-secret' });
    expect(config.previewOrigin).toBe('http://*.localhost');
  });

  it('requires a secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SANDBOX_RUNNER_SECRET is required/);
    const config = loadConfig({ NODE_ENV: 'production', SANDBOX_RUNNER_SECRET: 'a-production-secret-value' });
    expect(config.secret).toBe('a-production-secret-value');
  });

  it('reads the documented variables and refuses bad values at start-up', () => {
    const config = loadConfig({
      SANDBOX_RUNNER_PORT: '9999',
      SANDBOX_RUNNER_HOST: '0.0.0.0',
      SANDBOX_IMAGE: 'example/image:1',
      DOCKER_SOCKET: '/run/docker.sock',
      SANDBOX_POOL_SIZE: '0',
      SANDBOX_PREVIEW_ORIGIN: 'https://*.preview.example.com',
    });
    expect(config).toMatchObject({
      port: 9999,
      host: '0.0.0.0',
      image: 'example/image:1',
      dockerSocket: '/run/docker.sock',
      poolSize: 0,
      previewOrigin: 'https://*.preview.example.com',
    });
    expect(() => loadConfig({ SANDBOX_RUNNER_PORT: 'eighty' })).toThrow(/not an integer/);
    expect(() => loadConfig({ SANDBOX_RUNNER_SECRET: 'short' })).toThrow(/secret/);
    expect(() => loadConfig({ SANDBOX_PREVIEW_ORIGIN: 'https://preview.example.com' })).toThrow(
      /previewOrigin/,
    );
    // The preview's access cookie is Secure: plain http works only under localhost.
    expect(() => loadConfig({ SANDBOX_PREVIEW_ORIGIN: 'http://*.preview.example.com' })).toThrow(
      /previewOrigin/,
    );
  });

  it('reads how sandboxes reach registries, and checks the CA file once, at start-up', () => {
    const bundle = file('bundle.pem', rootCertificates.slice(0, 3).join('\n'));
    const config = loadConfig({
      SANDBOX_CA_CERTS: bundle,
      SANDBOX_NPM_REGISTRY: 'https://npm.corp.example/',
      SANDBOX_HTTPS_PROXY: 'http://user:secret@proxy.corp.example:3128',
      SANDBOX_NO_PROXY: '.corp.example',
      SANDBOX_NPM_FETCH_RETRIES: '0',
    });
    expect(config.packageAccess).toEqual({
      caCertsFile: bundle,
      npmRegistry: 'https://npm.corp.example/',
      httpsProxy: 'http://user:secret@proxy.corp.example:3128',
      noProxy: '.corp.example',
      npmFetchRetries: 0,
      npmFetchTimeoutMs: 30_000,
    });
    // npm's own defaults would retry for over a minute; a sandbox's npm gives up in seconds
    expect(loadConfig({}).packageAccess).toEqual({ npmFetchRetries: 1, npmFetchTimeoutMs: 30_000 });
    expect(packageAccessEnv(loadConfig({}).packageAccess, 'egress')).toMatchObject({
      npm_config_fetch_retries: '1',
      npm_config_fetch_timeout: '30000',
    });

    const refused = (env: Record<string, string>) => () => loadConfig(env);
    expect(refused({ SANDBOX_CA_CERTS: join(dir, 'missing.pem') })).toThrow(/SANDBOX_CA_CERTS: cannot read/);
    expect(refused({ SANDBOX_CA_CERTS: 'relative.pem' })).toThrow(/caCertsFile: must be an absolute path/);
    expect(refused({ SANDBOX_CA_CERTS: file('empty.pem', 'not a certificate\n') })).toThrow(
      /holds no PEM certificate/,
    );
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(refused({ SANDBOX_CA_CERTS: file('broken.pem', broken) })).toThrow(/certificate 1 does not parse/);
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const withKey = file('with-key.pem', `${rootCertificates[0]}\n${key.toString()}`);
    expect(refused({ SANDBOX_CA_CERTS: withKey })).toThrow(/holds a private key/);
    const private0600 = file('private.pem', rootCertificates[0]!, 0o600);
    expect(refused({ SANDBOX_CA_CERTS: private0600 })).toThrow(/not readable by the sandbox user/);
    expect(refused({ SANDBOX_NPM_REGISTRY: 'ftp://npm.corp.example/' })).toThrow(/npmRegistry/);
    expect(refused({ SANDBOX_HTTPS_PROXY: 'proxy:3128' })).toThrow(/httpsProxy/);
    expect(refused({ SANDBOX_NPM_FETCH_TIMEOUT_MS: 'soon' })).toThrow(/not an integer/);
  });
});
