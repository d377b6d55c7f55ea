/**
 * Chromium for the browser-level checks: Debian's (`CHROMIUM_PATH`, else /usr/bin/chromium) driven by
 * playwright-core, with the flags the e2e tests use. One browser for a whole eval, a fresh context
 * per check.
 */
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../stack/chromium.ts';

/** A browser launched on first use and closed with `close()`. */
export class LazyBrowser {
  private launched: Promise<Browser> | null = null;

  get(): Promise<Browser> {
    this.launched ??= chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 30_000,
    });
    return this.launched;
  }

  async close(): Promise<void> {
    const launched = this.launched;
    this.launched = null;
    if (launched) await (await launched).close().catch(() => {});
  }
}
