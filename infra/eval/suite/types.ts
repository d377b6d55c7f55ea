/**
 * An app of the eval's suite: the description a user would type (stating the contract its checks rely
 * on: routes, labels, the `PORT` it listens on) and its checks, written as code the agents never see.
 */
import type { Page } from 'playwright-core';

/** An answer of the app to one HTTP request. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON; a check fails with a clear message when it is not JSON. */
  json: () => unknown;
}

/** The running app, as a check sees it. */
export interface AppUnderTest {
  /** Its origin, e.g. `http://172.20.0.2:3000`. */
  url: string;
  /** A request to the app (redirects are not followed: a check sees them). */
  http: (
    path: string,
    init?: { method?: string; json?: unknown; form?: Record<string, string> },
  ) => Promise<HttpAnswer>;
  /** A fresh browser page (its own context), closed after the check. */
  page: () => Promise<Page>;
  /** Restarts the app's process (same files and data directory) and waits until it answers again. */
  restart: () => Promise<void>;
}

/** One check; it throws a {@link CheckError} (or any error) with a message that says what was wrong. */
export interface AppCheck {
  name: string;
  kind: 'http' | 'browser';
  run: (app: AppUnderTest) => Promise<void>;
}

export interface EvalApp {
  /** Short, unique, kebab-case: picked with `--apps`. */
  id: string;
  /** The project's name. */
  name: string;
  /** What kind of app users would call it (CRUD web app, game, dashboard, API with persistence...). */
  kind: string;
  description: string;
  checks: AppCheck[];
}
