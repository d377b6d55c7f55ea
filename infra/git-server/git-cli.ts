/**
 * The stock git client, run asynchronously (a test's git server answers from the same process, so a
 * synchronous call would wait on itself), with no prompt for credentials and no user or system
 * configuration of the machine.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';

export interface GitRun {
  status: number;
  stdout: string;
  stderr: string;
}

// ProcessEnv is widened with the Worker's vars by worker-configuration.d.ts; git needs none of them.
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Ada',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
} as unknown as NodeJS.ProcessEnv;

/** Runs git in `cwd`; resolves with its exit status and output, whatever the status. */
export function tryGit(cwd: string, args: readonly string[]): Promise<GitRun> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs git in `cwd` and returns its output; rejects with its error output when it fails. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const run = await tryGit(cwd, args);
  if (run.status !== 0) throw new Error(`git ${args[0]} failed (${run.status}): ${run.stderr.trim()}`);
  return run.stdout;
}

/** `url` with `token` as the HTTP Basic password, for the git CLI. */
export function withToken(url: string, token: string): string {
  const parsed = new URL(url);
  parsed.username = 'user';
  parsed.password = token;
  return parsed.href;
}
