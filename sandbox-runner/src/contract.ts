/**
 * The sandbox-runner's HTTP contract: request and response types with their zod schemas, shared with the
 * Worker's client (`@samokoder/sandbox-runner/contract`). Imports nothing but zod, so it runs in workerd.
 *
 * Every `/v1` call carries `Authorization: Bearer <jwt>` (HS256, audience `sandbox-runner`, subject the
 * project id; see tokens.ts). A sandbox belongs to the project of the token that created it; other
 * projects get 404 for it.
 *
 *   POST   /v1/sandboxes                          CreateSandboxRequest -> 201 SandboxInfo
 *   GET    /v1/sandboxes                          -> { sandboxes: SandboxInfo[] }
 *   GET    /v1/sandboxes/:id                      -> SandboxInfo
 *   DELETE /v1/sandboxes/:id                      -> 204
 *   POST   /v1/sandboxes/:id/exec                 ExecRequest -> 200 NDJSON stream of ExecEvent
 *   PUT    /v1/sandboxes/:id/files                WriteFilesRequest -> WriteFilesResponse
 *   GET    /v1/sandboxes/:id/files?path=&depth=   -> ListFilesResponse
 *   GET    /v1/sandboxes/:id/files/content?path=&encoding=  -> ReadFileResponse
 *   DELETE /v1/sandboxes/:id/files?path=&recursive=          -> 204
 *   POST   /v1/sandboxes/:id/processes            StartProcessRequest -> 201 ProcessInfo
 *   GET    /v1/sandboxes/:id/processes            -> { processes: ProcessInfo[] }
 *   GET    /v1/sandboxes/:id/processes/:pid       -> ProcessInfo
 *   GET    /v1/sandboxes/:id/processes/:pid/logs?offset=&limit=&waitMs=  -> ProcessLogsResponse
 *   POST   /v1/sandboxes/:id/processes/:pid/stdin          ProcessStdinRequest -> 204
 *   POST   /v1/sandboxes/:id/processes/:pid/signal         ProcessSignalRequest -> 204
 *   POST   /v1/sandboxes/:id/previews             CreatePreviewRequest -> 201 PreviewInfo
 *   POST   /v1/sandboxes/:id/previews/check       CheckPreviewRequest -> 200 PreviewCheck
 *   ANY    https://<label>.<preview domain>/*  (HTTP and WebSocket: the app at its own origin; a link's
 *          ?sk_preview= token becomes a partitioned session cookie, see src/preview/)
 *   POST   /v1/deployment                         PublishRequest -> 201 DeploymentInfo (a new version, live)
 *   GET    /v1/deployment                         -> DeploymentInfo
 *   POST   /v1/deployment/rollback                RollbackRequest -> DeploymentInfo
 *   GET    /v1/deployment/logs?offset=&limit=&waitMs=  -> DeploymentLogsResponse
 *   DELETE /v1/deployment?data=                   -> 204 (unpublish; `data=true` deletes the data too)
 *   ANY    https://<hash>-app.<preview domain>/*  (the published app: public, no token)
 *   GET    /healthz  -> HealthResponse          GET /metrics  -> Prometheus text
 *   POST   /v1/drain   -> DrainResponse (operator token: no new sandboxes, running commands finish)
 *   DELETE /v1/drain   -> DrainResponse (operator token: takes new sandboxes again)
 */
import { z } from 'zod';

/** A project id as it appears in the token's `sub`. */
export const ProjectId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'project id: 1-64 of [A-Za-z0-9_-]');

/** Sandbox ids are minted by the runner: `sb_` and 20 lowercase base32 characters. */
export const SandboxId = z.string().regex(/^sb_[a-z2-7]{20}$/, 'not a sandbox id');

/**
 * A path inside the sandbox's workspace (`/workspace`), relative to it. Absolute paths, `..` segments and
 * NUL bytes are refused here; symlinks that lead out of the workspace are refused by the runner.
 */
