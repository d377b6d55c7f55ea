import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

let runner: TestRunner;
beforeAll(async () => {
  runner = await startRunner();
});
afterAll(() => runner.close());

// Missing, bad and expired tokens need no sandbox: test/no-docker/api-inject.test.ts.
describe('bearer tokens', () => {
  it('never lets a token for project B see or touch project A sandbox', async () => {
    const a = runner.client('project-a');
    const b = runner.client('project-b');
    const sandbox = await a.create();
    expect((await b.request('GET', `/v1/sandboxes/${sandbox.id}`)).status).toBe(404);
    expect((await b.request('POST', `/v1/sandboxes/${sandbox.id}/exec`, { command: 'id' })).status).toBe(404);
    expect((await b.request('DELETE', `/v1/sandboxes/${sandbox.id}`)).status).toBe(404);
    const listed = await b.request<{ sandboxes: unknown[] }>('GET', '/v1/sandboxes');
    expect(listed.body.sandboxes).toEqual([]);
    // A's sandbox is untouched
    expect(await a.sh(sandbox.id, 'echo still-here')).toBe('still-here\n');
    expect((await a.request('DELETE', `/v1/sandboxes/${sandbox.id}`)).status).toBe(204);
  });
});
