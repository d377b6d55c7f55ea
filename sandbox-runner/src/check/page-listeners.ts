/**
 * Turns a page's events into the problems of a check. Only the app's own origin can fail a check:
 * requests to other origins are blocked before they leave (see run-check.ts) and noted there.
 */
import type { Page, Request } from 'playwright-core';
import type { AppOrigins } from './origins.ts';
import type { ProblemLog } from './problem-log.ts';

/** Stack frames kept below an error's message. */
const STACK_FRAMES = 5;

/** An uncaught error as its message and first stack frames. */
export function errorLines(error: Error): string {
  const stack = error.stack?.trim();
  if (!stack) return `${error.name}: ${error.message}`;
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line));
  const head = firstFrame === -1 ? lines : lines.slice(0, firstFrame + STACK_FRAMES);
  return head.join('\n');
}

function path(url: string): string {
  const parsed = URL.parse(url);
  return parsed ? parsed.pathname : url;
}

/** True for the request of a document in the page's top frame (the page itself, or where it goes). */
export function isMainDocument(request: Request): boolean {
  try {
    return request.isNavigationRequest() && request.frame().parentFrame() === null;
  } catch {
    return false; // a service worker's request has no frame
  }
}

/** Records the page's problems into `log` as they happen. */
export function listenForProblems(page: Page, origins: AppOrigins, log: ProblemLog): void {
  page.on('pageerror', (error) => log.problem({ kind: 'page_error', message: errorLines(error) }));

  page.on('crash', () =>
    log.problem({
      kind: 'page_error',
      message: 'the page crashed (its renderer ran out of memory or failed)',
    }),
  );

  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // The browser's own line for a failed request: the network events below report it better.
    if (text.startsWith('Failed to load resource')) return;
    const { url, lineNumber } = message.location();
    log.problem({ kind: 'console_error', message: text, ...(url ? { url, line: lineNumber + 1 } : {}) });
  });

  page.on('request', (request) => {
    const url = request.url();
    if (!isMainDocument(request) || origins.owns(url) || !/^https?:/.test(url)) return;
    const how = request.redirectedFrom() ? 'redirected' : 'navigated';
    log.problem({
      kind: 'navigation',
      message: `the page ${how} to another origin (${url}); a check follows only the app's own origin`,
      url,
    });
  });

  page.on('response', (response) => {
    const request = response.request();
    const url = response.url();
    const status = response.status();
    if (status < 400 || !origins.owns(url)) return;
    const what = isMainDocument(request) ? 'the page' : `${request.method()} ${path(url)}`;
    log.problem({
      kind: 'http_error',
      message: `${what} answered ${status} ${response.statusText()}`.trim(),
      url,
      status,
    });
  });

  page.on('requestfailed', (request) => {
    const url = request.url();
    // Another origin's requests are noted where they are blocked; the page's own failure to open is
    // reported by the navigation itself.
    if (!origins.owns(url) || isMainDocument(request)) return;
    const reason = request.failure()?.errorText ?? 'failed';
    // Cut short by a navigation, by the page itself, or after an error status already reported.
    if (reason === 'net::ERR_ABORTED') return;
    log.problem({
      kind: 'request_failed',
      message: `${request.method()} ${path(url)} failed: ${reason}`,
      url,
    });
  });
}
