/**
 * The engine's sandbox port (and the agents' app port) over the sandbox-runner. One sandbox per project,
 * found again by listing the project's sandboxes after a restart (the runner is the source of truth),
 * created when there is none.
 *
 * A fresh sandbox has an empty workspace. The project's files live in the Durable Object, so whoever
 * writes only the files that changed must learn that everything has to be written: a write without the
 * sync marker, or a command, in a sandbox created by this call throws {@link SandboxReset}.
 */
import type { CreateSandboxRequest, ExecEvent, ProcessInfo } from '@samokoder/sandbox-runner/contract';
import { SandboxReset } from '../core/agents/errors.ts';
import {
  SYNC_MARKER,
  type AppChanges,
  type AppCheck,
  type AppPort,
  type AppRefreshed,
  type AppStart,
  type AppStarted,
} from '../core/agents/app-port.ts';
import type { ExecOutcome, ExecRequest, SandboxFile, SandboxPort } from '../core/ports.ts';
import { OutputWindow } from '../core/output-window.ts';
import { RunnerError, type RunnerClient } from './client.ts';

export interface RunnerSandboxOptions {
  client: RunnerClient;
  /** How a new sandbox is created (image, limits, network; `none` by default). */
  create?: CreateSandboxRequest;
  /** Told of each sandbox this adapter creates (the Durable Object records it for cleanup). */
  onCreated?: (sandboxId: string) => void;
  /** Output kept in an outcome (its head and tail beyond this): what an agent's excerpt is made from. */
  outputChars?: number;
}

/**
 * Output kept in a command's outcome: enough that a failure printed anywhere in a long test run reaches
 * the fixer's excerpt (a few hundred kilobytes held for the length of one step).
 */
const OUTPUT_CHARS = 200_000;

/** Files per write request (the contract's maximum is 2000; smaller batches keep requests small). */
const WRITE_BATCH = 200;
/** Name of the app's process in its sandbox (one per project: each start replaces it). */
export const APP_NAME = 'app';
/** How long a stopped app may take to exit before it is killed. */
const APP_STOP_MS = 3_000;
/** Lifetime of a preview link: the UI asks for a fresh one whenever it shows the preview. */
const PREVIEW_TTL_S = 3600;

/** Errors that mean the sandbox is gone: a new one must be made. */
function gone(err: unknown): boolean {
  return err instanceof RunnerError && (err.code === 'sandbox_not_found' || err.code === 'sandbox_exited');
}

/** A node one-liner that waits until something answers HTTP on `port` (exit 0) or the time is up (1). */
function waitForPortScript(port: number, timeoutMs: number): string {
  return `const end=Date.now()+${timeoutMs};(async()=>{for(;;){try{await fetch('http://127.0.0.1:${port}/',{signal:AbortSignal.timeout(1000)});process.exit(0)}catch{}if(Date.now()>end)process.exit(1);await new Promise(r=>setTimeout(r,100))}})()`;
}

export class RunnerSandbox implements SandboxPort, AppPort {
  private readonly opts: RunnerSandboxOptions;
  private sandboxId: string | null = null;
  /** The sandbox was created by this adapter and nothing has been written to it yet. */
  private fresh = false;
  /** The network policy of the current sandbox. */
  private network: 'none' | 'egress' = 'none';
  /** A command needed the network: sandboxes made from now on get the egress policy. */
  private wantsEgress = false;
  /** The app's operations (start, reopen, refresh) run one at a time: each replaces the app process. */
  private appQueue: Promise<unknown> = Promise.resolve();

  constructor(opts: RunnerSandboxOptions) {
    this.opts = opts;
  }

