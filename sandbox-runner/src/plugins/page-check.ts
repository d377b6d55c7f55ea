/**
 * The page check as `app.checkPreview(...)`: one headless Chromium on the runner's host (see ../check/)
 * loads a preview through the runner's own preview listener and judges what a user would see. The
 * checker is made on first use, once the server listens: its browser reaches preview names only, mapped
 * to that listener, so a checked page can reach nothing else. Closed with the app.
 */
import type { AddressInfo } from 'node:net';
import fp from 'fastify-plugin';
import { PageChecker, summary, type PageCheckSummary } from '../check/index.ts';
import type { PageCheckResult } from '../contract.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Checks the page at `url` (a preview link of this runner). Never throws. */
    checkPreview(url: string): Promise<{ result: PageCheckResult } & PageCheckSummary>;
    /**
     * Starts the checker's browser in the background. Called when an app starts: its check follows
     * once it answers, and the browser's launch then overlaps the app's start instead of adding to it.
     */
    warmPageCheck(): void;
  }
}

export const pageCheckPlugin = fp<{ browserPath: string | null }>(
  async (app, opts) => {
    let checker: PageChecker | null = null;
    const ensure = (): PageChecker => {
      if (checker) return checker;
      const port = (app.server.address() as AddressInfo | null)?.port;
      checker = new PageChecker({
        ...(opts.browserPath ? { executablePath: opts.browserPath } : {}),
        // Local previews are `*.localhost` names; the runner accepts them whatever its preview domain.
        hosts: port ? [{ host: '*.localhost', address: `127.0.0.1:${port}` }] : [],
      });
      return checker;
    };
    app.decorate('checkPreview', async (url: string) => {
      if (!opts.browserPath) {
        const result: PageCheckResult = {
          status: 'skipped',
          url: url.split('?')[0] ?? '',
          title: '',
          durationMs: 0,
          documentStatus: null,
          problems: [],
          notes: [],
          omitted: 0,
          reason: 'the page check is turned off on this runner (SANDBOX_CHECK_BROWSER)',
        };
        return { result, ...summary(result) };
      }
      const result = await ensure().check(url);
      return { result, ...summary(result) };
    });
    app.decorate('warmPageCheck', () => {
      if (opts.browserPath && app.server.listening) ensure().warm();
    });
    app.addHook('onClose', async () => {
      await checker?.close();
    });
  },
  { name: 'page-check', fastify: '5.x' },
);
