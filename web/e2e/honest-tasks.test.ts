/**
 * A task that is not done, as a person sees it: its test keeps failing, the person answers "Skip" to the
 * BugHunter's question, and the workspace says the task failed (plan, header, conversation) instead of
 * calling it done; once the run has finished, "Try again" plans the task anew and it ends done. The
 * agents' real pipeline runs against the LLM fixture (as "OpenAI") and the sandbox-runner.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import type { ScriptedReply } from '../../infra/llm-fixture/script.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { aborted, newContext, screenshot, useBrowser, watchProblems } from './browser.ts';
import { apiCall, createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');
const fixtureUrl = inject('llmFixtureUrl');

const browser = useBrowser();

const APP_JS = `import http from 'node:http';

/** The API: GET /health answers 200; anything else 404. */
export function createServer() {
  return http.createServer((req, res) => {
    const status = req.url === '/health' ? 200 : 404;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { ok: true } : { error: 'not found' }));
  });
}
`;
const SERVER_JS = `import { createServer } from './app.js';

createServer().listen(Number(process.env.PORT ?? 3000), '0.0.0.0');
`;
/** A test that expects the wrong status: it fails whatever the BugHunter's logging changes. */
const WRONG = 'assert.equal(res.status, 201);';
const RIGHT = 'assert.equal(res.status, 200);';
const TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from '../src/app.js';

test('answers /health', async () => {
  const server = createServer().listen(0);
  const res = await fetch(\`http://127.0.0.1:\${server.address().port}/health\`);
  server.close();
  ${WRONG}
});
`;

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const newFile = (path: string) => ({ contains: `The file ${path} does not exist yet` });
const logging = (i: number): ScriptedReply => ({
  match: agent('BugHunter'),
  json: {
    hypotheses: ['unclear'],
    explanation: `more logging ${i}`,
    kind: 'logging',
    changes: [{ path: `notes/${i}.txt`, content: `${i}\n` }],
  },
});

/** What "OpenAI" answers: a health API whose test is wrong, then the same task planned again. */
function session(): ScriptedReply[] {
  return [
    {
      match: agent('SpecWriter'),
      json: {
        name: 'health',
        summary: 'A JSON API with a health check.',
        features: ['GET /health answers 200'],
        complexity: 'simple',
        questions: [],
      },
    },
    {
      match: agent('Architect'),
      json: { stack: 'node-api', packages: [], systemDependencies: [], notes: 'No dependencies.' },
    },
    {
      match: agent('TechLead'),
      json: {
        tasks: [
          { title: 'Health API', description: 'The server and its test.', acceptance: ['npm test passes'] },
        ],
      },
    },
    {
      match: agent('Developer'),
      json: {
        relevantFiles: ['package.json'],
        steps: [
          { type: 'code', path: 'src/app.js', instructions: 'createServer(): GET /health answers 200.' },
          { type: 'code', path: 'src/server.js', instructions: 'Listen on PORT or 3000 at 0.0.0.0.' },
          { type: 'code', path: 'test/app.test.js', instructions: 'Test GET /health.' },
        ],
        testInstructions: 'Run `npm test`.',
      },
    },
    { match: newFile('src/app.js'), json: { summary: 'the API', content: APP_JS } },
    { match: newFile('src/server.js'), json: { summary: 'starts the API', content: SERVER_JS } },
    { match: newFile('test/app.test.js'), json: { summary: 'tests of the API', content: TEST_JS } },
    logging(1),
    logging(2),
    // Tried again: the test is corrected.
    {
      match: agent('Developer'),
      json: {
        relevantFiles: ['test/app.test.js'],
        steps: [{ type: 'code', path: 'test/app.test.js', instructions: 'GET /health answers 200.' }],
        testInstructions: 'Run `npm test`.',
      },
    },
    {
      match: { contains: 'The current content of test/app.test.js' },
      json: { summary: 'tests of the API', edits: [{ search: WRONG, replace: RIGHT }] },
    },
    { match: agent('code reviewer'), json: { approved: true, issues: [] }, times: 4 },
    { match: { contains: 'Write README.md.' }, text: '# Health\n\n`npm start`, then GET /health.\n' },
    // Tried again: the README exists, so the writer edits it (it is still accurate).
    { match: agent('TechnicalWriter'), json: { edits: [] } },
  ];
}

