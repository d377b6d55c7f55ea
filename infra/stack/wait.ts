import { connect } from 'node:net';
import { type ManagedProcess, sleep } from './process.ts';

/**
 * Poll `check` until it returns true or the deadline passes; the error names what was awaited. With
 * `process` (or just its `exited`), a process that ends first fails the wait at once, and the error
 * carries its exit code and last lines of output; a timeout's error names its log.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: {
    timeoutMs?: number;
    intervalMs?: number;
    exited?: Promise<unknown>;
    process?: Pick<ManagedProcess, 'exited' | 'logFile' | 'lastLines'>;
  } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let exited: { code: unknown } | undefined;
  void (opts.process?.exited ?? opts.exited)?.then((code) => (exited = { code }));
  while (Date.now() < deadline) {
    if (exited) {
      const proc = opts.process;
      if (!proc) throw new Error(`${what}: the process exited before it became ready`);
      throw new Error(
        `${what}: the process exited (${String(exited.code)}) before it became ready. ` +
          `Its last output (all of it in ${proc.logFile}):\n${await proc.lastLines()}`,
      );
    }
    if (await check().catch(() => false)) return;
    await sleep(opts.intervalMs ?? 150);
  }
  const seconds = Math.round((opts.timeoutMs ?? 30_000) / 1000);
  const output = opts.process ? ` (its output: ${opts.process.logFile})` : '';
  throw new Error(`${what}: not ready after ${seconds} s${output}`);
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when `url` answers with a 2xx status. */
export async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  await res.body?.cancel();
  return res.ok;
}
