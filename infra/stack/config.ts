import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `dev` is what `pnpm start` runs; `test` (the test suites), `smoke` (the stack's own test, which stops
 * pieces on purpose), `demo` (`pnpm demo`), `eval` (`pnpm eval`) and `fleet` (three runners: workers/fleet/) run beside it on other ports with
 * throwaway state.
 */
export type Profile = 'dev' | 'test' | 'smoke' | 'demo' | 'eval' | 'fleet';

export interface StackPorts {
  worker: number;
  runner: number;
  bridge: number;
  redis: number;
  postgres: number;
  wsProxy: number;
  /** The LLM fixture (test and demo profiles only). */
  llm: number;
}

/** Secrets of a local stack: random per checkout for `dev`, fixed for `test`. Never used in production. */
export interface LocalSecrets {
  jwtSecret: string;
  keysMasterKey: string;
  upstashToken: string;
  runnerSecret: string;
}

export interface StackConfig {
  profile: Profile;
  root: string;
  /** Where this profile keeps logs, pidfiles and data (gitignored). */
  stateDir: string;
  ports: StackPorts;
  secrets: LocalSecrets;
}

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A short tag of this checkout. Checkouts on one machine share its Docker engine: each names its
 * runners with the tag, so one checkout's clean-up never removes another's sandboxes.
 */
export const checkoutTag = createHash('sha256').update(repoRoot).digest('hex').slice(0, 6);

/**
 * Every port is below 32768, where Linux starts handing out the source ports of outgoing connections
 * (net.ipv4.ip_local_port_range). A port in that range is taken now and then by one of the thousands of
 * connections a test run makes, and the server meant for it fails with EADDRINUSE: the fleet's third
 * runner did so once in CI when the fleet sat at 58788.
 */
const PORTS: Record<Profile, StackPorts> = {
  dev: { worker: 8787, runner: 8788, bridge: 8079, redis: 6380, postgres: 5499, wsProxy: 6543, llm: 8790 },
  test: {
    worker: 18787,
    runner: 18788,
    bridge: 18079,
    redis: 16380,
    postgres: 15499,
    wsProxy: 16543,
    llm: 18790,
  },
  smoke: {
    worker: 28787,
    runner: 28788,
    bridge: 28079,
    redis: 26380,
    postgres: 25499,
    wsProxy: 26543,
    llm: 28790,
  },
  // The three below keep to blocks of a thousand ports (the fleet's runners included), two thousand
  // apart and below the test profile's lowest, so a second checkout's offset (SAMOKODER_PORT_OFFSET,
  // under 1000) never lands on another profile's port.
  demo: {
    worker: 9787,
    runner: 9788,
    bridge: 9079,
    redis: 9380,
    postgres: 9499,
    wsProxy: 9543,
    llm: 9790,
  },
  eval: {
    worker: 11787,
    runner: 11788,
    bridge: 11079,
    redis: 11380,
    postgres: 11499,
    wsProxy: 11543,
    llm: 11790,
  },
  // The fleet tests and benchmark (workers/fleet/): its runners listen just above `runner`.
  fleet: {
    worker: 13787,
    runner: 13788,
    bridge: 13079,
    redis: 13380,
    postgres: 13499,
    wsProxy: 13543,
    llm: 13790,
  },
};

export const TEST_SECRETS: LocalSecrets = {
  jwtSecret: 'test-jwt-secret-0123456789abcdef0123456789abcdef',
  keysMasterKey: 'k1:' + Buffer.alloc(32, 7).toString('base64'),
  upstashToken: 'test-upstash-token',
  runnerSecret: 'test-runner-secret-0123456789abcdef',
};

function devSecrets(stateDir: string): LocalSecrets {
  const file = join(stateDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    keysMasterKey: 'k1:' + randomBytes(32).toString('base64'),
    upstashToken: randomBytes(18).toString('base64url'),
    runnerSecret: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function stackConfig(profile: Profile): StackConfig {
  const stateDir = join(repoRoot, '.local', profile);
  mkdirSync(stateDir, { recursive: true });
  const ports = { ...PORTS[profile] };
  if (profile === 'dev' && process.env.PORT) ports.worker = Number(process.env.PORT);
  // Two checkouts on one machine (a CI clone beside a working copy) test side by side on shifted ports.
  const offset = profile === 'dev' ? 0 : Number(process.env.SAMOKODER_PORT_OFFSET ?? 0);
  for (const key of Object.keys(ports) as Array<keyof StackPorts>) ports[key] += offset;
  return {
    profile,
    root: repoRoot,
    stateDir,
    ports,
    secrets: profile === 'dev' ? devSecrets(stateDir) : TEST_SECRETS,
  };
}

/** Environment variables that point the stack at external services, by profile. */
export function externalUrl(profile: Profile, name: 'DATABASE_URL' | 'REDIS_URL'): string | undefined {
  const value = profile === 'dev' ? process.env[name] : process.env[`TEST_${name}`];
  return value || undefined;
}
