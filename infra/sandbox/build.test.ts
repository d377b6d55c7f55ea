import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDockerEngine } from '../stack/docker.ts';
import { buildSandboxImage, sandboxImageTag } from './build.ts';
import { findRootfsInputs } from './rootfs.ts';

beforeAll(async () => {
  const engine = await ensureDockerEngine({ log: () => {} });
  if (!engine.ok) throw new Error(`the image tests need a Docker engine: ${engine.reason} (${engine.hint})`);
}, 120_000);

describe('the sandbox image build', () => {
  it('builds once and is then reused while its inputs stay the same', async () => {
    const first = await buildSandboxImage();
    const second = await buildSandboxImage();
    expect(second).toEqual({ image: first.image, built: false });
  }, 120_000);

  it('gets a new tag when an input changes (a Node, npm or busybox version)', () => {
    const inputs = findRootfsInputs();
    const tag = sandboxImageTag(inputs);
    expect(sandboxImageTag({ ...inputs })).toBe(tag);
    for (const changed of [
      { ...inputs, nodeVersion: 'v0.0.1' },
      { ...inputs, npmVersion: '0.0.1' },
      { ...inputs, busyboxVersion: 'v0' },
    ]) {
      expect(sandboxImageTag(changed)).not.toBe(tag);
    }
  });
});
