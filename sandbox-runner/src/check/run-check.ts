/**
 * One check of one page in a fresh browser context: open the URL, wait for the load event, then for the
 * network to go quiet (bounded), then for something visible (bounded by the same settle time), and report
 * what went wrong on the way. The whole check is bounded by its timeout plus a short grace to close.
 */
import { errors } from 'playwright-core';
import type { Browser, BrowserContext, Page, Route, WebSocketRoute } from 'playwright-core';
import type { PageCheckProblem, PageCheckResult } from '../contract.ts';
import { NetworkWatch } from './network-watch.ts';
import type { AppOrigins } from './origins.ts';
import { isMainDocument, listenForProblems } from './page-listeners.ts';
import { ProblemLog } from './problem-log.ts';
import { clip, publicUrl } from './redact.ts';
import type { Redactor } from './redact.ts';
import { RENDERED_EXPRESSION } from './render-probe.ts';

/** Everything one check needs, resolved from the caller's options and the checker's defaults. */
export interface CheckPlan {
  target: URL;
  origins: AppOrigins;
  timeoutMs: number;
  /** Longest wait after the load event for the network to go quiet and something to show. */
  settleMs: number;
  /** How long without an open request counts as quiet. */
  quietMs: number;
  headers: Record<string, string>;
  cookies: { name: string; value: string }[];
  redactor: Redactor;
}

/** The browser went away during the check: not the page's fault, so the checker relaunches and retries. */
export class BrowserGone extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the browser closed during the check', options);
    this.name = 'BrowserGone';
  }
}

/** Past the deadline, this long is left for a busy page to answer before it is given up on. */
const GRACE_MS = 2000;
/** Longest wait for a context to close (its renderer is killed if the page is stuck). */
const CLOSE_MS = 5000;
/**
 * Longest wait for the page to answer one probe, even when the settle time is used up. Generous: on a
 * busy host a probe of a healthy page can take a second, and a late answer must not read as a hung page.
 */
const PROBE_MS = 3000;
const PROBE_INTERVAL_MS = 250;
const TITLE_CHARS = 200;
const OPEN_REQUESTS_LISTED = 5;

type Outcome<T> = { done: true; value: T } | { done: false };

/** `promise`'s value, or `{ done: false }` if it takes longer than `ms` (the promise is left to settle). */
async function within<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // playwright's messages start with the call ("page.goto: ") and end with a call log.
  return (text.split('\n')[0] ?? '').replace(/^\w+\.\w+: /, '');
}

/** Runs one check in `browser`. Throws {@link BrowserGone} if the browser dies meanwhile. */
export async function runCheck(browser: Browser, plan: CheckPlan): Promise<PageCheckResult> {
  const started = performance.now();
  const deadline = started + plan.timeoutMs;
  const log = new ProblemLog(plan.redactor);
  const state = { documentStatus: null as number | null, title: '' };
  let context: BrowserContext | undefined;
  let crashed = false;
  try {
    context = await openContext(browser, plan, log);
    const page = await context.newPage();
    page.on('crash', () => (crashed = true));
    const watch = new NetworkWatch(page);
    listenForProblems(page, plan.origins, log);
    const visited = await within(
      visit(page, plan, deadline, watch, log, state),
      deadline - performance.now() + GRACE_MS,
    );
    if (!visited.done) log.problem(busy(plan));
  } catch (err) {
    if (!browser.isConnected()) throw new BrowserGone({ cause: err });
    // A crashed page is the app's problem, already recorded; anything else is the check's own failure.
    if (!crashed) throw err;
  } finally {
    log.seal();
    if (context) await within(context.close(), CLOSE_MS).catch(() => {});
  }
  return {
    status: log.failed ? 'failed' : 'passed',
    url: publicUrl(plan.target.href),
    title: plan.redactor.text(state.title, TITLE_CHARS),
    durationMs: Math.round(performance.now() - started),
    documentStatus: state.documentStatus,
    problems: log.problems,
    notes: log.notes,
    omitted: log.omitted,
  };
}

/**
 * A context of its own for the check, with the caller's cookies and headers, no service workers, and
 * every request to another origin blocked before it leaves: a checked page is untrusted code on the
 * runner's host, and the user's sandbox has no network beyond the app anyway.
 */
