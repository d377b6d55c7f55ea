/**
 * An operator drains a runner (`POST /v1/drain`, or bin/drain.ts): it takes no new sandbox, a command
 * that was running finishes and reports its exit, the project's existing sandbox keeps working, and
 * `/healthz` tells the fleet; `--wait` returns once no command runs. Real engine, real containers.
 */
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthResponse } from '../src/contract.ts';
import { signOperatorToken } from '../src/tokens.ts';
import { readEvents, SECRET, startRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

const run = promisify(execFile);
const DRAIN_CLI = join(import.meta.dirname, '..', 'bin', 'drain.ts');

let runner: TestRunner | undefined;
afterEach(async () => {
  await runner?.close();
  runner = undefined;
});

const health = async (base: string) => {
  const res = await fetch(`${base}/healthz`);
  return { status: res.status, body: HealthResponse.parse(await res.json()) };
};

describe('draining a runner', () => {
  it('refuses new sandboxes while running commands finish and existing sandboxes keep working', async () => {
    runner = await startRunner();
    const client = runner.client();
    const sandbox = await client.create();
    const res = await client.execRaw(sandbox.id, { command: 'echo started; sleep 1.5; echo finished' });
    const events = readEvents(res);
    expect((await events.next()).value).toEqual({ type: 'stdout', data: 'started\n' });

    const drained = await fetch(`${runner.base}/v1/drain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signOperatorToken(SECRET)}` },
    });
    expect(drained.status).toBe(200);
    expect(await drained.json()).toEqual({
      runnerId: runner.config.runnerId,
      draining: true,
      sandboxes: 1,
      commands: 1,
    });

    const refused = await client.request<{ error: { code: string } }>('POST', '/v1/sandboxes', {});
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({
      status: 503,
      code: 'runner_draining',
    });
    const another = await runner.client().request('POST', '/v1/sandboxes', {});
    expect(another.status).toBe(503);
    expect(await health(runner.base)).toMatchObject({
      status: 503,
      body: { ok: false, draining: true, sandboxes: 1, commands: 1, runnerId: runner.config.runnerId },
    });

    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest).toEqual([
      { type: 'stdout', data: 'finished\n' },
      expect.objectContaining({ type: 'exit', exitCode: 0, signal: null }),
    ]);
    // the project's sandbox still works until the Worker moves it
    expect((await client.exec(sandbox.id, { command: 'echo still here' })).stdout).toBe('still here\n');
    expect((await health(runner.base)).body.commands).toBe(0);
  });

  it('bin/drain.ts drains, waits for running commands, and --undo takes sandboxes again', async () => {
    runner = await startRunner();
    const client = runner.client();
    const sandbox = await client.create();
    // runs until told to stop, however slowly the CLI starts on a busy machine
    const res = await client.execRaw(sandbox.id, {
      command: 'echo started; until [ -f /tmp/go ]; do sleep 0.1; done; echo finished',
    });
    const events = readEvents(res);
    await events.next();

    const env = { ...process.env, SANDBOX_RUNNER_SECRET: SECRET };
    const cli = spawn(process.execPath, [DRAIN_CLI, runner.base, '--wait'], { env });
    const lines = createInterface({ input: cli.stdout })[Symbol.asyncIterator]();
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    const states: { draining: boolean; commands: number }[] = [];
    const next = async () => {
      const line = await lines.next();
      if (!line.done) states.push(JSON.parse(line.value) as { draining: boolean; commands: number });
      return line.done;
    };
    await next();
    expect(states[0]).toMatchObject({ draining: true, commands: 1 });
    await next(); // still waiting: it polls while the command runs
    expect(states[1]).toMatchObject({ draining: true, commands: 1 });
    await client.exec(sandbox.id, { command: 'touch /tmp/go' });
    while (!(await next()));
    expect(await exited).toBe(0);
    expect(states.at(-1)).toMatchObject({ draining: true, commands: 0 });
    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest.at(-1)).toMatchObject({ type: 'exit', exitCode: 0 });
    expect((await client.request('POST', '/v1/sandboxes', {})).status).toBe(503);

    await run(process.execPath, [DRAIN_CLI, runner.base, '--undo'], { env });
    expect((await health(runner.base)).body).toMatchObject({ ok: true, draining: false });
    expect((await client.request('POST', '/v1/sandboxes', {})).status).toBe(201);
  });
});
