/** Test harness: a real runner on a loopback port, and a small typed client for its API. */
import { randomBytes } from 'node:crypto';
import { access, readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { checkoutTag } from '../../infra/stack/config.ts';
import { buildApp } from '../src/app.ts';
import { defineConfig } from '../src/config.ts';
import type { RunnerConfig } from '../src/config.ts';
import type { ExecEvent, ExecExit, ExecRequest, SandboxInfo } from '../src/contract.ts';
import { signRunnerToken } from '../src/tokens.ts';

export const SECRET = 'test-runner-secret-0123456789';

/** Every test runner's id starts with this: the clean-up removes only this checkout's containers. */
export const TEST_RUNNER_PREFIX = `test-${checkoutTag}-`;

/** Docker client for assertions about containers. */
export const docker = new Docker({ socketPath: inject('dockerSocket') });

/** A started runner; `close()` drains and removes its containers. */
export interface TestRunner {
  app: FastifyInstance;
  base: string;
  config: RunnerConfig;
  client(projectId?: string): Client;
  close(): Promise<void>;
}

/** Starts a runner with small limits and no pool unless overridden. Each gets a unique runner id. */
export async function startRunner(overrides: Partial<RunnerConfig> = {}): Promise<TestRunner> {
  const config = defineConfig({
    secret: SECRET,
    image: inject('sandboxImage'),
    dockerSocket: inject('dockerSocket'),
    runnerId: `${TEST_RUNNER_PREFIX}${randomBytes(4).toString('hex')}`,
    poolSize: 0,
    logLevel: 'error',
    defaultLimits: { memoryMb: 256, cpus: 1, pids: 128, workspaceMb: 64 },
    killGraceMs: 500,
    ...overrides,
  });
  return listenRunner(config, 0);
}

/**
 * Stops `runner` (as its process would on SIGTERM) and starts it again with the same configuration on
 * the same port: the same id, workspace and preview origins, as after a restart of its service.
 */
export async function restartRunner(runner: TestRunner): Promise<TestRunner> {
  await runner.close();
  return listenRunner(runner.config, Number(new URL(runner.base).port));
}

async function listenRunner(config: RunnerConfig, port: number): Promise<TestRunner> {
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    base,
    config,
    client: (projectId = `proj-${randomBytes(3).toString('hex')}`) => new Client(base, projectId),
    close: () => app.close(),
  };
}

/** A JSON response. */
export interface Res<T = unknown> {
  status: number;
  body: T;
}

/** Collected result of an exec stream. */
export interface ExecResult {
  status: number;
  events: ExecEvent[];
  stdout: string;
  stderr: string;
  exit: ExecExit | undefined;
}

export class Client {
  readonly base: string;
  readonly projectId: string;
  /** Overrides the bearer token (tests of bad tokens). */
  token: string | undefined;
  constructor(base: string, projectId: string) {
    this.base = base;
    this.projectId = projectId;
  }

  async headers(): Promise<Record<string, string>> {
    const token = this.token ?? (await signRunnerToken(SECRET, this.projectId));
    return { authorization: `Bearer ${token}` };
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<Res<T>> {
    const headers = await this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async create(body: unknown = {}): Promise<SandboxInfo> {
    const res = await this.request<SandboxInfo>('POST', '/v1/sandboxes', body);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Starts an exec and returns the raw response (for streaming tests). */
  async execRaw(id: string, body: ExecRequest, signal?: AbortSignal): Promise<Response> {
    const headers = { ...(await this.headers()), 'content-type': 'application/json' };
    return fetch(`${this.base}/v1/sandboxes/${id}/exec`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: signal ?? null,
    });
  }

  /** Runs a command to completion and collects its events. */
  async exec(id: string, body: ExecRequest): Promise<ExecResult> {
    const res = await this.execRaw(id, body);
    const text = await res.text();
    if (res.status !== 200)
      return { status: res.status, events: [], stdout: '', stderr: text, exit: undefined };
    const events = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ExecEvent);
    let stdout = '';
    let stderr = '';
    let exit: ExecExit | undefined;
    for (const event of events) {
      if (event.type === 'stdout') stdout += event.data;
      else if (event.type === 'stderr') stderr += event.data;
      else if (event.type === 'exit') exit = event;
    }
    return { status: res.status, events, stdout, stderr, exit };
  }

  /** Runs a shell line and returns stdout, failing the test on a nonzero exit. */
  async sh(id: string, command: string): Promise<string> {
    const result = await this.exec(id, { command });
    if (result.exit?.exitCode !== 0) {
      throw new Error(`\`${command}\` failed: ${JSON.stringify(result.exit)} ${result.stderr}`);
    }
    return result.stdout;
  }
}

/** Reads NDJSON events from a streaming response as they arrive. */
export async function* readEvents(res: Response): AsyncGenerator<ExecEvent> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line) yield JSON.parse(line) as ExecEvent;
    }
  }
}

/** True while a container with this sandbox id exists in the engine. */
export async function containerExists(sandboxId: string): Promise<boolean> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`samokoder.sandbox-id=${sandboxId}`] },
  });
  return list.length > 0;
}

/** Loop devices attached to a file whose path starts with `prefix` (an image, or a runner's directory). */
export async function loopsUnder(prefix: string): Promise<number> {
  const loops = (await readdir('/sys/block')).filter((d) => d.startsWith('loop'));
  const backing = await Promise.all(
    loops.map((d) => readFile(`/sys/block/${d}/loop/backing_file`, 'utf8').catch(() => '')),
  );
  return backing.filter((b) => b.startsWith(prefix)).length;
}

/** What is left on the host of a sandbox's workspace disk: its volume, its loop device, its image. */
export async function diskLeftovers(
  sandboxId: string,
  image: string,
): Promise<{ volumes: number; loops: number; image: boolean }> {
  const { Volumes: volumes } = await docker.listVolumes({
    filters: { label: [`samokoder.sandbox-id=${sandboxId}`] },
  });
  return {
    volumes: volumes?.length ?? 0,
    loops: await loopsUnder(image),
    image: await access(image).then(
      () => true,
      () => false,
    ),
  };
}
