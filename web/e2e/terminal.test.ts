import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { aborted, useBrowser, newContext, screenshot, watchProblems } from './browser.ts';
import { createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

/** The line the scripted sandbox prints as line `n` of `lines` (see `echoSandbox`). */
const line = (n: number, lines: number) => `[${n}/${lines}] src/modules/module-${n}.ts`;

const rows = (page: Page) => page.locator('[data-terminal-ready="true"] .xterm-rows');

/**
 * Counts the changes made to the terminal's screen from now on (`window.__terminalChanges`): a
 * terminal that is hidden, or shows nothing new, must not make any.
 */
const watchTerminalScreen = (page: Page) =>
  page.locator('[data-terminal-ready="true"] .xterm-screen').evaluate((screen) => {
    const w = window as { __terminalChanges?: number };
    w.__terminalChanges = 0;
    new MutationObserver((records) => (w.__terminalChanges! += records.length)).observe(screen, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
const terminalChanges = (page: Page) =>
  page.evaluate(() => (window as { __terminalChanges?: number }).__terminalChanges ?? -1);

describe('terminal', () => {
  it('shows a long run at once, its end in the terminal and all of it as text', async () => {
    const lines = 12_000;
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Long build',
      description: JSON.stringify({
        steps: [
          { title: 'Build', agent: 'Developer', actions: [{ exec: `npm run build # lines ${lines}` }] },
        ],
      }),
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed', 120_000);

    // A fresh page replays the log; the terminal shows its end, and says where the rest is.
    await page.reload();
    await page.locator('[data-connection="live"]').waitFor();
    await page.getByRole('tab', { name: /Terminal/ }).click();
    await expect.poll(() => rows(page).innerText(), { timeout: 30_000 }).toContain(line(lines, lines));
    // Scrolled to its top (its scrollbar dragged up), the terminal says where the lines it does not
    // keep are.
    await page.locator('[data-terminal-ready="true"] .xterm-screen').hover();
    const slider = await page
      .locator('[data-terminal-ready="true"] .scrollbar.vertical .slider')
      .boundingBox();
    expect(slider).not.toBeNull();
    await page.mouse.move(slider!.x + slider!.width / 2, slider!.y + slider!.height / 2);
    await page.mouse.down();
    await page.mouse.move(slider!.x + slider!.width / 2, 0, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => rows(page).innerText()).toMatch(/earlier lines: "Show as text" has all of them/);
    expect(await rows(page).innerText()).not.toContain(line(1, lines));
    await screenshot(page, 'terminal-long-run');

    // The text view has every line, first to last.
    await page.getByRole('button', { name: 'Show as text' }).click();
    const text = page.locator('[data-terminal-text]');
    await text.waitFor();
    const all = await text.evaluate((el) => el.textContent ?? '');
    expect(all).toContain('$ npm run build');
    expect(all).toContain(`${line(1, lines)} `);
    expect(all).toContain(`${line(lines, lines)} `);
    expect(all.split('\n').filter((l) => l.startsWith('[')).length).toBe(lines);
    // It opens at the end, where the latest output is.
    await expect
      .poll(() => text.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24))
      .toBe(true);

    // Back to the terminal: it is where the reader left it.
    await page.getByRole('button', { name: 'Show terminal' }).click();
    await expect.poll(() => rows(page).innerText()).toMatch(/earlier lines: "Show as text" has all of them/);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('does nothing while hidden or idle, and catches up when shown again', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    // Two builds with a question between them: the test decides when the second one runs.
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Two builds',
      description: JSON.stringify({
        steps: [
          { title: 'First build', agent: 'Developer', actions: [{ exec: 'npm run first # lines 300' }] },
          {
            title: 'Ask',
            agent: 'Developer',
            actions: [{ ask: 'Build again?', options: ['Yes'], default: 'Yes' }],
          },
          { title: 'Second build', agent: 'Developer', actions: [{ exec: 'npm run second # lines 500' }] },
        ],
      }),
      mode: 'interactive',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await page.locator('[data-question]').waitFor({ timeout: 30_000 });

    await page.getByRole('tab', { name: /Terminal/ }).click();
    await expect.poll(() => rows(page).innerText(), { timeout: 30_000 }).toContain(line(300, 300));

    // Shown and nothing new: the screen stays as it is (no re-measuring, no re-rendering).
    await watchTerminalScreen(page);
    await page.waitForTimeout(1500);
    expect(await terminalChanges(page)).toBe(0);

    // Hidden behind another tab while the second build prints: the terminal does not touch its screen.
    await page.getByRole('tab', { name: 'Plan' }).click();
    await page.locator('[data-question]').getByRole('button', { name: 'Yes' }).click();
    await runStatus(page, 'completed');
    expect(await terminalChanges(page)).toBe(0);

    // Shown again, it has the output it missed, at once.
    await page.getByRole('tab', { name: /Terminal/ }).click();
    await expect.poll(() => rows(page).innerText(), { timeout: 15_000 }).toContain(line(500, 500));
    expect(await terminalChanges(page)).toBeGreaterThan(0);

    expect(problems).toEqual([]);
    await context.close();
  });
});
