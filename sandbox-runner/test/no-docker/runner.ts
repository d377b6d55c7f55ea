/**
 * A runner whose Docker engine does not answer: its socket path is in a fresh directory with nothing
 * there. This is how a runner starts on a host whose engine is down; nothing is stood in for.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { defineConfig } from '../../src/config.ts';
import type { RunnerConfig } from '../../src/config.ts';
import { signRunnerToken } from '../../src/tokens.ts';

export const SECRET = 'no-docker-runner-secret-0123456789';

/** A built (not listening) runner without an engine, and how to end it. */
export interface EnginelessRunner {
  app: FastifyInstance;
  config: RunnerConfig;
  close(): Promise<void>;
}

/** Builds a runner whose engine socket leads nowhere; the page check is off, nothing is pooled. */
export async function enginelessRunner(overrides: Partial<RunnerConfig> = {}): Promise<EnginelessRunner> {
  const dir = await mkdtemp(join(tmpdir(), 'samokoder-runner-'));
  const config = defineConfig({
    secret: SECRET,
    dockerSocket: join(dir, 'docker.sock'),
    workspaceDir: join(dir, 'workspaces'),
    runnerId: `test-no-docker-${randomBytes(4).toString('hex')}`,
    checkBrowser: null,
    poolSize: 0,
    spareDisks: 0,
    logLevel: 'silent',
    ...overrides,
  });
  const app = await buildApp(config);
  await app.ready();
  return {
    app,
    config,
    close: async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `Authorization` for a fresh API token of `projectId`. */
export async function bearer(projectId = 'project-a'): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await signRunnerToken(SECRET, projectId)}` };
}

/** The error envelope, as every refusal has it. */
export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string };
}
