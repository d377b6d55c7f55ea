/**
 * The page checker: loads a preview in a headless Chromium and reports page errors, console errors,
 * failed requests to the app's own origin, HTTP errors, a blank page, and a page that does not load in
 * time. One browser, launched on the first check and reused (a fresh context per check), relaunched if
 * it died; at most `maxConcurrent` checks at once and `maxQueued` waiting. A check never throws: when it
 * cannot run (no browser, too busy, closed) its result is `skipped` with the reason.
 */
import type { PageCheckResult } from '../contract.ts';
import { BrowserHost, BrowserUnavailable, DEFAULT_CHROMIUM_PATH } from './browser-host.ts';
import { canReach, launchArgs, validateHostMapping } from './launch-args.ts';
import type { HostMapping, Reach } from './launch-args.ts';
import { AppOrigins } from './origins.ts';
import { publicUrl, Redactor } from './redact.ts';
import { BrowserGone, runCheck } from './run-check.ts';
import type { CheckPlan } from './run-check.ts';
import { Slots } from './slots.ts';

export interface PageCheckerOptions {
  /** Chromium's executable (default `/usr/bin/chromium`). */
  executablePath?: string;
  /**
   * Host names the browser reaches at a given address instead of resolving them; in production the
   * preview domain, mapped to the runner's preview listener (`{ host: '*.preview.example.com',
   * address: '127.0.0.1:8788' }`). Nothing else resolves unless `allowLoopback`.
   */
  hosts?: HostMapping[];
  /**
   * Also reach `localhost`, `*.localhost` and `127.0.0.1` at any port (default false). Handy for local
   * tools and tests; it lets a checked page redirect the browser to any other loopback service.
   */
  allowLoopback?: boolean;
  /** Checks running at once (default 2; each holds a browser page). */
  maxConcurrent?: number;
  /** Checks waiting for a turn before new ones are refused as skipped (default 8). */
  maxQueued?: number;
  /** Longest wait for the browser to start (default 30 s). */
  launchTimeoutMs?: number;
}

export interface CheckOptions {
  /** The whole check, from opening the page to its verdict (default 15 s, 1 s to 120 s). */
  timeoutMs?: number;
  /**
   * Longest wait after the load event for the network to go quiet and something to be shown (default
   * 5 s): a page that fetches its data after load is judged with it.
   */
  settleMs?: number;
  /** Time without an open request that counts as quiet (default 500 ms). */
  quietMs?: number;
  /** Headers sent with every request to the app (say, a preview access token). */
  headers?: Record<string, string>;
  /** Cookies set for the checked URL's origin before it is opened (say, a preview access cookie). */
  cookies?: { name: string; value: string }[];
  /** Other origins that count as the app's own (say, its API on a preview origin of its own). */
  ownOrigins?: string[];
}

/** What the checker is doing, for metrics and tests. */
export interface PageCheckerStats {
  /** Browsers started so far (the first launch and every relaunch). */
  launches: number;
  running: number;
  queued: number;
}

const DEFAULTS = { timeoutMs: 15_000, settleMs: 5_000, quietMs: 500 };

function bounded(value: number | undefined, fallback: number, min: number, max: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.min(max, Math.max(min, value));
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 0)
    throw new TypeError(`page checker: ${name} must be an integer ≥ 0`);
  return chosen;
}

export class PageChecker {
  private readonly host: BrowserHost;
  private readonly slots: Slots;
  private readonly reach: Reach;
  private closed = false;

  /** Validates the options (a mistake throws here, at start-up); launches nothing yet. */
  constructor(options: PageCheckerOptions = {}) {
    this.reach = { hosts: options.hosts ?? [], allowLoopback: options.allowLoopback ?? false };
    for (const mapping of this.reach.hosts) validateHostMapping(mapping);
    const maxConcurrent = positiveInteger(options.maxConcurrent, 2, 'maxConcurrent');
    if (maxConcurrent < 1) throw new TypeError('page checker: maxConcurrent must be at least 1');
    this.slots = new Slots(maxConcurrent, positiveInteger(options.maxQueued, 8, 'maxQueued'));
    this.host = new BrowserHost({
      executablePath: options.executablePath ?? DEFAULT_CHROMIUM_PATH,
      args: launchArgs(this.reach),
      launchTimeoutMs: positiveInteger(options.launchTimeoutMs, 30_000, 'launchTimeoutMs'),
    });
  }

  get stats(): PageCheckerStats {
    return { launches: this.host.launches, running: this.slots.running, queued: this.slots.queued };
  }

  /** Checks the page at `url`; never throws. */
  async check(url: string, options: CheckOptions = {}): Promise<PageCheckResult> {
    const started = performance.now();
    const skip = (reason: string, shownUrl = publicUrl(url)): PageCheckResult => ({
      status: 'skipped',
      url: shownUrl,
      title: '',
      durationMs: Math.round(performance.now() - started),
      documentStatus: null,
      problems: [],
      notes: [],
      omitted: 0,
      reason,
    });

    const plan = this.plan(url, options);
    if (typeof plan === 'string') return skip(plan);
    if (this.closed) return skip('the page checker is closed');
    const turn = this.slots.acquire();
    if (!turn) {
      return skip(`the page checker is busy (${this.slots.running} running, ${this.slots.queued} waiting)`);
    }
    const release = await turn;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          if (this.closed) return skip('the page checker is closed');
          const browser = await this.host.get();
          return await runCheck(browser, plan);
        } catch (err) {
          if (err instanceof BrowserUnavailable) return skip(err.message);
          if (err instanceof BrowserGone && attempt < 2 && !this.closed) continue;
          if (err instanceof BrowserGone)
            return skip(this.closed ? 'the page checker is closed' : err.message);
          const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
          return skip(`the check could not finish: ${plan.redactor.text(message, 300)}`);
        }
      }
    } finally {
      release();
    }
  }

  /**
   * Starts the browser now, in the background, so the first check does not wait for its launch (about
   * a second, more on a busy host). A launch that fails is tried again by the first check, which then
   * reports why.
   */
  warm(): void {
    if (!this.closed) this.host.get().catch(() => {});
  }

  /** Closes the browser. Checks still running end as skipped; later checks are skipped. */
  async close(): Promise<void> {
    this.closed = true;
    await this.host.close();
  }

  /** The check's plan, or why it cannot run. */
  private plan(url: string, options: CheckOptions): CheckPlan | string {
    const target = URL.parse(url);
    if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      return 'not an http(s) URL';
    }
    if (!canReach(this.reach, target.hostname)) {
      return `the page checker cannot reach ${target.hostname}: it is neither a mapped host nor an allowed loopback name`;
    }
    let origins: AppOrigins;
    try {
      origins = new AppOrigins(target, options.ownOrigins);
    } catch {
      return 'ownOrigins holds something that is not a URL';
    }
    const headers = options.headers ?? {};
    const cookies = options.cookies ?? [];
    const timeoutMs = bounded(options.timeoutMs, DEFAULTS.timeoutMs, 1_000, 120_000);
    return {
      target,
      origins,
      timeoutMs,
      settleMs: bounded(options.settleMs, DEFAULTS.settleMs, 0, timeoutMs),
      quietMs: bounded(options.quietMs, DEFAULTS.quietMs, 0, 5_000),
      headers,
      cookies,
      redactor: Redactor.forCheck(target, cookies, headers),
    };
  }
}
