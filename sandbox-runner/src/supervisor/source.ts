/**
 * The sandbox supervisor as one JavaScript module, the container's `node --input-type=module -e`
 * entrypoint (see ../sandbox/container-spec.ts): esbuild bundles ./inside/main.ts with what it imports
 * (./frames.ts is shared with the runner), types stripped, `node:` builtins left as imports. Built in
 * the runner rather than in the container, so an image needs nothing but `node`.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

/**
 * The oldest Node the bundle must run on: Debian 12's own `nodejs` (18), the oldest an image with
 * `node` on PATH is likely to bring. esbuild lowers newer syntax to it, or fails the build.
 */
const TARGET = 'node18';

const HERE = dirname(fileURLToPath(import.meta.url));

let built: Promise<string> | undefined;

async function bundle(): Promise<string> {
  try {
    const result = await build({
      absWorkingDir: HERE, // paths in the bundle's comments are relative to this folder, whatever the cwd
      entryPoints: ['./inside/main.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: TARGET,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no output');
    return output.text;
  } finally {
    // The bundle is built once per process: esbuild's helper process need not stay around.
    await stop();
  }
}

/** The supervisor's source, built on first use and cached for the life of the process. */
export function supervisorSource(): Promise<string> {
  built ??= bundle().catch((err: unknown) => {
    built = undefined; // a failed build is not remembered: the next call tries again
    throw new Error('could not build the sandbox supervisor', { cause: err });
  });
  return built;
}
