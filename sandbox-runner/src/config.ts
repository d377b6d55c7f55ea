/**
 * The runner's configuration, read from the environment and validated once at start-up
 * (a mistake fails the start, not a request). Tests build it with {@link defineConfig}.
 */
import { z } from 'zod';
import { SandboxLimits } from './contract.ts';
import { checkCaCertsFile, DEFAULT_PACKAGE_ACCESS, PackageAccess } from './sandbox/package-access.ts';
import { LOCAL_PREVIEW_ORIGIN, parsePreviewOrigin } from './preview/origins.ts';

function validPreviewOrigin(pattern: string): boolean {
  try {
    parsePreviewOrigin(pattern);
    return true;
  } catch {
    return false;
  }
}

const LOCAL_DEV_SECRET = 'local-dev-runner-secret';

/** Default {@link RunnerConfig.workspaceDir}. */
export const DEFAULT_WORKSPACE_DIR = '/var/lib/samokoder/workspaces';

export const RunnerConfig = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  /** HS256 secret shared with the Worker. */
  secret: z.string().min(16),
  /** Default image; must have `node` on PATH when sandboxes run the Node supervisor. */
  image: z.string().min(1),
  /**
   * The program each sandbox runs as its main process: `native` (a static binary from native/, shipped
   * in the runner's image or built with the host's C compiler, mounted read-only; starts in a
   * millisecond, needs nothing from the image), `node` (run by the image's Node; 70-80 ms to start), or
   * `auto`: native when there is one.
   */
  supervisor: z.enum(['auto', 'native', 'node']),
  /** A native supervisor shipped with the runner (the runner's image has no compiler); null: build one. */
  supervisorBinary: z.string().startsWith('/').nullable(),
  dockerSocket: z.string().min(1),
  /** Distinguishes runners sharing one engine: orphan removal only touches containers of this id. */
  runnerId: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/),
  /**
   * Where previews are served: `https://*.<preview domain>` (wildcard DNS and certificate pointing at
   * the runner), each app port at `<label>.<preview domain>`. Default `http://*.localhost` on the
   * runner's own port, which browsers resolve to loopback.
   */
  previewOrigin: z.string().refine(validPreviewOrigin, {
    message: 'expected https://*.<domain>[:port] (http only under localhost)',
  }),
  defaultLimits: SandboxLimits,
  /** Upper bounds for limits a create request may ask for. */
  maxLimits: SandboxLimits,
  execTimeoutMs: z.number().int().min(100),
  maxExecTimeoutMs: z.number().int().min(100),
  /** Time between SIGTERM and SIGKILL when a command times out or is stopped. */
  killGraceMs: z.number().int().min(0),
  outputLimitBytes: z.number().int().min(1024),
  maxOutputLimitBytes: z.number().int().min(1024),
  /** Output kept per background process for log reads. */
  processLogBytes: z.number().int().min(1024),
  maxSandboxesPerProject: z.number().int().min(1),
  maxSandboxes: z.number().int().min(1),
  /** Warm containers of the default image and limits kept ready; 0 disables the pool. */
  poolSize: z.number().int().min(0).max(64),
  /** Wait after a take before refilling, so the refill does not slow the sandbox just handed out. */
  poolRefillDelayMs: z.number().int().min(0),
  /** Container launches run at once; more wait their turn (see sandbox/launch-admission.ts). */
  launchConcurrency: z.number().int().min(1).max(64),
  /** Sandboxes without API or preview activity for this long are destroyed. */
  idleTimeoutMs: z.number().int().min(1000),
  reapIntervalMs: z.number().int().min(100),
  /** On shutdown, running commands get this long to finish before they are killed (their status is still sent). */
  drainTimeoutMs: z.number().int().min(0),
  /** Largest request body (file writes are JSON, base64 content grows by a third). */
  bodyLimitBytes: z.number().int().min(1024),
  /** Largest single file the file API writes or reads. */
  maxFileBytes: z.number().int().min(1024),
  /** Tokens whose exp - iat exceeds this are refused. */
  maxTokenTtlSeconds: z.number().int().min(10),
  /**
   * Where workspace disk images live (one directory per runner id). It must be on a disk, not a tmpfs,
   * with room for the workspaces the runner holds (images are sparse: they take what is written).
   */
  workspaceDir: z.string().startsWith('/'),
  /**
   * An image with sh, mkfs.ext4 and losetup (the runner's own) to make workspace disks in a privileged
   * helper container, for a runner that cannot use loop devices itself (a Docker Swarm task); null: the
   * runner runs the tools itself (sandbox/disk-command.ts).
   */
  diskHelperImage: z.string().min(1).nullable(),
  /** Workspace disks of the default size made ahead, so a cold create need not wait for one. */
  spareDisks: z.number().int().min(0).max(16),
  /** Docker network for the `egress` policy (created on demand, no inter-container traffic). */
  egressNetwork: z.string().min(1),
  /** CA certificates, registry, proxy and npm fetch settings of sandboxes (see sandbox/package-access.ts). */
  packageAccess: PackageAccess,
  /**
   * Chromium on the runner's host for the page check (a preview loaded and judged after the app starts);
   * null turns the check off (its results then say it was skipped).
   */
  checkBrowser: z.string().min(1).nullable(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /**
   * The base URL the Worker reaches this runner at (`SANDBOX_RUNNER_PUBLIC_URL`), announced to the fleet
   * registry; null: `http://<hostname>:<port>`.
   */
  publicUrl: z.string().url().nullable(),
  /**
   * The fleet registry (an Upstash REST endpoint and its token): when set, the runner announces itself
   * there every few seconds (see fleet/announcer.ts). Null: it announces nothing (a fleet of one, or a
   * configured list of runners in the Worker).
   */
  registry: z.object({ url: z.string().url(), token: z.string().min(1) }).nullable(),
  /** Time between two announcements. */
  announceIntervalMs: z.number().int().min(100),
});
export type RunnerConfig = z.infer<typeof RunnerConfig>;

