/**
 * Test helper: a throwaway redis-server on a free loopback port, in its own temp dir, without persistence.
 * It can be stopped and started again on the same port, and paused (SIGSTOP) to simulate a hung server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A redis-server child process owned by the test. */
export type TestRedisServer = {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Stops the server and removes its temp dir. */
  dispose(): Promise<void>;
};

/** Starts redis-server; fails (does not skip) with an install hint when it is not on PATH. */
export async function startTestRedisServer(options: { port?: number } = {}): Promise<TestRedisServer> {
  const binary = findOnPath('redis-server');
  if (!binary) {
    throw new Error('redis-server is not on PATH; install it with `apt-get install -y redis-server`');
  }
  const dir = mkdtempSync(join(tmpdir(), 'upstash-bridge-redis-'));
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const proc = spawn(binary, [...args, '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error('redis-server did not become ready in 10 s')), 10_000);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(new Error(`${error.message}\n${output}`));
      };
      const onExit = (code: number | null): void => fail(new Error(`redis-server exited with code ${code}`));
      const onOutput = (chunk: Buffer): void => {
        output += chunk.toString();
        if (/Ready to accept connections/.test(output)) {
          clearTimeout(timer);
          proc.off('exit', onExit);
          proc.stdout?.off('data', onOutput);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onOutput);
      proc.stderr?.on('data', onOutput);
      proc.once('error', fail);
      proc.once('exit', onExit);
    });
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port that nothing listens on (released before returning, so there is a small race). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
