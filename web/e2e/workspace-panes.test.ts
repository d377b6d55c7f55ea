import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { aborted, useBrowser, newContext, screenshot, watchProblems } from './browser.ts';
import { createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

/**
 * A run that keeps talking for a long while (well over a minute even on an idle machine): a message
 * and a short streamed reply per step, a hundred steps. The test pauses it once it has seen enough.
 */
const CHATTY = JSON.stringify({
  steps: [
    {
      title: 'Talk',
      agent: 'Developer',
      repeat: 100,
      actions: [{ emit: 2 }, { llm: 'progress', chunks: 3, delayMs: 250 }],
    },
  ],
});

/** Where the conversation pane is scrolled, and how far it could scroll. */
const conversationScroll = (page: Page) =>
  page
    .locator('[data-conversation]')
    .evaluate((el) => ({ top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight }));

const atBottom = async (page: Page) => {
  const { top, height, client } = await conversationScroll(page);
  return height - top - client < 48;
};

const itemCount = (page: Page) => page.locator('[data-conversation] li').count();

/** Whether the element is entirely inside the window. */
const onScreen = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
  });

const VIEWPORTS: Array<{ name: string; options: BrowserContextOptions }> = [
  { name: 'laptop', options: { viewport: { width: 1280, height: 800 } } },
  { name: 'tablet', options: { viewport: { width: 768, height: 1024 } } },
];

describe('workspace panes', () => {
  for (const { name, options } of VIEWPORTS) {
    it(`stay put at ${name} width: the page never scrolls, each pane does, the message box is always there`, async () => {
      const context = await newContext(browser(), options);
      await signUpViaApi(context, baseUrl);
      const id = await createProjectViaApi(context, baseUrl, {
        name: 'Chatty',
        description: CHATTY,
        mode: 'autopilot',
      });
      const page = await context.newPage();
      const problems = watchProblems(page, aborted);
      await openAndStart(page, baseUrl, id);

      // Enough messages that the conversation is longer than its pane.
      await expect
        .poll(
          async () => {
            const { height, client } = await conversationScroll(page);
            return height > client * 2;
          },
          { timeout: 60_000 },
        )
        .toBe(true);

      // The page itself does not scroll: the workspace is the window's height, the panes scroll inside.
      const page_ = await page.evaluate(() => ({
        height: document.scrollingElement!.scrollHeight,
        width: document.scrollingElement!.scrollWidth,
        window: innerHeight,
        windowWidth: innerWidth,
      }));
      expect(page_.height).toBeLessThanOrEqual(page_.window);
      expect(page_.width).toBeLessThanOrEqual(page_.windowWidth);
      // The message box, the panel's tabs and the conversation's newest message are all in view.
      expect(await onScreen(page, '#composer-text')).toBe(true);
      expect(await onScreen(page, '[role="tablist"]')).toBe(true);
      expect(await onScreen(page, '[data-conversation] li:last-child')).toBe(true);

      // The conversation follows what comes while the reader is at the bottom.
      let before = await itemCount(page);
      await expect
        .poll(async () => (await itemCount(page)) > before + 2 && (await atBottom(page)), { timeout: 30_000 })
        .toBe(true);

      // A reader who scrolled up stays where they are, and is told that more came.
      const marker = page.locator('[data-new-messages]');
      await expect
        .poll(
          async () => {
            await page.locator('[data-conversation]').evaluate((el) => el.scrollTo({ top: 0 }));
            return marker.isVisible();
          },
          { timeout: 30_000 },
        )
        .toBe(true);
      before = await itemCount(page);
      await expect.poll(() => itemCount(page), { timeout: 30_000 }).toBeGreaterThan(before + 2);
      expect((await conversationScroll(page)).top).toBe(0);
      expect(await page.evaluate(() => scrollY)).toBe(0);
      expect(await onScreen(page, '#composer-text')).toBe(true);
      await screenshot(page, `workspace-new-messages-${name}`);

      // The marker takes them back down, and the conversation follows again.
      await marker.click();
      await marker.waitFor({ state: 'detached' });
      before = await itemCount(page);
      await expect
        .poll(async () => (await itemCount(page)) > before && (await atBottom(page)), { timeout: 30_000 })
        .toBe(true);

      // The other pane scrolls on its own: scrolling it moves neither the conversation nor the page.
      const steps =
        name === 'laptop'
          ? page.locator('section[aria-label="Steps"]')
          : page.locator('[role="tabpanel"]:not([hidden])');
      if (name !== 'laptop') await page.getByRole('tab', { name: 'Steps' }).click();
      await expect
        .poll(() => steps.evaluate((el) => el.scrollHeight > el.clientHeight), { timeout: 30_000 })
        .toBe(true);
      await page.locator('[data-conversation]').evaluate((el) => el.scrollTo({ top: 0 }));
      await steps.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await expect.poll(() => steps.evaluate((el) => el.scrollTop > 0)).toBe(true);
      expect((await conversationScroll(page)).top).toBe(0);
      expect(await page.evaluate(() => scrollY)).toBe(0);

      await page.getByRole('button', { name: 'Pause' }).click();
      await runStatus(page, 'paused');
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('looks right in both themes at laptop and tablet widths (screenshots)', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const script = {
      steps: [
        {
          title: 'Write the specification',
          agent: 'SpecWriter',
          actions: [
            {
              llm: 'spec',
              chunks: 4,
              reply:
                '## Todo API\n\nA REST API for todos, kept in a JSON file.\n\n- `GET /todos` lists them\n- `POST /todos` adds one\n\nRun it with `npm start`.',
            },
          ],
        },
        {
          title: 'Scaffold',
          agent: 'CodeMonkey',
          task: 'Scaffold',
          endsTask: true,
          actions: [
            { write: 'package.json', content: '{\n  "name": "todo-api",\n  "type": "module"\n}\n' },
            { write: 'src/index.js', content: 'export const hello = () => "hello";\n' },
            { exec: 'npm test # lines 40' },
            { say: 'The project skeleton is in place; **tests pass**.' },
          ],
        },
      ],
    };
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Todo API',
      description: JSON.stringify(script),
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed');
    await page.locator('[data-markdown] h2', { hasText: 'Todo API' }).waitFor();

    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      for (const { name, options } of VIEWPORTS) {
        await page.setViewportSize(options.viewport!);
        await page.locator('[data-workspace]').evaluate(
          (el, height) =>
            new Promise<void>((resolve) => {
              const check = () =>
                el.getBoundingClientRect().bottom <= height ? resolve() : requestAnimationFrame(check);
              check();
            }),
          options.viewport!.height,
        );
        for (const tab of ['Plan', 'Terminal'] as const) {
          await page.getByRole('tab', { name: tab }).click();
          if (tab === 'Terminal') {
            await expect
              .poll(() => page.locator('[data-terminal-ready="true"] .xterm-rows').innerText(), {
                timeout: 15_000,
              })
              .toContain('[40/40]');
          } else {
            await page.locator('[data-plan-progress]').waitFor();
          }
          expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= innerHeight)).toBe(
            true,
          );
          await screenshot(page, `workspace-${name}-${theme}-${tab.toLowerCase()}`);
        }
      }
    }

    expect(problems).toEqual([]);
    await context.close();
  });
});
