/**
 * The agents' pipeline as the Durable Object binds it (`bindAgentsPipeline`), run by the real engine
 * over the object's own SQLite inside workerd. (The object's registry gets the pipeline from issue 5's
 * `agent/pipelines.ts`; these tests drive the binding directly.)
 */
import { env, runInDurableObject } from 'cloudflare:test';
import type { ProjectAgent, ProjectInfo } from '../../src/agent/project-agent.ts';
import { LiveSink } from '../../src/agent/sink.ts';
import { EventLog } from '../../src/agent/storage/events.ts';
import { FileStore } from '../../src/agent/storage/files.ts';
import { SqlJournal } from '../../src/agent/storage/journal.ts';
import { durableObjectSql } from '../../src/agent/storage/sql.ts';
import { RunControls } from '../../src/core/control.ts';
import { Engine } from '../../src/core/engine.ts';
import { bindAgentsPipeline } from '../../src/llm/agents-binding.ts';
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
  const stub = env.PROJECT_AGENT.get(
    env.PROJECT_AGENT.idFromName(projectId),
  ) as DurableObjectStub<ProjectAgent>;
  return runInDurableObject(stub, async (_agent: ProjectAgent, state: DurableObjectState) => {
    const sql = durableObjectSql(state.storage);
    const files = new FileStore(sql);
    const log = new EventLog(sql);
    const clock = { now: () => Date.now() };
    const sink = new LiveSink(log, clock.now, () => {});
    const journal = new SqlJournal({
      sql,
      files,
      clock,
      atomic: (fn) => sink.batch(() => sql.tx(fn)),
      onOutbox: () => {},
    });
    const info: ProjectInfo = { ...project, projectId, pipeline: 'agents' };
    journal.attach(info);
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
