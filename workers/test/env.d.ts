import type { Secrets } from '../src/env.ts';

declare global {
  namespace Cloudflare {
    // Declaration merging: `env` from cloudflare:workers carries the secrets too (the tests get them
    // from global-setup), not only what wrangler.toml declares.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Env extends Secrets {}
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    workerBindings: Record<string, string>;
    /** A repository on the tests' git server (loopback) and the token that opens it. */
    gitRemote: { url: string; token: string };
    /** The git workbench's origin (git-workbench.ts): fresh repositories and the git CLI on them. */
    gitWorkbench: string;
    /** The repository the repository-import tests read (helpers/importable-repository.ts). */
    importableRepository: { url: string; token: string };
  }
}
