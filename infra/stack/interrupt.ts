import { stopAllProcesses } from './process.ts';

export interface OnSignalOptions {
  /** The exit status once everything stopped. */
  exitCode: () => number;
  onStopping?: () => void;
  onStopped?: () => void;
}

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP, at any moment: stop every process this Node process started,
 * including those of a stack that is still starting, then exit. A CLI installs this before it starts
 * anything: Node's default handler exits at once, and the stack's process groups (sessions of their
 * own, out of reach of the terminal's Ctrl-C) would be left running. Returns whether a signal came.
 */
export function stopAllOnSignal(opts: OnSignalOptions): () => boolean {
  let interrupted = false;
  const shutdown = async () => {
    if (interrupted) return;
    interrupted = true;
    opts.onStopping?.();
    await stopAllProcesses();
    opts.onStopped?.();
    process.exit(opts.exitCode());
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown());
  return () => interrupted;
}