const conversation = (page: Page) =>
  page
    .locator('[data-conversation] li')
    .evaluateAll((items) => items.map((li) => (li as HTMLElement).innerText.trim()));

/**
 * Waits until the projects listing's "not done" note of project `id` reads `expected` (null: no note).
 * The listing is written from the run in the background: the page is loaded again until it does.
 */
async function expectListedNotDone(listing: Page, id: string, expected: string | null): Promise<void> {
  const read = async (): Promise<string | null> => {
    await listing.goto(`${baseUrl}/projects`);
    const row = listing.locator(`[data-project="${id}"]`);
    await row.waitFor();
    const note = row.locator('[data-tasks-not-done]');
    return (await note.count()) > 0 ? note.innerText() : null;
  };
  await expect.poll(read, { timeout: 30_000 }).toBe(expected);
}

describe('a task that is not done', () => {
  it('is shown as failed everywhere after "Skip", never as done, and can be tried again', async () => {
    expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
    const key = validFixtureKey('openai', `honest${Date.now().toString(36)}`);
    const scripted = await fetch(`${fixtureUrl}/__fixture/script`, {
      method: 'POST',
      body: JSON.stringify({ key, replies: session() }),
    });
    expect(scripted.status, await scripted.text()).toBe(200);

    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const saved = await apiCall(context.request, baseUrl, 'POST', '/api/keys', { provider: 'openai', key });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Health',
      description: 'A JSON API with a health check, with tests.',
      mode: 'interactive',
      pipeline: 'agents',
    });
    const page = await context.newPage();
    const listing = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);

    const plan = page.locator('[data-question]', { hasText: 'The plan:' });
    await plan.waitFor({ timeout: 60_000 });
    await plan.getByRole('button', { name: 'Approve' }).click();

    // The test keeps failing; after two fixes the run asks, and the person moves on.
    const hint = page.locator('[data-question]', { hasText: 'still fails after 2 fixes' });
    await hint.waitFor({ timeout: 120_000 });
    await hint.getByRole('button', { name: 'Skip' }).click();
    await runStatus(page, 'completed', 120_000);

    // The conversation says the task is not done, and never that it is.
    const said = await conversation(page);
    expect(said.some((t) => t.includes('"Health API" is done'))).toBe(false);
    expect(said.some((t) => t.includes('the task "Health API" is not done'))).toBe(true);
    expect(said.some((t) => t.includes('Not everything works yet'))).toBe(true);
    // The header and the plan show it as failed, with the reason; it does not count as progress.
    expect(await page.locator('[data-tasks-not-done]').innerText()).toBe('1 task not done');
    await page.getByRole('tab', { name: 'Plan' }).click();
    const task = page.locator('li[data-task-status]', { hasText: 'Health API' });
    expect(await task.getAttribute('data-task-status')).toBe('failed');
    expect(await task.locator('[data-task-reason]').innerText()).toBe('Not done: npm test still fails');
    expect(await task.locator('[data-task-reason] code').innerText()).toBe('npm test');
    expect(await task.innerText()).toContain('Failed: not done');
    expect(await page.locator('[data-plan-progress]').innerText()).toBe('0 of 1 tasks');
    expect(await page.locator('[data-plan-not-done]').innerText()).toContain('1 not done');
    await screenshot(page, 'task-failed');
    // The projects listing does not call the completed run done either.
    await expectListedNotDone(listing, id, '1 task not done');

    // Tried again: planned anew, the corrected test passes, and the task is done.
    await task.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => task.getAttribute('data-task-status'), { timeout: 120_000 }).toBe('completed');
    await runStatus(page, 'completed', 120_000);
    expect(await page.locator('[data-tasks-not-done]').count()).toBe(0);
    expect(await page.locator('[data-plan-progress]').innerText()).toBe('1 of 1 tasks');
    expect(await task.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await expectListedNotDone(listing, id, null);

    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
