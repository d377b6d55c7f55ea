import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessInfo, ProcessLogsResponse, SandboxInfo } from '../src/contract.ts';
import { ProcessLog } from '../src/sandbox/process-log.ts';
import { startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

let runner: TestRunner;
let client: Client;
let sandbox: SandboxInfo;
let base: string;
beforeAll(async () => {
  runner = await startRunner({ processLogBytes: 4096 });
  client = runner.client();
  sandbox = await client.create();
  base = `/v1/sandboxes/${sandbox.id}/processes`;
});
afterAll(() => runner.close());

async function logsUntil(id: string, predicate: (text: string) => boolean): Promise<ProcessLogsResponse> {
  let text = '';
  let offset = 0;
  for (let i = 0; i < 50; i++) {
    const res = await client.request<ProcessLogsResponse>(
      'GET',
      `${base}/${id}/logs?offset=${offset}&waitMs=2000`,
    );
    text += res.body.data;
    offset = res.body.nextOffset;
    if (predicate(text)) return { ...res.body, data: text };
  }
  throw new Error(`log never matched; got ${JSON.stringify(text)}`);
}

describe('background processes', () => {
  it('starts a process, reads its logs as they come, writes stdin and signals it', async () => {
    const started = await client.request<ProcessInfo>('POST', base, {
      name: 'echo-server',
      argv: [
        'node',
        '-e',
        "console.log('ready'); process.stdin.on('data', (d) => process.stdout.write('got:' + d))",
      ],
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ name: 'echo-server', status: 'running' });
    const id = started.body.id;

    await logsUntil(id, (t) => t.includes('ready'));
    expect((await client.request('POST', `${base}/${id}/stdin`, { data: 'hello\n' })).status).toBe(204);
    const logs = await logsUntil(id, (t) => t.includes('got:hello'));
    expect(logs.data).toBe('ready\ngot:hello\n');

    const list = await client.request<{ processes: ProcessInfo[] }>('GET', base);
    expect(list.body.processes.map((p) => p.id)).toContain(id);

    expect((await client.request('POST', `${base}/${id}/signal`, { signal: 'SIGTERM' })).status).toBe(204);
    const ended = await logsUntil(id, () => true);
    let info = ended.process;
    for (let i = 0; i < 20 && info.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      info = (await client.request<ProcessInfo>('GET', `${base}/${id}`)).body;
    }
    expect(info).toMatchObject({ status: 'exited', signal: 'SIGTERM', exitCode: null });
    const late = await client.request<{ error: { code: string } }>('POST', `${base}/${id}/stdin`, {
      data: 'x',
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('process_not_running');
  });

  it('closes stdin on request and reports the exit code', async () => {
    const started = await client.request<ProcessInfo>('POST', base, { command: 'wc -c; exit 4' });
    const id = started.body.id;
    await client.request('POST', `${base}/${id}/stdin`, { data: 'abcdef', end: true });
    const logs = await logsUntil(id, (t) => t.trim() === '6');
    let info = logs.process;
    for (let i = 0; i < 20 && info.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      info = (await client.request<ProcessInfo>('GET', `${base}/${id}`)).body;
    }
    expect(info).toMatchObject({ status: 'exited', exitCode: 4 });
  });

  it('keeps the newest output and says how much was skipped', async () => {
    const started = await client.request<ProcessInfo>('POST', base, { command: 'seq 1 5000; echo END' });
    const logs = await logsUntil(started.body.id, (t) => t.includes('END'));
    expect(logs.data.endsWith('4999\n5000\nEND\n')).toBe(true);
    const fromStart = await client.request<ProcessLogsResponse>(
      'GET',
      `${base}/${started.body.id}/logs?offset=0`,
    );
    expect(fromStart.body.skippedBytes).toBeGreaterThan(0);
    expect(fromStart.body.offset).toBe(fromStart.body.skippedBytes);
    expect(fromStart.body.data.length).toBeLessThanOrEqual(4096);
  });

  it('signals the whole process group', async () => {
    const started = await client.request<ProcessInfo>('POST', base, {
      command: 'sleep 101 & sleep 102 & wait',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await client.sh(sandbox.id, 'ps -o args | grep -c "^sleep 10[12]"')).toBe('2\n');
    await client.request('POST', `${base}/${started.body.id}/signal`, { signal: 'SIGKILL' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.exec(sandbox.id, { command: 'ps -o args | grep -c "^sleep 10[12]"' })).stdout).toBe(
      '0\n',
    );
  });

  it('answers 404 for unknown processes and for other projects', async () => {
    expect((await client.request('GET', `${base}/p999/logs`)).status).toBe(404);
    const started = await client.request<ProcessInfo>('POST', base, { command: 'sleep 5' });
    const other = runner.client();
    expect((await other.request('GET', `${base}/${started.body.id}/logs`)).status).toBe(404);
    expect(
      (await other.request('POST', `${base}/${started.body.id}/signal`, { signal: 'SIGKILL' })).status,
    ).toBe(404);
  });
});

describe('process log', () => {
  it('reads by absolute offset and never splits a UTF-8 character', () => {
    const log = new ProcessLog(8);
    log.append(Buffer.from('abcd'));
    log.append(Buffer.from('efgh'));
    log.append(Buffer.from('ij'));
    expect(log.read(0, 100)).toEqual({ data: Buffer.from('cdefghij'), offset: 2, skipped: 2 });
    expect(log.read(5, 2)).toEqual({ data: Buffer.from('fg'), offset: 5, skipped: 0 });
    expect(log.read(10, 5).data.length).toBe(0);
    const utf = new ProcessLog(100);
    utf.append(Buffer.from('aż').subarray(0, 2)); // 'a' and the first byte of 'ż'
    expect(utf.read(0, 100).data.toString()).toBe('a');
    utf.append(Buffer.from('ż').subarray(1));
    expect(utf.read(1, 100).data.toString()).toBe('ż');
  });
});
