/**
 * The debug loop's attempt records as the agents' state stores them (see `debug-history.ts` for how they
 * are kept and shown): a schema of their own, so the state's schema reads them without depending on the
 * loop's code.
 */
import { z } from 'zod';
import { DiagnosisKind } from '../../protocol.ts';

/** What became of an attempt. `applied`: written, the command has not run again yet. */
export const AttemptOutcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('applied') }),
  z.object({ status: z.literal('rejected'), reason: z.string() }),
  z.object({ status: z.literal('passed'), what: z.string() }),
  z.object({
    status: z.literal('failed'),
    command: z.string(),
    ended: z.string(),
    /** The end of the command's output after the attempt. */
    output: z.string(),
  }),
]);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

export const DebugAttempt = z.object({
  /** The failing command the attempt was about. */
  command: z.string(),
  kind: DiagnosisKind,
  explanation: z.string(),
  /** The files it changed (or, rejected, tried to change). */
  files: z.array(z.string()),
  outcome: AttemptOutcome,
});
export type DebugAttempt = z.infer<typeof DebugAttempt>;

/** The attempts of one task (null: the steps after the tasks), oldest first. */
export const DebugHistory = z.object({
  task: z.string().nullable(),
  /**
   * After the tasks: how many of the user's fix tasks came before (`AgentsState.fixes`), so starting the
   * app again after another fix begins a history of its own.
   */
  fixes: z.number().int().optional(),
  attempts: z.array(DebugAttempt),
  /** Older attempts no longer kept (the state stays small). */
  dropped: z.number().int(),
});
export type DebugHistory = z.infer<typeof DebugHistory>;
