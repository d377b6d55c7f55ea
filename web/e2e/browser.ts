import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../infra/stack/chromium.ts';

const ARGS = [
  ...CHROMIUM_ARGS,
  // Third-party cookies blocked, as many browsers do: the preview pane frames another site.
  '--test-third-party-cookie-phaseout',
];

/** Where screenshots go: test-results/screenshots/ at the repo root (gitignored). */
export const SCREENSHOTS_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

/**
 * Launch Chromium headless. Playwright gives every `launch()` a fresh profile (--user-data-dir) in a
 * temp directory and deletes it on close; it refuses the flag in `args` for that reason.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 30_000 });
}

/**
 * One Chromium for a test file, launched before its tests and closed after them; the returned
 * function gives it to a test (each test then opens a fresh context).
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is not launched yet');
    return browser;
  };
}

/** Loopback addresses, and `*.localhost` names (the local preview origins), which Chromium resolves to loopback. */
function isLoopback(url: URL): boolean {
  return (
    ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ||
    url.hostname.startsWith('127.') ||
    url.hostname.endsWith('.localhost')
  );
}

/**
 * A fresh context (own cookies and storage) that can reach only loopback: a request anywhere else
 * is aborted and recorded, because tests must never send traffic off this machine.
 */
export async function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.route(
    (url) => !isLoopback(url),
    (route) => route.abort('blockedbyclient'),
  );
  return context;
}

/** Something a user could notice going wrong, as the browser reported it. */
export interface Problem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'http';
  text: string;
  url: string | undefined;
  status?: number;
}

/** A request that a navigation or a closing page cut short: not a problem a user would notice. */
export const aborted = (problem: Problem) =>
  problem.kind === 'requestfailed' && problem.text === 'net::ERR_ABORTED';

/**
 * Collect console errors, uncaught exceptions, failed requests and HTTP error responses of a page.
 * `expected` filters out the ones a test expects (say, the 503 of a degraded health check).
 */
export function watchProblems(page: Page, expected: (problem: Problem) => boolean = () => false): Problem[] {
  const problems: Problem[] = [];
  const add = (problem: Problem) => {
    if (!expected(problem)) problems.push(problem);
  };
  page.on('console', (message) => {
    if (message.type() === 'error')
      add({ kind: 'console', text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) =>
    add({ kind: 'pageerror', text: error.stack ?? error.message, url: undefined }),
  );
  page.on('requestfailed', (request) =>
    add({ kind: 'requestfailed', text: request.failure()?.errorText ?? 'failed', url: request.url() }),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) {
      add({ kind: 'http', text: response.statusText(), url: response.url(), status: response.status() });
    }
  });
  return problems;
}

/**
 * Save a screenshot as test-results/screenshots/<name>.png (the whole page unless `fullPage` is
 * false, which suits overlays such as dialogs); returns its path.
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = `${SCREENSHOTS_DIR}${name}.png`;
  await page.screenshot({ path, fullPage });
  return path;
}
