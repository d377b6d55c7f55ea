/**
 * What the browser tests' global setup (web/e2e/global-setup.ts) hands every e2e test through Vitest's
 * `inject`: where the running stack is. Importing this type brings the `inject` keys into scope.
 */
export interface E2eContext {
  /** Origin of the UI under test (the Worker serving the built UI and the API), no trailing slash. */
  baseUrl: string;
  /** Root of the LLM fixture the Worker's providers point at (tests script its replies per key). */
  llmFixtureUrl: string;
  /** The sandbox-runner the Worker uses, and the secret of its tokens (tests look at a project's sandboxes). */
  runnerUrl: string;
  runnerSecret: string;
  /** The stack's Postgres (the eval reads the usage ledger there); empty when not known. */
  databaseUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: E2eContext['baseUrl'];
    llmFixtureUrl: E2eContext['llmFixtureUrl'];
    runnerUrl: E2eContext['runnerUrl'];
    runnerSecret: E2eContext['runnerSecret'];
    databaseUrl: E2eContext['databaseUrl'];
  }
}
