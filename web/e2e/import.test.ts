/**
 * Importing an existing app, as a person does it: the create dialog's Import tab takes a zip (one top
 * folder, node_modules in it, a binary icon), says what it left out, and the project opens; the
 * Architect reads the app (the LLM fixture answering as "OpenAI") and the run waits for change requests.
 * The binary icon shows as binary in the files panel.
 */
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { IMPORTED_SUMMARY, IMPORTED_TODOS_FILES } from '../../infra/samples/imported-todos.ts';
import { IMPORT_LIMITS } from '../../workers/src/projects/import-tree.ts';
import { buildZip } from '../../workers/src/projects/zip.ts';
import { aborted, newContext, screenshot, useBrowser, watchProblems } from './browser.ts';
import { apiCall, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');
const fixtureUrl = inject('llmFixtureUrl');

const browser = useBrowser();

/** The app zipped the way people do: in a folder of its own, its dependencies installed. */
function archive(): Promise<Uint8Array> {
  const files = IMPORTED_TODOS_FILES.map((f) => ({
    path: `todos/${f.path}`,
    data: f.binary ? Buffer.from(f.content, 'base64') : new TextEncoder().encode(f.content),
  }));
  const dependency = { path: 'todos/node_modules/left-pad/index.js', data: new TextEncoder().encode('x\n') };
  return buildZip([...files, dependency], new Date());
}

describe('import', () => {
  it('creates a project from a zip in the create dialog, says what it left out, and the Architect reads the app', async () => {
    expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
    const key = validFixtureKey('openai', `import${Date.now().toString(36)}`);
    const replies = [{ match: { contains: 'You read an imported app' }, json: IMPORTED_SUMMARY }];
    const scripted = await fetch(`${fixtureUrl}/__fixture/script`, {
      method: 'POST',
      body: JSON.stringify({ key, replies }),
    });
    expect(scripted.status, await scripted.text()).toBe(200);

    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const saved = await apiCall(context.request, baseUrl, 'POST', '/api/keys', { provider: 'openai', key });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);

    await page.goto(`${baseUrl}/projects`);
    await page.getByRole('button', { name: 'Create your first project' }).click();
    const create = page.getByRole('dialog', { name: 'New project' });
    await create.getByRole('tab', { name: 'Import' }).click();
    // The limits stated are the ones the server enforces.
    const stated = await create.innerText();
    const mb = (bytes: number) => `${bytes / (1024 * 1024)} MB`;
    expect(stated).toContain(`up to ${mb(IMPORT_LIMITS.archiveBytes)}`);
    expect(stated).toContain(`at most ${IMPORT_LIMITS.files.toLocaleString('en-US')} files`);
    expect(stated).toContain(`${mb(IMPORT_LIMITS.fileBytes)} each`);
    await create.getByLabel('Zip of the app').setInputFiles({
      name: 'todos.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(await archive()),
    });
    await create.getByRole('button', { name: 'Import the app' }).click();
    const result = create.locator('[data-import-result]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.innerText()).toContain(
      `todos was imported with ${IMPORTED_TODOS_FILES.length} files.`,
    );
    expect(await result.locator('[data-import-skipped]').innerText()).toContain('1 file: dependencies');
    await screenshot(page, 'import-result', { fullPage: false });
    await result.getByRole('button', { name: 'Open the project' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);

    // The Architect reads the app, and the run waits for the person's change requests.
    await runStatus(page, 'completed', 60_000);
    await page.getByText('Tell me what to change.').first().waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.locator('[data-file="public/favicon.ico"]').click();
    await page.locator('[data-binary-file]').waitFor();
    await screenshot(page, 'import-binary-file');

    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
