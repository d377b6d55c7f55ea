/**
 * Prometheus metrics (prom-client) in a registry owned by this app instance, so several apps in one
 * process (tests) never collide. Decorates `app.metrics`; `GET /metrics` is in routes/metrics.ts.
 */
import fp from 'fastify-plugin';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * A few process metrics of our own instead of prom-client's defaults: those export gauges named
 * `*_total` (nodejs_active_handles_total ...), which `promtool check metrics` rejects.
 */
function processMetrics(registers: Registry[]) {
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  new Gauge({
    name: 'samokoder_runner_resident_memory_bytes',
    help: 'Resident memory of the runner process.',
    registers,
    collect() {
      this.set(process.memoryUsage().rss);
    },
  });
  new Gauge({
    name: 'samokoder_runner_cpu_seconds',
    help: 'CPU time (user + system) used by the runner process since it started.',
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.set((user + system) / 1e6);
    },
  });
  new Gauge({
    name: 'samokoder_runner_event_loop_delay_p99_seconds',
    help: 'p99 event loop delay since the previous scrape.',
    registers,
    collect() {
      this.set(loop.percentile(99) / 1e9);
      loop.reset();
    },
  });
  new Gauge({
    name: 'samokoder_runner_start_time_seconds',
    help: 'Start time of the runner process, seconds since the epoch.',
    registers,
  }).set(Math.round(Date.now() / 1000 - process.uptime()));
  return () => loop.disable();
}

/** Every metric the runner exports. Names are the contract of infra/prometheus and infra/grafana. */
export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  const stopProcessMetrics = processMetrics(registers);
  return {
    registry,
    stopProcessMetrics,
    active: new Gauge({
      name: 'samokoder_sandboxes_active',
      help: 'Sandboxes currently assigned to projects.',
      registers,
    }),
    created: new Counter({
      name: 'samokoder_sandboxes_created_total',
      help: 'Sandboxes created, by source (pool or cold).',
      labelNames: ['source'] as const,
      registers,
    }),
    destroyed: new Counter({
      name: 'samokoder_sandboxes_destroyed_total',
      help: 'Sandboxes destroyed, by reason (api, idle, exited, shutdown).',
      labelNames: ['reason'] as const,
      registers,
    }),
    createDuration: new Histogram({
      name: 'samokoder_sandbox_create_duration_seconds',
      help: 'Time to hand out a ready sandbox, by source.',
      labelNames: ['source'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    poolSize: new Gauge({
      name: 'samokoder_sandbox_pool_size',
      help: 'Warm containers ready in the pool.',
      registers,
    }),
    limit: new Gauge({
      name: 'samokoder_sandboxes_limit',
      help: 'Configured maximum of sandboxes on this runner.',
      registers,
    }),
    poolTarget: new Gauge({
      name: 'samokoder_sandbox_pool_target',
      help: 'Configured warm pool size.',
      registers,
    }),
    execs: new Counter({
      name: 'samokoder_sandbox_execs_total',
      help: 'Commands run, by outcome (ok, nonzero, timeout, killed, failed).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    execDuration: new Histogram({
      name: 'samokoder_sandbox_exec_duration_seconds',
      help: 'Wall-clock duration of commands.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    execRunning: new Gauge({
      name: 'samokoder_sandbox_execs_running',
      help: 'Commands running now.',
      registers,
    }),
    timeouts: new Counter({
      name: 'samokoder_sandbox_exec_timeouts_total',
      help: 'Commands killed by their wall-clock timeout.',
      registers,
    }),
    truncations: new Counter({
      name: 'samokoder_sandbox_exec_output_truncated_total',
      help: 'Commands whose output passed the cap.',
      registers,
    }),
    oomKills: new Counter({
      name: 'samokoder_sandbox_oom_kills_total',
      help: 'Commands during which the memory limit killed a process.',
      registers,
    }),
    errors: new Counter({
      name: 'samokoder_sandbox_errors_total',
      help: 'Errors, by kind (docker, pool, sandbox_exited).',
      labelNames: ['kind'] as const,
      registers,
    }),
    previewRequests: new Counter({
      name: 'samokoder_sandbox_preview_requests_total',
      help: 'Preview requests proxied, by kind (http, websocket) and result (ok, refused, unreachable).',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
  };
}
export type RunnerMetrics = ReturnType<typeof createMetrics>;

declare module 'fastify' {
  interface FastifyInstance {
    metrics: RunnerMetrics;
  }
}

/** Decorates `app.metrics`. */
export const metricsPlugin = fp(
  async (app) => {
    const metrics = createMetrics();
    app.decorate('metrics', metrics);
    app.addHook('onClose', async () => metrics.stopProcessMetrics());
  },
  { name: 'metrics', fastify: '5.x' },
);
