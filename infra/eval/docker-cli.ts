/** The `docker` command line against the engine the stack uses (its socket), output captured. */
import { execFile } from 'node:child_process';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>`; never throws for a non-zero exit (the caller reads `code`). */
export function docker(socketPath: string, args: string[], timeoutMs = 120_000): Promise<DockerResult> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      args,
      {
        env: { ...process.env, DOCKER_HOST: `unix://${socketPath}` },
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 124) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** `docker <args>`'s stdout, or an error with its stderr. */
export async function dockerOk(socketPath: string, args: string[], timeoutMs?: number): Promise<string> {
  const result = await docker(socketPath, args, timeoutMs);
  if (result.code !== 0)
    throw new Error(`docker ${args[0]} failed (${result.code}): ${result.stderr.trim().slice(0, 400)}`);
  return result.stdout.trim();
}
