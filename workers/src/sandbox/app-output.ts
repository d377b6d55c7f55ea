/**
 * The output of the project's app (the preview's own terminal), read from the runner: the newest app
 * process of the project's running sandbox, from an offset, waiting a while for more when there is
 * none yet. A client following one process and finding another (the app restarted) starts over at 0.
 */
import type { ProcessInfo } from '@samokoder/sandbox-runner/contract';
import { APP_NAME } from './adapter.ts';
import type { RunnerClient } from './client.ts';

export interface AppOutputQuery {
  /** The process the client has been following. */
  process?: string | undefined;
  offset?: number | undefined;
  waitMs?: number | undefined;
}

export interface AppOutput {
  /** The app's process, or null when no app runs (no sandbox, or never started in it). */
  process: Pick<ProcessInfo, 'id' | 'status' | 'exitCode' | 'signal' | 'startedAt' | 'endedAt'> | null;
  data: string;
  /** Where `data` starts in the process's output. */
  offset: number;
  nextOffset: number;
  /** Output older than what the runner keeps, skipped. */
  skippedBytes: number;
}

const NONE: AppOutput = { process: null, data: '', offset: 0, nextOffset: 0, skippedBytes: 0 };

export async function readAppOutput(client: RunnerClient, query: AppOutputQuery): Promise<AppOutput> {
  const sandbox = (await client.listSandboxes()).find((s) => s.status === 'running');
  if (!sandbox) return NONE;
  const app = (await client.listProcesses(sandbox.id))
    .filter((p) => p.name === APP_NAME)
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))[0];
  if (!app) return NONE;
  const same = query.process === app.id;
  const logs = await client.processLogs(sandbox.id, app.id, {
    offset: same ? (query.offset ?? 0) : 0,
    // Waiting makes sense only for the process the client already follows.
    waitMs: same ? (query.waitMs ?? 0) : 0,
  });
  const { id, status, exitCode, signal, startedAt, endedAt } = logs.process;
  return {
    process: { id, status, exitCode, signal, startedAt, endedAt },
    data: logs.data,
    offset: logs.offset,
    nextOffset: logs.nextOffset,
    skippedBytes: logs.skippedBytes,
  };
}
