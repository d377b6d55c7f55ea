/**
 * The Docker engine client, decorated as `app.docker`. One keep-alive HTTP agent to the engine's socket
 * is shared by every call (no reconnect per request); attach streams are hijacked out of it.
 * The engine need not answer yet: the sandbox manager waits for it (../sandbox/deferred-start.ts).
 */
import { Agent } from 'node:http';
import Docker from 'dockerode';
import fp from 'fastify-plugin';
import { engineAnswers } from '../sandbox/engine-ping.ts';

declare module 'fastify' {
  interface FastifyInstance {
    docker: Docker;
    /** True when the engine answered `/_ping` (cached for a second: /healthz may be polled hard). */
    dockerUp(): Promise<boolean>;
  }
}

export const dockerPlugin = fp<{ socketPath: string }>(
  async (app, opts) => {
    // maxSockets bounds concurrent engine calls; the engine serializes much of container creation anyway.
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const options: Docker.DockerOptions & { agent: Agent } = { socketPath: opts.socketPath, agent };
    const docker = new Docker(options);
    let last = { at: 0, up: false };
    app.decorate('docker', docker);
    app.decorate('dockerUp', async () => {
      if (Date.now() - last.at < 1000) return last.up;
      const up = await engineAnswers(docker);
      last = { at: Date.now(), up };
      return up;
    });
    app.addHook('onClose', async () => agent.destroy());
  },
  { name: 'docker', fastify: '5.x' },
);
