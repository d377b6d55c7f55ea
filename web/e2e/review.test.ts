/**
 * Review before apply, as a person uses it: a project created with the setting on shows each file the
 * CodeMonkey would write as a diff before anything is written; one change is accepted, one edited by hand,
 * another sent back with a comment, and the agent writes it again doing what the comment asks. The agents' real pipeline
 * runs against the LLM fixture (as "OpenAI") and the sandbox-runner.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import type { ScriptedReply } from '../../infra/llm-fixture/script.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { aborted, newContext, screenshot, useBrowser, watchProblems } from './browser.ts';
import { apiCall, runStatus, signUpViaApi } from './helpers.ts';

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
const TEST_JS = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from '../src/app.js';

test('answers /health', async () => {
  const server = createServer().listen(0);
  const res = await fetch(\`http://127.0.0.1:\${server.address().port}/health\`);
  assert.equal(res.status, 200);
  server.close();
});
`;
const COMMENT = 'Also check that an unknown path answers 404.';
const EDIT = '// Reviewed by hand.\n';
const REVISED_TEST_JS = `${TEST_JS}
test('answers 404 to an unknown path', async () => {
  const server = createServer().listen(0);
  const res = await fetch(\`http://127.0.0.1:\${server.address().port}/nope\`);
  assert.equal(res.status, 404);
  server.close();
});
`;

const agent = (name: string) => ({ contains: `You are Samokoder's ${name}` });
const newFile = (path: string) => ({ contains: `The file ${path} does not exist yet` });

/** What "OpenAI" answers the agents: a health API of three files. */
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
    // Only the re-write after the rejection carries the person's comment.
    { match: { contains: COMMENT }, json: { summary: 'tests of the API', content: REVISED_TEST_JS } },
    { match: agent('code reviewer'), json: { approved: true, issues: [] }, times: 3 },
    { match: agent('TechnicalWriter'), text: '# Health\n\n`npm start`, then GET /health.\n' },
  ];
}

/** The open review card of `path`. */
const reviewOf = (page: Page, path: string) => page.locator(`[data-review][data-review-path="${path}"]`);

