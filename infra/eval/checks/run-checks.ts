/** Runs an app's checks against its running instance, one after another, and says what each found. */
import type { BrowserContext } from 'playwright-core';
import type { AppCheck, AppUnderTest } from '../suite/types.ts';
import type { LazyBrowser } from './browser.ts';
import { request } from './http.ts';

export interface CheckResult {
  name: string;
  kind: AppCheck['kind'];
  ok: boolean;
  /** Why it failed (null when it passed). */
  message: string | null;
}

/** How long one check may take, its page's steps included. */
const CHECK_TIMEOUT_MS = 60_000;
/** How long a page waits for an element or a navigation. */
const PAGE_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Playwright's messages carry a call log: its first line says what went wrong, its first "waiting for"
 * line what the page was missing.
 */
function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\u001b\[\d+m/g, '').split('\n');
  const first = lines[0]!.replace(/^(page|locator|frame)\.\w+: /, '').trim();
  const waiting = lines.find((l) => /^\s*- waiting for /.test(l))?.replace(/^\s*- /, '');
  return waiting && !first.includes(waiting) ? `${first} (${waiting})` : first;
}

export async function runChecks(opts: {
  origin: string;
  checks: AppCheck[];
  browser: LazyBrowser;
  restart: () => Promise<void>;
  /** How long a page waits for an element or a navigation (default 10 s). */
  pageTimeoutMs?: number;
}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of opts.checks) {
    const contexts: BrowserContext[] = [];
    const app: AppUnderTest = {
      url: opts.origin,
      http: (path, init) => request(opts.origin, path, init),
      page: async () => {
        const context = await (await opts.browser.get()).newContext();
        contexts.push(context);
        context.setDefaultTimeout(opts.pageTimeoutMs ?? PAGE_TIMEOUT_MS);
        const page = await context.newPage();
        return page;
      },
      restart: opts.restart,
    };
    try {
      await withTimeout(check.run(app), CHECK_TIMEOUT_MS, `the check "${check.name}"`);
      results.push({ name: check.name, kind: check.kind, ok: true, message: null });
    } catch (err) {
      results.push({ name: check.name, kind: check.kind, ok: false, message: messageOf(err) });
    } finally {
      for (const context of contexts) await context.close().catch(() => {});
    }
  }
  return results;
}
