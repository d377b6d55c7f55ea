/**
 * The preview as a person uses it: the agents build the URL shortener (root-relative assets, a form POST
 * answered with a 302, redirecting short links, a cookie), and it works inside the workspace's preview
 * pane, in a browser that blocks third-party cookies (Chromium's default here), at an origin of its own.
 * The pane follows the project: a user's edit and a rollback show within seconds. Published from the
 * Publish tab, the app answers anyone at a public origin of its own. Deleting the project ends its
 * preview and its published app.
 */
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import {
  BACKGROUND,
  HEADING,
  INDEX_HTML,
  SHORTENER_PROJECT,
  shortenerSession,
} from '../../infra/samples/shortener.ts';
import { aborted, newContext, screenshot, useBrowser, watchProblems } from './browser.ts';
import { apiCall, createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');
const fixtureUrl = inject('llmFixtureUrl');
const browser = useBrowser();

/** How long the pane may take to show a change (the app restarts, the pane reloads). */
const FOLLOW_MS = 15_000;

/** A signed-in user with an OpenAI key whose "provider" (the fixture) writes the shortener. */
async function userWithShortener(context: BrowserContext): Promise<string> {
  expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
  const key = validFixtureKey('openai', `preview${Date.now().toString(36)}`);
  const scripted = await fetch(`${fixtureUrl}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies: shortenerSession() }),
  });
  expect(scripted.status, await scripted.text()).toBe(200);
  await signUpViaApi(context, baseUrl);
  const saved = await apiCall(context.request, baseUrl, 'POST', '/api/keys', {
    provider: 'openai',
    key,
    label: 'fixture',
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  return createProjectViaApi(context, baseUrl, {
    ...SHORTENER_PROJECT,
    pipeline: 'agents',
    mode: 'autopilot',
    budgetMicros: 5_000_000,
  });
}

const frame = (page: Page): FrameLocator => page.frameLocator('iframe[title="Preview of the app"]');

/** The origin the pane's frame shows. */
async function frameOrigin(page: Page): Promise<string> {
  const src = await page.locator('iframe[title="Preview of the app"]').getAttribute('src');
  return new URL(src ?? '').origin;
}

describe('the preview pane', () => {
  it('runs the shortener at its own origin: assets, form POST and 302, cookies, redirects; follows an edit and a rollback', async () => {
    const context = await newContext(browser());
    const id = await userWithShortener(context);
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed', 120_000);

    await page.getByRole('tab', { name: 'Preview' }).click();
    const app = frame(page);
    await app.getByRole('heading', { name: HEADING }).waitFor({ timeout: FOLLOW_MS });
    const origin = await frameOrigin(page);
    expect(origin).toMatch(/^http:\/\/[a-z2-7]{26}-3000\.localhost:\d+$/);
    expect(origin).not.toBe(new URL(baseUrl).origin);
    // `/style.css` and `/app.js` are root-relative: the stylesheet applies, the script lists the links.
    expect(await app.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(BACKGROUND);
    await app.getByText('No links yet').waitFor();
    // The platform's own cookies never reach the preview's origin.
    const sent = (await context.cookies(origin)).map((c) => c.name);
    expect(sent).not.toContain('sk_access');
    expect(sent).not.toContain('sk_refresh');
    await expect.poll(() => page.locator('[data-app-check]').getAttribute('data-app-check')).toBe('passed');

    // A plain form POST, answered with a 302 back to the page, which lists the new short link, built
    // from the host the browser used; the cookie the app set comes back to it.
    await app.getByLabel('Long URL').fill(`${origin}/about.html`);
    await app.getByRole('button', { name: 'Shorten' }).click();
    const short = app.locator('a.short').first();
    await short.waitFor({ timeout: FOLLOW_MS });
    expect(await short.innerText()).toBe(`${origin}/s/0001`);
    await app.getByText('Your last link: 0001').waitFor();
    await screenshot(page, 'preview-shortener');

    // The short link redirects (302) inside the pane.
    await short.click();
    await app.getByRole('heading', { name: 'About this shortener' }).waitFor({ timeout: FOLLOW_MS });

    // The app's own output: its requests, live.
    await page.getByRole('button', { name: 'App output' }).click();
    await page.locator('[data-app-output]', { hasText: 'POST /shorten' }).waitFor({ timeout: FOLLOW_MS });
    expect(await page.locator('[data-app-output]').innerText()).toContain('Shortener listening on port 3000');

    // A user's edit: the app restarts and the pane shows the new page.
    const edited = INDEX_HTML.replace(HEADING, 'Shorten your links');
    const saved = await apiCall(context.request, baseUrl, 'PUT', `/api/projects/${id}/files/content`, {
      path: 'public/index.html',
      content: edited,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await app.getByRole('heading', { name: 'Shorten your links' }).waitFor({ timeout: FOLLOW_MS });
    await expect.poll(() => page.locator('[data-app-state]').getAttribute('data-app-state')).toBe('running');

    // A rollback to the last step of the run (before the edit): the pane shows the page as it was.
    await page
      .getByRole('button', { name: /Roll back here/ })
      .last()
      .click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Roll back' }).click();
    await app.getByRole('heading', { name: HEADING }).waitFor({ timeout: FOLLOW_MS });
    await screenshot(page, 'preview-after-rollback');

    expect(problems).toEqual([]);

    // Published from the Publish tab, the app answers anyone at a public origin of its own, no link needed.
    await page.getByRole('tab', { name: 'Publish' }).click();
    await page.locator('[data-publish]').click();
    await page.locator('[data-publish-url]').waitFor({ timeout: 60_000 });
    const published = (await page.locator('[data-publish-url]').innerText()).trim();
    expect(published).toMatch(/^http:\/\/[a-z2-7]{26}-app\.localhost:\d+$/);
    // The address is shown as soon as it is known; the badge says "Starting" until the app answers.
    await page.locator('[data-publish-status="running"]').waitFor({ timeout: FOLLOW_MS });
    await page
      .locator('[data-publish-log]', { hasText: 'version 1 is live' })
      .waitFor({ timeout: FOLLOW_MS });
    await screenshot(page, 'publish-panel');
    const visitor = await newContext(browser());
    const visit = await visitor.newPage();
    await visit.goto(`${published}/`);
    await visit.getByRole('heading', { name: HEADING }).waitFor({ timeout: FOLLOW_MS });
    await visitor.close();
    expect(problems).toEqual([]);

    // Deleting the project revokes its preview: a link taken just before no longer opens the app.
    const link = await apiCall(context.request, baseUrl, 'POST', `/api/projects/${id}/preview`);
    expect(link.status).toBe(200);
    const deleted = await apiCall(context.request, baseUrl, 'DELETE', `/api/projects/${id}`);
    expect(deleted.status).toBe(204);
    const stale = await context.newPage();
    await stale.goto((link.body as { url: string }).url);
    expect(await stale.locator('h1').innerText()).toBe('This preview has ended');
    // ... and unpublishes its app.
    await stale.goto(`${published}/`);
    expect(await stale.locator('h1').innerText()).toBe('No app is published here');
    await context.close();
  }, 240_000);
});
