import { describe, expect, it } from 'vitest';
import { historyOf, historyText, legacyHistory, settled, withAttempt } from './debug-history.ts';
import type { DebugAttempt, DebugHistory } from './debug-attempts.ts';
import { initialState } from './state.ts';
import { readAgentInput } from './steps.ts';

const attempt = (i: number, outcome: DebugAttempt['outcome']): DebugAttempt => ({
  command: 'npm test',
  kind: 'fix',
  explanation: `attempt ${i}: ${'a long explanation '.repeat(40)}`,
  files: [`src/f${i}.js`],
  outcome,
});

describe("the debug loop's history", () => {
  it('stays bounded: the last attempts in full, older ones a line each, the oldest only counted', () => {
    let state = initialState();
    let history: DebugHistory = { task: 't1', attempts: [], dropped: 0 };
    for (let i = 1; i <= 30; i++) {
      state = withAttempt(state, history, attempt(i, { status: 'applied' }));
      state = settled(state, {
        status: 'failed',
        command: 'npm test',
        ended: 'exit code 1',
        output: `output of ${i}\n${'x'.repeat(20_000)}`,
      });
      history = state.debug!;
    }
    // The state keeps a dozen, each cut.
    expect(history.attempts).toHaveLength(12);
    expect(history.dropped).toBe(18);
    expect(JSON.stringify(history).length).toBeLessThan(15_000);
    const text = historyText(history, 'the current output');
    expect(text).toContain('(30 so far)');
    expect(text).toContain('(19 older attempts not shown)');
    expect(text).toMatch(/^- #20 /m);
    expect(text).not.toContain('#19 ');
    expect(text).toContain('Your previous attempt #30 (fix, at `npm test`)');
    expect(text).toContain('Attempt #28 ');
    // About 1,500 tokens at most: a model with an 8k context still has room for the rest.
    expect(text.length).toBeLessThan(6_000);
  });

  it("keeps a task's history for that task, and starting the app after another fix begins afresh", () => {
    const applied = attempt(1, { status: 'applied' });
    const inTask = withAttempt(initialState(), historyOf(initialState(), 't1'), applied);
    expect(historyOf(inTask, 't1').attempts).toHaveLength(1);
    expect(historyOf(inTask, 't2').attempts).toEqual([]);
    expect(historyOf(inTask, null).attempts).toEqual([]);
    const starting = withAttempt(inTask, historyOf(inTask, null), applied);
    expect(historyOf(starting, null).attempts).toHaveLength(1);
    expect(historyOf({ ...starting, fixes: 1 }, null).attempts).toEqual([]);
  });

  it('reads an input stored before the history was kept, and shows its attempts', () => {
    const stored = {
      agent: 'BugHunter',
      title: 'Debug npm test',
      input: {
        command: 'npm test',
        timeoutSeconds: 120,
        index: 2,
        exitCode: 'exit code 1',
        output: 'not ok 1',
        attempt: 3,
        previous: ['fix: add the missing export', 'logging: print the sum'],
      },
    };
    const read = readAgentInput(stored);
    const input = read.input as { previous: string[]; ended: string };
    expect(input.ended).toBe('exit code 1');
    const text = historyText(
      legacyHistory({ task: 't1', attempts: [], dropped: 0 }, 'npm test', input.previous),
      'not ok 1',
    );
    expect(text).toContain('#1 (fix, at `npm test`): add the missing export');
    expect(text).toContain('Your previous attempt #2 (logging, at `npm test`): print the sum');
  });
});
