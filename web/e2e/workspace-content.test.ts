import type { Route } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { aborted, useBrowser, newContext, screenshot, watchProblems } from './browser.ts';
import { createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

/** An agent's message in Markdown, with what a hostile or confused model might put in it. */
const MESSAGE = [
  '## Getting started',
  '',
  'Run **npm start**, then open the preview.',
  '',
  '```sh',
  'npm install',
  'npm start',
  '```',
  '',
  '- lists todos',
  '- adds todos',
  '',
  '<img src="/x.png" onerror="window.__injected = 1"> <script>window.__injected = 2</script>',
  '',
  '[a trap](javascript:window.__injected=3) and [the docs](https://example.com/docs)',
].join('\n');

/** A README as models send it: fenced as a whole. */
const README = '```markdown\n# Todo API\n\nA REST API for todos.\n\n## Test\n\n```sh\nnpm test\n```\n```';

describe('workspace content', () => {
  it("renders the agents' Markdown (messages and the streamed README) without running any of its HTML", async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const script = {
      steps: [
        { title: 'Explain', agent: 'Developer', actions: [{ say: MESSAGE }] },
        { title: 'README', agent: 'TechnicalWriter', actions: [{ llm: 'readme', reply: README, chunks: 6 }] },
      ],
    };
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Markdown',
      description: JSON.stringify(script),
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed');

    const message = page.locator('[data-conversation] li[data-kind="message"] [data-markdown]').first();
    await message.waitFor();
    expect(await message.locator('h2').innerText()).toBe('Getting started');
    expect(await message.locator('strong').innerText()).toBe('npm start');
    expect((await message.locator('pre code').innerText()).trim()).toBe('npm install\nnpm start');
    expect(await message.locator('li').allInnerTexts()).toEqual(['lists todos', 'adds todos']);
    // Raw HTML is shown as the text it is, never made into elements or run.
    expect(await message.locator('img, script, [onerror]').count()).toBe(0);
    expect(await message.innerText()).toContain('<img src="/x.png" onerror="window.__injected = 1">');
    expect(await message.innerText()).toContain('<script>window.__injected = 2</script>');
    // Only web links are links, opened elsewhere without a hold on this page.
    expect(await message.locator('a').count()).toBe(1);
    const link = message.getByRole('link', { name: 'the docs' });
    expect(await link.getAttribute('href')).toBe('https://example.com/docs');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await message.innerText()).toContain('[a trap](javascript:window.__injected=3)');

    // The README, streamed in a fence around the whole, is rendered as the document it is.
    const readme = page.locator('[data-conversation] li[data-kind="stream"] [data-markdown]');
    await readme.locator('h1').waitFor();
    expect(await readme.locator('h1').innerText()).toBe('Todo API');
    expect(await readme.locator('h2').innerText()).toBe('Test');
    expect((await readme.locator('pre code').innerText()).trim()).toBe('npm test');
    expect(await readme.innerText()).not.toContain('```');

    expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
    await screenshot(page, 'workspace-markdown', { fullPage: false });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('teaches the first minute: examples to start from, and what the run will do and how long it takes', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);

    // The create dialog offers examples; one fills the form, which stays the person's to change.
    await page.goto(`${baseUrl}/projects`);
    await page.getByRole('button', { name: 'Create your first project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    const examples = dialog.getByRole('group', { name: /from an example/i });
    await examples.getByRole('button').first().waitFor();
    expect(await examples.getByRole('button').count()).toBeGreaterThanOrEqual(3);
    await examples.getByRole('button', { name: 'Habit tracker' }).click();
    expect(await dialog.getByLabel('Name', { exact: true }).inputValue()).toBe('Habit tracker');
    const description = await dialog.getByLabel('What should the app do?').inputValue();
    expect(description).toMatch(/habit/i);
    expect(description.length).toBeGreaterThan(80);
    await screenshot(page, 'create-dialog-examples', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // A project that has not started says what will happen, and how long it may take.
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Fresh',
      description: JSON.stringify({
        steps: [{ title: 'Wait', agent: 'SpecWriter', actions: [{ ask: 'Ready?', default: 'Yes' }] }],
      }),
      mode: 'interactive',
    });
    await page.goto(`${baseUrl}/projects/${id}`);
    const guide = page.locator('[data-run-guide]');
    await guide.waitFor();
    expect(await guide.innerText()).toContain('This project has not started yet.');
    expect(await guide.locator('ol li').allInnerTexts()).toEqual([
      expect.stringMatching(/^1?\s*Specification\. .*ask you here/s),
      expect.stringMatching(/^2?\s*Plan\. .*which you approve/s),
      expect.stringMatching(/^3?\s*Code\. .*Terminal and Preview/s),
      expect.stringMatching(/^4?\s*README\./s),
    ]);
    expect(await guide.locator('[data-run-estimate]').innerText()).toMatch(
      /10 to 30 minutes.*budget of \$5\.00.*close this page/s,
    );
    await screenshot(page, 'workspace-run-guide');

    // Started, it gives way to the agents' first words.
    await guide.getByRole('button', { name: 'Start the run' }).click();
    await page.locator('[data-question]').waitFor({ timeout: 30_000 });
    expect(await guide.count()).toBe(0);

    expect(problems).toEqual([]);
    await context.close();
  });

  it("never shows a file's name over another file's text, however slowly the text comes", async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Two files',
      description: JSON.stringify({
        steps: [
          {
            title: 'Write',
            agent: 'CodeMonkey',
            actions: [
              { write: 'README.md', content: '# App\n\nThe readme.\n' },
              { write: 'src/index.js', content: 'export const hello = () => "hello";\n' },
            ],
          },
        ],
      }),
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed');

    // The test holds the answers for src/index.js until it lets them go: a slow server, a busy machine.
    const held: Route[] = [];
    await page.route(
      (url) => url.pathname.endsWith('/files/content') && url.searchParams.get('path') === 'src/index.js',
      (route) => void held.push(route),
    );

    await page.getByRole('tab', { name: 'Files' }).click();
    // The README opens first, by itself.
    await page.locator('[data-editor-ready="true"][data-editor-path="README.md"]').waitFor();
    expect(await page.locator('[data-open-file]').innerText()).toBe('README.md');
    expect(await page.locator('.cm-content').innerText()).toContain('The readme.');

    // Another file chosen: until its text is here, neither its name as the open file, nor the old text.
    await page.locator('[data-file="src/index.js"]').click();
    await page.locator('[data-opening-file="src/index.js"]').waitFor();
    await expect.poll(() => held.length).toBe(1);
    expect(await page.locator('[data-open-file]').count()).toBe(0);
    expect(await page.locator('.cm-content').count()).toBe(0);
    expect(await page.locator('[data-editor-ready="true"]').count()).toBe(0);

    // Back to the README while src/index.js is still on its way, then src/index.js again: the late
    // answer of the first request must not land under any name.
    await page.locator('[data-file="README.md"]').click();
    await page.locator('[data-editor-ready="true"][data-editor-path="README.md"]').waitFor();
    await page.locator('[data-file="src/index.js"]').click();
    await expect.poll(() => held.length).toBe(2);
    await held[0]!.continue().catch(() => {}); // the page gave up on it already
    await held[1]!.continue();

    const ready = page.locator('[data-editor-ready="true"][data-editor-path="src/index.js"]');
    await ready.waitFor();
    expect(await page.locator('[data-open-file]').innerText()).toBe('src/index.js');
    expect(await ready.locator('.cm-content').innerText()).toContain('export const hello');
    expect(await page.locator('.cm-content').count()).toBe(1);

    expect(problems).toEqual([]);
    await context.close();
  });
});
