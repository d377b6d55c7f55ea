/**
 * Importing from a repository, as a person does it: the create dialog's Import tab, "From a
 * repository", a private repository on a git server on loopback (git's own http-backend, token auth),
 * a wrong token first (the form says the remote refused it, beside the token field), then the right
 * one: the project is made from the branch's latest commit and the form says what it left out.
 * Then the agents change the imported app on a change request (the LLM fixture answering as
 * "OpenAI"), the app runs with the change, and the Repository dialog pushes it back to the git
 * server, where the stock git client sees it; a push rejected because the remote moved offers Pull,
 * and the pull brings the remote's commit in.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import { git, withToken } from '../../infra/git-server/git-cli.ts';
import { startGitServer, type GitServer, type ServedRepository } from '../../infra/git-server/server.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import {
  COUNT_TEST_JS,
  IMPORTED_CHANGE,
  IMPORTED_TODOS_FILES,
  importedTodosSession,
} from '../../infra/samples/imported-todos.ts';
import { aborted, newContext, screenshot, useBrowser, watchProblems } from './browser.ts';
import { apiCall, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');
const fixtureUrl = inject('llmFixtureUrl');
const browser = useBrowser();

let server: GitServer;
let repo: ServedRepository;

/** A script committed with its executable bit (git's mode 100755), beside the app's files. */
const SCRIPT = { path: 'bin/check.sh', content: '#!/bin/sh\nnpm test\n' };
/** Every file the import keeps, in the order it writes them (by path). */
const IMPORTED_PATHS = [...IMPORTED_TODOS_FILES.map((f) => f.path), SCRIPT.path].sort();
const work = mkdtempSync(join(tmpdir(), 'import-repository-'));

/** The todo app of the samples, committed with its dependencies installed (the import leaves them out). */
beforeAll(async () => {
  server = await startGitServer();
  repo = server.createRepository('todos', `tok-${crypto.randomUUID()}`);
  const source = join(work, 'source');
  const files: [string, Uint8Array | string][] = [
    ...IMPORTED_TODOS_FILES.map((f): [string, Uint8Array | string] => [
      f.path,
      f.binary ? Buffer.from(f.content, 'base64') : f.content,
    ]),
    ['node_modules/left-pad/index.js', 'module.exports = 1;\n'],
    [SCRIPT.path, SCRIPT.content],
  ];
  for (const [path, data] of files) {
    mkdirSync(dirname(join(source, path)), { recursive: true });
    writeFileSync(join(source, path), data);
  }
  await git(source, ['init', '-q', '--initial-branch=main']);
  chmodSync(join(source, SCRIPT.path), 0o755);
  await git(source, ['add', '-A']);
  await git(source, ['commit', '-q', '-m', 'The todo list']);
  await git(source, ['push', '-q', repo.path, 'main']);
});

afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Scripts the fixture's session for a fresh OpenAI key and saves that key for the signed-in user. */
async function saveScriptedKey(context: BrowserContext): Promise<string> {
  expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
  const key = validFixtureKey('openai', `importrepo${Date.now().toString(36)}`);
  const scripted = await fetch(`${fixtureUrl}/__fixture/script`, {
    method: 'POST',
    body: JSON.stringify({ key, replies: importedTodosSession() }),
  });
  expect(scripted.status, await scripted.text()).toBe(200);
  const saved = await apiCall(context.request, baseUrl, 'POST', '/api/keys', { provider: 'openai', key });
  expect(saved.status, JSON.stringify(saved.body)).toBe(201);
  return key;
}

/** How many scripted replies the fixture still holds for `key`. */
async function pendingReplies(key: string): Promise<number> {
  const res = await fetch(`${fixtureUrl}/__fixture/script`);
  const { pending } = (await res.json()) as { pending: Record<string, number> };
  return pending[key] ?? 0;
}

/** A file of the project as the API gives it. */
async function fileOf(context: BrowserContext, id: string, path: string): Promise<string | null> {
  const res = await apiCall(
    context.request,
    baseUrl,
    'GET',
    `/api/projects/${id}/files/content?path=${encodeURIComponent(path)}`,
  );
  return res.status === 200 ? (res.body as { content: string }).content : null;
}

/** Opens the Repository dialog, clicks one of its buttons and returns what the dialog says. */
async function remoteAction(page: Page, button: string): Promise<string> {
  const dialog = page.getByRole('dialog', { name: 'Repository' });
  await dialog.locator(`[data-remote-${button}]`).click();
  const outcome = dialog.locator('[data-remote-outcome]');
  await outcome.waitFor({ timeout: 30_000 });
  return outcome.innerText();
}

