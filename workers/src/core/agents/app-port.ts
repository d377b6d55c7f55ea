/**
 * Ports the agents need beyond the engine's: the app's long-running process and its preview. The
 * pipeline is built with them (see pipeline.ts), like the engine's ports, from the Durable Object's
 * binding; tests pass fakes.
 */
import type { SandboxFile } from '../ports.ts';

/** Where the Executor keeps the record of what the sandbox's workspace holds (see executor.ts). */
export const SYNC_MARKER = '.samokoder/sync.json';

export interface AppStart {
  command: string;
  /** The port the app listens on inside the sandbox. */
  port: number;
  cwd?: string;
  env?: Record<string, string>;
  /** How long to wait for the port to answer. */
  readyTimeoutMs?: number;
}

export interface AppStarted {
  /** The app answered on its port in time. */
  ready: boolean;
  /** A URL that reaches the app through the runner's preview proxy (null when it did not start). */
  previewUrl: string | null;
  /** The tail of the app's output. */
  logs: string;
}

/** What changed in the project since the running app last got its files. */
export interface AppChanges {
  /** Files to write (all of them after a branch change). */
  written: SandboxFile[];
  /** Paths that no longer exist. */
  deleted: string[];
  /** False when nothing the app runs changed (documentation only): the files are written, no restart. */
  restart: boolean;
}

/** What became of the app after a refresh with changed files; `stopped`: it was not running anywhere. */
export type AppRefreshed =
  | { state: 'running'; restarted: boolean; logs: string }
  | { state: 'failed'; logs: string }
  | { state: 'stopped' };

/** What the platform saw when it loaded the app's page in a headless browser. */
export interface AppCheck {
  /** `skipped`: the check could not run (no browser on the runner...); `summary` says why. */
  status: 'passed' | 'failed' | 'skipped';
  /** One line for people. */
  summary: string;
  /** For a fixer: what failed, where, the first lines of each error. */
  evidence: string;
  problems: { kind: string; message: string; url?: string }[];
}

/** Runs the generated app: one app process per project, replaced by each start. */
export interface AppPort {
  start(request: AppStart, signal: AbortSignal): Promise<AppStarted>;
  /** Loads the page the app serves on `port` and judges it (page errors, failed requests, blank). */
  check(port: number, signal: AbortSignal): Promise<AppCheck>;
}