export const WorkspacePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.startsWith('/'), 'must be relative to the workspace')
  .refine((p) => !p.includes('\0'), 'must not contain NUL')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments');

/** Environment variables for commands. */
export const EnvMap = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(32_768));

/** `none`: only loopback inside the sandbox. `egress`: an isolated bridge (no sandbox-to-sandbox traffic). */
export const NetworkPolicy = z.enum(['none', 'egress']);
export type NetworkPolicy = z.infer<typeof NetworkPolicy>;

/**
 * Resource limits of one sandbox. `workspaceMb` is the size of the workspace's own disk, apart from
 * memory (filling it is ENOSPC, never an OOM kill). Swap is never allowed.
 */
export const SandboxLimits = z.object({
  memoryMb: z.number().int().min(64).max(65_536),
  cpus: z.number().min(0.05).max(64),
  pids: z.number().int().min(16).max(32_768),
  workspaceMb: z.number().int().min(8).max(65_536),
});
export type SandboxLimits = z.infer<typeof SandboxLimits>;

export const CreateSandboxRequest = z.strictObject({
  /** Any image with `node` on PATH; defaults to the runner's image. */
  image: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/:@-]{0,254}$/)
    .optional(),
  limits: SandboxLimits.partial().optional(),
  network: NetworkPolicy.optional(),
  env: EnvMap.optional(),
});
export type CreateSandboxRequest = z.infer<typeof CreateSandboxRequest>;

export const SandboxInfo = z.object({
  id: SandboxId,
  projectId: ProjectId,
  image: z.string(),
  network: NetworkPolicy,
  limits: SandboxLimits,
  status: z.enum(['running', 'exited']),
  /** True when the container came from the warm pool. */
  fromPool: z.boolean(),
  createdAt: z.string(),
  lastActiveAt: z.string(),
});
export type SandboxInfo = z.infer<typeof SandboxInfo>;

export const ListSandboxesResponse = z.object({ sandboxes: z.array(SandboxInfo) });
export type ListSandboxesResponse = z.infer<typeof ListSandboxesResponse>;

/** A command: a shell line run by `/bin/sh -c`, or an argv run directly. Exactly one of the two. */
const CommandFields = {
  command: z.string().min(1).max(65_536).optional(),
  argv: z.array(z.string().max(65_536)).min(1).max(1024).optional(),
  cwd: WorkspacePath.optional(),
  env: EnvMap.optional(),
};
const oneCommand = (v: { command?: string | undefined; argv?: string[] | undefined }) =>
  (v.command === undefined) !== (v.argv === undefined);

export const ExecRequest = z
  .strictObject({
    ...CommandFields,
    /** Wall-clock limit; on expiry the whole process group gets SIGTERM, then SIGKILL after a grace. */
    timeoutMs: z.number().int().min(1).optional(),
    /** Total stdout+stderr kept; beyond it the head and the tail are kept and `truncated` is set. */
    outputLimitBytes: z.number().int().min(1024).optional(),
    /** Written to the command's stdin, which is then closed. Without it stdin is empty. */
    stdin: z
      .string()
      .max(8 * 1024 * 1024)
      .optional(),
  })
  .refine(oneCommand, 'give exactly one of command or argv');
export type ExecRequest = z.infer<typeof ExecRequest>;

/** Final status of a command. `signal` is set when it was killed by one (exitCode is then null). */
export const ExecExit = z.object({
  type: z.literal('exit'),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number(),
  timedOut: z.boolean(),
  truncated: z.boolean(),
  /** The sandbox's memory limit killed a process while this command ran. */
  oomKilled: z.boolean(),
});
export type ExecExit = z.infer<typeof ExecExit>;

/**
 * One line of the exec NDJSON stream. Output chunks come as they happen; when the output cap is passed a
 * `truncated` line says how much was dropped, followed by the kept tail; the stream ends with `exit`, or
 * with `error` when the command could not run to a status (the sandbox died, the runner shut down hard).
 */