describe('import from a repository', () => {
  it('creates a project from a private repository in the create dialog, and says when the token is refused', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    // The refused token's 422 is expected (the browser also logs it to the console).
    const problems = watchProblems(
      page,
      (p) =>
        aborted(p) ||
        ((p.url ?? '').includes('/api/projects/import/repository') &&
          (p.status === 422 || p.kind === 'console')),
    );

    await page.goto(`${baseUrl}/projects`);
    await page.getByRole('button', { name: 'Create your first project' }).click();
    const create = page.getByRole('dialog', { name: 'New project' });
    await create.getByRole('tab', { name: 'Import' }).click();
    await create.getByRole('radio', { name: 'From a repository' }).check();
    await create.getByLabel('Repository URL').fill(repo.url);
    await create.getByLabel('Access token (optional)').fill('not-the-token');
    await create.getByRole('button', { name: 'Import the app' }).click();
    const tokenField = create.getByLabel('Access token (optional)');
    await expect.poll(() => tokenField.getAttribute('aria-invalid')).toBe('true');
    expect(await create.innerText()).toMatch(/refused the token/);
    await screenshot(page, 'import-repository-refused', { fullPage: false });

    await tokenField.fill(repo.token);
    await create.getByRole('button', { name: 'Import the app' }).click();
    const result = create.locator('[data-import-result]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.innerText()).toContain(`todos was imported with ${IMPORTED_PATHS.length} files.`);
    expect(await result.locator('[data-import-skipped]').innerText()).toContain('1 file: dependencies');
    await screenshot(page, 'import-repository-result', { fullPage: false });
    expect(await page.content()).not.toContain(repo.token);

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('gets a working change from the agents, and goes back to the git server from the Repository dialog (a rejected push offers Pull)', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const key = await saveScriptedKey(context);
    const imported = await apiCall(context.request, baseUrl, 'POST', '/api/projects/import/repository', {
      url: repo.url,
      token: repo.token,
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const id = (imported.body as { project: { id: string } }).project.id;
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);

    // The Architect reads the app; then the person's change request runs through the agents.
    await openAndStart(page, baseUrl, id);
    await page.getByText('Tell me what to change.').first().waitFor({ timeout: 60_000 });
    await runStatus(page, 'completed', 30_000);
    await page.getByLabel('Message to the agents').fill(IMPORTED_CHANGE);
    await page.getByLabel('Kind of message').selectOption('change');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => pendingReplies(key), { timeout: 120_000, interval: 500 }).toBe(0);
    await runStatus(page, 'completed', 60_000);
    expect(await fileOf(context, id, 'public/index.html')).toContain(
      '<h1>Todos</h1>\n      <p id="count"></p>',
    );
    expect(await fileOf(context, id, 'test/count.test.js')).toBe(COUNT_TEST_JS);

    // The app runs with the change: its page, at the preview's origin, has the count above the list.
    const link = await apiCall(context.request, baseUrl, 'POST', `/api/projects/${id}/preview`);
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const app = await context.newPage();
    await app.goto((link.body as { url: string }).url);
    await app.locator('h1 + p#count').waitFor({ state: 'attached', timeout: 30_000 });
    expect(await app.locator('h1').innerText()).toBe('Todos');
    await app.close();

    // Pushed back from the Repository dialog to a branch of its own (the import started a new history).
    await page.getByRole('button', { name: 'Repository' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect repository' });
    await dialog.getByLabel('Repository URL').fill(repo.url);
    await dialog.getByLabel('Access token').fill(repo.token);
    await dialog.getByLabel('Branch').fill('change');
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('dialog', { name: 'Repository' }).locator('[data-remote-connected]').waitFor();
    expect(await remoteAction(page, 'push')).toMatch(/Pushed to change: \d+ object\(s\) sent/);
    await screenshot(page, 'remote-pushed', { fullPage: false });
    expect(await page.content()).not.toContain(repo.token);

    // The stock git client sees the change on that branch, one commit per step.
    const clone = join(work, 'clone');
    await git(work, ['clone', '-q', '--branch', 'change', withToken(repo.url, repo.token), clone]);
    expect(readFileSync(join(clone, 'public/index.html'), 'utf8')).toContain('<p id="count"></p>');
    expect(readFileSync(join(clone, 'test/count.test.js'), 'utf8')).toBe(COUNT_TEST_JS);
    const log = (await git(clone, ['log', '--format=%s'])).trim().split('\n');
    expect(log).toEqual([
      'Write the README',
      'Check the page',
      'Run npm test',
      'Write public/index.html',
      'Write the acceptance tests',
      'Plan your change request',
      'Read the imported app',
      // The import: one commit, the user's save of every file.
      `Edit ${IMPORTED_PATHS.length} files`,
    ]);
    expect(await git(clone, ['show', '-s', '--format=%b', 'change~7'])).toContain(IMPORTED_PATHS.join('\n'));
    // The script kept its executable bit through the import, the history and the push.
    expect(await git(clone, ['ls-files', '--stage', SCRIPT.path])).toMatch(/^100755 /);
    expect(statSync(join(clone, SCRIPT.path)).mode & 0o111).not.toBe(0);

    // Someone commits on the remote; the project's next push is rejected and the dialog offers Pull.
    writeFileSync(join(clone, 'NOTES.md'), 'Made elsewhere.\n');
    await git(clone, ['add', 'NOTES.md']);
    await git(clone, ['commit', '-q', '-m', 'Notes from elsewhere']);
    await git(clone, ['push', '-q', 'origin', 'change']);
    const saved = await apiCall(context.request, baseUrl, 'PUT', `/api/projects/${id}/files/content`, {
      path: 'public/style.css',
      content: 'body { margin: 0; }\n',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(await remoteAction(page, 'push')).toContain('The remote has commits this project does not have.');
    const offer = page.locator('[data-remote-offer-pull]');
    await offer.waitFor();
    await screenshot(page, 'remote-rejected', { fullPage: false });
    await offer.click();
    await page.locator('[data-remote-outcome]', { hasText: 'Pulled change' }).waitFor({ timeout: 30_000 });
    expect(await fileOf(context, id, 'NOTES.md')).toBe('Made elsewhere.\n');

    // Now the push is a fast-forward: the remote has the pull's merge commit on top of its own.
    expect(await remoteAction(page, 'push')).toMatch(/Pushed to change/);
    await git(clone, ['pull', '-q', '--ff-only', 'origin', 'change']);
    expect(readFileSync(join(clone, 'public/style.css'), 'utf8')).toBe('body { margin: 0; }\n');
    expect((await git(clone, ['log', '-1', '--format=%P'])).trim().split(' ')).toHaveLength(2);

    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
