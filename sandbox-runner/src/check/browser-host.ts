/**
 * One headless Chromium for the page checks: launched on first use, shared by the checks that follow
 * (each in a context of its own), launched again when it died, closed with the checker.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`). */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The browser cannot be had; `reason` says why in words fit for a user. */
export class BrowserUnavailable extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'BrowserUnavailable';
  }
}

export interface BrowserHostOptions {
  executablePath: string;
  args: string[];
  launchTimeoutMs: number;
}

export class BrowserHost {
  private readonly options: BrowserHostOptions;
  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  private closed = false;
  private launchCount = 0;

  constructor(options: BrowserHostOptions) {
    this.options = options;
  }

  /** How many times a browser was started (the first launch and every relaunch). */
  get launches(): number {
    return this.launchCount;
  }

  /** The running browser, launched if there is none or the last one died. */
  async get(): Promise<Browser> {
    if (this.closed) throw new BrowserUnavailable('the page checker is closed');
    if (this.browser?.isConnected()) return this.browser;
    this.launching ??= this.launch().finally(() => (this.launching = null));
    return this.launching;
  }

  /** Closes the browser; later calls of `get` fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.launching?.catch(() => {});
    const browser = this.browser;
    this.browser = null;
    await browser?.close().catch(() => {});
  }

  private async launch(): Promise<Browser> {
    const { executablePath, args, launchTimeoutMs } = this.options;
    try {
      await access(executablePath, constants.X_OK);
    } catch (err) {
      throw new BrowserUnavailable(`no browser at ${executablePath}`, { cause: err });
    }
    this.launchCount += 1;
    let browser: Browser;
    try {
      // playwright gives every launch a fresh profile (--user-data-dir in a temp directory, removed on close).
      browser = await chromium.launch({ executablePath, headless: true, args, timeout: launchTimeoutMs });
    } catch (err) {
      const detail = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      throw new BrowserUnavailable(`the browser at ${executablePath} did not start: ${detail}`, {
        cause: err,
      });
    }
    if (this.closed) {
      await browser.close().catch(() => {});
      throw new BrowserUnavailable('the page checker is closed');
    }
    browser.on('disconnected', () => {
      if (this.browser === browser) this.browser = null;
    });
    this.browser = browser;
    return browser;
  }
}
