/**
 * Ports the agents need beyond the engine's: the app's long-running process and its preview. The
 * pipeline is built with them (see pipeline.ts), like the engine's ports, from the Durable Object's
 * binding; tests pass fakes.
 */

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

/** Runs the generated app: one app process per project, replaced by each start. */
export interface AppPort {
  start(request: AppStart, signal: AbortSignal): Promise<AppStarted>;
}

/** An app port for pipelines without a sandbox that can serve (the app is never started). */
export const noApp: AppPort = {
  async start() {
    return { ready: false, previewUrl: null, logs: 'this sandbox cannot run apps' };
  },
};
