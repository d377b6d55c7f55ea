/**
 * The Worker's typed client for the sandbox-runner (`@samokoder/sandbox-runner/contract`). Every call
 * carries a short-lived HS256 token scoped to one project (audience `sandbox-runner`, subject the
 * project id), minted here and reused for half its life. Responses are checked against the contract.
 */
import {
  DeploymentInfo,
  DeploymentLogsResponse,
  ErrorBody,
  ExecEvent,
  ListFilesResponse,
  ListProcessesResponse,
  ListSandboxesResponse,
  PreviewCheck,
  PreviewInfo,
  ProcessInfo,
  ProcessLogsResponse,
  ReadFileResponse,
  SandboxInfo,
  WriteFilesResponse,
  type CheckPreviewRequest,
  type CreatePreviewRequest,
  type CreateSandboxRequest,
  type ExecExit,
  type ExecRequest,
  type FileEncoding,
  type PublishRequest,
  type ProcessStdinRequest,
  type Signal,
  type StartProcessRequest,
  type WriteFilesRequest,
} from '@samokoder/sandbox-runner/contract';
import { signRunnerToken } from '@samokoder/sandbox-runner/tokens';
import type { ZodType } from 'zod';
import type { ProjectId } from '../ids.ts';

/** Resolves when the runner's `/healthz` answers 200. */
export async function pingRunner(baseUrl: string, signal?: AbortSignal): Promise<void> {
  const res = await fetch(new URL('/healthz', baseUrl), signal ? { signal } : {});
  if (!res.ok) throw new Error(`sandbox-runner answered ${res.status}`);
  await res.body?.cancel();
}

/** The runner refused or failed a call; `code` is the contract's error code (`sandbox_not_found`...). */
export class RunnerError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'RunnerError';
    this.status = status;
    this.code = code;
  }
}

export interface RunnerClientOptions {
  baseUrl: string;
  /** The HS256 secret shared with the runner (SANDBOX_RUNNER_SECRET). */
  secret: string;
  /** The token's subject: the runner scopes every sandbox by it, byte for byte. */
  projectId: ProjectId;
  /** Token lifetime; the runner refuses tokens living longer than an hour. */
  tokenTtlSeconds?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Default wall-clock limit of a plain (non-exec) call. */
const CALL_TIMEOUT_MS = 30_000;
/** A page check: a queue for the browser, then up to 15 s of loading and judging. */
const CHECK_TIMEOUT_MS = 90_000;
/** A publish: writing the files, the install (up to the runner's longest command) and the first answer. */
const PUBLISH_TIMEOUT_MS = 15 * 60_000;

/** A client scoped to one project. */
export class RunnerClient {
  private readonly opts: Required<Omit<RunnerClientOptions, 'fetch'>> & { fetch: typeof fetch };
  private token: { value: string; renewAt: number } | null = null;

  constructor(opts: RunnerClientOptions) {
    this.opts = {
      tokenTtlSeconds: 300,
      now: () => Date.now(),
      // workerd's fetch must be called as a plain function.
      fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
      ...opts,
    };
  }

  private async bearer(): Promise<string> {
    const now = this.opts.now();
    if (this.token && now < this.token.renewAt) return this.token.value;
    const ttl = this.opts.tokenTtlSeconds;
    const value = await signRunnerToken(this.opts.secret, this.opts.projectId, { ttlSeconds: ttl, now });
    this.token = { value, renewAt: now + (ttl * 1000) / 2 };
    return value;
  }

