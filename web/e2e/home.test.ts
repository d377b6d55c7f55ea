import type { Page, Route } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { useBrowser, newContext, screenshot, watchProblems, type Problem } from './browser.ts';

const baseUrl = inject('baseUrl');

interface Check {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}
interface Health {
  status: 'ok' | 'degraded';
  checks: Record<'postgres' | 'redis' | 'sandboxRunner', Check>;
}

const LABELS = { postgres: 'Postgres', redis: 'Redis', sandboxRunner: 'Sandbox runner' } as const;
const DEPENDENCIES = Object.keys(LABELS) as (keyof typeof LABELS)[];

const isHealthUrl = (url: string | undefined) => !!url && new URL(url).pathname === '/api/health';

/** A degraded platform answers /api/health with 503 by design; Chromium logs that as a console error. */
const degradedHealth = (problem: Problem) =>
  isHealthUrl(problem.url) &&
  (problem.status === 503 || (problem.kind === 'console' && problem.text.includes('status of 503')));

async function dependencyRow(page: Page, key: string) {
  const row = page.locator(`[data-dependency="${key}"]`);
  await row.waitFor();
  return {
    status: await row.getAttribute('data-status'),
    text: await row.innerText(),
    latency: await row.locator('[data-latency]').innerText(),
  };
}

const htmlTheme = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme);
const bodyBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

const browser = useBrowser();

describe('home page', () => {
  it('shows the live platform status from the API without console errors or failed requests', async () => {
    const context = await newContext(browser(), { colorScheme: 'light' });
    const page = await context.newPage();
    const problems = watchProblems(page, degradedHealth);
    const healthResponse = page.waitForResponse((response) => isHealthUrl(response.url()));

    await page.goto(baseUrl);
    const response = await healthResponse;
    const health = (await response.json()) as Health;
    expect([200, 503]).toContain(response.status());

    await expect.poll(() => page.locator('header').innerText()).toContain('Samokoder');
    expect(await page.locator('h1').innerText()).toMatch(/working/i);
    for (const key of DEPENDENCIES) {
      const row = await dependencyRow(page, key);
      const check = health.checks[key];
      expect(row.text).toContain(LABELS[key]);
      expect(row.status).toBe(check.status);
      expect(row.text).toContain(check.status === 'up' ? 'Up' : 'Down');
      expect(row.latency).toBe(`${check.latencyMs} ms`);
      if (check.error) expect(row.text).toContain(check.error);
    }
    const overall = health.status === 'ok' ? 'Operational' : 'Degraded';
    expect(await page.getByRole('region', { name: 'Platform status' }).innerText()).toContain(overall);

    await screenshot(page, 'home-light');

    // Tablet portrait: the layout reflows without horizontal scrolling.
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await screenshot(page, 'home-tablet');

    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a loading state, then an error with a way to retry, then the dependencies', async () => {
    const context = await newContext(browser());
    const page = await context.newPage();
    // Hold each request until the test answers it.
    const pending: Route[] = [];
    await page.route('**/api/health', (route) => {
      pending.push(route);
    });

    await page.goto(baseUrl);
    const panel = page.getByRole('region', { name: 'Platform status' });
    await page.locator('[data-state="loading"]').waitFor();
    expect(await panel.getAttribute('aria-busy')).toBe('true');

    await expect.poll(() => pending.length).toBe(1);
    await pending.shift()!.fulfill({
      status: 500,
      json: { error: { code: 'internal', message: 'Something went wrong on our side. Try again.' } },
    });
    const alert = panel.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Could not check the platform status');
    expect(await alert.innerText()).toContain('Something went wrong on our side. Try again.');
    expect(await panel.getAttribute('aria-busy')).toBe('false');

    const degraded: Health = {
      status: 'degraded',
      checks: {
        postgres: { status: 'up', latencyMs: 4 },
        redis: { status: 'down', latencyMs: 2500, error: 'no answer within 2500 ms' },
        sandboxRunner: { status: 'up', latencyMs: 12 },
      },
    };
    await panel.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => pending.length).toBe(1);
    await pending.shift()!.fulfill({ status: 503, json: degraded });

    const redis = await dependencyRow(page, 'redis');
    expect(redis.status).toBe('down');
    expect(redis.text).toContain('Down');
    expect(redis.text).toContain('no answer within 2500 ms');
    expect(redis.latency).toBe('2500 ms');
    const postgres = await dependencyRow(page, 'postgres');
    expect(postgres.status).toBe('up');
    expect(postgres.latency).toBe('4 ms');
    expect(await panel.innerText()).toContain('Degraded');
    expect(await panel.getByRole('alert').count()).toBe(0);
    await context.close();
  });

  it('says so when something other than the API answers', async () => {
    const context = await newContext(browser());
    const page = await context.newPage();
    await page.route('**/api/health', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>not the API</p>' }),
    );
    await page.goto(baseUrl);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('something other than a health report');
    await context.close();
  });
});

