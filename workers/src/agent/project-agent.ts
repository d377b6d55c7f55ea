import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../env.ts';

/**
 * One Durable Object per project: it will run the project's pipeline and keep its step state.
 * For now it only answers a ping so its wiring is proven end to end.
 */
export class ProjectAgent extends DurableObject<Bindings> {
  async ping(): Promise<string> {
    return 'pong';
  }
}
