/**
 * The sandbox manager as `app.sandboxes`. Starts it when the app is ready (orphans removed, image
 * checked, pool filling), drains running commands in `preClose` (while their HTTP streams are still
 * open, so each client gets its final status) and removes every container in `onClose`.
 */
import fp from 'fastify-plugin';
import type { RunnerConfig } from '../config.ts';
import { SandboxManager } from '../sandbox/manager.ts';

declare module 'fastify' {
  interface FastifyInstance {
    sandboxes: SandboxManager;
  }
}

export const sandboxesPlugin = fp<{ config: RunnerConfig }>(
  async (app, opts) => {
    const manager = new SandboxManager({
      docker: app.docker,
      config: opts.config,
      metrics: app.metrics,
      log: app.log,
    });
    await manager.start();
    app.decorate('sandboxes', manager);
    app.addHook('preClose', async () => manager.drain());
    app.addHook('onClose', async () => manager.close());
  },
  { name: 'sandboxes', fastify: '5.x', dependencies: ['docker', 'metrics'] },
);
