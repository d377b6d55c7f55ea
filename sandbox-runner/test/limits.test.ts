/**
 * Limits that hold their shape: a full workspace is a full disk (not an OOM kill), and a command's
 * timeout or stop ends every process it started, however it detached, and nothing else.
 */
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecEvent, ProcessInfo, ReadFileResponse, SandboxInfo } from '../src/contract.ts';
import { diskLeftovers, readEvents, startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

const MB = 1024 * 1024;

let runner: TestRunner;
let client: Client;
beforeAll(async () => {
  runner = await startRunner({ killGraceMs: 500 });
  client = runner.client();
});
afterAll(() => runner.close());

/** Polls `check` until it holds (bounded), for states the sandbox reaches on its own time. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** The command lines of the sandbox's live processes (zombies are dead, only not yet reaped). */
async function live(id: string): Promise<string[]> {
  const ps = await client.sh(id, 'ps -o stat,args');
  return ps
    .split('\n')
    .slice(1)
    .filter((line) => line && !line.startsWith('Z'))
    .map((line) => line.replace(/^\S+\s+/, ''));
}

/** Memory the sandbox cannot give back (anonymous and tmpfs pages; page cache is reclaimable). */
const PINNED_MEMORY = [
  'f=/sys/fs/cgroup/memory/memory.stat',
  `if [ -e $f ]; then awk '$1 == "total_rss" || $1 == "total_shmem" { s += $2 } END { print s }' $f`,
  `else awk '$1 == "anon" || $1 == "shmem" { s += $2 } END { print s }' /sys/fs/cgroup/memory.stat; fi`,
].join('\n');

describe('workspace disk quota', () => {
  it('a full workspace is ENOSPC for the writer; the sandbox, its files and its memory are unaffected', async () => {
    const sandbox = await client.create({ limits: { memoryMb: 448, workspaceMb: 384 } });
    const files = `/v1/sandboxes/${sandbox.id}/files`;
    await client.request('PUT', files, { files: [{ path: 'src/keep.txt', content: 'still here' }] });
    const pinnedBefore = Number(await client.sh(sandbox.id, PINNED_MEMORY));

    const fill = await client.exec(sandbox.id, {
      command: 'dd if=/dev/zero of=fill bs=1M count=100000',
      timeoutMs: 60_000,
    });
    expect(fill.stderr).toContain('No space left on device');
    expect(fill.exit).toMatchObject({ exitCode: 1, oomKilled: false, timedOut: false });
    // the file took the whole quota (less the filesystem's metadata)
    expect(Number(await client.sh(sandbox.id, 'stat -c %s fill'))).toBeGreaterThan(360 * MB);

    // the supervisor answers, the other files are intact, new commands run
    const kept = await client.request<ReadFileResponse>('GET', `${files}/content?path=src/keep.txt`);
    expect(kept.body.content).toBe('still here');
    expect(await client.sh(sandbox.id, 'echo alive')).toBe('alive\n');

    // memory: the 384 MB file pinned none of it (a tmpfs workspace would hold all of it) ...
    const pinnedAfter = Number(await client.sh(sandbox.id, PINNED_MEMORY));
    expect(pinnedAfter - pinnedBefore).toBeLessThan(32 * MB);
    // ... so a program can still have most of the 448 MB limit with the disk full
    const alloc = await client.exec(sandbox.id, {
      command: `node -e "const b = Buffer.alloc(256 << 20, 1); console.log('allocated', b.length >> 20, 'MB')"`,
      timeoutMs: 60_000,
    });
    expect(alloc.exit).toMatchObject({ exitCode: 0, oomKilled: false });
    expect(alloc.stdout).toBe('allocated 256 MB\n');

    // deleting frees the disk, and the host's copy of it shrinks back (discard)
    expect(await client.sh(sandbox.id, 'rm fill && echo freed')).toBe('freed\n');
    const image = runner.app.sandboxes.find(sandbox.id)?.disk.image ?? '';
    await until('the image gives its blocks back', async () => (await stat(image)).blocks * 512 < 32 * MB);
    await client.request('DELETE', `/v1/sandboxes/${sandbox.id}`);
  });

  it('goes with its sandbox: no volume, loop device or image is left', async () => {
    const sandbox = await client.create({ limits: { workspaceMb: 32 } });
    const image = runner.app.sandboxes.find(sandbox.id)?.disk.image ?? '';
    expect(await diskLeftovers(sandbox.id, image)).toEqual({ volumes: 1, loops: 1, image: true });
    expect((await client.request('DELETE', `/v1/sandboxes/${sandbox.id}`)).status).toBe(204);
    expect(await diskLeftovers(sandbox.id, image)).toEqual({ volumes: 0, loops: 0, image: false });
  });
});

/** A command that detaches processes in every way it can, then says so and waits. */
const DETACHER = (n: number) =>
  [
    `setsid sleep ${n + 1} &`, // a session of its own
    `(setsid sh -c 'sleep ${n + 2} & exit' &)`, // double fork: orphaned, adopted by PID 1
    `env -i /bin/sh -c 'setsid sleep ${n + 3} &'`, // an empty environment
    // a program that spawns a detached child with an empty environment
    `node -e "require('child_process').spawn('sleep', ['${n + 4}'], { detached: true, stdio: 'ignore', env: {} }).unref()"`,
    `sh -c 'ulimit -x 7; setsid sleep ${n + 5} &'`, // lowers its tag on purpose
    'echo all-started',
    `sleep ${n + 9}`,
  ].join('\n');
const detached = (n: number) => [1, 2, 3, 4, 5, 9].map((i) => `sleep ${n + i}`);

/**
 * Reads an exec stream until its stdout says `marker`, leaving the stream open (leaving a `for await`
 * would close it, and a client that goes away stops its command).
 */
async function untilOutput(events: AsyncGenerator<ExecEvent>, marker: string): Promise<void> {
  let stdout = '';
  for (;;) {
    const { value: event, done } = await events.next();
    if (done || event.type === 'exit' || event.type === 'error') break;
    if (event.type === 'stdout') stdout += event.data;
    if (stdout.includes(marker)) return;
  }
  throw new Error(`the command ended before printing ${marker}: ${stdout}`);
}

describe('a command ends every process it started', () => {
  let sandbox: SandboxInfo;
  let bystanders: string[];
  let otherCommand: Promise<unknown>;

  beforeAll(async () => {
    sandbox = await client.create();
    // the app's background process and another command running meanwhile, each with a detached child
    const app = await client.request<ProcessInfo>('POST', `/v1/sandboxes/${sandbox.id}/processes`, {
      command: 'setsid sleep 1001 & exec sleep 1002',
    });
    expect(app.status).toBe(201);
    // runs until the sandbox goes (afterAll)
    otherCommand = client.exec(sandbox.id, {
      command: 'setsid sleep 1003 & exec sleep 1004',
      timeoutMs: 600_000,
    });
    bystanders = ['sleep 1001', 'sleep 1002', 'sleep 1003', 'sleep 1004'];
    await until('the bystanders run', async () => {
      const running = await live(sandbox.id);
      return bystanders.every((b) => running.includes(b));
    });
  });
  afterAll(async () => {
    await client.request('DELETE', `/v1/sandboxes/${sandbox.id}`);
    await otherCommand;
  });

  it('at its timeout: setsid, double fork, env -i and a cleared tag included', async () => {
    const res = await client.execRaw(sandbox.id, { command: DETACHER(2000), timeoutMs: 10_000 });
    const events = readEvents(res);
    await untilOutput(events, 'all-started');
    expect(await live(sandbox.id)).toEqual(expect.arrayContaining(detached(2000)));

    let exit: ExecEvent | undefined;
    for await (const event of events) if (event.type === 'exit') exit = event;
    expect(exit).toMatchObject({ type: 'exit', timedOut: true });
    // the exit is reported once they are gone
    const after = await live(sandbox.id);
    for (const child of detached(2000)) expect(after).not.toContain(child);
    expect(after).toEqual(expect.arrayContaining(bystanders));
  });

  it('when its client goes away (the command is stopped)', async () => {
    const stop = new AbortController();
    const res = await client.execRaw(
      sandbox.id,
      { command: DETACHER(3000), timeoutMs: 600_000 },
      stop.signal,
    );
    const events = readEvents(res);
    await untilOutput(events, 'all-started');
    // The marker comes before the last sleep starts, and a forked child may not have become its
    // program yet: wait until every one of them runs.
    await until('the command has started its children', async () => {
      const running = await live(sandbox.id);
      return detached(3000).every((child) => running.includes(child));
    });
    stop.abort();
    await events.return(undefined).catch(() => {});
    await until('the stopped command is gone', async () => {
      const running = await live(sandbox.id);
      return detached(3000).every((child) => !running.includes(child));
    });
    expect(await live(sandbox.id)).toEqual(expect.arrayContaining(bystanders));
  });

  it('when its background process is stopped through the signal API', async () => {
    const base = `/v1/sandboxes/${sandbox.id}/processes`;
    const proc = await client.request<ProcessInfo>('POST', base, { command: DETACHER(4000) });
    await until('the background process has started its children', async () => {
      const running = await live(sandbox.id);
      return detached(4000).every((child) => running.includes(child));
    });
    const signal = await client.request('POST', `${base}/${proc.body.id}/signal`, { signal: 'SIGTERM' });
    expect(signal.status).toBe(204);
    await until('the process has exited', async () => {
      const info = await client.request<ProcessInfo>('GET', `${base}/${proc.body.id}`);
      return info.body.status === 'exited';
    });
    const after = await live(sandbox.id);
    for (const child of detached(4000)) expect(after).not.toContain(child);
    expect(after).toEqual(expect.arrayContaining(bystanders));
  });

  it('but a command that ends on its own leaves the daemon it detached running', async () => {
    // like `pg_ctl start`: starting a server for the next commands is what the command was for
    expect(await client.sh(sandbox.id, 'setsid sleep 5001 & sleep 5002 & echo started')).toBe('started\n');
    // a plain background child goes with its process group
    await until('the background child is gone', async () => !(await live(sandbox.id)).includes('sleep 5002'));
    expect(await live(sandbox.id)).toContain('sleep 5001');
  });
});