export const ExecEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stdout'), data: z.string() }),
  z.object({ type: z.literal('stderr'), data: z.string() }),
  z.object({ type: z.literal('truncated'), omittedBytes: z.number().int() }),
  ExecExit,
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ExecEvent = z.infer<typeof ExecEvent>;

export const FileEncoding = z.enum(['utf8', 'base64']);
export type FileEncoding = z.infer<typeof FileEncoding>;

export const WriteFilesRequest = z.strictObject({
  files: z
    .array(
      z.strictObject({
        path: WorkspacePath,
        content: z.string(),
        encoding: FileEncoding.optional(),
        /** Permission bits, e.g. 0o755 for a script. */
        mode: z.number().int().min(0).max(0o777).optional(),
      }),
    )
    .min(1)
    .max(2000),
});
export type WriteFilesRequest = z.infer<typeof WriteFilesRequest>;

export const WriteFilesResponse = z.object({ written: z.number().int(), bytes: z.number().int() });
export type WriteFilesResponse = z.infer<typeof WriteFilesResponse>;

export const ReadFileResponse = z.object({
  path: z.string(),
  content: z.string(),
  encoding: FileEncoding,
  size: z.number().int(),
});
export type ReadFileResponse = z.infer<typeof ReadFileResponse>;

export const FileEntry = z.object({
  path: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'other']),
  size: z.number().int(),
});
export type FileEntry = z.infer<typeof FileEntry>;

/** Query of `GET /files/content`. */
export const ReadFileQuery = z.object({ path: WorkspacePath, encoding: FileEncoding.optional() });
export type ReadFileQuery = z.infer<typeof ReadFileQuery>;

const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Query of `GET /files`: `path` defaults to the workspace root, `depth` to 1 (max 32). */
export const ListFilesQuery = z.object({
  path: WorkspacePath.optional(),
  depth: z.coerce.number().int().min(1).max(32).optional(),
});
export type ListFilesQuery = z.infer<typeof ListFilesQuery>;

/** Query of `DELETE /files`: a directory needs `recursive=true`. */
export const DeleteFileQuery = z.object({ path: WorkspacePath, recursive: QueryBool.optional() });
export type DeleteFileQuery = z.infer<typeof DeleteFileQuery>;

export const ListFilesResponse = z.object({ entries: z.array(FileEntry), truncated: z.boolean() });
export type ListFilesResponse = z.infer<typeof ListFilesResponse>;

export const StartProcessRequest = z
  .strictObject({ ...CommandFields, name: z.string().max(128).optional() })
  .refine(oneCommand, 'give exactly one of command or argv');
export type StartProcessRequest = z.infer<typeof StartProcessRequest>;

export const ProcessId = z.string().regex(/^p[0-9]{1,9}$/, 'not a process id');

export const ProcessInfo = z.object({
  id: ProcessId,
  name: z.string(),
  command: z.string(),
  status: z.enum(['running', 'exited']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Bytes of output produced so far (stdout and stderr interleaved). */
  logBytes: z.number().int(),
});
export type ProcessInfo = z.infer<typeof ProcessInfo>;

export const ListProcessesResponse = z.object({ processes: z.array(ProcessInfo) });
export type ListProcessesResponse = z.infer<typeof ListProcessesResponse>;

/**
 * Output from `offset` on. The runner keeps the last part of each log; when `offset` is older than what is
 * kept, the answer starts at the oldest kept byte and `skippedBytes` says how many were lost.
 */
export const ProcessLogsResponse = z.object({
  data: z.string(),
  offset: z.number().int(),
  nextOffset: z.number().int(),
  skippedBytes: z.number().int(),
  process: ProcessInfo,
});
export type ProcessLogsResponse = z.infer<typeof ProcessLogsResponse>;

/** Query of `GET /processes/:pid/logs`; `waitMs` long-polls until new output or the exit. */
export const ProcessLogsQuery = z.object({
  offset: z.coerce.number().int().min(0).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024)
    .optional(),
  waitMs: z.coerce.number().int().min(0).max(30_000).optional(),
});
export type ProcessLogsQuery = z.infer<typeof ProcessLogsQuery>;

