import { describe, expect, it } from 'vitest';
import { ServerFrameSchema, type ArtifactEvent } from './protocol.ts';

/** An artifact event as it was logged (`seq` and `at` included), parsed as a client parses it. */
function receive(kind: string, data: unknown) {
  const frame = { type: 'artifact', stepId: 4, agent: 'Executor', kind, data, seq: 9, at: 1 };
  return ServerFrameSchema.parse(frame) as ArtifactEvent & { seq: number };
}

const task = { title: 'List todos', description: 'GET /todos', acceptance: ['it lists them'] };

describe('artifacts on the live channel', () => {
  it('reads what the agents emit as typed data, unchanged', () => {
    const spec = {
      name: 'todo-api',
      summary: 'A todo REST API.',
      features: ['list', 'add'],
      complexity: 'simple',
      clarifications: [{ question: 'Storage?', answer: 'memory' }],
    };
    expect(receive('spec', spec)).toMatchObject({ kind: 'spec', data: spec, seq: 9 });
    const preview = { port: 3000, command: 'npm start', install: null, watches: false };
    expect(receive('preview', preview).data).toEqual(preview);
  });

  it('reads a preview logged before installs and file following, without its old tokened link', () => {
    const old = receive('preview', { url: 'http://x.localhost/?token=t', port: 3000, command: 'npm start' });
    expect(old).toMatchObject({ kind: 'preview' });
    expect(old.data).toEqual({ port: 3000, command: 'npm start', install: null, watches: false });
  });

  it('reads a plan logged before epics as one group of its tasks', () => {
    const old = receive('plan', { tasks: [task], revision: 1 });
    expect(old).toMatchObject({ kind: 'plan', data: { epics: [{ title: 'Tasks', tasks: [task] }] } });
  });

  it('keeps an artifact of an unknown kind or shape as unreadable instead of refusing the event', () => {
    expect(receive('mood-board', { colours: 3 })).toMatchObject({
      kind: 'unreadable',
      was: 'mood-board',
      seq: 9,
    });
    expect(receive('spec', 'just a sentence')).toMatchObject({ kind: 'unreadable', was: 'spec' });
  });
});
