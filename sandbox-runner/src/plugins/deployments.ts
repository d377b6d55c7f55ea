/**
 * The published apps' manager as `app.deployments`, built on the sandbox manager (their containers are
 * made like sandboxes'); every published app's container is removed when the runner closes.
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
    // Before the sandbox manager closes (onClose): it releases the workspace disks these containers use.
    app.addHook('preClose', async () => manager.close());
  },
  { name: 'deployments', fastify: '5.x', dependencies: ['sandboxes'] },
);