async function openContext(browser: Browser, plan: CheckPlan, log: ProblemLog): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    serviceWorkers: 'block',
    acceptDownloads: false,
    extraHTTPHeaders: plan.headers,
  });
  if (plan.cookies.length > 0) {
    await context.addCookies(
      plan.cookies.map(({ name, value }) => ({ name, value, url: plan.target.origin })),
    );
  }
  const blocked = ' was blocked: a check reaches only the app’s own origin';
  await context.route(
    (url) => plan.origins.foreign(url),
    (route: Route) => {
      const request = route.request();
      // Leaving the app is reported as a navigation problem (see page-listeners.ts).
      if (!isMainDocument(request))
        log.note({
          kind: 'third_party',
          message: `${request.method()} ${publicUrl(request.url())}${blocked}`,
          url: request.url(),
        });
      return route.abort('blockedbyclient').catch(() => {}); // the check may be over already
    },
  );
  await context.routeWebSocket(
    (url) => plan.origins.foreign(url),
    (ws: WebSocketRoute) => {
      log.note({ kind: 'third_party', message: `WebSocket ${publicUrl(ws.url())}${blocked}`, url: ws.url() });
      void ws.close({ code: 1008, reason: 'blocked' }).catch(() => {});
    },
  );
  return context;
}

async function visit(
  page: Page,
  plan: CheckPlan,
  deadline: number,
  watch: NetworkWatch,
  log: ProblemLog,
  state: { documentStatus: number | null; title: string },
): Promise<void> {
  const left = () => Math.max(1, deadline - performance.now());
  try {
    const response = await page.goto(plan.target.href, { waitUntil: 'load', timeout: left() });
    state.documentStatus = response?.status() ?? null;
  } catch (err) {
    if (!(err instanceof errors.TimeoutError)) {
      // Already explained when the page left its origin (the goto then fails on the blocked request).
      if (!log.has('navigation'))
        log.problem({
          kind: 'navigation',
          message: `the page could not be opened: ${firstLine(err)}`,
          url: plan.target.href,
        });
      return;
    }
    const open = watch
      .open()
      .slice(0, OPEN_REQUESTS_LISTED)
      .map((request) => `${request.method} ${publicUrl(request.url)}`);
    const waiting = open.length > 0 ? ` (still waiting for ${open.join(', ')})` : '';
    log.problem({
      kind: 'timeout',
      message: `the page did not finish loading within ${seconds(plan.timeoutMs)}${waiting}`,
      url: plan.target.href,
    });
    return;
  }

  const settleUntil = Math.min(performance.now() + plan.settleMs, deadline);
  const quiet = await watch.quiet(plan.quietMs, settleUntil - performance.now());
  if (!quiet) {
    for (const request of watch.open().slice(0, OPEN_REQUESTS_LISTED)) {
      log.note({
        kind: 'pending_request',
        message: `${request.method} ${publicUrl(request.url)} was still open ${seconds(plan.settleMs)} after load`,
        url: request.url,
      });
    }
  }

  const render = await waitForRender(page, settleUntil);
  if (render === 'busy') {
    log.problem(busy(plan));
    return;
  }
  if (render === 'blank') {
    log.problem({
      kind: 'blank_page',
      message: `nothing visible was rendered ${seconds(plan.settleMs)} after load: no text, image, canvas, svg, video, form field or frame`,
      url: plan.target.href,
    });
  }
  const title = await within(page.title(), PROBE_MS);
  if (!title.done) {
    log.problem(busy(plan));
    return;
  }
  state.title = clip(title.value, TITLE_CHARS * 2);
}

function busy(plan: CheckPlan): PageCheckProblem {
  return {
    kind: 'timeout',
    message: `the page did not answer within ${seconds(plan.timeoutMs)}: its script kept it busy`,
    url: plan.target.href,
  };
}

/**
 * Looks for something visible until `until` (at least once): `busy` when the page does not answer a
 * probe (a script that never yields), which is not the same as having rendered nothing.
 */
async function waitForRender(page: Page, until: number): Promise<'rendered' | 'blank' | 'busy'> {
  for (;;) {
    const probe = await within(
      page.evaluate(RENDERED_EXPRESSION).catch((err: unknown) => {
        // The page navigated (reloaded itself) under the probe: look again in the new document.
        if (err instanceof Error && /context was destroyed|navigat/i.test(err.message)) return false;
        throw err;
      }),
      Math.max(until - performance.now(), PROBE_MS),
    );
    if (!probe.done) return 'busy';
    if (probe.value === true) return 'rendered';
    if (performance.now() >= until) return 'blank';
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(PROBE_INTERVAL_MS, until - performance.now())),
    );
  }
}
