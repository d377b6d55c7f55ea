/**
 * Secrets given as files: Docker Swarm (and Kubernetes, when mounted) hands a secret to a container as a
 * file under /run/secrets, not as an environment variable. For each `NAME_FILE` of the secrets below,
 * `NAME` is read from that file (trailing newline dropped) unless `NAME` is already set.
 */
import { readFileSync } from 'node:fs';

/** Variables that may come from a file. */
export const SECRET_VARIABLES = ['SANDBOX_RUNNER_SECRET', 'SANDBOX_REGISTRY_TOKEN'] as const;

type Env = Record<string, string | undefined>;

/** Fills `env` from the `*_FILE` variables it names; throws, naming the variable, when a file cannot be read. */
export function readSecretFiles(env: Env): void {
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file || env[name]) continue;
    try {
      env[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`invalid sandbox-runner config: ${name}_FILE: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
