import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

let runner: TestRunner;
beforeAll(async () => {
  runner = await startRunner();
});
afterAll(() => runner.close());

const metricValue = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : undefined;
};

describe('metrics', () => {
  it('counts sandboxes and commands', async () => {
    const client = runner.client();
    const sandbox = await client.create();
    await client.sh(sandbox.id, 'true');
    await client.exec(sandbox.id, { command: 'exit 3' });
    const text = await (await fetch(`${runner.base}/metrics`)).text();
    expect(metricValue(text, 'samokoder_sandboxes_active')).toBe(1);
    expect(text).toContain('samokoder_sandboxes_created_total{source="cold"} 1');
    expect(text).toContain('samokoder_sandbox_execs_total{outcome="ok"} 1');
    expect(text).toContain('samokoder_sandbox_execs_total{outcome="nonzero"} 1');
    expect(metricValue(text, 'samokoder_sandbox_exec_duration_seconds_count')).toBe(2);
    await client.request('DELETE', `/v1/sandboxes/${sandbox.id}`);
    const after = await (await fetch(`${runner.base}/metrics`)).text();
    expect(metricValue(after, 'samokoder_sandboxes_active')).toBe(0);
    expect(after).toContain('samokoder_sandboxes_destroyed_total{reason="api"} 1');
  });

  it('passes promtool check metrics', async () => {
    const text = await (await fetch(`${runner.base}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (check.error)
      throw new Error(`promtool is required (apt-get install -y prometheus): ${check.error.message}`);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
