import { describe, expect, it } from 'vitest';
import { buildReport, formatCost, platformShare, reportMarkdown, type AppReport } from './report.ts';

function app(over: Partial<AppReport> & { id: string }): AppReport {
  return {
    name: over.id,
    source: 'suite',
    outcome: 'finished',
    status: 'completed',
    reason: null,
    checks: { passed: 3, total: 3, failures: [] },
    usage: { calls: 10, inputTokens: 1000, outputTokens: 200, costMicros: 12_500, unpricedCalls: 0 },
    timing: { wallMs: 100_000, modelMs: 80_000, commandMs: 16_000 },
    fixRounds: 1,
    files: { zip: null, dir: null },
    ...over,
  };
}

describe("the eval's report", () => {
  it('takes the time waiting on the model and on commands out of the wall time: the rest is the platform', () => {
    expect(platformShare({ wallMs: 100_000, modelMs: 80_000, commandMs: 16_000 })).toBeCloseTo(0.04);
    expect(platformShare({ wallMs: 100_000, modelMs: null, commandMs: 16_000 })).toBeNull();
  });

  it('sums the apps, and the total share is the platform time over the wall time', () => {
    const report = buildReport('openai:gpt-4.1', new Date('2026-12-05T00:00:00Z'), [
      app({ id: 'a' }),
      app({
        id: 'b',
        outcome: 'stopped',
        status: 'failed',
        reason: 'the budget is spent',
        checks: { passed: 1, total: 4, failures: [{ check: 'lists', message: 'GET /api/x answered 404' }] },
        timing: { wallMs: 300_000, modelMs: 240_000, commandMs: 30_000 },
        fixRounds: 3,
      }),
    ]);
    expect(report.total).toMatchObject({
      apps: 2,
      finished: 1,
      checksPassed: 4,
      checksTotal: 7,
      ungraded: 0,
      wallMs: 400_000,
      fixRounds: 4,
      usage: { calls: 20, inputTokens: 2000, outputTokens: 400, costMicros: 25_000, unpricedCalls: 0 },
    });
    expect(report.total.platformShare).toBeCloseTo((4_000 + 30_000) / 400_000);
  });

  it('never shows an unknown price as $0.00', () => {
    const usage = { calls: 4, inputTokens: 1, outputTokens: 1, costMicros: 0, unpricedCalls: 4 };
    expect(formatCost(usage)).toBe('unknown');
    expect(formatCost({ ...usage, costMicros: 20_000, unpricedCalls: 1 })).toBe(
      '$0.0200 + unknown (1 unpriced)',
    );
    expect(formatCost({ ...usage, costMicros: 20_000, unpricedCalls: 0 })).toBe('$0.0200');
  });

  it('writes a Markdown table with a row per app, the total, every failure and how the share is computed', () => {
    const md = reportMarkdown(
      buildReport('fixture', new Date('2026-12-05T00:00:00Z'), [
        app({ id: 'notes' }),
        app({
          id: 'quiz',
          outcome: 'stopped',
          status: 'paused',
          reason: 'a | pipe',
          checks: {
            passed: 0,
            total: 2,
            failures: [{ check: 'scores', message: 'POST /api/answers got no answer' }],
          },
          usage: { calls: 2, inputTokens: 5, outputTokens: 6, costMicros: 0, unpricedCalls: 2 },
          timing: { wallMs: 2_000, modelMs: null, commandMs: 0 },
        }),
        app({ id: 'webgen-1', source: 'webgen', checks: null, unfinishedTasks: 2 }),
      ]),
    );
    const lines = md.split('\n');
    expect(lines).toContain('| notes | finished | 3/3 | 10 | 1000 / 200 | $0.0125 | 100.0 s | 1 | 4.0% |');
    expect(lines).toContain(
      '| quiz | stopped: paused (a \\| pipe) | 0/2 | 2 | 5 / 6 | unknown | 2.0 s | 1 | unknown |',
    );
    expect(lines).toContain(
      '| webgen-1 | finished (2 task(s) not done) | ungraded | 10 | 1000 / 200 | $0.0125 | 100.0 s | 1 | 4.0% |',
    );
    expect(lines.find((l) => l.startsWith('| **total (3)**'))).toContain('2/3 finished');
    expect(md).toContain('- **quiz** / scores: POST /api/answers got no answer');
    expect(md).toContain('## Ungraded');
    expect(md).toContain('## How the platform share is computed');
    expect(lines).toContain('- notes: wall 100.0 s = model 80.0 s + commands 16.0 s + platform 4.0 s');
    expect(lines).toContain('- quiz: wall 2.0 s = model unknown + commands 0.0 s + platform unknown');
  });
});
