import { ServerFrameSchema, type ServerEvent } from '@samokoder/workers/protocol';
import { describe, expect, it } from 'vitest';
import { readPlan } from './plan.ts';

const task = (title: string, epic?: string) => ({
  title,
  description: `${title}, described`,
  acceptance: [`${title} works`],
  ...(epic ? { epic } : {}),
});

/** A plan artifact as the live channel delivers it (checked like every frame). */
function received(data: unknown): ServerEvent {
  return ServerFrameSchema.parse({
    type: 'artifact',
    stepId: 3,
    agent: 'TechLead',
    kind: 'plan',
    data,
    seq: 7,
    at: 1,
  }) as ServerEvent;
}

function planOf(event: ServerEvent) {
  if (event.type !== 'artifact' || event.kind !== 'plan') throw new Error(`not a plan: ${event.type}`);
  return readPlan(event.data);
}

describe('the plan panel', () => {
  it('shows the epics of the plan in order, with their tasks', () => {
    const a = task('Store', 'API');
    const b = task('Routes', 'API');
    const c = task('Page', 'Web');
    const epics = planOf(
      received({
        tasks: [a, b, c],
        epics: [
          { title: 'API', tasks: [a, b] },
          { title: 'Web', tasks: [c] },
        ],
        revision: 1,
      }),
    );
    expect(epics.map((e) => [e.title, e.tasks.map((t) => t.title)])).toEqual([
      ['API', ['Store', 'Routes']],
      ['Web', ['Page']],
    ]);
    expect(epics[0]!.tasks[0]).toEqual({
      id: null,
      title: 'Store',
      description: 'Store, described',
      acceptance: ['Store works'],
    });
  });

  it('shows a plan logged before epics as one group of its tasks', () => {
    const epics = planOf(received({ tasks: [task('Store'), task('Page')], revision: 1 }));
    expect(epics).toEqual([
      {
        title: 'Tasks',
        tasks: [expect.objectContaining({ title: 'Store' }), expect.objectContaining({ title: 'Page' })],
      },
    ]);
  });

  it('gets no plan from a plan artifact it cannot read', () => {
    expect(received({ steps: 'soon' })).toMatchObject({ type: 'artifact', kind: 'unreadable', was: 'plan' });
  });
});
