import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { aborted, useBrowser, newContext, screenshot, watchProblems } from './browser.ts';
import { createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

/** A scripted run (the test pipeline) that makes one LLM call costing `costMicros` and writes a file. */
const script = (costMicros: number) =>
  JSON.stringify({
    steps: [
      {
        title: 'Write it',
        agent: 'CodeMonkey',
        task: 'Build',
        endsTask: true,
        actions: [
          { llm: 'write it', costMicros },
          { write: 'index.js', content: 'console.log("hi");\n' },
        ],
      },
    ],
  });

describe('dashboard', () => {
  it('creates a project from the dialog (errors inline, focus kept); without an LLM key its run asks for one; the list shows it', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await page.goto(`${baseUrl}/projects`);

    const trigger = page.getByRole('button', { name: 'Create your first project' });
    await trigger.click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('Greeter');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    // The empty description is refused inline and gets the focus.
    await dialog.locator('#project-description-error').waitFor();
    expect(await focusedId(page)).toBe('project-description');
    expect(await dialog.getByLabel('What should the app do?').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'dashboard-create-dialog', { fullPage: false });

    // Escape closes it and the focus goes back to where it was.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await trigger.evaluate((el) => el === document.activeElement)).toBe(true);

    await trigger.click();
    await dialog.getByLabel('Name', { exact: true }).fill('Greeter');
    await dialog.getByLabel('What should the app do?').fill('A page that greets people by name.');
    await dialog.getByLabel('Budget (USD)').fill('2.50');
    await dialog.getByRole('button', { name: 'Create project' }).click();

    // The new project's workspace opens and its run starts by itself; with no key anywhere, the
    // agents' first call parks the run on a question that says what to do.
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const question = page.locator('[data-question]');
    await question.waitFor({ timeout: 30_000 });
    expect(await question.innerText()).toContain('No API key for OpenAI: add one in Settings → LLM keys.');
    await page.locator('h1 + [data-run-status="waiting"]').waitFor();

    await page.getByRole('link', { name: 'Projects', exact: true }).first().click();
    await page.waitForURL(`${baseUrl}/projects`);
    const row = page.locator('[data-project]').first();
    await row.waitFor();
    expect(await row.locator('h2').innerText()).toBe('Greeter');
    // The list reads the status Postgres has, which the project's object writes a moment later; while a
    // project is active the list refreshes itself, so it comes to say the run waits.
    await row.locator('[data-run-status]', { hasText: 'Waiting for you' }).waitFor({ timeout: 30_000 });
    expect(await row.locator('[data-cost]').innerText()).toMatch(/\/\s*\$2\.50/);
    expect(await row.locator('time').innerText()).toBe('just now');
    await screenshot(page, 'dashboard');

    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('usage', () => {
  it('charts the cost per day by provider and model, with the same numbers in a table', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Spent',
      description: script(250_000),
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed');

    await page.getByRole('link', { name: 'Usage' }).click();
    await page.waitForURL(`${baseUrl}/usage`);
    // The ledger is written a moment after the run (an outbox): look again until the call is there.
    const cost = page.locator('[data-total="Cost"]');
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.locator('[data-total="Calls"]').filter({ hasNotText: '–' }).waitFor();
          return cost.innerText();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('$0.25');
    expect(await page.locator('[data-total="Calls"]').innerText()).toBe('1');
    const today = new Date().toISOString().slice(0, 10);
    const bar = page.locator(`[data-day="${today}"]`);
    expect(await bar.getAttribute('aria-label')).toMatch(/\$0\.25$/);
    const segment = bar.locator('rect:not(.hit)');
    expect(await segment.count()).toBe(1);
    // Its colour is the series' token (an unresolved var() would paint it black).
    expect(await segment.evaluate((el) => getComputedStyle(el).fill)).not.toBe('rgb(0, 0, 0)');
    expect(await page.locator('[data-usage-row]').count()).toBe(1);
    expect(await page.locator('[data-usage-row]').innerText()).toContain('$0.25');

    // The breakdown of a day shows on keyboard focus too.
    await bar.focus();
    await page
      .getByText(/· \$0\.25$/)
      .first()
      .waitFor();
    await screenshot(page, 'usage');

    await page.getByLabel('Show').selectOption('tokens');
    expect(await bar.getAttribute('aria-label')).not.toMatch(/\$/);
    await page.getByLabel('Range').selectOption('7');
    await expect.poll(() => page.locator('[data-day]').count(), { timeout: 15_000 }).toBe(7);

    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('settings', () => {
  it('adds a key (shown masked), refuses an incomplete one inline, and deletes one after confirming', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await page.goto(`${baseUrl}/settings`);
    await page.getByText('No keys yet').waitFor();

    await page.getByRole('button', { name: 'Add a key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an LLM key' });
    await dialog.getByLabel('Provider').selectOption('openai-compatible');
    await dialog.getByRole('button', { name: 'Save key' }).click();
    await dialog.getByText('Enter the server URL.').waitFor();
    expect(await focusedId(page)).toBe('key-baseUrl');
    await dialog.getByLabel('Provider').selectOption('groq');
    await dialog.getByLabel('API key').fill('gsk_e2e_key_0123456789wxyz');
    await dialog.getByLabel('Label (optional)').fill('Groq for tests');
    await dialog.getByRole('button', { name: 'Save key' }).click();
    await dialog.waitFor({ state: 'detached' });

    const key = page.locator('[data-key]');
    await key.waitFor();
    const text = await key.innerText();
    expect(text).toContain('Groq for tests');
    expect(text).toContain('••••wxyz');
    expect(text).not.toContain('gsk_e2e_key');
    await screenshot(page, 'settings');

    await page.getByRole('button', { name: 'Delete Groq for tests' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete this key?' });
    await confirm.waitFor();
    // Cancelling keeps the key.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await key.count()).toBe(1);
    await page.getByRole('button', { name: 'Delete Groq for tests' }).click();
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    await page.getByText('No keys yet').waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('settings: models and budget', () => {
  it('saves a model per agent and the budget of new projects, with a wrong model refused inline', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    const problems = watchProblems(
      page,
      (p) =>
        aborted(p) ||
        (p.kind === 'http' && p.status === 422) ||
        (p.kind === 'console' && p.text.includes('status of 422')),
    );
    await page.goto(`${baseUrl}/settings`);

    const writer = page.getByLabel('TechnicalWriter');
    // An empty field shows what applies: the platform's default.
    expect(await writer.getAttribute('placeholder')).toBe('openai:gpt-4.1-mini');
    await page.getByLabel('All agents').fill('anthropic:claude-sonnet-4-20250514');
    expect(await writer.getAttribute('placeholder')).toBe('anthropic:claude-sonnet-4-20250514');
    await writer.fill('gpt-4.1-mini');
    await page.getByLabel('Budget of new projects (USD)').fill('2.5');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#model-TechnicalWriter-error').waitFor();
    expect(await page.locator('#model-TechnicalWriter-error').innerText()).toMatch(/provider:model/);
    expect(await writer.evaluate((el) => el === document.activeElement)).toBe(true);

    await writer.fill('groq:llama-3.1-8b-instant');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    await screenshot(page, 'settings-models');

    await page.reload();
    await expect
      .poll(() => page.getByLabel('All agents').inputValue(), { timeout: 15_000 })
      .toBe('anthropic:claude-sonnet-4-20250514');
    expect(await page.getByLabel('TechnicalWriter').inputValue()).toBe('groq:llama-3.1-8b-instant');
    expect(await page.getByLabel('Budget of new projects (USD)').inputValue()).toBe('2.5');

    // The dashboard's dialog starts from that budget.
    await page.goto(`${baseUrl}/projects`);
    await page.getByRole('button', { name: 'Create your first project' }).click();
    await expect.poll(() => page.getByLabel('Budget (USD)').inputValue(), { timeout: 15_000 }).toBe('2.5');

    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('layout', () => {
  it('fits a tablet and the dark theme', async () => {
    const context = await newContext(browser(), {
      viewport: { width: 768, height: 1024 },
      colorScheme: 'dark',
    });
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Tablet',
      description: script(1000),
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed');

    // Narrower than a laptop: the steps move into a tab beside the plan, files, terminal and preview.
    await page.getByRole('tab', { name: 'Steps' }).click();
    await page.locator('li[data-step][data-status="completed"]').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await screenshot(page, 'workspace-tablet-dark');

    await page.goto(`${baseUrl}/projects`);
    await page.locator('[data-project]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await screenshot(page, 'dashboard-tablet-dark');

    expect(problems).toEqual([]);
    await context.close();
  });
});
