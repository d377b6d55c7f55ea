/**
 * Which supervisor a sandbox runs: the native binary (./native.ts), mounted from the host, or the Node
 * one (./source.ts), run by the image's own `node`. `auto` takes the native one when there is one (a
 * binary shipped with the runner's image, or one built with the host's C compiler) and says so in the
 * log when it falls back to Node.
 *
 * The binary is mounted from a copy under the runner's workspace directory: dockerd resolves a bind
 * mount's source in its own view of the filesystem, and that directory is the one the runner shares with
 * it at the same path, whether the runner runs on the host or in a container (docs/runners.md).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { buildNativeSupervisor } from './native.ts';
import { supervisorSource } from './source.ts';

export type SupervisorChoice = 'auto' | 'native' | 'node';

/** What a container is started with. */
export type SupervisorProgram = { kind: 'native'; binary: string } | { kind: 'node'; source: string };

export interface SupervisorOptions {
  choice: SupervisorChoice;
  /** A native binary shipped with the runner (its image), used instead of a build. */
  prebuilt: string | null;
  /** The directory dockerd sees at the same path (the runner's workspace directory). */
  sharedDir: string;
  warn?: (message: string) => void;
}

let chosen: { key: string; program: Promise<SupervisorProgram> } | undefined;

/** Copies `binary` into `dir` under a name made of its content's hash (once: the same bytes, the same file). */
function shareBinary(binary: string, dir: string): string {
  const bytes = readFileSync(binary);
  const shared = join(dir, `supervisor-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`);
  if (existsSync(shared)) return shared;
  mkdirSync(dir, { recursive: true });
  const partial = `${shared}.${process.pid}.partial`;
  copyFileSync(binary, partial);
  renameSync(partial, shared); // whole or not at all: another runner may be reading it
  return shared;
}

async function choose(options: SupervisorOptions): Promise<SupervisorProgram> {
  if (options.choice !== 'node') {
    try {
      const binary = options.prebuilt ?? (await buildNativeSupervisor());
      return { kind: 'native', binary: shareBinary(binary, options.sharedDir) };
    } catch (err) {
      if (options.choice === 'native') throw err;
      options.warn?.(`sandboxes run the Node supervisor (slower to start): ${(err as Error).message}`);
    }
  }
  return { kind: 'node', source: await supervisorSource() };
}

/** The supervisor for these options, decided (and built) once per process; a failure is not remembered. */
export function supervisorProgram(options: SupervisorOptions): Promise<SupervisorProgram> {
  const key = JSON.stringify([options.choice, options.prebuilt, options.sharedDir]);
  if (chosen?.key !== key) {
    const program = choose(options).catch((err: unknown) => {
      chosen = undefined;
      throw err;
    });
    chosen = { key, program };
  }
  return chosen.program;
}