  /** Runs app operations one after the other (a failed one does not stop the next). */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.appQueue.then(fn, fn);
    this.appQueue = run.catch(() => {});
    return run;
  }

  /** The project's running sandbox when there is one (never creates one). */
  private async existing(): Promise<string | null> {
    if (this.sandboxId) return this.sandboxId;
    const found = (await this.opts.client.listSandboxes()).find((s) => s.status === 'running');
    if (!found) return null;
    this.sandboxId = found.id;
    this.network = found.network;
    if (found.network === 'egress') this.wantsEgress = true;
    return found.id;
  }

  /** Destroys the project's sandbox here (it moved to another runner); nothing when there is none. */
  async release(): Promise<void> {
    const id = await this.existing();
    this.sandboxId = null;
    if (id) await this.opts.client.destroySandbox(id);
  }

  /** The project's sandbox id, finding or creating it. */
  async ensure(): Promise<string> {
    if (this.sandboxId) return this.sandboxId;
    const existing = (await this.opts.client.listSandboxes()).find((s) => s.status === 'running');
    if (existing) {
      this.sandboxId = existing.id;
      this.network = existing.network;
      if (existing.network === 'egress') this.wantsEgress = true;
      return existing.id;
    }
    const network = this.wantsEgress ? 'egress' : (this.opts.create?.network ?? 'none');
    const created = await this.opts.client.createSandbox({ ...this.opts.create, network });
    this.sandboxId = created.id;
    this.network = network;
    this.fresh = true;
    this.opts.onCreated?.(created.id);
    return created.id;
  }

  /** Runs `fn` on the sandbox; a sandbox that vanished is replaced and the caller told to write again. */
  private async withSandbox<T>(fn: (id: string) => Promise<T>, needsFiles: boolean): Promise<T> {
    const id = await this.ensure();
    if (needsFiles && this.fresh) throw new SandboxReset();
    try {
      return await fn(id);
    } catch (err) {
      if (!gone(err)) throw err;
      this.sandboxId = null;
      await this.ensure();
      throw new SandboxReset();
    }
  }

  async writeFiles(files: SandboxFile[]): Promise<void> {
    const full = files.some((f) => f.path === SYNC_MARKER);
    await this.withSandbox(async (id) => {
      for (let i = 0; i < files.length; i += WRITE_BATCH) {
        await this.opts.client.writeFiles(
          id,
          files.slice(i, i + WRITE_BATCH).map((f) => ({
            path: f.path,
            content: f.content,
            ...(f.binary ? { encoding: 'base64' as const } : {}),
            ...(f.executable ? { mode: 0o755 } : {}),
          })),
        );
      }
    }, !full);
    this.fresh = false;
  }

  async exec(
    request: ExecRequest,
    onOutput: (stream: 'stdout' | 'stderr', data: string) => void,
    signal: AbortSignal,
  ): Promise<ExecOutcome> {
    const kept = new OutputWindow(this.opts.outputChars ?? OUTPUT_CHARS);
    if (request.network === 'egress' && (await this.ensure()) && this.network !== 'egress') {
      // A container's network is fixed when it is made: the project moves to a sandbox with egress,
      // and the caller writes the workspace into it again.
      this.wantsEgress = true;
      await this.opts.client.destroySandbox(this.sandboxId!).catch(() => {});
      this.sandboxId = null;
      await this.ensure();
      throw new SandboxReset();
    }
    return this.withSandbox(async (id) => {
      const started = Date.now();
      const exit = await this.opts.client.exec(
        id,
        {
          command: request.command,
          ...(request.cwd ? { cwd: request.cwd } : {}),
          ...(request.env ? { env: request.env } : {}),
          ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
        },
        (event: ExecEvent) => {
          if (event.type === 'stdout' || event.type === 'stderr') {
            onOutput(event.type, event.data);
            kept.push(event.data);
          } else if (event.type === 'truncated') {
            const note = `\n[... ${event.omittedBytes} bytes of output omitted ...]\n`;
            onOutput('stderr', note);
            kept.push(note);
          }
        },
        signal,
      );
      return {
        exitCode: exit.exitCode,
        timedOut: exit.timedOut,
        ...(exit.oomKilled ? { oomKilled: true } : {}),
        durationMs: exit.durationMs ?? Date.now() - started,
        output: kept.text(),
      };
    }, true);
  }

  /**
   * A fresh preview link of the app the agents started (links expire, sandboxes get reaped): the running
   * app gets a new link; an app that stopped is started again; a sandbox that is gone is recreated,
   * given `files()` in full, its dependencies installed (`install`), and its app started.
   */
  openPreview(
    request: AppStart,
    files: () => SandboxFile[],
    install: string | null,
    signal: AbortSignal,
  ): Promise<AppStarted> {
    return this.serialized(() => this.reopen(request, files, install, signal));
  }

  private async reopen(
    request: AppStart,
    files: () => SandboxFile[],
    install: string | null,
    signal: AbortSignal,
  ): Promise<AppStarted> {
    const { client } = this.opts;
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.ensure();
        if (this.fresh) {
          await this.writeFiles(files());
          if (install) {
            const outcome = await this.exec({ command: install, network: 'egress' }, () => {}, signal);
            if (outcome.exitCode !== 0)
              return { ready: false, previewUrl: null, logs: outcome.output.slice(-4_000) };
          }
        }
        const running = (await client.listProcesses(id)).some(
          (p) => p.name === APP_NAME && p.status === 'running',
        );
        if (!running) return await this.startApp(request, signal);
        const preview = await client.createPreview(id, { port: request.port, ttlSeconds: PREVIEW_TTL_S });
        return { ready: true, previewUrl: preview.url, logs: '' };
      } catch (err) {
        // The sandbox went away under us: once more, into a new one (a reset already made it).
        if (attempt > 0) throw err;
        if (gone(err)) this.sandboxId = null;
        else if (!(err instanceof SandboxReset)) throw err;
      }
    }
  }

  /**
   * Brings the running app up to date with changed files: writes them (and deletes what is gone), installs
   * again when package.json changed, and restarts the app (a dev server that watches its files keeps
   * running and reloads by itself). A project whose sandbox is gone has nothing to update: its app starts
   * again when someone opens the preview.
   */
  refreshApp(
    request: AppStart & { watches: boolean },
    changes: AppChanges,
    files: () => SandboxFile[],
    install: string | null,
    signal: AbortSignal,
  ): Promise<AppRefreshed> {
    return this.serialized(async () => {
      const id = await this.existing();
      if (!id) return { state: 'stopped' };
      const { client } = this.opts;
      let written = changes.written;
      for (let attempt = 0; ; attempt++) {
        try {
          if (written.length) await this.writeFiles(written);
          for (const path of changes.deleted) await client.deleteFile(this.sandboxId!, path).catch(() => {});
          if (install && written.some((f) => f.path === 'package.json')) {
            const outcome = await this.exec({ command: install, network: 'egress' }, () => {}, signal);
            if (outcome.exitCode !== 0) return { state: 'failed', logs: outcome.output.slice(-4_000) };
          }
          break;
        } catch (err) {
          // The sandbox went away, or moved to one with the network: everything is written again.
          if (!(err instanceof SandboxReset) || attempt > 0) throw err;
          written = files();
        }
      }
      const running = (await client.listProcesses(this.sandboxId!)).some(
        (p) => p.name === APP_NAME && p.status === 'running',
      );
      if (running && (request.watches || !changes.restart)) {
        return { state: 'running', restarted: false, logs: '' };
      }
      const started = await this.startApp(request, signal);
      return started.ready
        ? { state: 'running', restarted: true, logs: started.logs }
        : { state: 'failed', logs: started.logs };
    });
  }

  /** The page check of the app's port, in the runner's headless browser. */
  async check(port: number, signal: AbortSignal): Promise<AppCheck> {
    const id = await this.existing();
    if (!id) return { status: 'skipped', summary: 'The app is not running.', evidence: '', problems: [] };
    const checked = await this.opts.client.checkPreview(id, { port }, signal);
    return {
      status: checked.result.status,
      summary: checked.line,
      evidence: checked.evidence,
      problems: checked.result.problems.map((p) => ({
        kind: p.kind,
        message: p.message,
        ...(p.url ? { url: p.url } : {}),
      })),
    };
  }

  /** Starts the app (stopping the one started before), waits for its port, and opens a preview. */
  start(request: AppStart, signal: AbortSignal): Promise<AppStarted> {
    return this.serialized(() => this.startApp(request, signal));
  }

  /**
   * Stops a running app process and waits until it is gone, so the next start finds its port free (an
   * app that shuts down gracefully takes a moment; one that does not in time is killed).
   */
  private async stopApp(id: string, proc: ProcessInfo): Promise<void> {
    const { client } = this.opts;
    await client.signalProcess(id, proc.id, 'SIGTERM').catch(() => {});
    const deadline = Date.now() + APP_STOP_MS;
    let offset = proc.logBytes;
    while (Date.now() < deadline) {
      const logs = await client
        .processLogs(id, proc.id, { offset, waitMs: Math.max(0, deadline - Date.now()) })
        .catch(() => null);
      if (!logs || logs.process.status === 'exited') return;
      offset = logs.nextOffset;
    }
    await client.signalProcess(id, proc.id, 'SIGKILL').catch(() => {});
  }

  /** Resolves when the process exits, or after `withinMs`, or when `signal` aborts. */
  private async untilExit(
    id: string,
    proc: ProcessInfo,
    withinMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    const deadline = Date.now() + withinMs;
    let offset = 0;
    while (!signal.aborted && Date.now() < deadline) {
      const logs = await this.opts.client
        .processLogs(id, proc.id, { offset, waitMs: Math.min(5_000, Math.max(0, deadline - Date.now())) })
        .catch(() => null);
      if (!logs || logs.process.status === 'exited') return;
      offset = logs.nextOffset;
    }
  }

  private async startApp(request: AppStart, signal: AbortSignal): Promise<AppStarted> {
    const { client } = this.opts;
    return this.withSandbox(async (id) => {
      for (const p of await client.listProcesses(id)) {
        if (p.name === APP_NAME && p.status === 'running') await this.stopApp(id, p);
      }
      const proc = await client.startProcess(id, {
        command: request.command,
        name: APP_NAME,
        ...(request.cwd ? { cwd: request.cwd } : {}),
        ...(request.env ? { env: request.env } : {}),
      });
      const timeoutMs = request.readyTimeoutMs ?? 15_000;
      // Wait for the port, unless the app exits first (a crash at start is known at once).
      const waiting = new AbortController();
      const stop = () => waiting.abort();
      signal.addEventListener('abort', stop, { once: true });
      // Not waited for: once the port answers, its last long poll ends on its own.
      void this.untilExit(id, proc, timeoutMs, waiting.signal).then(stop);
      const wait = await client
        .exec(
          id,
          { argv: ['node', '-e', waitForPortScript(request.port, timeoutMs)], timeoutMs: timeoutMs + 5_000 },
          () => {},
          waiting.signal,
        )
        .catch((err: unknown) => {
          if (signal.aborted || !waiting.signal.aborted) throw err;
          return { exitCode: 1 };
        })
        .finally(() => {
          signal.removeEventListener('abort', stop);
          waiting.abort();
        });
      const logs = await client.processLogs(id, proc.id, { offset: 0 });
      const ready = wait.exitCode === 0 && logs.process.status === 'running';
      const previewUrl = ready
        ? (await client.createPreview(id, { port: request.port, ttlSeconds: PREVIEW_TTL_S })).url
        : null;
      return { ready, previewUrl, logs: logs.data.slice(-4_000) };
    }, true);
  }
}

/** The sandbox of a Worker without a sandbox-runner: every command fails, saying so. */
export const unconfiguredSandbox: SandboxPort & AppPort = {
  async writeFiles() {
    throw new Error('no sandbox-runner is configured (SANDBOX_RUNNER_URL)');
  },
  async exec() {
    throw new Error('no sandbox-runner is configured (SANDBOX_RUNNER_URL)');
  },
  async start() {
    return { ready: false, previewUrl: null, logs: 'no sandbox-runner is configured (SANDBOX_RUNNER_URL)' };
  },
  async check() {
    return { status: 'skipped', summary: 'No sandbox-runner is configured.', evidence: '', problems: [] };
  },
};
