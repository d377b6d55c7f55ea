/**
 * The runner as a Fastify app. Plugins load in a fixed order: services (metrics, docker, auth,
 * sandboxes) then routes, the `/v1` API encapsulated behind the bearer-token hook.
 *
 * One server, two sides chosen by the Host of each request: a preview origin (`<label>.<preview
 * domain>`, or a published app's `<hash>-app.<preview domain>`) goes to the preview router, which proxies
 * it into a container and never touches the API's routes, hooks or logs; anything else is the API.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { RunnerConfig } from './config.ts';
import { authPlugin } from './plugins/auth.ts';
import { deploymentsPlugin } from './plugins/deployments.ts';
import { dockerPlugin } from './plugins/docker.ts';
import { fleetPlugin } from './fleet/plugin.ts';
import { installErrorHandlers } from './plugins/errors.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { pageCheckPlugin } from './plugins/page-check.ts';
import { sandboxesPlugin } from './plugins/sandboxes.ts';
import { deploymentRoutes } from './routes/deployments.ts';
import { drainRoutes } from './routes/drain.ts';
import { execRoutes } from './routes/exec.ts';
import { fileRoutes } from './routes/files.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { PreviewOrigins } from './preview/origins.ts';
import { PreviewRouter } from './preview/router.ts';
import { previewApiRoutes } from './routes/preview.ts';
import { processRoutes } from './routes/processes.ts';
import { sandboxRoutes } from './routes/sandboxes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    previews: PreviewRouter;
  }
}

/** Logged request URLs lose their query: no token, whatever a client puts there, reaches a log. */
function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/** Builds the app (not listening); `await app.ready()` starts the manager, `app.close()` drains and cleans up. */
export async function buildApp(config: RunnerConfig): Promise<FastifyInstance> {
  let listenPort: () => number | undefined = () => undefined;
  const previews = new PreviewRouter(
    new PreviewOrigins(config.previewOrigin, config.secret, () => listenPort()),
  );
  const app = Fastify({
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        if (previews.handles(req)) void previews.handle(req, res);
        else handler(req, res);
      });
      // Long-running exec streams and previews must not be cut by the server's own timeouts.
      server.requestTimeout = 0;
      listenPort = () => (server.address() as AddressInfo | null)?.port;
      return server;
    },
    logger: {
      level: config.logLevel,
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          url: pathOnly(req.url),
          id: req.id,
        }),
      },
    },
    bodyLimit: config.bodyLimitBytes,
    // The start waits on the Docker engine (orphans removed, image checked, disks set up), which on a
    // busy host takes longer than Fastify's default 10 s: a slow engine is not a broken runner.
    pluginTimeout: 120_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  installErrorHandlers(app);
  app.decorate('previews', previews);

  await app.register(metricsPlugin);
  await app.register(dockerPlugin, { socketPath: config.dockerSocket });
  await app.register(authPlugin, { secret: config.secret, maxTokenTtlSeconds: config.maxTokenTtlSeconds });
  await app.register(sandboxesPlugin, { config });
  await app.register(deploymentsPlugin);
  await app.register(pageCheckPlugin, { browserPath: config.checkBrowser });
  await app.register(fleetPlugin, { config });

  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(drainRoutes);
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', v1.authenticate);
      await v1.register(sandboxRoutes);
      await v1.register(execRoutes);
      await v1.register(fileRoutes);
      await v1.register(processRoutes);
      await v1.register(previewApiRoutes);
      await v1.register(deploymentRoutes);
    },
    { prefix: '/v1' },
  );
  previews.attach({
    secret: config.secret,
    sandboxes: app.sandboxes,
    deployments: app.deployments,
    requests: app.metrics.previewRequests,
  });
  app.server.on('upgrade', (req, socket, head: Buffer) => {
    if (previews.handles(req)) previews.upgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  app.addHook('preClose', async () => previews.closeAll());
  return app;
}
