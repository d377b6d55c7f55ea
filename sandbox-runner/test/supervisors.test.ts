/**
 * Both supervisors a sandbox can run, through the same checks: the native one (the default wherever a C
 * compiler builds it; the rest of this suite runs it) and the Node one (images with Node, runners without
 * a compiler). What the runner's API shows must not depend on which one runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListFilesResponse, ReadFileResponse, SandboxInfo } from '../src/contract.ts';
import { startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

describe.each(['native', 'node'] as const)('a sandbox running the %s supervisor', (supervisor) => {
  let runner: TestRunner;
  let client: Client;
  let sandbox: SandboxInfo;
  beforeAll(async () => {
    runner = await startRunner({ supervisor });
    client = runner.client();
    sandbox = await client.create();
  });
  afterAll(() => runner.close());

  it('runs commands: output, exit code, cwd, env, stdin', async () => {
    // The container's main process is the supervisor chosen, not the other one.
    const processes = await client.sh(sandbox.id, 'ps -o comm');
    expect(processes).toContain(supervisor === 'native' ? 'supervisor' : 'node');
    expect(processes).not.toContain(supervisor === 'native' ? 'node' : 'supervisor');
    await client.sh(sandbox.id, 'mkdir -p sub');
    const result = await client.exec(sandbox.id, {
      command: 'cat; echo " $PWD $GREETING" >&2; exit 3',
      cwd: 'sub',
      env: { GREETING: 'two words' },
      stdin: 'piped in',
    });
    expect(result.stdout).toBe('piped in');
    expect(result.stderr).toBe(' /workspace/sub two words\n');
    expect(result.exit).toMatchObject({ exitCode: 3, timedOut: false });
    const missing = await client.exec(sandbox.id, { argv: ['no-such-program'] });
    expect(missing.exit?.exitCode).toBe(127);
  });

  it('ends a command that times out with every process it started, detached ones too', async () => {
    const result = await client.exec(sandbox.id, {
      command: 'setsid sleep 300 & sleep 300',
      timeoutMs: 500,
    });
    expect(result.exit).toMatchObject({ timedOut: true });
    expect(await client.sh(sandbox.id, 'ps -o comm | grep -c "^sleep" || true')).toBe('0\n');
  });

  it('writes, reads, lists and deletes files inside the workspace only', async () => {
    const files = `/v1/sandboxes/${sandbox.id}/files`;
    const write = await client.request('PUT', files, { files: [{ path: 'a/b.txt', content: 'hello' }] });
    expect(write).toEqual({ status: 200, body: { written: 1, bytes: 5 } });
    const read = await client.request<ReadFileResponse>('GET', `${files}/content?path=a%2Fb.txt`);
    expect(read.body).toMatchObject({ content: 'hello', size: 5 });
    const list = await client.request<ListFilesResponse>('GET', `${files}?depth=2`);
    expect(list.body.entries.map((e) => `${e.type}:${e.path}`)).toEqual(
      expect.arrayContaining(['dir:a', 'file:a/b.txt']),
    );
    await client.sh(sandbox.id, 'ln -s /etc out');
    const outside = await client.request<{ error: { code: string } }>(
      'GET',
      `${files}/content?path=out%2Fpasswd`,
    );
    expect(outside.body.error.code).toBe('path_outside_workspace');
    expect((await client.request('DELETE', `${files}?path=a&recursive=true`)).status).toBe(204);
    expect(await client.sh(sandbox.id, 'ls')).toBe('out\nsub\n');
  });
});