describe('review before apply', () => {
  it('shows each change as a diff before it is written: one accepted, one edited, one sent back with a comment the agent acts on', async () => {
    expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
    const key = validFixtureKey('openai', `review${Date.now().toString(36)}`);
    const scripted = await fetch(`${fixtureUrl}/__fixture/script`, {
      method: 'POST',
      body: JSON.stringify({ key, replies: session() }),
    });
    expect(scripted.status, await scripted.text()).toBe(200);

    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const saved = await apiCall(context.request, baseUrl, 'POST', '/api/keys', { provider: 'openai', key });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);

    // The setting is chosen when the project is created (interactive only).
    await page.goto(`${baseUrl}/projects`);
    await page.getByRole('button', { name: 'Create your first project' }).click();
    const create = page.getByRole('dialog', { name: 'New project' });
    await create.getByLabel('Name', { exact: true }).fill('Health');
    await create.getByLabel('What should the app do?').fill('A JSON API with a health check, with tests.');
    await create.getByLabel('Interactive').check();
    await create.getByLabel('Review each code change before it is written').check();
    await screenshot(page, 'review-create-dialog', { fullPage: false });
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    expect(await page.locator('[data-project-mode]').innerText()).toContain('you review changes');

    // Approving the plan resumes the TechLead's step: one step that waited, not a second attempt.
    const plan = page.locator('[data-question]', { hasText: 'The plan:' });
    await plan.waitFor({ timeout: 60_000 });
    await plan.getByRole('button', { name: 'Approve' }).click();
    const techLead = page.getByRole('list', { name: 'Steps', exact: true }).locator('li[data-step]', {
      hasText: 'TechLead',
    });
    await expect
      .poll(() => techLead.locator('[data-step-meta]').innerText(), { timeout: 30_000 })
      .toMatch(/TechLead · \d+(\.\d)? (ms|s) · waited for your answer$/);
    expect(await techLead.locator('[data-usage]').innerText()).toMatch(/^[\d.,]+k? tokens · \$\d/);

    // The first file is proposed as a diff; nothing is written until it is accepted.
    const app = reviewOf(page, 'src/app.js');
    await app.waitFor({ timeout: 60_000 });
    await runStatus(page, 'waiting');
    expect(await app.locator('tr[data-op="added"]').count()).toBe(APP_JS.trimEnd().split('\n').length);
    await page.getByRole('tab', { name: 'Files' }).click();
    expect(await page.locator('[data-file="src/app.js"]').count()).toBe(0);
    await screenshot(page, 'review-proposed-change');
    await app.getByRole('button', { name: 'Accept' }).click();
    await page.locator('[data-file="src/app.js"]').waitFor({ timeout: 30_000 });

    // The server is edited by hand: the person's version is what gets written.
    const server = reviewOf(page, 'src/server.js');
    await server.getByRole('button', { name: 'Edit' }).click({ timeout: 60_000 });
    const draft = server.locator('[data-editor-ready="true"] .cm-content');
    await expect.poll(() => draft.innerText()).toContain('createServer().listen');
    await draft.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(EDIT);
    await server.getByRole('button', { name: 'Write my version' }).click();
    await page.locator('[data-answer]', { hasText: 'Accepted with your edits' }).waitFor();

    // The test is sent back with a comment.
    const test = reviewOf(page, 'test/app.test.js');
    await test.getByRole('button', { name: 'Reject' }).click({ timeout: 60_000 });
    await test.getByLabel('What should change?').fill(COMMENT);
    await screenshot(page, 'review-reject-with-comment', { fullPage: false });
    await test.getByRole('button', { name: 'Send back' }).click();
    await page.locator('[data-answer]', { hasText: `Rejected: ${COMMENT}` }).waitFor();

    // The CodeMonkey writes it again with the comment, and proposes that.
    const revised = reviewOf(page, 'test/app.test.js');
    await expect
      .poll(() => revised.innerText(), { timeout: 60_000 })
      .toContain('rewritten after your comment');
    expect(await revised.locator('tr[data-op="added"]', { hasText: 'answers 404' }).count()).toBe(1);
    await screenshot(page, 'review-revised-change');
    await revised.getByRole('button', { name: 'Accept' }).click();

    await runStatus(page, 'completed', 180_000);
    const editor = page.locator('[data-editor-ready="true"] .cm-content');
    await page.locator('[data-file="src/server.js"]').click();
    await expect.poll(() => page.locator('[data-open-file]').innerText()).toBe('src/server.js');
    await expect.poll(() => editor.innerText(), { timeout: 15_000 }).toContain('Reviewed by hand.');
    await page.locator('[data-file="test/app.test.js"]').click();
    await expect.poll(() => page.locator('[data-open-file]').innerText()).toBe('test/app.test.js');
    await expect
      .poll(() => editor.innerText(), { timeout: 15_000 })
      .toContain('answers 404 to an unknown path');
    // The agent was told what the person said, with what it had proposed.
    const log = (await (await fetch(`${fixtureUrl}/__fixture/requests?key=${key}`)).json()) as {
      requests: { body: string }[];
    };
    const rewrite = log.requests.filter((r) => r.body.includes(COMMENT));
    expect(rewrite).toHaveLength(1);
    expect(rewrite[0]!.body).toContain('rejected it with this comment');
    // And the tests it wrote pass in the sandbox.
    await page.getByRole('tab', { name: /Terminal/ }).click();
    await page.getByRole('button', { name: 'Show as text' }).click();
    expect(await page.locator('[data-terminal-text]').innerText()).toMatch(/\$ npm test[\s\S]*exit 0/);
    await screenshot(page, 'review-done');

    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