const DEFAULTS: Omit<RunnerConfig, 'secret'> = {
  host: '127.0.0.1',
  previewOrigin: LOCAL_PREVIEW_ORIGIN,
  checkBrowser: '/usr/bin/chromium',
  port: 8788,
  image: 'samokoder/sandbox-node:latest',
  supervisor: 'auto',
  supervisorBinary: null,
  dockerSocket: '/var/run/docker.sock',
  runnerId: 'local',
  defaultLimits: { memoryMb: 1024, cpus: 1, pids: 256, workspaceMb: 1024 },
  maxLimits: { memoryMb: 8192, cpus: 4, pids: 4096, workspaceMb: 8192 },
  execTimeoutMs: 120_000,
  maxExecTimeoutMs: 30 * 60_000,
  killGraceMs: 2000,
  outputLimitBytes: 1024 * 1024,
  maxOutputLimitBytes: 16 * 1024 * 1024,
  processLogBytes: 1024 * 1024,
  maxSandboxesPerProject: 3,
  maxSandboxes: 32,
  poolSize: 2,
  poolRefillDelayMs: 1000,
  launchConcurrency: 4,
  idleTimeoutMs: 15 * 60_000,
  reapIntervalMs: 30_000,
  drainTimeoutMs: 25_000,
  bodyLimitBytes: 16 * 1024 * 1024,
  maxFileBytes: 8 * 1024 * 1024,
  maxTokenTtlSeconds: 3600,
  egressNetwork: 'samokoder-sandbox-egress',
  packageAccess: DEFAULT_PACKAGE_ACCESS,
  workspaceDir: DEFAULT_WORKSPACE_DIR,
  spareDisks: 2,
  diskHelperImage: null,
  logLevel: 'info',
  publicUrl: null,
  registry: null,
  announceIntervalMs: 5_000,
};

/** Validates a config built from the defaults and `overrides`; throws a readable error on a mistake. */
export function defineConfig(overrides: Partial<RunnerConfig> & { secret: string }): RunnerConfig {
  const result = RunnerConfig.safeParse({ ...DEFAULTS, ...overrides });
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid sandbox-runner config: ${detail}`);
  }
  const config = result.data;
  if (config.execTimeoutMs > config.maxExecTimeoutMs)
    throw new Error('execTimeoutMs exceeds maxExecTimeoutMs');
  const caFile = config.packageAccess.caCertsFile;
  if (caFile) {
    try {
      checkCaCertsFile(caFile);
    } catch (err) {
      throw new Error(`invalid sandbox-runner config: SANDBOX_CA_CERTS: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return config;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw new Error(`invalid sandbox-runner config: ${name}=${raw} is not an integer`);
  return value;
}

