import type { Bindings } from '../src/env.ts';

declare module 'cloudflare:workers' {
  // Declaration merging: the test env has exactly the Worker's bindings.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ProvidedEnv extends Bindings {}
}

declare module 'vitest' {
  interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}
