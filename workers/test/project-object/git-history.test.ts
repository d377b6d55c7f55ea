import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ProjectObject } from '../../src/project-object/project-object.ts';
import { scriptedProject, settled } from './helpers.ts';

describe("the project object's git history", () => {
  it('gets a commit after each step, without anyone asking for the history', async () => {
    const { stub } = await scriptedProject({
      steps: [
        { title: 'Write the page', actions: [{ write: 'index.html', content: '<h1>hi</h1>\n' }] },
        { title: 'Style it', actions: [{ write: 'style.css', content: 'h1 { color: red }\n' }] },
      ],
    });
    await stub.control('start');
    expect(await settled(stub, ['completed'])).toBe('completed');
    // Written after each step's transaction, in the object's own time: wait for the second one.
    await expect
      .poll(
        () =>
          runInDurableObject(stub, (object: ProjectObject) => {
            const git = object.runtime.storage.git;
            return [1, 2].map((step) => git.commitOfStep(step) !== null);
          }),
        { timeout: 10_000 },
      )
      .toEqual([true, true]);
    const head = await runInDurableObject(stub, (object: ProjectObject) =>
      object.runtime.storage.git.head(0),
    );
    expect(head?.commitId).toBe(
      await runInDurableObject(stub, (object: ProjectObject) => object.runtime.storage.git.commitOfStep(2)),
    );
  });
});
