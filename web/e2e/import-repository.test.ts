/**
 * Importing from a repository, as a person does it: the create dialog's Import tab, "From a
 * repository", a private repository on a git server on loopback (git's own http-backend, token auth),
 * a wrong token first (the form says the remote refused it, beside the token field), then the right
 * one: the project is made from the branch's latest commit and the form says what it left out.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import { git } from '../../infra/git-server/git-cli.ts';
import { startGitServer, type GitServer, type ServedRepository } from '../../infra/git-server/server.ts';
import { aborted, newContext, screenshot, useBrowser, watchProblems } from './browser.ts';
import { signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');
const browser = useBrowser();

let server: GitServer;
let repo: ServedRepository;
const work = mkdtempSync(join(tmpdir(), 'import-repository-'));

beforeAll(async () => {
  server = await startGitServer();
  repo = server.createRepository('bakery', `tok-${crypto.randomUUID()}`);
  const files: Record<string, string> = {
    'package.json': '{ "name": "bakery", "scripts": { "start": "node server.js" } }\n',
    'server.js': 'require("node:http").createServer((q, s) => s.end("bread")).listen(3000);\n',
    'node_modules/left-pad/index.js': 'module.exports = 1;\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
  }
  await git(work, ['init', '-q', '--initial-branch=main']);
  await git(work, ['add', '-A']);
  await git(work, ['commit', '-q', '-m', 'The bakery']);
  await git(work, ['push', '-q', repo.path, 'main']);
});

afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

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
    expect(await result.innerText()).toContain('bakery was imported with 2 files.');
    expect(await result.locator('[data-import-skipped]').innerText()).toContain('1 file: dependencies');
    await screenshot(page, 'import-repository-result', { fullPage: false });
    expect(await page.content()).not.toContain(repo.token);

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
