import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { FIXED_REMOVE } from '../../infra/demo/todo-app.ts';
import { DEMO_PROJECT, todoSession } from '../../infra/demo/todo-session.ts';
import { aborted, useBrowser, newContext, screenshot, watchProblems, type Problem } from './browser.ts';
import { PASSWORD, uniqueEmail } from './helpers.ts';

const baseUrl = inject('baseUrl');
const fixtureUrl = inject('llmFixtureUrl');

const browser = useBrowser();

/** The session-check 401 before signing up, and requests a navigation cuts short, are not problems. */
const expected = (problem: Problem) =>
  aborted(problem) ||
  (problem.kind === 'http' && problem.status === 401 && (problem.url ?? '').includes('/api/auth/')) ||
  (problem.kind === 'console' && problem.text.includes('status of 401'));

/** Gives the LLM fixture the demo session for `key`: what "OpenAI" answers to this user's agents. */
async function scriptTheProvider(key: string): Promise<void> {
  const res = await fetch(`${fixtureUrl}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies: todoSession() }),
  });
  expect(res.status, await res.text()).toBe(200);
}

describe('the whole journey', () => {
  it('signs up, adds a key, builds the demo app (question, red then green tests, files, preview), downloads it, signs out', async () => {
    expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
    const key = validFixtureKey('openai', `journey${Date.now().toString(36)}`);
    await scriptTheProvider(key);

    const context = await newContext(browser());
    const page = await context.newPage();
    const problems = watchProblems(page, expected);

    // Sign up.
    await page.goto(`${baseUrl}/signup`);
    await page.getByLabel('Email').fill(uniqueEmail('journey'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${baseUrl}/projects`);

    // Add an OpenAI key in Settings and test it against the provider's models endpoint.
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('button', { name: 'Add a key' }).click();
    const keyDialog = page.getByRole('dialog', { name: 'Add an LLM key' });
    await keyDialog.getByLabel('Provider').selectOption('openai');
    await keyDialog.getByLabel('API key').fill(key);
    await keyDialog.getByLabel('Label (optional)').fill('My OpenAI key');
    await keyDialog.getByRole('button', { name: 'Save key' }).click();
    await keyDialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Test My OpenAI key' }).click();
    expect(await page.locator('[data-test-outcome]').innerText()).toMatch(/^The key works/);
    expect(await page.locator('[data-key]').innerText()).not.toContain(key);

    // Create the project from the dashboard; its workspace opens and the run starts.
    await page.getByRole('link', { name: 'Projects', exact: true }).first().click();
    await page.getByRole('button', { name: 'Create your first project' }).click();
    const create = page.getByRole('dialog', { name: 'New project' });
    await create.getByLabel('Name', { exact: true }).fill('Todos');
    await create.getByLabel('What should the app do?').fill(DEMO_PROJECT.description);
    await create.getByLabel('Interactive').check();
    await create.getByLabel('Budget (USD)').fill('5');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);

    // The SpecWriter asks; the run waits for the answer given here.
    const question = page.locator('[data-question]');
    await question.waitFor({ timeout: 30_000 });
    expect(await question.innerText()).toContain('Should todos survive a restart of the server?');
    await screenshot(page, 'journey-question');
    await question.getByRole('button', { name: 'No, in memory is fine' }).click();
    await page.locator('[data-answer]', { hasText: 'No, in memory is fine' }).waitFor();

    // The TechLead's plan waits for approval too.
    const plan = page.locator('[data-question]', { hasText: 'The plan:' });
    await plan.waitFor({ timeout: 30_000 });
    expect(await plan.innerText()).toMatch(
      /1\. Todo store with tests\s+2\. REST API with tests\s+3\. Web page/,
    );
    await screenshot(page, 'journey-plan');
    await plan.getByRole('button', { name: 'Approve' }).click();

    await page.locator('h1 + [data-run-status="completed"]').waitFor({ timeout: 180_000 });
    // The plan, by epic, with every task done.
    expect(await page.locator('[data-plan-progress]').innerText()).toBe('3 of 3 tasks');
    const epic = (name: string) => page.getByRole('region', { name, exact: true });
    expect(await epic('Todos API').locator('[data-task-status="completed"]').count()).toBe(2);
    expect(await epic('Web page').locator('[data-task-status="completed"]').count()).toBe(1);

    // The terminal: the first `npm test` fails on the planted bug, the runs after the fix pass.
    await page.getByRole('tab', { name: /Terminal/ }).click();
    await page.locator('[data-terminal-ready="true"] .xterm-rows').waitFor();
    await screenshot(page, 'journey-terminal');
    await page.getByRole('button', { name: 'Show as text' }).click();
    // The text view fills in once it is mounted: read it when its fourth verdict is there (or the
    // wait ends), and show what it held if the verdicts are not the expected ones.
    const textView = page.locator('[data-terminal-text]');
    const verdictsOf = (text: string) =>
      [...text.matchAll(/^\$ npm test$[\s\S]*?^(exit \d+)/gm)].map((m) => m[1]);
    await expect
      .poll(async () => verdictsOf(await textView.innerText()).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(4)
      .catch(() => {});
    const terminal = await textView.innerText();
    const shown = await textView.isVisible();
    expect(verdictsOf(terminal), `the text view (visible: ${shown}):\n${terminal.slice(-3000)}`).toEqual([
      'exit 1',
      'exit 0',
      'exit 0',
      'exit 0',
    ]);
    expect(terminal).toContain('removes a todo');

    // The files: the fixed store, as the BugHunter left it.
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.locator('[data-file="src/todos.js"]').click();
    const editor = page.locator('[data-editor-ready="true"] .cm-content');
    await expect.poll(() => editor.innerText(), { timeout: 15_000 }).toContain(FIXED_REMOVE.trim());
    await screenshot(page, 'journey-files');

    // The preview: the generated app's own page, served from its sandbox through the runner's proxy.
    await page.getByRole('tab', { name: 'Preview' }).click();
    const app = page.frameLocator('iframe[title="Preview of the app"]');
    await app.getByRole('heading', { name: 'Todos' }).waitFor({ timeout: 15_000 });
    await app.getByPlaceholder('What needs doing?').fill('water the plants');
    await app.getByRole('button', { name: 'Add' }).click();
    await app.getByRole('listitem').filter({ hasText: 'water the plants' }).waitFor();
    await screenshot(page, 'journey-preview');
    // Reloading asks for a fresh link to the same running app: the todo is still there.
    await page.getByRole('button', { name: 'Reload the preview' }).click();
    await app.getByRole('listitem').filter({ hasText: 'water the plants' }).waitFor();

    // Download the project.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download zip' }).click(),
    ]);
    const zip = readFileSync(await download.path()).toString('latin1');
    expect(zip.slice(0, 2)).toBe('PK');
    for (const path of ['README.md', 'src/todos.js', 'public/index.html', 'test/api.test.js']) {
      expect(zip, path).toContain(path);
    }

    // The dashboard lists it as done, with what it cost against its budget.
    await page.getByRole('link', { name: 'Projects', exact: true }).first().click();
    const row = page.locator('[data-project]').first();
    await row.waitFor();
    expect(await row.locator('[data-run-status]').innerText()).toContain('Completed');
    expect(await row.locator('[data-cost]').innerText()).toMatch(/^\$0\.09\s*\/\s*\$5\.00$/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${baseUrl}/signin`);

    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
