import { describe, expect, inject, it } from 'vitest';
import type {} from '../stack/e2e-context.ts';
import { README_MD } from './todo-app.ts';
import { todoSession } from './todo-session.ts';
import { runDemo } from './run.ts';

// Runs in the e2e project: its global setup starts the whole local stack (the Worker under wrangler dev,
// Postgres, Redis, the sandbox-runner with Docker, the LLM fixture).
describe('the offline demo (pnpm demo)', () => {
  it('builds the todo app for real: the planted bug fails npm test in the sandbox, the fix passes, the app answers', async () => {
    let printed = '';
    const result = await runDemo({
      write: (text) => (printed += text),
      baseUrl: inject('baseUrl'),
      llmFixtureUrl: inject('llmFixtureUrl'),
      timeoutMs: 240_000,
    });
    expect(result.status, `${result.reason ?? ''}\n${printed.slice(-3000)}`).toBe('completed');

    // npm test really ran in the container: red on the planted bug, green after the BugHunter's fix.
    expect(result.testExits.length).toBe(4);
    expect(result.testExits[0]).not.toBe(0);
    expect(result.testExits.slice(1)).toEqual([0, 0, 0]);
    expect(printed).toContain('removes a todo');

    // The app answers through the runner's preview proxy.
    expect(result.preview?.created).toMatchObject({ status: 201, body: { id: 1, title: 'try the demo' } });
    expect(result.preview?.listed).toEqual([{ id: 1, title: 'try the demo', done: false }]);
    expect(result.readme).toBe(README_MD);

    // One provider call per scripted reply (none repeated), and the key in no event.
    expect(result.llmRequests).toBe(todoSession().length);
    expect(result.keyLeaked).toBe(false);
  }, 300_000);
});