describe('theme', () => {
  it('follows the OS, and the toggle switches and remembers the theme', async () => {
    const context = await newContext(browser(), { colorScheme: 'dark' });
    const page = await context.newPage();
    const problems = watchProblems(page, degradedHealth);
    await page.goto(baseUrl);
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await toggle.waitFor();

    expect(await htmlTheme(page)).toBe('dark');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await page.locator('[data-dependency]').first().waitFor();
    const darkBackground = await bodyBackground(page);
    await screenshot(page, 'home-dark');

    // By keyboard: skip link, home link, sign in, sign up, then the toggle, with a visible focus ring.
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await toggle.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    await page.keyboard.press('Space');
    await expect.poll(() => htmlTheme(page)).toBe('light');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await bodyBackground(page)).not.toBe(darkBackground);
    expect(await page.evaluate(() => localStorage.getItem('samokoder:theme'))).toBe('light');

    await page.reload();
    await toggle.waitFor();
    expect(await htmlTheme(page)).toBe('light');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');

    // Picking the OS's theme again forgets the override: the page follows the OS from then on.
    await toggle.click();
    await expect.poll(() => htmlTheme(page)).toBe('dark');
    expect(await page.evaluate(() => localStorage.getItem('samokoder:theme'))).toBeNull();
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => htmlTheme(page)).toBe('light');

    expect(problems).toEqual([]);
    await context.close();
  });

  it("applies the saved theme before the app's code runs (no flash of the other theme)", async () => {
    const context = await newContext(browser(), { colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(baseUrl);
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    await toggle.click();
    await expect.poll(() => htmlTheme(page)).toBe('dark');
    const darkBackground = await bodyBackground(page);

    // Without any of the app's JavaScript, only the inline script in index.html can set the theme.
    await page.route('**/_app/**/*.js', (route) => route.abort());
    await page.reload({ waitUntil: 'load' });
    expect(await page.locator('[data-dependency]').count()).toBe(0);
    expect(await htmlTheme(page)).toBe('dark');
    expect(await bodyBackground(page)).toBe(darkBackground);
    await context.close();
  });
});

describe('security headers of the UI', () => {
  it('forbid framing and sniffing on every page, and the page allows only its own hashed scripts', async () => {
    for (const path of ['/', '/projects', '/projects/1f21312b-c16f-4d41-b55d-3509f94a5ac6', '/settings']) {
      const res = await fetch(`${baseUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('strict-transport-security'), path).toContain('max-age=31536000');
      const html = await res.text();
      const meta = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
      const scripts = /script-src ([^;]+)/.exec(meta)?.[1] ?? '';
      expect(scripts, path).toMatch(/^'self'( 'sha256-[A-Za-z0-9+/=]+')+$/);
      expect(meta, path).toContain("connect-src 'self'");
    }
  });
});
