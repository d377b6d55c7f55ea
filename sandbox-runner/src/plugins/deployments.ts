/**
 * The published apps' manager as `app.deployments`, built on the sandbox manager (their containers are
 * made like sandboxes'); every published app's container is removed when the runner closes, and the
 * apps it kept on disk are brought back when it starts again.
 */
import fp from 'fastify-plugin';
import { DeploymentManager } from '../deployments/manager.ts';

declare module 'fastify' {
  interface FastifyInstance {
    deployments: DeploymentManager;
  }
}

export const deploymentsPlugin = fp(
  async (app) => {
    const manager = new DeploymentManager({
      sandboxes: app.sandboxes,
      origins: app.previews.origins,
      log: app.log,
    });
    app.decorate('deployments', manager);
    // Once listening: a published origin carries the runner's own port when none is configured.
    app.addHook('onListen', async () => {
      const restored = await manager.restore();
      if (restored > 0)
        app.log.info({ deployments: restored }, 'published apps found on disk: starting them');
    });
    // Before the sandbox manager closes (onClose): it releases the workspace disks these containers use.
    app.addHook('preClose', async () => manager.close());
  },
  { name: 'deployments', fastify: '5.x', dependencies: ['sandboxes'] },
);
