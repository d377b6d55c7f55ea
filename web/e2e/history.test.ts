import type { Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { aborted, newContext, screenshot, useBrowser, watchProblems } from './browser.ts';
import { createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

/** A run that asks for approval, spends on a priced model and on a local one, and writes files. */
const SCRIPT = {
  steps: [
    {
      title: 'Write the specification',
      agent: 'SpecWriter',
      actions: [{ llm: 'spec', costMicros: 1200 }],
    },
    {
      title: 'Scaffold the project',
      agent: 'CodeMonkey',
      task: 'Scaffold',
      endsTask: true,
      actions: [
        { llm: 'scaffold', costMicros: 3400 },
        { write: 'README.md', content: '# App\n' },
        { write: 'package.json', content: '{ "name": "app" }\n' },
      ],
    },
    {
      title: 'Plan the work',
      agent: 'TechLead',
      actions: [
        { llm: 'plan', costMicros: 800 },
        { ask: 'The plan: 1. Implement. Approve it?', options: ['Approve'], default: 'Approve' },
      ],
    },
    {
      title: 'Implement',
      agent: 'Developer',
      task: 'Implement',
      endsTask: true,
      actions: [
        { llm: 'implement on a local model', costMicros: null },
        { write: 'src/index.js', content: 'export const hello = () => "hello";\n' },
      ],
    },
  ],
};

/** The steps list of the wide layout (beside the conversation). */
const stepsList = (page: Page) => page.getByRole('list', { name: 'Steps', exact: true });
const stepRow = (page: Page, title: string) =>
  stepsList(page).locator(':scope > li[data-step]').filter({ hasText: title });

/** Answers the open question with the button `name`. */
async function approve(page: Page): Promise<void> {
  const question = page.locator('[data-question]', { hasText: 'Approve it?' });
  await question.waitFor({ timeout: 30_000 });
  await question.getByRole('button', { name: 'Approve' }).click();
  await page.locator('[data-answer]', { hasText: 'Approve' }).last().waitFor();
}

const meta = (row: Locator) => row.locator('[data-step-meta]').innerText();

describe('the step history', () => {
  it('explains itself: an approval is not a retry, each step and task shows tokens and cost, and after a rollback the current steps are clear and earlier ones folded yet reachable', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'History',
      description: JSON.stringify(SCRIPT),
      mode: 'interactive',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await approve(page);
    await runStatus(page, 'completed');

    // The step that waited for the approval is one step that waited, not a second attempt.
    const plan = stepRow(page, 'Plan the work');
    await expect.poll(() => meta(plan)).toMatch(/^script · \d+(\.\d)? (ms|s) · waited for your answer$/);
    expect(await meta(plan)).not.toMatch(/attempt/);
    expect(await stepsList(page).locator('[data-attempt]').count()).toBe(0);

    // Tokens and cost of each step: a priced model in dollars, a local one "price unknown", never $0.00.
    expect(await stepRow(page, 'Write the specification').locator('[data-usage]').innerText()).toMatch(
      /^\d+ tokens · \$0\.0012$/,
    );
    expect(await stepRow(page, 'Scaffold the project').locator('[data-cost]').innerText()).toBe('$0.0034');
    expect(await stepRow(page, 'Implement').locator('[data-cost]').innerText()).toBe('price unknown');
    expect(await stepsList(page).innerText()).not.toContain('$0.00 ');
    // And of each task, in the plan.
    await page.getByRole('tab', { name: 'Plan' }).click();
    const task = (name: string) =>
      page.locator('[data-task-status]', { hasText: name }).locator('[data-task-usage]');
    expect(await task('Scaffold').innerText()).toMatch(/^\d+ tokens · \$0\.0034$/);
    expect(await task('Implement').innerText()).toMatch(/^\d+ tokens · price unknown$/);
    await screenshot(page, 'history-usage-and-approval');

    // The person edits README.md: the editor says which version they saved.
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.locator('[data-file="README.md"]').click();
    await expect.poll(() => page.locator('[data-open-file]').innerText()).toBe('README.md');
    const editor = page.locator('[data-editor-ready="true"] .cm-content');
    await expect.poll(() => editor.innerText()).toContain('# App');
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Edited by hand.\n');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 2').waitFor();

    // Roll back to right after the scaffold: README.md is the agents' version 1 again.
    await stepRow(page, 'Scaffold the project')
      .getByRole('button', { name: /Roll back here/ })
      .click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Roll back' }).click();
    await runStatus(page, 'paused');
    await expect.poll(() => editor.innerText()).toMatch(/^# App\s*$/);
    await expect.poll(() => page.locator('[data-open-version]').innerText()).toBe('v1');
    expect(await page.locator('[data-open-file]').innerText()).toBe('README.md');
    expect(await page.getByText(/Saved as version/).count()).toBe(0);

    // The two steps that make the current state are current; the two after them are folded away.
    const current = stepsList(page).locator(':scope > li[data-lineage="current"]');
    await expect.poll(() => current.count()).toBe(2);
    expect(await current.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual([
      'completed',
      'completed',
    ]);
    expect(await stepsList(page).innerText()).not.toContain('earlier branch ·');
    const fold = stepsList(page).locator('li[data-fold]');
    expect(await fold.locator('summary').innerText()).toMatch(/Earlier branch: 2 steps/);
    const earlier = fold.locator('li[data-lineage="earlier"]');
    expect(await earlier.first().isVisible()).toBe(false);
    await screenshot(page, 'history-after-rollback-folded', { fullPage: false });

    // Unfolded, the earlier steps are there with what they changed, and one can go back to them.
    await fold.locator('summary').click();
    await expect.poll(() => earlier.count()).toBe(2);
    expect(await earlier.first().isVisible()).toBe(true);
    expect(await earlier.allInnerTexts()).toEqual([
      expect.stringContaining('Plan the work'),
      expect.stringContaining('Implement'),
    ]);
    await earlier
      .filter({ hasText: 'Implement' })
      .getByRole('button', { name: /1 file changed/ })
      .click();
    const dialog = page.getByRole('dialog', { name: /What step \d+ changed/ });
    await dialog.locator('[data-change="src/index.js"]').waitFor();
    await screenshot(page, 'history-earlier-branch-open', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await earlier.getByRole('button', { name: /Roll back here/ }).count()).toBe(2);

    // The run goes on from the fork: its new steps join the current ones, the fold stays where it left.
    await page.getByRole('button', { name: 'Resume' }).click();
    await approve(page);
    await runStatus(page, 'completed');
    await expect.poll(() => current.count()).toBe(4);
    expect(
      await stepsList(page)
        .locator(':scope > li')
        .evaluateAll((rows) =>
          rows.map((r) => (r.hasAttribute('data-fold') ? 'fold' : r.getAttribute('data-lineage'))),
        ),
    ).toEqual(['current', 'current', 'fold', 'current', 'current']);
    await screenshot(page, 'history-after-rollback-resumed');

    expect(problems).toEqual([]);
    await context.close();
  });
});
