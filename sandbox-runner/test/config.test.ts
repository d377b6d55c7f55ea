import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

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
});
