/**
 * The announcer as a plugin: started once the server listens (its URL needs the port), announcing the
 * runner's room and load from `app.sandboxes`, and removing its record when the app closes. Registered
 * only when the fleet registry is configured.
 */
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import fp from 'fastify-plugin';
import type { RunnerConfig } from '../config.ts';
import { Announcer } from './announcer.ts';

export const fleetPlugin = fp<{ config: RunnerConfig }>(
  async (app, opts) => {
    const { config } = opts;
    const registry = config.registry;
    if (!registry) return;
    const startedAt = Date.now();
    const url = (): string | null => {
      if (config.publicUrl) return config.publicUrl;
      const address = app.server.address() as AddressInfo | null;
      return address ? `http://${hostname()}:${address.port}` : null;
    };
    const announcer = new Announcer({
      registry,
      intervalMs: config.announceIntervalMs,
      log: app.log,
      describe: () => {
        const where = url();
        if (!where) return null;
        const load = app.sandboxes.load;
        return {
          id: config.runnerId,
          url: where,
          capacity: config.maxSandboxes,
          sandboxes: load.sandboxes,
          commands: load.commands,
          draining: app.sandboxes.draining,
          startedAt,
        };
      },
    });
    app.addHook('onListen', async () => announcer.start());
    app.addHook('onClose', async () => announcer.stop());
  },
  { name: 'fleet', fastify: '5.x', dependencies: ['sandboxes'] },
);