/** `value` without its undefined fields (so they do not override defaults). */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Reads the configuration from environment variables (see README.md for the list). */
export function loadConfig(env: Env = process.env): RunnerConfig {
  const production = env.NODE_ENV === 'production';
  const secret = env.SANDBOX_RUNNER_SECRET ?? (production ? undefined : LOCAL_DEV_SECRET);
  if (!secret)
    throw new Error('invalid sandbox-runner config: SANDBOX_RUNNER_SECRET is required in production');
  const port = int(env, 'SANDBOX_RUNNER_PORT') ?? DEFAULTS.port;
  const host = env.SANDBOX_RUNNER_HOST || DEFAULTS.host;
  const overrides: Partial<RunnerConfig> & { secret: string } = {
    secret,
    host,
    port,
  };
  const set = <K extends keyof RunnerConfig>(key: K, value: RunnerConfig[K] | undefined) => {
    if (value !== undefined) overrides[key] = value;
  };
  set('previewOrigin', env.SANDBOX_PREVIEW_ORIGIN || undefined);
  const browser = env.SANDBOX_CHECK_BROWSER;
  if (browser !== undefined && browser !== '') set('checkBrowser', browser === 'none' ? null : browser);
  set('image', env.SANDBOX_IMAGE || undefined);
  set('supervisor', (env.SANDBOX_SUPERVISOR || undefined) as RunnerConfig['supervisor'] | undefined);
  set('supervisorBinary', env.SANDBOX_SUPERVISOR_BINARY || undefined);
  set('dockerSocket', env.DOCKER_SOCKET || undefined);
  set('runnerId', env.SANDBOX_RUNNER_ID || undefined);
  set('workspaceDir', env.SANDBOX_WORKSPACE_DIR || undefined);
  set('poolSize', int(env, 'SANDBOX_POOL_SIZE'));
  set('spareDisks', int(env, 'SANDBOX_SPARE_DISKS'));
  set('launchConcurrency', int(env, 'SANDBOX_LAUNCH_CONCURRENCY'));
  set('diskHelperImage', env.SANDBOX_DISK_HELPER_IMAGE || undefined);
  set('maxSandboxes', int(env, 'SANDBOX_MAX_SANDBOXES'));
  set('maxSandboxesPerProject', int(env, 'SANDBOX_MAX_PER_PROJECT'));
  set('idleTimeoutMs', int(env, 'SANDBOX_IDLE_TIMEOUT_MS'));
  set('execTimeoutMs', int(env, 'SANDBOX_EXEC_TIMEOUT_MS'));
  set('drainTimeoutMs', int(env, 'SANDBOX_DRAIN_TIMEOUT_MS'));
  set('packageAccess', {
    ...DEFAULT_PACKAGE_ACCESS,
    ...defined({
      caCertsFile: env.SANDBOX_CA_CERTS || undefined,
      npmRegistry: env.SANDBOX_NPM_REGISTRY || undefined,
      httpsProxy: env.SANDBOX_HTTPS_PROXY || undefined,
      httpProxy: env.SANDBOX_HTTP_PROXY || undefined,
      noProxy: env.SANDBOX_NO_PROXY || undefined,
      npmFetchRetries: int(env, 'SANDBOX_NPM_FETCH_RETRIES'),
      npmFetchTimeoutMs: int(env, 'SANDBOX_NPM_FETCH_TIMEOUT_MS'),
    }),
  });
  set('publicUrl', env.SANDBOX_RUNNER_PUBLIC_URL || undefined);
  const registryUrl = env.SANDBOX_REGISTRY_URL || undefined;
  const registryToken = env.SANDBOX_REGISTRY_TOKEN || undefined;
  // The URL switches the registry on. A token alone is no mistake: an orchestrator hands its secret to
  // every runner (infra/fleet/), with or without a registry to announce to.
  if (registryUrl && !registryToken)
    throw new Error('invalid sandbox-runner config: SANDBOX_REGISTRY_URL needs SANDBOX_REGISTRY_TOKEN');
  if (registryUrl && registryToken) set('registry', { url: registryUrl, token: registryToken });
  set('announceIntervalMs', int(env, 'SANDBOX_ANNOUNCE_INTERVAL_MS'));
  const level = env.LOG_LEVEL;
  if (level) set('logLevel', RunnerConfig.shape.logLevel.parse(level));
  return defineConfig(overrides);
}
