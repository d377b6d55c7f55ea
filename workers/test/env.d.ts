import type { Bindings } from '../src/env.ts';

declare module 'cloudflare:workers' {
  interface ProvidedEnv extends Bindings {}
}

declare module 'vitest' {
  interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}
