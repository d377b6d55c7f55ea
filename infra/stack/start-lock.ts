import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './service.ts';

/**
 * One start at a time per stack (profile and checkout). Two starts at the same moment would each probe
 * the ports, each decide to start the same pieces, and fight over them; with the lock the second waits
 * until the first is up (or has given up), then finds its services running and reuses them.
 *
 * The lock is a listening Unix socket in Linux's abstract namespace: the kernel releases it when its
 * holder exits, however it exits (Ctrl-C, SIGKILL, a crash), so a killed start never leaves a stale
 * lock behind. Elsewhere it is a socket file in the state folder, removed when nobody answers on it.
 */
export async function acquireStartLock(
  stateDir: string,
  log: Logger,
  timeoutMs = 10 * 60_000,
): Promise<() => void> {
  const abstract = process.platform === 'linux';
  const address = abstract
    ? `\0samokoder-stack-${createHash('sha256').update(stateDir).digest('hex').slice(0, 24)}`
    : join(stateDir, 'start.sock');
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const server = createServer((socket) => socket.destroy());
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(address, () => resolve(undefined));
    });
    if (!error) {
      // The lock must not keep a finished script alive.
      server.unref();
      return () => server.close();
    }
    if (error.code !== 'EADDRINUSE') throw error;
    if (!abstract && !(await answers(address))) {
      rmSync(address, { force: true });
      continue;
    }
    if (!told) log('another start of this stack is under way: waiting for it, then using what it started');
    told = true;
    if (Date.now() > deadline) {
      throw new Error(`another start of this stack held its lock for ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(200);
  }
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
