/**
 * The runner as a Fastify app. Plugins load in a fixed order: services (metrics, docker, auth,
 * sandboxes) then routes, the `/v1` API encapsulated behind the bearer-token hook.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { RunnerConfig } from './config.ts';
import { authPlugin } from './plugins/auth.ts';
import { dockerPlugin } from './plugins/docker.ts';
import { installErrorHandlers } from './plugins/errors.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { sandboxesPlugin } from './plugins/sandboxes.ts';
import { execRoutes } from './routes/exec.ts';
import { fileRoutes } from './routes/files.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { previewApiRoutes, previewProxyRoutes } from './routes/preview.ts';
import { processRoutes } from './routes/processes.ts';
import { sandboxRoutes } from './routes/sandboxes.ts';

/** Builds the app (not listening); `await app.ready()` starts the manager, `app.close()` drains and cleans up. */
export async function buildApp(config: RunnerConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    // Long-running exec streams and previews must not be cut by the server's own timeouts.
    requestTimeout: 0,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  installErrorHandlers(app);

  await app.register(metricsPlugin);
  await app.register(dockerPlugin, { socketPath: config.dockerSocket });
  await app.register(authPlugin, { secret: config.secret, maxTokenTtlSeconds: config.maxTokenTtlSeconds });
  await app.register(sandboxesPlugin, { config });

  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', v1.authenticate);
      await v1.register(sandboxRoutes);
      await v1.register(execRoutes);
      await v1.register(fileRoutes);
      await v1.register(processRoutes);
      await v1.register(previewApiRoutes);
    },
    { prefix: '/v1' },
  );
  await app.register(previewProxyRoutes);
  return app;
}
