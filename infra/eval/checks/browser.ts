/**
 * Chromium for the browser-level checks: Debian's (`CHROMIUM_PATH`, else /usr/bin/chromium) driven by
 * playwright-core, with the flags the e2e tests use. One browser for a whole eval, a fresh context
 * per check.
 */
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser launched on first use and closed with `close()`. */
export class LazyBrowser {
  private launched: Promise<Browser> | null = null;

  get(): Promise<Browser> {
    this.launched ??= chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
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
