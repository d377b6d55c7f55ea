/**
 * Test and benchmark only (Node): the agents' pipeline on the real engine over node:sqlite storage,
 * with the real LLM layer (the official SDKs) pointed at the LLM fixture and a local sandbox. A
 * "restart" builds a new engine over the same database, as an evicted Durable Object would.
 */
import type { DatabaseSync } from 'node:sqlite';
import { openProjectStorage } from '../../../project-object/storage/open.ts';
import { FilesApi } from '../../../project-object/files-api.ts';
import type { ImportedFile } from '../../../projects/import-tree.ts';
import { nodeSql } from '../../../project-object/testing/node-sql.ts';
import { fixtureBaseUrls } from '../../../llm/config.ts';
import { platformOnly, type KeySource } from '../../../llm/keys.ts';
import type { ModelTable } from '../../../llm/models.ts';
import { createLlmPort, type CallRecord } from '../../../llm/port.ts';
import type { ProjectId } from '../../../ids.ts';
import { ServerFrameSchema, type ProjectMode, type ServerEvent } from '../../../protocol.ts';
import { RunControls } from '../../control.ts';
import { Engine } from '../../engine.ts';
import type { GuardLimits } from '../../pipeline.ts';
import type { LlmPort, SandboxPort } from '../../ports.ts';
import { createAgentsPipeline } from '../agents-pipeline.ts';
import type { AppPort } from '../app-port.ts';
import { readAgentsState, type AgentsState } from '../state.ts';

export interface AgentsHarnessOptions {
  /** The LLM fixture's root URL. */
  fixtureUrl: string;
  /** The OpenAI key the run uses (a fixture key of its own: its script and requests). */
  key: string;
  sandbox: SandboxPort & AppPort;
  /** Runs the app (default: the sandbox). */
  app?: AppPort;
  name?: string;
  description?: string;
  mode?: ProjectMode;
  /** Review before apply (the project setting). */
  reviewChanges?: boolean;
  budgetMicros?: number;
  guards?: Partial<GuardLimits>;
  review?: boolean;
  /** Where keys come from (default: `key` as the platform's OpenAI key). */
  keys?: KeySource;
  /** The project's model choice (a model field's text per agent, `*` for all). */
  models?: ModelTable;
  /** Wraps the LLM port (to count or hang calls). */
  wrapLlm?: (port: LlmPort) => LlmPort;
  db?: DatabaseSync;
}

export function agentsHarness(opts: AgentsHarnessOptions) {
  const sql = nodeSql(opts.db);
  let now = 1_700_000_000_000;
  const clock = { now: () => (now += 1) };
  const storage = openProjectStorage(sql, { clock });
  storage.migrate();
  const { log, sink, journal } = storage;
  /** The files as the user's editor saves them (the files API). */
  const userFiles = new FilesApi(storage.files, journal, sink);
  if (!journal.project()) {
    journal.setProject({
      projectId: 'p1' as ProjectId,
      ownerId: 'u1',
      name: opts.name ?? 'todo-api',
      description: opts.description ?? 'A todo REST API.',
      mode: opts.mode ?? 'autopilot',
      reviewChanges: opts.reviewChanges ?? false,
      budgetMicros: opts.budgetMicros ?? 5_000_000,
      pipeline: 'agents',
    });
  }
  const calls: CallRecord[] = [];
  const base = createLlmPort({
    keys: opts.keys ?? platformOnly({ openai: { apiKey: opts.key } }),
    baseUrls: fixtureBaseUrls(opts.fixtureUrl),
    ...(opts.models ? { models: { project: opts.models } } : {}),
    now: () => Date.now(),
    retryDeps: { sleep: async () => {}, random: () => 0.5 },
    onCall: (r) => calls.push(r),
  });
  const llm = opts.wrapLlm ? opts.wrapLlm(base) : base;
  const pipeline = createAgentsPipeline({
    sandbox: opts.sandbox,
    app: opts.app ?? opts.sandbox,
    review: opts.review ?? true,
  });
  let ids = 0;
  const engine = new Engine(
    { journal, sink, clock, ids: { next: (p) => `${p}_${++ids}` }, llm, sandbox: opts.sandbox, pipeline },
    opts.guards,
  );
  const controls = new RunControls(engine);

  /** Runs steps until the run stops moving. */
  async function drain(maxSteps = 500): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      const outcome = await engine.runNext();
      if (outcome.kind === 'idle' || outcome.kind === 'busy') return;
    }
    throw new Error('the run did not settle');
  }

  /** The logged events as a client reads them: each checked against the protocol (artifacts typed). */
  function events(): ServerEvent[] {
    return log.since(0, 1_000_000).map((e) => ServerFrameSchema.parse(JSON.parse(e.frame)) as ServerEvent);
  }

  /** The pipeline state after the latest completed step. */
  function state(): AgentsState | null {
    const head = journal.headStepId();
    const stored = head === null ? null : journal.stateAfter(head);
    return stored && readAgentsState(stored);
  }

  return {
    sql,
    db: sql.db,
    journal,
    engine,
    controls,
    calls,
    drain,
    events,
    state,
    read: (path: string) => journal.readFile(path),
    /** Saves `content` as the user's own edit of `path`, through the path the editor takes. */
    saveAsUser: (path: string, content: string) => userFiles.save(path, content),
    /** Imports `files` as the project's own, the way the import route does (before any run). */
    importFiles: (files: ImportedFile[]) =>
      userFiles.importFiles(files, { source: 'zip', from: 'app.zip', files: files.length }),
    restart: (more?: Partial<AgentsHarnessOptions>) => agentsHarness({ ...opts, ...more, db: sql.db }),
  };
}

export type AgentsHarness = ReturnType<typeof agentsHarness>;
