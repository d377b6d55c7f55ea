// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    // interface Error {}
    interface PageState {
      /** Set by the create-project dialog: the workspace starts the new project's run once connected. */
      startRun?: boolean;
    }
  }

  /**
   * The Worker's bindings, declared globally by its `wrangler types` output. That file also declares
   * the Workers runtime (its own Request, Response, fetch), which clashes with the DOM types, so the
   * web program does not load it; the typed API client (`AppType`) reaches `Env` only through the
   * server-side `Bindings` type, which the client never uses.
   */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Env {}
}

export {};
