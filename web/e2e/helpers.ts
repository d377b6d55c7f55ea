import { randomUUID } from 'node:crypto';
import type { APIRequestContext, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** A password the API's policy accepts. */
export const PASSWORD = 'correct horse battery staple';

/** An email no other test (or earlier run against the same database) has used. */
export function uniqueEmail(tag = 'e2e'): string {
  return `${tag}-${randomUUID().slice(0, 12)}@example.com`;
}

/**
 * Calls the API from the test (not through the UI), with the app's Origin so cookie-authenticated
 * unsafe requests pass the CSRF check. A 429 (the per-IP auth limit, shared by every test of the run)
 * is waited out as its Retry-After says, a bounded number of times.
 */
export async function apiCall(
  request: APIRequestContext,
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  data?: unknown,
): Promise<{ status: number; body: unknown }> {
  for (let attempt = 0; ; attempt++) {
    const response = await request.fetch(`${baseUrl}${path}`, {
      method,
      headers: { origin: baseUrl, ...(data === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(data === undefined ? {} : { data: JSON.stringify(data) }),
    });
    if (response.status() === 429 && attempt < 3) {
      const wait = Math.min(60, Number(response.headers()['retry-after'] ?? '5'));
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    const text = await response.text();
    return { status: response.status(), body: text ? (JSON.parse(text) as unknown) : null };
  }
}

/** Creates an account through the API; the context is then signed in (its cookies are set). */
export async function signUpViaApi(
  context: BrowserContext,
  baseUrl: string,
  email = uniqueEmail(),
): Promise<string> {
  const { status, body } = await apiCall(context.request, baseUrl, 'POST', '/api/auth/register', {
    email,
    password: PASSWORD,
  });
  expect(status, JSON.stringify(body)).toBe(201);
  // The UI skips the session check for browsers that never signed in; this one did, through the API.
  // Only in the UI's own pages: a framed preview is another site, whose storage the browser may deny.
  await context.addInitScript((ui) => {
    if (location.origin === ui) localStorage.setItem('samokoder:signed-in', '1');
  }, new URL(baseUrl).origin);
  return email;
}

/**
 * Creates a project through the API and returns its id. Unless told otherwise it runs the engine's
 * scripted pipeline, whose description is its script (the agents' pipeline needs an LLM key).
 */
export async function createProjectViaApi(
  context: BrowserContext,
  baseUrl: string,
  project: {
    name: string;
    description: string;
    mode?: 'autopilot' | 'interactive';
    budgetMicros?: number;
    pipeline?: 'agents' | 'scripted';
  },
): Promise<string> {
  const { status, body } = await apiCall(context.request, baseUrl, 'POST', '/api/projects', {
    pipeline: 'scripted',
    ...project,
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return (body as { id: string }).id;
}

/** The path (and query) the page is on. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
}

/** Opens a project's workspace once it is live and starts its run (a project made through the API is idle). */
export async function openAndStart(page: Page, baseUrl: string, id: string): Promise<void> {
  await page.goto(`${baseUrl}/projects/${id}`);
  await page.locator('[data-connection="live"]').waitFor();
  await page.getByRole('button', { name: 'Start the run' }).click();
}

/** Waits for the run's status badge in the workspace header to say `status`. */
export async function runStatus(page: Page, status: string, timeout = 45_000): Promise<void> {
  await page.locator(`h1 + [data-run-status="${status}"]`).waitFor({ timeout });
}
