import { stackConfig, type Profile, type StackConfig } from './config.ts';
import type { ManagedProcess } from './process.ts';
import { startPostgres } from './postgres.ts';
import { startRedis, startUpstash } from './redis.ts';
import { startLlmFixtureService, usesLlmFixture } from './llm-fixture.ts';
import { reapStale } from './registry.ts';
import { startRunner } from './runner.ts';
import { acquireStartLock } from './start-lock.ts';
import { isRunning, type Logger, type ServiceResult } from './service.ts';
import { startWorker } from './worker.ts';
import { needsWsProxy, startWsProxy } from './ws-proxy.ts';

export type { ServiceResult } from './service.ts';

/** A running local stack; `stop()` stops every process it started (by process group). */
export interface Stack {
  config: StackConfig;
  baseUrl: string;
  services: ServiceResult[];
  /** Stop one service this stack started (tests use it to see a dependency go down). */
  stopService: (name: string) => Promise<void>;
  stop: () => Promise<void>;
}

export interface StartStackOptions {
  profile: Profile;
  log?: Logger;
  /** Skip the Worker (suites that only need the data services). */
  withoutWorker?: boolean;
  /** Skip Docker and the sandbox-runner. */
  withoutRunner?: boolean;
  /** Extra `[vars]` for the Worker (benchmarks raise `RATE_LIMITS` to measure capacity, not limits). */
  workerVars?: Record<string, string>;
  /** Send every provider call to the LLM fixture; by default the test and demo profiles do. */
  llmFixture?: boolean;
}

/**
 * Bring up Postgres (+ the WebSocket proxy for Neon's driver), Redis (+ the Upstash REST bridge), the
 * Docker engine, the sandbox image and the sandbox-runner, the LLM fixture (test and demo profiles),
 * then `wrangler dev`. Idempotent: services a live stack of the same profile already runs are reused;
 * leftovers of a killed one are stopped first. One start at a time per profile (a second one waits for
 * the first, then reuses what it started), and a stack only ever stops the processes it started itself.
 * A piece that is missing on this machine is reported with what to install, and the rest still starts.
 */
export async function startStack(opts: StartStackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const config = stackConfig(opts.profile);
  const release = await acquireStartLock(config.stateDir, log);
  const owned: ManagedProcess[] = [];
  try {
    const stale = await reapStale(config.stateDir);
    if (stale > 0) log(`stopped ${stale} process group(s) left by an earlier run`);
    const track = <T extends ServiceResult>(result: T): T => {
      if (result.state === 'started' && result.process) owned.push(result.process);
      return result;
    };
    return await bringUp(opts, config, owned, track, log);
  } catch (err) {
    // Never leave half a stack running behind an error.
    for (const proc of [...owned].reverse()) await proc.stop();
    throw err;
  } finally {
    release();
  }
}

async function bringUp(
  opts: StartStackOptions,
  config: StackConfig,
  owned: ManagedProcess[],
  track: <T extends ServiceResult>(result: T) => T,
  log: Logger,
): Promise<Stack> {
  const database = (async () => {
    const postgres = track(await startPostgres(config, log));
    if (!isRunning(postgres) || !needsWsProxy(postgres.url)) return [postgres];
    return [postgres, track(await startWsProxy(config, postgres.url, log))];
  })();
  const cache = (async () => {
    const redis = track(await startRedis(config, log));
    const upstash = track(await startUpstash(config, isRunning(redis) ? redis.url : undefined, log));
    return [redis, upstash] as const;
  })();
  const runner = opts.withoutRunner ? Promise.resolve(undefined) : startRunner(config, log).then(track);
  const llm =
    (opts.llmFixture ?? usesLlmFixture(config.profile))
      ? startLlmFixtureService(config, log).then(track)
      : Promise.resolve(undefined);

  // Every piece settles before any result is used: when one throws, the others must have finished
  // (and been tracked) before the caller stops what was started.
  await Promise.allSettled([database, cache, runner, llm]);
  const [dbResults, [redis, upstash], runnerResult, llmResult] = await Promise.all([
    database,
    cache,
    runner,
    llm,
  ]);
  const services: ServiceResult[] = [
    ...dbResults,
    redis,
    upstash,
    ...(runnerResult ? [runnerResult] : []),
    ...(llmResult ? [llmResult] : []),
  ];
  const [postgres, wsProxy] = dbResults;

  const baseUrl = `http://127.0.0.1:${config.ports.worker}`;
  if (!opts.withoutWorker) {
    const worker = await startWorker(
      config,
      {
        databaseUrl: postgres && isRunning(postgres) ? postgres.url : '',
        wsProxy: wsProxy && isRunning(wsProxy) ? wsProxy.url : '',
        upstashUrl: isRunning(upstash) ? upstash.url : '',
        upstashToken: 'token' in upstash ? (upstash.token ?? '') : '',
        runnerUrl: runnerResult && isRunning(runnerResult) ? runnerResult.url : '',
        llmFixtureUrl: llmResult && isRunning(llmResult) ? llmResult.url : '',
        extraVars: opts.workerVars ?? {},
      },
      log,
    );
    services.push(track(worker));
  }

  const stopService = async (name: string) => {
    const proc = owned.find((p) => p.name === name);
    if (!proc) throw new Error(`this stack did not start ${name}`);
    await proc.stop();
    owned.splice(owned.indexOf(proc), 1);
  };
  const stop = async () => {
    // Reverse order: the Worker first, the data services last.
    for (const proc of [...owned].reverse()) await proc.stop();
    owned.length = 0;
  };
  return { config, baseUrl, services, stopService, stop };
}
