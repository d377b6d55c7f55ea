/**
 * The agents' pipeline as the Durable Object binds it (`bindAgentsPipeline`), run by the real engine
 * over the object's own SQLite inside workerd (these tests drive the binding of `composition-root.ts`
 * directly).
 */
import { env, runInDurableObject } from 'cloudflare:test';
import type { ProjectObject, ProjectInfo } from '../../src/project-object/project-object.ts';
import { openProjectStorage } from '../../src/project-object/storage/open.ts';
import { durableObjectSql } from '../../src/project-object/storage/sql.ts';
import { RunControls } from '../../src/core/control.ts';
import { Engine } from '../../src/core/engine.ts';
import { bindAgentsPipeline } from '../../src/project-object/composition-root.ts';
import type { ServerEvent } from '../../src/protocol.ts';
import { projectIdOf } from '../../src/ids.ts';

export interface BoundRun {
  events: ServerEvent[];
  status: string;
  reason: string | null;
  openQuestion: string | null;
  llmCalls: number;
}

/** Runs the project until it settles (or `maxSteps`), inside a fresh Durable Object. */
export async function runBound(
  project: Omit<ProjectInfo, 'projectId' | 'pipeline'>,
  maxSteps = 60,
): Promise<BoundRun> {
  const projectId = projectIdOf(crypto.randomUUID());
  const stub = env.PROJECT_OBJECT.get(
    env.PROJECT_OBJECT.idFromName(projectId),
  ) as DurableObjectStub<ProjectObject>;
  return runInDurableObject(stub, async (_agent: ProjectObject, state: DurableObjectState) => {
    const clock = { now: () => Date.now() };
    const { log, sink, journal } = openProjectStorage(durableObjectSql(state.storage), { clock });
    const info: ProjectInfo = { ...project, projectId, pipeline: 'agents' };
    journal.setProject(info);
    let llmCalls = 0;
    const bound = bindAgentsPipeline({
      env,
      project: info,
      onLlmCall: () => llmCalls++,
      fetch: (input, init) => fetch(input, init),
    });
    let ids = 0;
    const engine = new Engine({ journal, sink, clock, ids: { next: (p) => `${p}_${++ids}` }, ...bound });
    new RunControls(engine).start();
    for (let i = 0; i < maxSteps; i++) {
      const outcome = await engine.runNext();
      if (outcome.kind === 'idle' || outcome.kind === 'busy') break;
    }
    const run = journal.run();
    return {
      events: log.since(0, 100_000).map((e) => JSON.parse(e.frame) as ServerEvent),
      status: run.status,
      reason: run.reason?.message ?? null,
      openQuestion: journal.openQuestion()?.text ?? null,
      llmCalls,
    };
  });
}
