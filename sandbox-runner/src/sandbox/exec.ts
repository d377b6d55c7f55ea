/**
 * Runs one command in a sandbox and turns the supervisor's frames into {@link ExecEvent}s: text decoded per
 * stream (a UTF-8 character split across chunks stays whole), then exactly one `exit` or `error`.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ExecEvent, ExecExit } from '../contract.ts';
import type { SpawnSpec } from '../supervisor/session.ts';
import type { RunningExec, Sandbox } from './sandbox.ts';

/** Starts the command; resolves once the supervisor accepted it (a bad cwd rejects here, before any output). */
export async function startExec(
  sandbox: Sandbox,
  spec: SpawnSpec & { timeoutMs: number; killGraceMs: number },
  emit: (event: ExecEvent) => void,
  input?: Buffer,
): Promise<RunningExec> {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const flush = () => {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].end();
      if (rest) emit({ type: stream, data: rest });
    }
  };
  let settle!: (exit: ExecExit | null) => void;
  const done = new Promise<ExecExit | null>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (event: ExecEvent, exit: ExecExit | null) => {
    if (finished) return;
    finished = true;
    clearTimeout(watchdog);
    flush();
    emit(event);
    settle(exit);
  };
  // The supervisor enforces the timeout; this only catches a supervisor that stopped answering.
  const watchdog = setTimeout(
    () =>
      finish(
        { type: 'error', code: 'agent_timeout', message: 'the sandbox supervisor stopped reporting' },
        null,
      ),
    spec.timeoutMs + spec.killGraceMs + 15_000,
  );

  const { channel } = await sandbox.session
    .spawn(
      { ...spec, env: { ...sandbox.env, ...spec.env }, stdin: input !== undefined, standby: true },
      {
        onOutput: (stream, chunk) => {
          if (finished) return;
          const text = decoders[stream].write(chunk);
          if (text) emit({ type: stream, data: text });
        },
        onTruncated: (omittedBytes) => {
          flush();
          emit({ type: 'truncated', omittedBytes });
        },
        onExit: (exit) => finish({ type: 'exit', ...exit }, { type: 'exit', ...exit }),
        onLost: (err) => finish({ type: 'error', code: err.code, message: err.message }, null),
      },
    )
    .catch((err: unknown) => {
      clearTimeout(watchdog);
      finished = true;
      throw err;
    });

  if (input !== undefined) {
    // The spawn reply is in, so the supervisor knows the channel: stdin frames reach the process.
    sandbox.session.writeStdin(channel, input);
    sandbox.session.endStdin(channel);
  }
  return {
    done,
    kill: (signal) => {
      if (!finished) sandbox.session.signal(channel, signal).catch(() => {});
    },
  };
}
