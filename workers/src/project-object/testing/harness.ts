/**
 * The engine over real SQLite storage (node:sqlite), without the Durable Object: for unit tests of the
 * engine, its controls and its storage. A "restart" builds a new instance over the same database, as a
 * Durable Object that was evicted or crashed would.
 */
import type { DatabaseSync } from 'node:sqlite';
import { RunControls } from '../../core/control.ts';
import { Engine } from '../../core/engine.ts';
import type { GuardLimits } from '../../core/pipeline.ts';
import { scriptedPipeline, type Script } from '../../testing/scripted-pipeline.ts';
import type { LlmPort, LlmRequest } from '../../core/ports.ts';
import type { ProjectId } from '../../ids.ts';
import type { ProjectMode, ServerEvent } from '../../protocol.ts';
import { echoSandbox, scriptedLlm } from '../../testing/scripted-ports.ts';
import { openProjectStorage } from '../storage/open.ts';
import { nodeSql } from './node-sql.ts';

export interface HarnessOptions {
  script: Script;
  mode?: ProjectMode;
  budgetMicros?: number;
  guards?: Partial<GuardLimits>;
  /** Replaces the scripted LLM (to hang a call, for instance). */
  llm?: (calls: LlmRequest[]) => LlmPort;
  db?: DatabaseSync;
  /** Shared across restarts: every call the LLM adapters were asked to make. */
  calls?: LlmRequest[];
  /** How far the clock moves each time it is read (default 1 ms): long steps without waiting. */
  tickMs?: number;
}

/** One instance of the engine over a database. */
export function harness(opts: HarnessOptions) {
  const sql = nodeSql(opts.db);
  const broadcast: string[] = [];
  let now = 1_700_000_000_000;
  const tick = opts.tickMs ?? 1;
  const clock = { now: () => (now += tick) };
  let outboxKicks = 0;
  const storage = openProjectStorage(sql, {
    clock,
    broadcast: (frames) => broadcast.push(...frames),
    onOutbox: () => outboxKicks++,
  });
  storage.migrate();
  const { files, log, sink, journal } = storage;
  if (!journal.project()) {
    journal.setProject({
      projectId: 'p1' as ProjectId,
      ownerId: 'u1',
      name: 'test',
      description: JSON.stringify(opts.script),
      mode: opts.mode ?? 'interactive',
      budgetMicros: opts.budgetMicros ?? 1_000_000,
      pipeline: 'scripted',
    });
  }
  const calls = opts.calls ?? [];
  const llm = opts.llm ? opts.llm(calls) : scriptedLlm((r) => calls.push(r));
  let ids = 0;
  const engine = new Engine(
    {
      journal,
      sink,
      clock,
      ids: { next: (p) => `${p}_${++ids}` },
      llm,
      sandbox: echoSandbox,
      pipeline: scriptedPipeline,
    },
    opts.guards,
  );
  const controls = new RunControls(engine);

  /**
   * Runs steps until the run stops moving (retries are taken at once), then lets the turn end, as the
   * object's would: what was logged is broadcast once the turn has run out of work (a zero-delay timer).
   */
  async function drain(maxSteps = 10_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      const outcome = await engine.runNext();
      if (outcome.kind === 'idle' || outcome.kind === 'busy') {
        await new Promise((resolve) => setTimeout(resolve, 0));
        return;
      }
    }
    throw new Error('the run did not settle');
  }

  /** Every logged event, parsed. */
  function events(): ServerEvent[] {
    return log.since(0, 1_000_000).map((e) => JSON.parse(e.frame) as ServerEvent);
  }

  return {
    sql,
    db: sql.db,
    files,
    log,
    journal,
    engine,
    controls,
    calls,
    broadcast,
    drain,
    events,
    outboxKicks: () => outboxKicks,
    restart: (more?: Partial<HarnessOptions>) => harness({ ...opts, ...more, db: sql.db, calls }),
  };
}

export type Harness = ReturnType<typeof harness>;
