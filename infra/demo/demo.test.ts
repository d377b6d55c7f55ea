import { describe, expect, inject, it } from 'vitest';
import type {} from '../stack/e2e-context.ts';
import { README_MD } from './todo-app.ts';
import { todoSession } from './todo-session.ts';
import { publishSteps, type PublishSteps } from './publish-steps.ts';
import { runDemo } from './run.ts';

// Runs in the e2e project: its global setup starts the whole local stack (the Worker under wrangler dev,
// Postgres, Redis, the sandbox-runner with Docker, the LLM fixture).
describe('the offline demo (pnpm demo)', () => {
  it('builds the todo app for real: the planted bug fails npm test in the sandbox, the fix passes, the app answers, and its owner alone publishes it', async () => {
    let printed = '';
    let publish: PublishSteps | undefined;
    const result = await runDemo({
      write: (text) => (printed += text),
      baseUrl: inject('baseUrl'),
      llmFixtureUrl: inject('llmFixtureUrl'),
      timeoutMs: 240_000,
      afterRun: async (api, projectId) => void (publish = await publishSteps(api, projectId)),
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

    // Published, the app answers at its own public origin; a stranger can neither see nor touch it.
    expect(publish?.published).toMatchObject({ status: 201, state: 'running' });
    expect(publish?.published.url).toMatch(/^http:\/\/[a-z2-7]{26}-app\.localhost:\d+$/);
    expect(publish?.answered).toEqual({ status: 200, body: [] });
    expect(publish?.stranger).toEqual([404, 404, 404, 404, 404, 200]);
    expect(publish?.unpublished).toBe(204);
    expect(publish?.afterwards).toBe(404);
  }, 300_000);
});
