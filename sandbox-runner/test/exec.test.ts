import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInfo } from '../src/contract.ts';
import { readEvents, startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

let runner: TestRunner;
let client: Client;
let sandbox: SandboxInfo;
beforeAll(async () => {
  runner = await startRunner();
  client = runner.client();
  sandbox = await client.create({ env: { GREETING: 'hello' } });
});
afterAll(() => runner.close());

describe('exec', () => {
  it('runs a shell line and reports stdout, stderr and the exit status', async () => {
    const result = await client.exec(sandbox.id, { command: 'echo out; echo err >&2; exit 7' });
    expect(result.status).toBe(200);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\n');
    expect(result.exit).toMatchObject({ exitCode: 7, signal: null, timedOut: false, truncated: false });
    expect(result.events.at(-1)?.type).toBe('exit');
  });

  it('runs node in the sandbox', async () => {
    expect(await client.sh(sandbox.id, "node -e 'console.log(1+1)'")).toBe('2\n');
  });

  it('runs an argv without a shell, with cwd, env and stdin', async () => {
    await client.sh(sandbox.id, 'mkdir -p sub/dir');
    const result = await client.exec(sandbox.id, {
      argv: [
        'node',
        '-e',
        'process.stdin.pipe(process.stdout); console.error(process.cwd(), process.env.GREETING, process.env.EXTRA)',
      ],
      cwd: 'sub/dir',
      env: { EXTRA: 'x y' },
      stdin: 'piped in',
    });
    expect(result.exit?.exitCode).toBe(0);
    expect(result.stdout).toBe('piped in');
    expect(result.stderr).toBe('/workspace/sub/dir hello x y\n');
  });

  it('runs concurrent commands with their own cwd, env and exit code (pre-forked shell or not)', async () => {
    await client.sh(sandbox.id, 'mkdir -p c0 c1 c2 c3 c4 c5');
    const results = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        client.exec(sandbox.id, {
          command: 'echo "$N $(basename $(pwd)) $GREETING"; exit $N',
          cwd: `c${i}`,
          env: { N: String(i) },
        }),
      ),
    );
    results.forEach((r, i) => {
      expect(r.stdout).toBe(`${i} c${i} hello\n`);
      expect(r.exit?.exitCode).toBe(i);
    });
  });

  it('reports a missing program like a shell would', async () => {
    const result = await client.exec(sandbox.id, { argv: ['no-such-program'] });
    expect(result.exit?.exitCode).toBe(127);
    expect(result.stderr).toContain('no-such-program');
  });

  it('streams output while the command runs', async () => {
    const started = Date.now();
    const res = await client.execRaw(sandbox.id, { command: 'echo first; sleep 2; echo second' });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const arrivals: { type: string; at: number }[] = [];
    for await (const event of readEvents(res)) arrivals.push({ type: event.type, at: Date.now() - started });
    expect(arrivals[0]).toMatchObject({ type: 'stdout' });
    expect(arrivals[0]!.at).toBeLessThan(1500);
    expect(arrivals.at(-1)!.type).toBe('exit');
    expect(arrivals.at(-1)!.at).toBeGreaterThanOrEqual(2000);
  });

  it('keeps multi-byte characters whole across chunks', async () => {
    const stdout = await client.sh(
      sandbox.id,
      'node -e "for (const b of Buffer.from(\'żółć🙂\')) process.stdout.write(Buffer.from([b]))"',
    );
    expect(stdout).toBe('żółć🙂');
  });

  it('kills the command when the client disconnects', async () => {
    await client.sh(sandbox.id, 'rm -f marker');
    const abort = new AbortController();
    const res = await client.execRaw(
      sandbox.id,
      { command: 'echo started; sleep 2; touch marker' },
      abort.signal,
    );
    const events = readEvents(res);
    expect((await events.next()).value).toMatchObject({ type: 'stdout', data: 'started\n' });
    abort.abort();
    await new Promise((r) => setTimeout(r, 3000));
    const check = await client.exec(sandbox.id, { command: 'test -e marker && echo present || echo absent' });
    expect(check.stdout).toBe('absent\n');
    const ps = await client.sh(sandbox.id, 'ps -o pid,args | grep -c "[s]leep 2" || true');
    expect(ps.trim()).toBe('0');
  });

  it('refuses an invalid request before streaming', async () => {
    const both = await client.request<{ error: { code: string } }>(
      'POST',
      `/v1/sandboxes/${sandbox.id}/exec`,
      {
        command: 'true',
        argv: ['true'],
      },
    );
    expect(both.status).toBe(400);
    const badCwd = await client.request<{ error: { code: string } }>(
      'POST',
      `/v1/sandboxes/${sandbox.id}/exec`,
      {
        command: 'true',
        cwd: '../etc',
      },
    );
    expect(badCwd.status).toBe(400);
    expect(badCwd.body.error.code).toBe('invalid_path');
    const missingCwd = await client.request<{ error: { code: string } }>(
      'POST',
      `/v1/sandboxes/${sandbox.id}/exec`,
      {
        command: 'true',
        cwd: 'does/not/exist',
      },
    );
    expect(missingCwd.status).toBe(404);
  });
});
