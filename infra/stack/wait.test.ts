import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startProcess } from './process.ts';
import { waitUntil } from './wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'samokoder-wait-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('waiting for a process to become ready', () => {
  it('fails at once when the process ends first, with its exit code and last output', async () => {
    const logFile = join(dir, 'server.log');
    const proc = startProcess({
      name: 'server',
      command: process.execPath,
      args: [
        '-e',
        "for (let i = 1; i <= 30; i++) console.log('line ' + i); console.error('listen EADDRINUSE 127.0.0.1:13888'); process.exit(3)",
      ],
      logFile,
    });
    const error = await waitUntil('the server', async () => false, { timeoutMs: 60_000, process: proc }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/^the server: the process exited \(3\) before it became ready/);
    expect(error?.message).toContain(`all of it in ${logFile}`);
    // The last twenty lines, the cause among them; not the whole output.
    expect(error?.message).toContain('listen EADDRINUSE 127.0.0.1:13888');
    expect(error?.message).toContain('line 30');
    expect(error?.message).not.toContain('line 11\n');
    await proc.stop();
    expect(readFileSync(logFile, 'utf8')).toContain('line 1\n');
  });

  it('names the log of a process that is still not ready at the deadline', async () => {
    const logFile = join(dir, 'slow.log');
    const proc = startProcess({
      name: 'slow',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      logFile,
    });
    await expect(
      waitUntil('the slow one', async () => false, { timeoutMs: 300, intervalMs: 50, process: proc }),
    ).rejects.toThrow(`the slow one: not ready after 0 s (its output: ${logFile})`);
    await proc.stop();
  });

  it('names what it waited for when the deadline passes', async () => {
    await expect(
      waitUntil('the answer', async () => false, { timeoutMs: 300, intervalMs: 50 }),
    ).rejects.toThrow('the answer: not ready after');
  });
});
