/**
 * Follows a page's requests so a check can wait for the network to go quiet after the load event: a page
 * that fetches its data after load is judged on what it shows with that data.
 */
import type { Page, Request } from 'playwright-core';

/** A request still open, as the check reports it. */
export interface OpenRequest {
  method: string;
  url: string;
}

export class NetworkWatch {
  private readonly inflight = new Set<Request>();
  private lastChange = performance.now();
  private changed: () => void = () => {};
  private closed = false;

  constructor(page: Page) {
    page.on('request', (request) => this.update(() => this.inflight.add(request)));
    const done = (request: Request) => this.update(() => this.inflight.delete(request));
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    // The page (or the whole browser) went away: stop waiting at once.
    page.on('close', () => this.update(() => (this.closed = true)));
  }

  /** Requests that have started and not finished, oldest first. */
  open(): OpenRequest[] {
    return [...this.inflight].map((request) => ({ method: request.method(), url: request.url() }));
  }

  /**
   * Resolves true once no request has been open for `quietMs`, or false after `maxMs` with requests
   * still open (a long poll, an event stream, a request that never ends). Quiet is measured from the
   * call at the earliest: a request the page started a moment ago may not have been reported yet.
   */
  async quiet(quietMs: number, maxMs: number): Promise<boolean> {
    const start = performance.now();
    const until = start + maxMs;
    for (;;) {
      if (this.closed) return false;
      const now = performance.now();
      const quietFor = this.inflight.size === 0 ? now - Math.max(this.lastChange, start) : 0;
      if (quietFor >= quietMs) return true;
      if (now >= until) return false;
      const wait = this.inflight.size === 0 ? quietMs - quietFor : until - now;
      await this.nextChangeOr(Math.min(wait, until - now));
    }
  }

  private update(change: () => void): void {
    change();
    this.lastChange = performance.now();
    this.changed();
  }

  private nextChangeOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.changed = () => {
        clearTimeout(timer);
        this.changed = () => {};
        resolve();
      };
    });
  }
}