  private async request(
    method: string,
    path: string,
    opts: {
      body?: unknown;
      query?: Record<string, string | number | boolean | undefined>;
      signal?: AbortSignal;
    } = {},
  ): Promise<Response> {
    const url = new URL(path, this.opts.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await this.opts.fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${await this.bearer()}`,
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: opts.signal ?? AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    if (res.ok) return res;
    const text = await res.text();
    let code = 'internal';
    let message = `the sandbox-runner answered ${res.status}`;
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(text));
      if (parsed.success) ({ code, message } = parsed.data.error);
    } catch {
      // Not the runner's envelope (a proxy in between): keep the generic message.
    }
    throw new RunnerError(res.status, code, message);
  }

  private async json<T>(
    schema: ZodType<T>,
    method: string,
    path: string,
    opts?: Parameters<RunnerClient['request']>[2],
  ): Promise<T> {
    const res = await this.request(method, path, opts);
    return schema.parse(await res.json());
  }

  private sandboxPath(id: string, rest = ''): string {
    return `/v1/sandboxes/${encodeURIComponent(id)}${rest}`;
  }

  createSandbox(body: CreateSandboxRequest = {}): Promise<SandboxInfo> {
    return this.json(SandboxInfo, 'POST', '/v1/sandboxes', { body });
  }

  async listSandboxes(): Promise<SandboxInfo[]> {
    return (await this.json(ListSandboxesResponse, 'GET', '/v1/sandboxes')).sandboxes;
  }

  getSandbox(id: string): Promise<SandboxInfo> {
    return this.json(SandboxInfo, 'GET', this.sandboxPath(id));
  }

  /** Destroys a sandbox; one that is already gone counts as destroyed. */
  async destroySandbox(id: string): Promise<void> {
    try {
      const res = await this.request('DELETE', this.sandboxPath(id));
      await res.body?.cancel();
    } catch (err) {
      if (!(err instanceof RunnerError && err.status === 404)) throw err;
    }
  }

  /**
   * Runs a command and reports each NDJSON line as it arrives; resolves with the final status. Aborting
   * `signal` disconnects, which makes the runner kill every process the command started.
   */
  async exec(
    id: string,
    body: ExecRequest,
    onEvent: (event: ExecEvent) => void,
    signal: AbortSignal,
  ): Promise<ExecExit> {
    const res = await this.request('POST', this.sandboxPath(id, '/exec'), { body, signal });
    if (!res.body) throw new RunnerError(502, 'internal', 'the exec stream has no body');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (value) buffer += value;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const event = ExecEvent.parse(JSON.parse(line));
          if (event.type === 'exit') return event;
          if (event.type === 'error') throw new RunnerError(502, event.code, event.message);
          onEvent(event);
        }
        if (done) throw new RunnerError(502, 'internal', 'the exec stream ended without an exit status');
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  async writeFiles(id: string, files: WriteFilesRequest['files']): Promise<WriteFilesResponse> {
    return this.json(WriteFilesResponse, 'PUT', this.sandboxPath(id, '/files'), { body: { files } });
  }

  readFile(id: string, path: string, encoding?: FileEncoding): Promise<ReadFileResponse> {
    return this.json(ReadFileResponse, 'GET', this.sandboxPath(id, '/files/content'), {
      query: { path, encoding },
    });
  }

  listFiles(id: string, path?: string, depth?: number): Promise<ListFilesResponse> {
    return this.json(ListFilesResponse, 'GET', this.sandboxPath(id, '/files'), { query: { path, depth } });
  }

  async deleteFile(id: string, path: string, recursive?: boolean): Promise<void> {
    const res = await this.request('DELETE', this.sandboxPath(id, '/files'), { query: { path, recursive } });
    await res.body?.cancel();
  }

  startProcess(id: string, body: StartProcessRequest): Promise<ProcessInfo> {
    return this.json(ProcessInfo, 'POST', this.sandboxPath(id, '/processes'), { body });
  }

  async listProcesses(id: string): Promise<ProcessInfo[]> {
    return (await this.json(ListProcessesResponse, 'GET', this.sandboxPath(id, '/processes'))).processes;
  }

  processLogs(
    id: string,
    pid: string,
    query: { offset?: number; limit?: number; waitMs?: number } = {},
  ): Promise<ProcessLogsResponse> {
    return this.json(
      ProcessLogsResponse,
      'GET',
      this.sandboxPath(id, `/processes/${encodeURIComponent(pid)}/logs`),
      {
        query,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS + (query.waitMs ?? 0)),
      },
    );
  }

  async processStdin(id: string, pid: string, body: ProcessStdinRequest): Promise<void> {
    const res = await this.request(
      'POST',
      this.sandboxPath(id, `/processes/${encodeURIComponent(pid)}/stdin`),
      { body },
    );
    await res.body?.cancel();
  }

  async signalProcess(id: string, pid: string, signal: Signal): Promise<void> {
    const res = await this.request(
      'POST',
      this.sandboxPath(id, `/processes/${encodeURIComponent(pid)}/signal`),
      {
        body: { signal },
      },
    );
    await res.body?.cancel();
  }

  createPreview(id: string, body: CreatePreviewRequest): Promise<PreviewInfo> {
    return this.json(PreviewInfo, 'POST', this.sandboxPath(id, '/previews'), { body });
  }

  /** Publishes a new version of the project's app; resolves once it answers (an install takes minutes). */
  publish(body: PublishRequest, signal?: AbortSignal): Promise<DeploymentInfo> {
    return this.json(DeploymentInfo, 'POST', '/v1/deployment', {
      body,
      signal: signal ?? AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
    });
  }

  /** The project's published app, or null when it has none. */
  async deployment(): Promise<DeploymentInfo | null> {
    try {
      return await this.json(DeploymentInfo, 'GET', '/v1/deployment');
    } catch (err) {
      if (err instanceof RunnerError && err.code === 'deployment_not_found') return null;
      throw err;
    }
  }

  rollbackDeployment(version: number): Promise<DeploymentInfo> {
    return this.json(DeploymentInfo, 'POST', '/v1/deployment/rollback', { body: { version } });
  }

  deploymentLogs(
    query: { offset?: number; limit?: number; waitMs?: number } = {},
  ): Promise<DeploymentLogsResponse> {
    return this.json(DeploymentLogsResponse, 'GET', '/v1/deployment/logs', {
      query,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS + (query.waitMs ?? 0)),
    });
  }

  /**
   * Stops the published app and frees its origin; `deleteData` deletes its data directory too. A runner
   * that does not know the route (one older than publishing) has nothing published: that counts as done.
   */
  async unpublish(deleteData: boolean): Promise<void> {
    try {
      const res = await this.request('DELETE', '/v1/deployment', { query: { data: deleteData } });
      await res.body?.cancel();
    } catch (err) {
      if (!(err instanceof RunnerError && err.status === 404)) throw err;
    }
  }

  /** Loads an app port's page in the runner's headless browser and judges it (a check takes seconds). */
  checkPreview(id: string, body: CheckPreviewRequest, signal?: AbortSignal): Promise<PreviewCheck> {
    return this.json(PreviewCheck, 'POST', this.sandboxPath(id, '/previews/check'), {
      body,
      signal: signal ?? AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
  }
}