export const ProcessStdinRequest = z.strictObject({
  data: z.string().max(8 * 1024 * 1024),
  encoding: FileEncoding.optional(),
  /** Close stdin after writing. */
  end: z.boolean().optional(),
});
export type ProcessStdinRequest = z.infer<typeof ProcessStdinRequest>;

export const Signal = z.enum(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']);
export type Signal = z.infer<typeof Signal>;

export const ProcessSignalRequest = z.strictObject({ signal: Signal });
export type ProcessSignalRequest = z.infer<typeof ProcessSignalRequest>;

export const CreatePreviewRequest = z.strictObject({
  port: z.number().int().min(1).max(65_535),
  ttlSeconds: z.number().int().min(30).max(86_400).optional(),
});
export type CreatePreviewRequest = z.infer<typeof CreatePreviewRequest>;

/**
 * `url` (at the preview's own `origin`) carries the preview token once; the runner turns it into a
 * session cookie of that origin.
 */
export const PreviewInfo = z.object({
  url: z.string(),
  origin: z.string(),
  token: z.string(),
  expiresAt: z.string(),
});
export type PreviewInfo = z.infer<typeof PreviewInfo>;

// ---------------------------------------------------------------------------------------------------
// Published apps (sandbox-runner/src/deployments/): one deployment per project, a long-lived container
// with the sandbox's isolation and limits, public at its own origin, with versions and a data directory.
// ---------------------------------------------------------------------------------------------------

/** Where a published app's data directory is mounted; its path is also in the app's `DATA_DIR`. */
export const DEPLOYMENT_DATA_DIR = '/data';

export const PublishRequest = z.strictObject({
  files: WriteFilesRequest.shape.files,
  /** The app's start command (a shell line), run in the workspace; it must listen on `port`. */
  command: z.string().min(1).max(4096),
  port: z.number().int().min(1).max(65_535),
  /** Run once per version before the start (e.g. `npm ci`); a rollback never runs it again. */
  install: z.string().min(1).max(4096).optional(),
  image: CreateSandboxRequest.shape.image,
  limits: SandboxLimits.partial().optional(),
  network: NetworkPolicy.optional(),
  env: EnvMap.optional(),
});
export type PublishRequest = z.infer<typeof PublishRequest>;

export const DeploymentVersion = z.object({
  version: z.number().int().min(1),
  command: z.string(),
  port: z.number().int(),
  files: z.number().int(),
  createdAt: z.string(),
  /** Its container is kept with the version installed: switching to it is instant. */
  ready: z.boolean(),
});
export type DeploymentVersion = z.infer<typeof DeploymentVersion>;

/**
 * `running`: the current version answers; `starting`: it is (re)starting; `crashed`: it kept exiting
 * and the runner stopped restarting it (`message` says so; publish or roll back to try again).
 */
export const DeploymentStatus = z.enum(['starting', 'running', 'crashed']);
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

export const DeploymentInfo = z.object({
  projectId: ProjectId,
  /** The app's public origin (stable across versions and republishing). */
  url: z.string(),
  status: DeploymentStatus,
  message: z.string().nullable(),
  current: z.number().int(),
  versions: z.array(DeploymentVersion),
  /** Restarts after a crash since the current version went live. */
  restarts: z.number().int(),
  dataDir: z.string(),
});
export type DeploymentInfo = z.infer<typeof DeploymentInfo>;

export const RollbackRequest = z.strictObject({ version: z.number().int().min(1) });
export type RollbackRequest = z.infer<typeof RollbackRequest>;

/** Query of `GET /deployment/logs` (like a process's). */
export const DeploymentLogsQuery = ProcessLogsQuery;
export type DeploymentLogsQuery = z.infer<typeof DeploymentLogsQuery>;

/** The app's output (every version, restarts noted) from `offset`; capped like a process's log. */
export const DeploymentLogsResponse = z.object({
  data: z.string(),
  offset: z.number().int(),
  nextOffset: z.number().int(),
  skippedBytes: z.number().int(),
});
export type DeploymentLogsResponse = z.infer<typeof DeploymentLogsResponse>;

/** Query of `DELETE /deployment`. */
export const UnpublishQuery = z.object({ data: QueryBool.optional() });
export type UnpublishQuery = z.infer<typeof UnpublishQuery>;

export const HealthResponse = z.object({
  ok: z.boolean(),
  docker: z.enum(['up', 'down']),
  sandboxes: z.number().int(),
  pool: z.number().int(),
  /** Refuses new sandboxes (an operator's drain, or shutting down); `ok` is then false. */
  draining: z.boolean(),
  /** `SANDBOX_RUNNER_ID`: which runner of a fleet answers. */
  runnerId: z.string(),
  /** Most sandboxes this runner holds (`SANDBOX_MAX_SANDBOXES`). */
  capacity: z.number().int(),
  /** Commands running now. */
  commands: z.number().int(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/** Answer of `POST`/`DELETE /v1/drain`: the runner's state once the call took effect. */
export const DrainResponse = z.object({
  runnerId: z.string(),
  draining: z.boolean(),
  sandboxes: z.number().int(),
  commands: z.number().int(),
});
export type DrainResponse = z.infer<typeof DrainResponse>;

/** Every error code the runner answers with, and its HTTP status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_path: 400,
  path_outside_workspace: 400,
  unauthorized: 401,
  token_expired: 401,
  permission_denied: 403,
  not_found: 404,
  sandbox_not_found: 404,
  process_not_found: 404,
  deployment_not_found: 404,
  version_not_found: 404,
  file_not_found: 404,
  sandbox_exited: 409,
  not_a_file: 409,
  process_not_running: 409,
  version_not_ready: 409,
  publish_failed: 422,
  payload_too_large: 413,
  file_too_large: 413,
  too_many_sandboxes: 429,
  internal: 500,
  sandbox_start_failed: 500,
  preview_unreachable: 502,
  docker_unavailable: 503,
  runner_draining: 503,
  shutting_down: 503,
  agent_timeout: 504,
  workspace_full: 507,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error envelope. `message` is generic for 5xx. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Label every runner-made container carries; orphan removal and tests select on it. */
export const SANDBOX_LABEL = 'samokoder.sandbox';

// ---------------------------------------------------------------------------------------------------
// Page check (sandbox-runner/src/check/): a headless browser on the runner's host loads a preview and
// reports what a user would see go wrong. URLs in a result have no query string or fragment (a preview
// token never appears in one), and messages are capped in size and number.
// ---------------------------------------------------------------------------------------------------

/**
 * What went wrong. `problems` fail the check; `notes` never do:
 * - `page_error`: an uncaught exception or unhandled rejection (message and first stack frames), or a crash
 * - `console_error`: a `console.error` (or an error the browser logged, such as a CORS refusal)
 * - `request_failed`: a request to the app's own origin that got no answer (connection refused, reset…)
 * - `http_error`: a request to the app's own origin (the page itself included) answered 400 or more
 * - `blank_page`: nothing visible rendered by the end of the check (no text, image, canvas, svg, video,
 *   form field or frame)
 * - `navigation`: the page could not be opened, or navigated to another origin
 * - `timeout`: the page did not finish loading, or its script kept it busy, within the time allowed
 * - `third_party` (note): a request to another origin, blocked: a check reaches only the app's own origin
 * - `pending_request` (note): a request still open when the check stopped waiting for the network
 */
export const PageCheckProblemKind = z.enum([
  'page_error',
  'console_error',
  'request_failed',
  'http_error',
  'blank_page',
  'navigation',
  'timeout',
  'third_party',
  'pending_request',
]);
export type PageCheckProblemKind = z.infer<typeof PageCheckProblemKind>;

export const PageCheckProblem = z.object({
  kind: PageCheckProblemKind,
  message: z.string(),
  /** The resource concerned (script, request, document), without query string. */
  url: z.string().optional(),
  /** 1-based line in `url`, when the browser gave one. */
  line: z.number().int().optional(),
  /** HTTP status of an `http_error`. */
  status: z.number().int().optional(),
  /** The same problem seen this many times (absent when once). */
  count: z.number().int().min(2).optional(),
});
export type PageCheckProblem = z.infer<typeof PageCheckProblem>;

/** `passed`: no problems; `failed`: at least one; `skipped`: the check did not run (`reason` says why). */
export const PageCheckStatus = z.enum(['passed', 'failed', 'skipped']);
export type PageCheckStatus = z.infer<typeof PageCheckStatus>;

export const PageCheckResult = z.object({
  status: PageCheckStatus,
  /** The checked URL, without query string. */
  url: z.string(),
  /** The page's title (empty when none, or when the page never loaded). */
  title: z.string(),
  /** Time the check took in the browser (not counting a wait for a free slot). */
  durationMs: z.number().int().min(0),
  /** HTTP status of the page itself; null when it never answered. */
  documentStatus: z.number().int().nullable(),
  problems: z.array(PageCheckProblem),
  notes: z.array(PageCheckProblem),
  /** Problems and notes left out of the lists above because of the caps. */
  omitted: z.number().int().min(0),
  /** Why the check was skipped. */
  reason: z.string().optional(),
});
export type PageCheckResult = z.infer<typeof PageCheckResult>;

/** Check the page of an app port: loaded through its preview in the runner's headless browser. */
export const CheckPreviewRequest = z.strictObject({
  port: z.number().int().min(1).max(65_535),
  /** The page to load (default `/`). */
  path: z
    .string()
    .regex(/^\/[^\s]*$/, 'a path starting with /')
    .max(2048)
    .optional(),
});
export type CheckPreviewRequest = z.infer<typeof CheckPreviewRequest>;

/** A page check's result, with its one-line summary (for the UI) and its evidence (for a fixer). */
export const PreviewCheck = z.object({ result: PageCheckResult, line: z.string(), evidence: z.string() });
export type PreviewCheck = z.infer<typeof PreviewCheck>;

/** A runner id (`SANDBOX_RUNNER_ID`): also the key of its record in the fleet registry. */
export const RunnerId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'runner id: [a-z0-9][a-z0-9_.-]{0,62}');

/**
 * What a runner tells the fleet registry about itself every few seconds (and at once when it starts or
 * stops draining): where the Worker reaches it, its room and its load. Times are epoch milliseconds.
 */
export const RunnerAnnouncement = z.object({
  id: RunnerId,
  /** The base URL the Worker reaches it at (`SANDBOX_RUNNER_PUBLIC_URL`). */
  url: z.string().url(),
  /** Sandboxes it may hold (`maxSandboxes`). */
  capacity: z.number().int().min(0),
  /** Live sandboxes plus creates in flight. */
  sandboxes: z.number().int().min(0),
  /** Commands running in its sandboxes. */
  commands: z.number().int().min(0),
  /** It refuses new sandboxes (an operator's drain, or a shutdown). */
  draining: z.boolean(),
  startedAt: z.number().int(),
  at: z.number().int(),
});
export type RunnerAnnouncement = z.infer<typeof RunnerAnnouncement>;

/** Redis keys of the fleet registry: one record per runner (with a TTL) and a sorted set of ids by time. */
export const REGISTRY_KEYS = {
  runners: 'samokoder:runners',
  runner: (id: string) => `samokoder:runner:${id}`,
} as const;

/** A runner's record lives this long unless announced again; readers ignore ids announced before it. */
export const REGISTRY_TTL_MS = 15_000;
