/**
 * Test and benchmark only (Node): a sandbox and app port over a temporary directory and child processes
 * on this machine, so the agents' commands really run (`npm test` with node:test) without Docker. The
 * app gets a free loopback port through PORT (the stacks' servers honour it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExecOutcome, ExecRequest, SandboxFile, SandboxPort } from '../../ports.ts';
import { OutputWindow } from '../../output-window.ts';
import { PageChecker, summary } from '../../../../../sandbox-runner/src/check/index.ts';
import type { AppCheck, AppPort, AppStart, AppStarted } from '../app-port.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A clean environment, as a sandbox would have: not the test runner's (node:test and npm read theirs). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    ...extra,
  };
  // ProcessEnv is widened with the Worker's vars by worker-configuration.d.ts; a child needs none of them.
  return env as unknown as NodeJS.ProcessEnv;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export interface LocalSandbox extends SandboxPort, AppPort {
  dir: string;
  /** Every command run, in order. */
  commands: string[];
  /** Paths written, per call of writeFiles. */
  writes: string[][];
  /** Where the app started last answers (null before it started). */
  appUrl(): string | null;
  close(): void;
}

export function localSandbox(): LocalSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'samokoder-agents-'));
  const commands: string[] = [];
  const writes: string[][] = [];
  let app: ChildProcess | null = null;
  let appUrl: string | null = null;

  async function writeFiles(files: SandboxFile[]): Promise<void> {
    writes.push(files.map((f) => f.path));
    for (const f of files) {
      const path = join(dir, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.binary ? Buffer.from(f.content, 'base64') : f.content);
    }
  }

  function exec(
    request: ExecRequest,
    onOutput: (stream: 'stdout' | 'stderr', data: string) => void,
    signal: AbortSignal,
  ): Promise<ExecOutcome> {
    commands.push(request.command);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', request.command], {
        cwd: join(dir, request.cwd ?? ''),
        env: cleanEnv(request.env),
        detached: true,
      });
      // As the runner's adapter keeps it: head and tail of a long output.
      const output = new OutputWindow(200_000);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child);
      }, request.timeoutMs ?? 120_000);
      const onAbort = () => killGroup(child);
      signal.addEventListener('abort', onAbort, { once: true });
      for (const stream of ['stdout', 'stderr'] as const) {
        child[stream].setEncoding('utf8');
        child[stream].on('data', (data: string) => {
          output.push(data);
          onOutput(stream, data);
        });
      }
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve({
          exitCode: code,
          timedOut,
          durationMs: Date.now() - started,
          output: output.text(),
        });
      });
    });
  }

  async function start(request: AppStart): Promise<AppStarted> {
    if (app) killGroup(app);
    const port = await freePort();
    let logs = '';
    app = spawn('/bin/sh', ['-c', request.command], {
      cwd: dir,
      env: cleanEnv({ ...request.env, PORT: String(port) }),
      detached: true,
    });
    app.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
    app.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    const deadline = Date.now() + (request.readyTimeoutMs ?? 10_000);
    while (Date.now() < deadline && app.exitCode === null) {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
        appUrl = `http://127.0.0.1:${port}/`;
        return { ready: true, previewUrl: appUrl, logs };
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { ready: false, previewUrl: null, logs };
  }

  // The same page check as the runner's, against the app on this machine's loopback.
  let checker: PageChecker | null = null;
  async function check(): Promise<AppCheck> {
    if (!appUrl) return { status: 'skipped', summary: 'The app is not running.', evidence: '', problems: [] };
    checker ??= new PageChecker({ allowLoopback: true });
    const result = await checker.check(appUrl);
    const { line, evidence } = summary(result);
    return { status: result.status, summary: line, evidence, problems: result.problems };
  }

  return {
    dir,
    commands,
    writes,
    appUrl: () => appUrl,
    check,
    writeFiles,
    exec,
    start,
    close: () => {
      void checker?.close();
      if (app) killGroup(app);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
