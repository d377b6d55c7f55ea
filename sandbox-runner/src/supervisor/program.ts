/**
 * Which supervisor a sandbox runs: the native binary (./native.ts), mounted from the host, or the Node
 * one (./source.ts), run by the image's own `node`. `auto` takes the native one when it can be built
 * (a C compiler on the runner's host) and says so in the log when it falls back to Node.
 */
import { buildNativeSupervisor } from './native.ts';
import { supervisorSource } from './source.ts';

export type SupervisorChoice = 'auto' | 'native' | 'node';

/** What a container is started with. */
export type SupervisorProgram = { kind: 'native'; binary: string } | { kind: 'node'; source: string };

let chosen: { choice: SupervisorChoice; program: Promise<SupervisorProgram> } | undefined;

async function choose(choice: SupervisorChoice, warn: (message: string) => void): Promise<SupervisorProgram> {
  if (choice !== 'node') {
    try {
      return { kind: 'native', binary: await buildNativeSupervisor() };
    } catch (err) {
      if (choice === 'native') throw err;
      warn(`sandboxes run the Node supervisor (slower to start): ${(err as Error).message}`);
    }
  }
  return { kind: 'node', source: await supervisorSource() };
}

/** The supervisor for `choice`, decided (and built) once per process; a failure is not remembered. */
export function supervisorProgram(
  choice: SupervisorChoice,
  warn: (message: string) => void = () => {},
): Promise<SupervisorProgram> {
  if (chosen?.choice !== choice) {
    const program = choose(choice, warn).catch((err: unknown) => {
      chosen = undefined;
      throw err;
    });
    chosen = { choice, program };
  }
  return chosen.program;
}
